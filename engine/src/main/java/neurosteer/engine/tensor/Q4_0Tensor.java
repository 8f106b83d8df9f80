package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q4_0: blocks of 32 elements, an f16 scale {@code d} then 16 bytes of 4-bit values. Byte j holds
 * element j in its low nibble and element j + 16 in its high nibble; element = (q - 8) * d.
 */
public final class Q4_0Tensor extends BlockQuantTensor {
    static final int BLOCK = 32, BYTES = 18;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    public Q4_0Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.Q4_0; }

    @Override
    NativeGemm.Layout nativeLayout() { return NativeGemm.Layout.Q4_0; }

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
            IntVector first = widenedBytes(base + 2), second = widenedBytes(base + 10);
            lowNibbles(first, 8).mul(d).intoArray(out, outOffset);
            lowNibbles(second, 8).mul(d).intoArray(out, outOffset + 8);
            highNibbles(first, 8).mul(d).intoArray(out, outOffset + 16);
            highNibbles(second, 8).mul(d).intoArray(out, outOffset + 24);
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
        // running offsets rather than ones recomputed from a block index: C2 emits fewer instructions
        long base = firstBlock * BYTES;
        for (int xo = xOffset, end = xOffset + blocks * BLOCK; xo < end; xo += BLOCK, base += BYTES) {
            // two 8-byte loads, each widened once to ints: 8 low-nibble and 8 high-nibble elements
            IntVector first = widenedBytes(base + 2), second = widenedBytes(base + 10);
            FloatVector s = lowNibbles(first, 8).mul(FloatVector.fromArray(F, x, xo));
            s = lowNibbles(second, 8).fma(FloatVector.fromArray(F, x, xo + 8), s);
            s = highNibbles(first, 8).fma(FloatVector.fromArray(F, x, xo + 16), s);
            s = highNibbles(second, 8).fma(FloatVector.fromArray(F, x, xo + 24), s);
            acc = s.fma(FloatVector.broadcast(F, f16(base)), acc);
        }
        return Lanes.sum(acc);
    }

    @Override
    int activationBlock() { return BLOCK; }

    private static final RowKernel KERNEL = Q4_0Tensor::rowDot;

    @Override
    void matvecQuantized(QuantizedActivations a, float[] out, int rowStart, int rowEnd) {
        rowLoop(KERNEL, segment, rows(), cols() / BLOCK, BYTES, a, out, rowStart, rowEnd);
    }

    /**
     * One 16-byte load gives all 32 nibbles in 16-bit lanes; the products of a block are summed there
     * (at most 2 · 15 · 127 per lane). The {@code -8} of every element is applied once per block,
     * as {@code -8 · d · Σx}.
     */
    private static float rowDot(MemorySegment seg, int blocks, QuantizedActivations a, int firstXBlock) {
        short[] q = a.values;
        float[] scales = a.scales, sums = a.groupSums;
        FloatVector acc = FloatVector.zero(F);
        float offsets = 0;
        for (int b = 0; b < blocks; b++) {
            int xb = firstXBlock + b, xo = xb * BLOCK, base = b * BYTES;
            float d = f16(seg, base);
            ShortVector packed = bytesAsShorts(seg, base + 2);
            ShortVector s = packed.and((short) 0xF).mul(ShortVector.fromArray(SHORTS, q, xo))
                    .add(packed.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(SHORTS, q, xo + 16)));
            acc = smallPairSums(s).fma(FloatVector.broadcast(F, d * scales[xb]), acc);
            offsets += d * sums[xb];
        }
        return Lanes.sum(acc) - 8 * offsets;
    }

    @Override
    float blockDotQuantizedScalar(long base, QuantizedActivations a, int xb) {
        int xo = xb * BLOCK, dot = 0;
        for (int j = 0; j < 16; j++) {
            int packed = u8(base + 2 + j);
            dot += (packed & 0xF) * a.values[xo + j] + (packed >>> 4) * a.values[xo + j + 16];
        }
        return f16(base) * (a.scales[xb] * dot - 8 * a.groupSums[xb]);
    }
}
