package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

/** GGML Q8_0: blocks of 32 elements, an f16 scale {@code d} then 32 int8 values; element = q * d. */
public final class Q8_0Tensor extends BlockQuantTensor {
    static final int BLOCK = 32, BYTES = 34;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B8 = ByteVector.SPECIES_64;

    public Q8_0Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.Q8_0; }

    @Override
    public float get(long index) {
        long block = index / BLOCK * BYTES;
        return f16(block) * s8(block + 2 + index % BLOCK);
    }

    @Override
    void dequantizeBlock(long block, float[] out, int outOffset) {
        long base = block * BYTES;
        float d = f16(base);
        if (Kernels.VECTORIZE) {
            for (int part = 0; part < 4; part++) eight(base + 2 + 8 * part).mul(d).intoArray(out, outOffset + 8 * part);
            return;
        }
        for (int j = 0; j < BLOCK; j++) out[outOffset + j] = d * s8(base + 2 + j);
    }

    @Override
    float dotBlocksScalar(long firstBlock, int blocks, float[] x, int xOffset) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            int xo = xOffset + b * BLOCK;
            float blockSum = 0;
            for (int j = 0; j < BLOCK; j++) blockSum += s8(base + 2 + j) * x[xo + j];
            sum += f16(base) * blockSum;
        }
        return sum;
    }

    @Override
    float dotBlocksVector(long firstBlock, int blocks, float[] x, int xOffset) {
        FloatVector acc = FloatVector.zero(F);
        // running offsets rather than ones recomputed from a block index: C2 emits ~10% fewer instructions
        long q = firstBlock * BYTES + 2;
        for (int xo = xOffset, end = xOffset + blocks * BLOCK; xo < end; xo += BLOCK, q += BYTES) {
            // four 8-byte loads, each widened straight to 8 floats (one sign-extend and convert apiece)
            FloatVector s = eight(q).mul(FloatVector.fromArray(F, x, xo));
            s = eight(q + 8).fma(FloatVector.fromArray(F, x, xo + 8), s);
            s = eight(q + 16).fma(FloatVector.fromArray(F, x, xo + 16), s);
            s = eight(q + 24).fma(FloatVector.fromArray(F, x, xo + 24), s);
            acc = s.fma(FloatVector.broadcast(F, f16(q - 2)), acc);
        }
        return Lanes.sum(acc);
    }

    private FloatVector eight(long byteOffset) {
        return (FloatVector) ByteVector.fromMemorySegment(B8, segment, byteOffset, ByteOrder.LITTLE_ENDIAN).castShape(F, 0);
    }

    @Override
    int activationBlock() { return BLOCK; }

    @Override
    NativeGemm.Layout nativeLayout() { return NativeGemm.Layout.Q8_0; }

    private static final RowKernel KERNEL = Q8_0Tensor::rowDot;

    @Override
    void matvecQuantized(QuantizedActivations a, float[] out, int rowStart, int rowEnd) {
        rowLoop(KERNEL, segment, rows(), cols() / BLOCK, BYTES, a, out, rowStart, rowEnd);
    }

    /** Two 16-byte loads sign-extended to 16-bit lanes; each lane sums two products (at most 2 · 128 · 127). */
    private static float rowDot(MemorySegment seg, int blocks, QuantizedActivations a, int firstXBlock) {
        short[] q = a.values;
        float[] scales = a.scales;
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            int xb = firstXBlock + b, xo = xb * BLOCK, base = b * BYTES;
            ShortVector s = signedBytesAsShorts(seg, base + 2).mul(ShortVector.fromArray(SHORTS, q, xo))
                    .add(signedBytesAsShorts(seg, base + 18).mul(ShortVector.fromArray(SHORTS, q, xo + 16)));
            acc = pairSums(s).fma(FloatVector.broadcast(F, f16(seg, base) * scales[xb]), acc);
        }
        return Lanes.sum(acc);
    }

    @Override
    float blockDotQuantizedScalar(long base, QuantizedActivations a, int xb) {
        int xo = xb * BLOCK, dot = 0;
        for (int j = 0; j < BLOCK; j++) dot += s8(base + 2 + j) * a.values[xo + j];
        return f16(base) * a.scales[xb] * dot;
    }
}
