package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q4_K: super-blocks of 256 elements in 144 bytes: f16 {@code d}, f16 {@code dmin}, 12 bytes of
 * 6-bit (scale, min) pairs for the eight 32-element sub-blocks, then 128 bytes of nibbles. Each 64
 * elements share 32 bytes: the low nibbles are the first 32 elements, the high nibbles the next 32.
 * Element = d * scale * q - dmin * min.
 */
public final class Q4_KTensor extends BlockQuantTensor {
    static final int BLOCK = 256, BYTES = 144;
    static final int SCALES = 4, QS = 16;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;

    public Q4_KTensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.Q4_K; }

    @Override
    NativeGemm.Layout nativeLayout() { return NativeGemm.Layout.Q4_K; }

    /** 6-bit scale of sub-block {@code j} (0..7). */
    int scale(long base, int j) {
        long s = base + SCALES;
        return j < 4 ? u8(s + j) & 63 : (u8(s + j + 4) & 0xF) | ((u8(s + j - 4) >>> 6) << 4);
    }

    /** 6-bit min of sub-block {@code j} (0..7). */
    int min(long base, int j) {
        long s = base + SCALES;
        return j < 4 ? u8(s + j + 4) & 63 : (u8(s + j + 4) >>> 4) | ((u8(s + j) >>> 6) << 4);
    }

    /** 6-bit scale of sub-block {@code j} from the 12 packed bytes at {@code bytes[at...]}. */
    static int scale(byte[] bytes, int at, int j) {
        return j < 4 ? bytes[at + j] & 63 : (bytes[at + j + 4] & 0xF) | (((bytes[at + j - 4] & 0xFF) >>> 6) << 4);
    }

    /** 6-bit min of sub-block {@code j} from the 12 packed bytes at {@code bytes[at...]}. */
    static int min(byte[] bytes, int at, int j) {
        return j < 4 ? bytes[at + j + 4] & 63 : ((bytes[at + j + 4] & 0xFF) >>> 4) | (((bytes[at + j] & 0xFF) >>> 6) << 4);
    }

    @Override
    public float get(long index) {
        long base = index / BLOCK * BYTES;
        int e = (int) (index % BLOCK);
        int sub = e / 32, chunk = e / 64, l = e % 32;
        int packed = u8(base + QS + 32L * chunk + l);
        int q = (sub & 1) == 0 ? packed & 0xF : packed >>> 4;
        return f16(base) * scale(base, sub) * q - f16(base + 2) * min(base, sub);
    }

    @Override
    void dequantizeBlock(long block, float[] out, int outOffset) {
        long base = block * BYTES;
        float d = f16(base), dmin = f16(base + 2);
        for (int chunk = 0; chunk < 4; chunk++) {
            float d1 = d * scale(base, 2 * chunk), m1 = dmin * min(base, 2 * chunk);
            float d2 = d * scale(base, 2 * chunk + 1), m2 = dmin * min(base, 2 * chunk + 1);
            int o = outOffset + 64 * chunk;
            if (Kernels.VECTORIZE) {
                for (int part = 0; part < 4; part++) {
                    IntVector packed = widenedBytes(base + QS + 32L * chunk + 8 * part);
                    lowNibbles(packed).mul(d1).sub(m1).intoArray(out, o + 8 * part);
                    highNibbles(packed).mul(d2).sub(m2).intoArray(out, o + 32 + 8 * part);
                }
                continue;
            }
            for (int l = 0; l < 32; l++) {
                int packed = u8(base + QS + 32L * chunk + l);
                out[o + l] = d1 * (packed & 0xF) - m1;
                out[o + 32 + l] = d2 * (packed >>> 4) - m2;
            }
        }
    }

    @Override
    float dotBlocksScalar(long firstBlock, int blocks, float[] x, int xOffset) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(base), dmin = f16(base + 2);
            for (int chunk = 0; chunk < 4; chunk++) {
                int xo = xOffset + b * BLOCK + 64 * chunk;
                float qxLow = 0, qxHigh = 0, xLow = 0, xHigh = 0;
                for (int l = 0; l < 32; l++) {
                    int packed = u8(base + QS + 32L * chunk + l);
                    qxLow += (packed & 0xF) * x[xo + l];
                    qxHigh += (packed >>> 4) * x[xo + 32 + l];
                    xLow += x[xo + l];
                    xHigh += x[xo + 32 + l];
                }
                sum += d * scale(base, 2 * chunk) * qxLow - dmin * min(base, 2 * chunk) * xLow;
                sum += d * scale(base, 2 * chunk + 1) * qxHigh - dmin * min(base, 2 * chunk + 1) * xHigh;
            }
        }
        return sum;
    }

    /**
     * Sums q·x per 32-element sub-block in vectors and applies {@code d·scale} once per sub-block; the
     * min term {@code -dmin·min_j · Σx} needs only each sub-block's sum of x.
     */
    @Override
    float dotBlocksVector(long firstBlock, int blocks, float[] x, int xOffset) {
        Scratch s = SCRATCH.get();
        float[] xSums = s.xSums(blocks * 8);
        subBlockSums(x, xOffset, blocks * 8, xSums);
        return rowDot(firstBlock, blocks, x, xOffset, xSums, s.scales, s.mins);
    }

    /**
     * Decode: the sub-block sums of x are taken once per x, not once per row, and every row sums
     * just q·x in vectors, with its scales and mins read into reused scratch.
     */
    @Override
    protected void matvecRows(float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        int cols = cols(), rows = rows();
        if (cols % BLOCK != 0) {
            super.matvecRows(x, batch, out, rowStart, rowEnd);
            return;
        }
        Scratch s = SCRATCH.get();
        float[] xSums = s.xSums(cols / 32);
        int blocksPerRow = cols / BLOCK;
        for (int b = 0; b < batch; b++) {
            int xo = b * cols;
            subBlockSums(x, xo, cols / 32, xSums);
            for (int r = rowStart; r < rowEnd; r++)
                out[b * rows + r] = rowDot((long) r * blocksPerRow, blocksPerRow, x, xo, xSums, s.scales, s.mins);
        }
    }

    /** {@code xSums[j] = Σ x[xOffset + 32j .. xOffset + 32j + 32)} for {@code j < subBlocks}. */
    private static void subBlockSums(float[] x, int xOffset, int subBlocks, float[] xSums) {
        for (int j = 0; j < subBlocks; j++) {
            int o = xOffset + 32 * j;
            FloatVector v = FloatVector.fromArray(F, x, o).add(FloatVector.fromArray(F, x, o + 8))
                    .add(FloatVector.fromArray(F, x, o + 16)).add(FloatVector.fromArray(F, x, o + 24));
            xSums[j] = Lanes.sum(v);
        }
    }

    /** Dot of {@code blocks} super-blocks with x, given the sub-block sums of x from {@link #subBlockSums}. */
    private float rowDot(long firstBlock, int blocks, float[] x, int xOffset, float[] xSums, float[] scales, float[] mins) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, minAcc = acc0;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            scalesAndMins(segment, base, 1, scales, mins);
            for (int chunk = 0; chunk < 4; chunk++) {
                int xo = xOffset + b * BLOCK + 64 * chunk;
                long qs = base + QS + 32L * chunk;
                FloatVector qxLow = FloatVector.zero(F), qxHigh = qxLow;
                for (int part = 0; part < 4; part++) {
                    IntVector packed = widenedBytes(qs + 8 * part);
                    qxLow = lowNibbles(packed).fma(FloatVector.fromArray(F, x, xo + 8 * part), qxLow);
                    qxHigh = highNibbles(packed).fma(FloatVector.fromArray(F, x, xo + 32 + 8 * part), qxHigh);
                }
                acc0 = qxLow.fma(FloatVector.broadcast(F, scales[2 * chunk]), acc0);
                acc1 = qxHigh.fma(FloatVector.broadcast(F, scales[2 * chunk + 1]), acc1);
            }
            // the eight sub-blocks' min terms in one vector step (mins are already -dmin·min_j)
            minAcc = FloatVector.fromArray(F, mins, 0).fma(FloatVector.fromArray(F, xSums, b * 8), minAcc);
        }
        return Lanes.sum(acc0.add(acc1).add(minAcc));
    }

    @Override
    int activationBlock() { return BLOCK; }

    @Override
    void matvecQuantized(QuantizedActivations a, float[] out, int rowStart, int rowEnd) {
        int blocksPerRow = cols() / BLOCK, rows = rows();
        Scratch s = SCRATCH.get();
        MemorySegment seg = segment;
        float[] scales = s.scales, mins = s.mins;
        if (a.batch == 1) {
            for (int r = rowStart; r < rowEnd; r++) out[r] = rowDotQuantized(seg, (long) r * blocksPerRow, blocksPerRow, a, 0, scales, mins);
            return;
        }
        for (int r = rowStart; r < rowEnd; r++)  // each weight row once from memory, then from L1 for the other batch rows
            for (int b = 0; b < a.batch; b++)
                out[b * rows + r] = rowDotQuantized(seg, (long) r * blocksPerRow, blocksPerRow, a, b * blocksPerRow, scales, mins);
    }

    /**
     * Two 16-byte loads give the 64 nibbles of a sub-block pair in 16-bit lanes; each sub-block's
     * products are summed there (at most 2 · 15 · 127 per lane) and scaled once by
     * {@code d · scale_j · (x's scale)}. The min terms use the sums of the quantized x.
     */
    private static float rowDotQuantized(MemorySegment seg, long firstBlock, int blocks, QuantizedActivations a, int firstXBlock,
                                         float[] scales, float[] mins) {
        short[] q = a.values;
        float[] xScales = a.scales, sums = a.groupSums;
        FloatVector acc0 = FloatVector.zero(F), acc1 = acc0, minAcc = acc0;
        long base = firstBlock * BYTES;
        for (int xb = firstXBlock, end = firstXBlock + blocks; xb < end; xb++, base += BYTES) {
            scalesAndMins(seg, base, xScales[xb], scales, mins);
            for (int chunk = 0; chunk < 4; chunk++) {
                int xo = xb * BLOCK + 64 * chunk;
                long qs = base + QS + 32L * chunk;
                ShortVector first = bytesAsShorts(seg, qs), second = bytesAsShorts(seg, qs + 16);
                ShortVector low = first.and((short) 0xF).mul(ShortVector.fromArray(SHORTS, q, xo))
                        .add(second.and((short) 0xF).mul(ShortVector.fromArray(SHORTS, q, xo + 16)));
                ShortVector high = first.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(SHORTS, q, xo + 32))
                        .add(second.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(SHORTS, q, xo + 48)));
                acc0 = smallPairSums(low).fma(FloatVector.broadcast(F, scales[2 * chunk]), acc0);
                acc1 = smallPairSums(high).fma(FloatVector.broadcast(F, scales[2 * chunk + 1]), acc1);
            }
            minAcc = FloatVector.fromArray(F, mins, 0).fma(FloatVector.fromArray(F, sums, xb * 8), minAcc);
        }
        return Lanes.sum(acc0.add(acc1).add(minAcc));
    }

    @Override
    float blockDotQuantizedScalar(long base, QuantizedActivations a, int xb) {
        float d = f16(base) * a.scales[xb], dmin = f16(base + 2), sum = 0;
        for (int chunk = 0; chunk < 4; chunk++) {
            int xo = xb * BLOCK + 64 * chunk, low = 0, high = 0;
            for (int l = 0; l < 32; l++) {
                int packed = u8(base + QS + 32L * chunk + l);
                low += (packed & 0xF) * a.values[xo + l];
                high += (packed >>> 4) * a.values[xo + 32 + l];
            }
            sum += d * scale(base, 2 * chunk) * low - dmin * min(base, 2 * chunk) * a.groupSums[xb * 8 + 2 * chunk];
            sum += d * scale(base, 2 * chunk + 1) * high - dmin * min(base, 2 * chunk + 1) * a.groupSums[xb * 8 + 2 * chunk + 1];
        }
        return sum;
    }

    private static final class Scratch {
        final float[] scales = new float[8], mins = new float[8];
        float[] xSums = new float[0];

        float[] xSums(int n) {
            if (xSums.length < n) xSums = new float[n];
            return xSums;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * {@code d·scale_j·scaleFactor} and {@code -dmin·min_j} of all eight sub-blocks, from two loads of the 12 packed
     * bytes instead of one byte read per 6-bit field (same values as {@link #scale} and {@link #min}).
     */
    private static void scalesAndMins(MemorySegment memory, long base, float scaleFactor, float[] scales, float[] mins) {
        float d = f16(memory, base) * scaleFactor, dmin = f16(memory, base + 2);
        long lo = memory.get(LONG_LE, base + SCALES);
        int hi = memory.get(INT_LE, base + SCALES + 8);
        for (int j = 0; j < 4; j++) {
            int sj = (int) (lo >>> (8 * j)) & 0xFF, mj = (int) (lo >>> (8 * (j + 4))) & 0xFF, tail = (hi >>> (8 * j)) & 0xFF;
            scales[j] = d * (sj & 63);
            mins[j] = -dmin * (mj & 63);
            scales[j + 4] = d * ((tail & 0xF) | ((sj >>> 6) << 4));
            mins[j + 4] = -dmin * ((tail >>> 4) | ((mj >>> 6) << 4));
        }
    }

    private static final ValueLayout.OfLong LONG_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
}
