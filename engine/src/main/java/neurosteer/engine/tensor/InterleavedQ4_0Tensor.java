package neurosteer.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicBoolean;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import neurosteer.engine.util.Parallel;

/**
 * A Q4_0 matrix with its rows interleaved in groups of 16, made once at load time from the file's
 * row-major layout ({@link #interleave}); the same bytes, in another order. For each group and each
 * 32-column block there are 288 bytes: the 16 rows' f16 scales, then for {@code j < 16} the 16 rows'
 * byte {@code j} (low nibble column {@code j}, high nibble column {@code j + 16}).
 *
 * <p>Why: in the row-major layout a decode kernel multiplies one row at a time, with the 32 columns of
 * a block across its vector lanes, and must then fold those lanes and scale them, block by block and
 * row by row. Here one 16-byte load gives one column of 16 rows, so the lanes are rows: a block's
 * products are summed by plain 16-bit adds, and the 16 rows' scales come in one vector. The kernel
 * runs 1.5-1.8× as fast per thread as the row-major one (docs/BENCHMARKS.md), and prefill decodes
 * a 16-row panel without a transpose.
 *
 * <p>The rows of a group sit in lane order 0, 8, 1, 9, ..., 7, 15 ({@link #laneOfRow}): one 32-bit
 * lane then holds rows {@code i} and {@code i + 8}, so the low and high halves of the 16-bit sums are
 * rows 0-7 and 8-15, in order, each taken out with a shift.
 */
public final class InterleavedQ4_0Tensor extends Tensor {
    static final int GROUP = 16, BLOCK = 32, GROUP_BLOCK_BYTES = GROUP * Q4_0Tensor.BYTES, SCALE_BYTES = 2 * GROUP;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    private static final ValueLayout.OfShort F16 = BlockQuantTensor.F16;
    /** 2^112: moves a half's exponent bias (15) to a float's (127) once its bits sit 13 places higher. */
    private static final float REBIAS = 0x1p112f;

    private final int blocksPerRow;

    private InterleavedQ4_0Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
        blocksPerRow = cols() / BLOCK;
    }

    @Override
    public GgmlType type() { return GgmlType.Q4_0; }

    /**
     * The interleaved copy of {@code flat}, in memory of its own, or {@code flat} itself when it cannot
     * be interleaved: not a matrix of whole groups and blocks, or a scale that is infinite or NaN (the
     * kernels' half-to-float conversion assumes finite scales). When {@code flat} is memory-mapped,
     * each stretch of it is released from this process's resident memory once copied
     * ({@link MemorySegment#unload}), so that the copy does not double it.
     */
    public static Tensor interleave(Q4_0Tensor flat) {
        long[] shape = flat.shape();
        if (shape.length != 2 || shape[0] % GROUP != 0 || shape[1] % BLOCK != 0) return flat;
        int rows = flat.rows(), blocks = flat.cols() / BLOCK, groups = rows / GROUP;
        MemorySegment src = flat.segment();
        MemorySegment dst = Arena.ofAuto().allocate(flat.byteSize(), 64);
        long groupBytes = (long) blocks * GROUP_BLOCK_BYTES;
        int groupsPerStretch = Math.max(1, (int) ((4L << 20) / groupBytes));
        AtomicBoolean nonFinite = new AtomicBoolean();
        for (int g0 = 0; g0 < groups && !nonFinite.get(); g0 += groupsPerStretch) {
            int g1 = Math.min(groups, g0 + groupsPerStretch), first = g0;
            Parallel.forRange(g1 - g0, 1, (start, end) -> {
                byte[] row = new byte[blocks * Q4_0Tensor.BYTES];
                for (int g = first + start; g < first + end; g++)
                    for (int i = 0; i < GROUP; i++) {
                        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, (long) (g * GROUP + i) * row.length, row, 0, row.length);
                        int lane = laneOfRow(i);
                        for (int b = 0; b < blocks; b++) {
                            long to = ((long) g * blocks + b) * GROUP_BLOCK_BYTES;
                            int from = b * Q4_0Tensor.BYTES;
                            if ((row[from + 1] & 0x7C) == 0x7C) nonFinite.set(true);
                            dst.set(ValueLayout.JAVA_BYTE, to + 2L * lane, row[from]);
                            dst.set(ValueLayout.JAVA_BYTE, to + 2L * lane + 1, row[from + 1]);
                            for (int j = 0; j < 16; j++) dst.set(ValueLayout.JAVA_BYTE, to + SCALE_BYTES + 16L * j + lane, row[from + 2 + j]);
                        }
                    }
            });
            if (src.isMapped()) src.asSlice(g0 * groupBytes, (g1 - g0) * groupBytes).unload();
        }
        return nonFinite.get() ? flat : new InterleavedQ4_0Tensor(flat.name(), dst, shape);
    }

    /** The lane of row {@code i} (0-15) of a group: rows 0-7 in the even lanes, 8-15 in the odd ones. */
    static int laneOfRow(int i) { return i < 8 ? 2 * i : 2 * (i - 8) + 1; }

    private long blockBase(int row, int block) { return ((long) (row / GROUP) * blocksPerRow + block) * GROUP_BLOCK_BYTES; }

    @Override
    public float get(long index) {
        int row = (int) (index / cols()), col = (int) (index % cols()), j = col % BLOCK;
        long base = blockBase(row, col / BLOCK);
        int lane = laneOfRow(row % GROUP);
        int packed = segment.get(ValueLayout.JAVA_BYTE, base + SCALE_BYTES + 16L * (j & 15) + lane) & 0xFF;
        int q = j < 16 ? packed & 0xF : packed >>> 4;
        return (q - 8) * Float.float16ToFloat(segment.get(F16, base + 2L * lane));
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        int cols = cols(), i = 0;
        for (; i < n && (offset + i) % BLOCK != 0; i++) out[outOffset + i] = get(offset + i);
        for (; n - i >= BLOCK; i += BLOCK) {
            long at = offset + i;
            int row = (int) (at / cols);
            long base = blockBase(row, (int) (at % cols) / BLOCK);
            int lane = laneOfRow(row % GROUP), o = outOffset + i;
            float d = Float.float16ToFloat(segment.get(F16, base + 2L * lane));
            for (int j = 0; j < 16; j++) {
                int packed = segment.get(ValueLayout.JAVA_BYTE, base + SCALE_BYTES + 16L * j + lane) & 0xFF;
                out[o + j] = ((packed & 0xF) - 8) * d;
                out[o + j + 16] = ((packed >>> 4) - 8) * d;
            }
        }
        for (; i < n; i++) out[outOffset + i] = get(offset + i);
    }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        float[] w = DOT_SCRATCH.get();
        float sum = 0;
        for (int done = 0; done < n; done += w.length) {
            int len = Math.min(w.length, n - done);
            dequantize(offset + done, w, 0, len);
            for (int i = 0; i < len; i++) sum += w[i] * x[xOffset + done + i];
        }
        return sum;
    }

    private static final ThreadLocal<float[]> DOT_SCRATCH = ThreadLocal.withInitial(() -> new float[1024]);

    /**
     * Splits the product over whole groups, so that every chunk starts on a group (prefill's panels
     * then decode straight from the interleaved bytes). Up to {@link TiledMatmul#MIN_BATCH} rows of x
     * take the integer kernel, x quantized once per call as for the row-major formats.
     */
    @Override
    public void matmul(float[] x, int batch, float[] out) {
        int groups = rows() / GROUP, grain = Math.max(1, rowGrain(batch) / GROUP);
        if (Kernels.VECTORIZE && Kernels.QUANTIZE_ACTIVATIONS && batch < TiledMatmul.MIN_BATCH) {
            QuantizedActivations a = QuantizedActivations.forThread().quantize(x, batch, cols(), BLOCK);
            short[] offsets = blockOffsets(a);
            Parallel.forRange(groups, grain, (start, end) -> matvecQuantized(a, offsets, out, start, end));
            return;
        }
        Parallel.forRange(groups, grain, (start, end) -> matmulRows(x, batch, out, start * GROUP, end * GROUP));
    }

    private static final ThreadLocal<short[][]> OFFSETS = ThreadLocal.withInitial(() -> new short[1][0]);

    /** {@code -8 · Σ values} of every activation block: the {@code -8} of the weights, applied once per block. */
    private static short[] blockOffsets(QuantizedActivations a) {
        short[][] holder = OFFSETS.get();
        int blocks = a.batch * a.cols / BLOCK;
        if (holder[0].length < blocks) holder[0] = new short[blocks];
        short[] offsets = holder[0];
        for (int b = 0; b < blocks; b++) {
            int sum = 0;
            for (int i = b * BLOCK; i < (b + 1) * BLOCK; i++) sum += a.values[i];
            offsets[b] = (short) (-8 * sum);
        }
        return offsets;
    }

    /** The integer kernel for groups {@code [groupStart, groupEnd)} and every batch row of {@code a}. */
    void matvecQuantized(QuantizedActivations a, short[] offsets, float[] out, int groupStart, int groupEnd) {
        MemorySegment seg = segment;
        int blocks = blocksPerRow, rows = rows();
        if (a.batch == 1) {
            for (int g = groupStart; g < groupEnd; g++) groupDot(seg, (long) g * blocks, blocks, a, offsets, 0, out, g * GROUP);
            return;
        }
        for (int g = groupStart; g < groupEnd; g++)  // a group's weights once from memory, then from L1/L2 for the other batch rows
            for (int b = 0; b < a.batch; b++) groupDot(seg, (long) g * blocks, blocks, a, offsets, b * blocks, out, b * rows + g * GROUP);
    }

    /**
     * One group of 16 rows against one activation row: {@code out[outOffset + i]} for rows {@code i < 16}.
     * Per block, lane sums {@code Σ q·x + offset} in 16-bit lanes equal {@code Σ (q - 8)·x}, at most
     * 32 · 8 · 127 = 32512 in magnitude; the partial sums may wrap on the way, the last one cannot.
     */
    private static void groupDot(MemorySegment seg, long firstGroupBlock, int blocks, QuantizedActivations a, short[] offsets,
                                 int firstXBlock, float[] out, int outOffset) {
        short[] q = a.values;
        float[] xScales = a.scales;
        FloatVector low = FloatVector.zero(F), high = low;
        long base = firstGroupBlock * GROUP_BLOCK_BYTES;
        for (int xb = firstXBlock, end = firstXBlock + blocks; xb < end; xb++, base += GROUP_BLOCK_BYTES) {
            ShortVector sums = ShortVector.broadcast(S, offsets[xb]);
            int xo = xb * BLOCK;
            for (int j = 0; j < 16; j++) {
                ShortVector packed = BlockQuantTensor.bytesAsShorts(seg, base + SCALE_BYTES + 16L * j);
                sums = sums.add(packed.and((short) 0xF).mul(q[xo + j]))
                        .add(packed.lanewise(VectorOperators.LSHR, 4).mul(q[xo + j + 16]));
            }
            IntVector pairs = sums.reinterpretAsInts();
            FloatVector rows0to7 = (FloatVector) pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .convert(VectorOperators.I2F, 0);
            FloatVector rows8to15 = (FloatVector) pairs.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0);
            IntVector scales = IntVector.fromMemorySegment(I, seg, base, ByteOrder.LITTLE_ENDIAN);
            FloatVector xScale = FloatVector.broadcast(F, xScales[xb]);
            low = rows0to7.mul(lowHalves(scales)).fma(xScale, low);
            high = rows8to15.mul(highHalves(scales)).fma(xScale, high);
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 8);
    }

    /** The f16 in the low half of each lane as a float (exact for finite halves, subnormals included). */
    private static FloatVector lowHalves(IntVector pairs) { return topHalf(pairs.lanewise(VectorOperators.LSHL, 16)); }

    /** The f16 in the high half of each lane as a float. */
    private static FloatVector highHalves(IntVector pairs) { return topHalf(pairs.and(0xFFFF0000)); }

    private static FloatVector topHalf(IntVector half) {
        FloatVector magnitude = half.lanewise(VectorOperators.LSHR, 3).and(0x0FFFE000).reinterpretAsFloats().mul(REBIAS);
        return magnitude.reinterpretAsInts().or(half.and(0x80000000)).reinterpretAsFloats();
    }

    /**
     * Prefill: the 16 rows of group {@code group}, columns {@code [kc, kc + kLen)} (whole blocks),
     * decoded column-major into {@code panel[k * 16 + i]}, the layout {@link TiledMatmul} multiplies;
     * the same floats as {@link #dequantize}.
     */
    void decodePanel(int group, int kc, int kLen, float[] panel) {
        MemorySegment seg = segment;
        long base = ((long) group * blocksPerRow + kc / BLOCK) * GROUP_BLOCK_BYTES;
        for (int k0 = 0; k0 < kLen; k0 += BLOCK, base += GROUP_BLOCK_BYTES) {
            IntVector scales = IntVector.fromMemorySegment(I, seg, base, ByteOrder.LITTLE_ENDIAN);
            FloatVector d0to7 = lowHalves(scales), d8to15 = highHalves(scales);
            for (int j = 0; j < 16; j++) {
                ShortVector packed = BlockQuantTensor.bytesAsShorts(seg, base + SCALE_BYTES + 16L * j);
                storeColumn(packed.and((short) 0xF).sub((short) 8), d0to7, d8to15, panel, (k0 + j) * GROUP);
                storeColumn(packed.lanewise(VectorOperators.LSHR, 4).sub((short) 8), d0to7, d8to15, panel, (k0 + j + 16) * GROUP);
            }
        }
    }

    private static void storeColumn(ShortVector values, FloatVector d0to7, FloatVector d8to15, float[] panel, int at) {
        IntVector pairs = values.reinterpretAsInts();
        ((FloatVector) pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                .mul(d0to7).intoArray(panel, at);
        ((FloatVector) pairs.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(d8to15).intoArray(panel, at + 8);
    }
}
