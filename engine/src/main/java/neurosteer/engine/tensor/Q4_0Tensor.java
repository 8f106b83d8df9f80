package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q4_0: blocks of 32 elements, an f16 scale {@code d} then 16 bytes of 4-bit values. Byte j holds
 * element j in its low nibble and element j + 16 in its high nibble; element = (q - 8) * d.
 */
public final class Q4_0Tensor extends BlockQuantTensor {
    static final int BLOCK = 32, BYTES = 18;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_128, B8 = ByteVector.SPECIES_64;

    public Q4_0Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.Q4_0; }

    @Override
    public float get(long index) {
        long base = index / BLOCK * BYTES;
        int j = (int) (index % BLOCK);
        int packed = u8(base + 2 + (j & 15));
        int q = j < 16 ? packed & 0xF : packed >>> 4;
        return (q - 8) * f16(base);
    }

    @Override
    void dequantizeBlock(long block, float[] out, int outOffset) {
        long base = block * BYTES;
        float d = f16(base);
        if (Kernels.VECTORIZE) {
            ByteVector first = ByteVector.fromMemorySegment(B8, segment, base + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector second = ByteVector.fromMemorySegment(B8, segment, base + 10, ByteOrder.LITTLE_ENDIAN);
            low(first).mul(d).intoArray(out, outOffset);
            low(second).mul(d).intoArray(out, outOffset + 8);
            high(first).mul(d).intoArray(out, outOffset + 16);
            high(second).mul(d).intoArray(out, outOffset + 24);
            return;
        }
        for (int j = 0; j < 16; j++) {
            int packed = u8(base + 2 + j);
            out[outOffset + j] = ((packed & 0xF) - 8) * d;
            out[outOffset + j + 16] = ((packed >>> 4) - 8) * d;
        }
    }

    @Override
    float dotBlocksScalar(long firstBlock, int blocks, float[] x, int xOffset) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            int xo = xOffset + b * BLOCK;
            float blockSum = 0;
            for (int j = 0; j < 16; j++) {
                int packed = u8(base + 2 + j);
                blockSum += ((packed & 0xF) - 8) * x[xo + j] + ((packed >>> 4) - 8) * x[xo + j + 16];
            }
            sum += f16(base) * blockSum;
        }
        return sum;
    }

    @Override
    float dotBlocksVector(long firstBlock, int blocks, float[] x, int xOffset) {
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            int xo = xOffset + b * BLOCK;
            // two 8-byte loads; each gives 8 low-nibble and 8 high-nibble elements, widened straight to floats
            ByteVector first = ByteVector.fromMemorySegment(B8, segment, base + 2, ByteOrder.LITTLE_ENDIAN);
            ByteVector second = ByteVector.fromMemorySegment(B8, segment, base + 10, ByteOrder.LITTLE_ENDIAN);
            FloatVector s = low(first).mul(FloatVector.fromArray(F, x, xo));
            s = low(second).fma(FloatVector.fromArray(F, x, xo + 8), s);
            s = high(first).fma(FloatVector.fromArray(F, x, xo + 16), s);
            s = high(second).fma(FloatVector.fromArray(F, x, xo + 24), s);
            acc = s.fma(FloatVector.broadcast(F, f16(base)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** Low nibbles of 8 bytes minus 8, as floats. */
    private static FloatVector low(ByteVector packed) {
        return (FloatVector) packed.and((byte) 0xF).sub((byte) 8).castShape(F, 0);
    }

    /** High nibbles of 8 bytes minus 8, as floats. */
    private static FloatVector high(ByteVector packed) {
        return (FloatVector) shiftRight(packed, 4).and((byte) 0xF).sub((byte) 8).castShape(F, 0);
    }
}
