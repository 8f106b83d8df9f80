package neurosteer.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import neurosteer.engine.util.Parallel;

/**
 * A block-quantized matrix with its rows interleaved in groups of {@link #GROUP}, made once at load
 * time from the file's row-major layout ({@link #interleave}): the same bytes in another order. For
 * each group and each block of columns, the 16 rows' copies of every byte of a block sit side by
 * side, so one 16-byte load gives one byte position of 16 rows.
 *
 * <p>A group's bytes are its blocks in column order, each block's bytes (scales, then quantized
 * values, in the order the format's kernel reads them) in one piece ({@link #blockAt}): the decode
 * kernels read a group once, front to back. Decoding a group's scales in a pass ahead of its values
 * (from a layout with all headers first) read a third slower from DRAM (docs/BENCHMARKS.md, the
 * twenty-sixth run).
 *
 * <p>Why: in the row-major layout a decode kernel multiplies one row at a time with the columns of a
 * block across its vector lanes, and must fold those lanes and scale them, block by block and row
 * by row. Interleaved, the lanes are rows: a block's products are summed by plain 16-bit adds, and
 * the 16 rows' scales come in one load. Prefill decodes a 16-row panel without a transpose.
 *
 * <p>The rows of a group sit in lane order 0, 8, 1, 9, ..., 7, 15 ({@link #laneOfRow}): a 32-bit
 * lane then holds rows {@code i} and {@code i + 8} in its two halves, so 16-bit sums split into rows
 * 0-7 and 8-15, in order, with a shift each.
 */
public abstract sealed class InterleavedTensor extends Tensor permits InterleavedQ4_0Tensor, InterleavedQ4_KTensor, InterleavedQ6_KTensor, InterleavedQ8_0Tensor {
    static final int GROUP = 16;
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final VectorSpecies<Short> S = ShortVector.SPECIES_256;
    static final VectorSpecies<Integer> I = IntVector.SPECIES_256;
    static final ValueLayout.OfShort F16 = BlockQuantTensor.F16;
    /** 2^112: moves a half's exponent bias (15) to a float's (127) once its bits sit 13 places higher. */
    private static final float REBIAS = 0x1p112f;

    final int blocksPerRow;

    InterleavedTensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
        blocksPerRow = cols() / type().blockSize;
    }

    /** Byte offset of block {@code block} (the 16 rows' copies of it) of group {@code group}. */
    final long blockAt(int group, int block) { return blockAt(group, block, blocksPerRow, GROUP * type().bytesPerBlock); }

    /**
     * Group {@code group}'s bytes, for a kernel to index with int offsets ({@code block * 16 * bytesPerBlock}).
     * C2 checks the bounds of such offsets once per loop; with long offsets into the whole tensor it
     * checked every load (docs/BENCHMARKS.md, "Bounds checks").
     */
    final MemorySegment groupSegment(int group) {
        long bytes = (long) blocksPerRow * GROUP * type().bytesPerBlock;
        return segment.asSlice(group * bytes, bytes);
    }

    private static long blockAt(int group, int block, int blocks, int groupBlockBytes) {
        return ((long) group * blocks + block) * groupBlockBytes;
    }

    /** The lane of row {@code i} (0-15) of a group: rows 0-7 in the even lanes, 8-15 in the odd ones. */
    static int laneOfRow(int i) { return i < 8 ? 2 * i : 2 * (i - 8) + 1; }

    /** Copies one row-major block ({@code from} in {@code row}) into its group block at {@code at}, as lane {@code lane}. */
    @FunctionalInterface
    interface BlockScatter {
        void scatter(byte[] row, int from, MemorySegment dst, long at, int lane);
    }

    /**
     * The interleaved copy of {@code flat}, in memory of its own, or {@code flat} itself when it cannot
     * be interleaved: not a matrix of whole groups of rows, a group of 2 GiB or more, or a scale that is infinite or NaN (the
     * kernels' half-to-float conversion assumes finite scales; {@code halfOffsets} are the byte offsets
     * of a block's f16 scales). When {@code flat} is memory-mapped, each stretch of it is released
     * from this process's resident memory once copied ({@link MemorySegment#unload}), so that the copy
     * does not double it.
     */
    static Tensor interleave(BlockQuantTensor flat, int[] halfOffsets, BlockScatter scatter,
                             BiFunction<MemorySegment, Tensor, Tensor> wrap) {
        long[] shape = flat.shape();
        GgmlType type = flat.type();
        if (shape.length != 2 || shape[0] % GROUP != 0 || shape[1] % type.blockSize != 0) return flat;
        if (shape[1] / type.blockSize * GROUP * type.bytesPerBlock > Integer.MAX_VALUE) return flat; // kernels index a group with ints
        int blocks = flat.cols() / type.blockSize, groups = flat.rows() / GROUP, blockBytes = type.bytesPerBlock;
        MemorySegment src = flat.segment();
        MemorySegment dst = Arena.ofAuto().allocate(flat.byteSize(), 64);
        long groupBytes = (long) blocks * GROUP * blockBytes;
        int groupsPerStretch = Math.max(1, (int) ((4L << 20) / groupBytes));
        AtomicBoolean nonFinite = new AtomicBoolean();
        for (int g0 = 0; g0 < groups && !nonFinite.get(); g0 += groupsPerStretch) {
            int g1 = Math.min(groups, g0 + groupsPerStretch), first = g0;
            Parallel.forRange(g1 - g0, 1, (start, end) -> {
                byte[] row = new byte[blocks * blockBytes];
                for (int g = first + start; g < first + end; g++)
                    for (int i = 0; i < GROUP; i++) {
                        MemorySegment.copy(src, ValueLayout.JAVA_BYTE, (long) (g * GROUP + i) * row.length, row, 0, row.length);
                        int lane = laneOfRow(i);
                        for (int b = 0; b < blocks; b++) {
                            int from = b * blockBytes;
                            for (int h : halfOffsets) if ((row[from + h + 1] & 0x7C) == 0x7C) nonFinite.set(true);
                            scatter.scatter(row, from, dst, blockAt(g, b, blocks, GROUP * blockBytes), lane);
                        }
                    }
            });
            if (src.isMapped()) src.asSlice(g0 * groupBytes, (g1 - g0) * groupBytes).unload();
        }
        return nonFinite.get() ? flat : wrap.apply(dst, flat);
    }

    /**
     * One element range against x, through {@link #dequantize} (each row's bytes are 16 apart here, so
     * this gathers them one by one): for references and occasional use. Products go through
     * {@link #matmul} and {@link #matmulRows}, which decode whole 16-row panels.
     */
    @Override
    public final float dot(long offset, float[] x, int xOffset, int n) {
        float[] w = DOT_SCRATCH.get();
        FloatVector acc = FloatVector.zero(F);
        float sum = 0;
        for (int done = 0; done < n; done += w.length) {
            int len = Math.min(w.length, n - done), i = 0;
            dequantize(offset + done, w, 0, len);
            for (int upper = F.loopBound(len); i < upper; i += F.length())
                acc = FloatVector.fromArray(F, w, i).fma(FloatVector.fromArray(F, x, xOffset + done + i), acc);
            for (; i < len; i++) sum += w[i] * x[xOffset + done + i];
        }
        return sum + Lanes.sum(acc);
    }

    /**
     * The float products, for any number of rows of x (decode with the integer kernels switched off,
     * {@code -Dneurosteer.quantizedActivations=false}, and prefill): {@link TiledMatmul}, whose panels
     * an interleaved tensor decodes straight from its groups ({@link #decodePanel}). Row-by-row dot
     * products would gather every element.
     */
    @Override
    public final void matmulRows(float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        int firstGroup = Math.min(rowEnd, (rowStart + GROUP - 1) / GROUP * GROUP); // rows before it: decoded row by row
        if (rowStart < firstGroup) TiledMatmul.matmulRows(this, x, batch, out, rowStart, firstGroup);
        if (firstGroup < rowEnd) TiledMatmul.matmulRows(this, x, batch, out, firstGroup, rowEnd);
    }

    private static final ThreadLocal<float[]> DOT_SCRATCH = ThreadLocal.withInitial(() -> new float[1024]);

    @Override
    public final void dequantize(long offset, float[] out, int outOffset, int n) {
        int cols = cols(), block = type().blockSize, i = 0;
        for (; i < n && (offset + i) % block != 0; i++) out[outOffset + i] = get(offset + i);
        for (; n - i >= block; i += block) {
            long at = offset + i;
            int row = (int) (at / cols);
            int b = (int) (at % cols) / block;
            dequantizeBlock(blockAt(row / GROUP, b), laneOfRow(row % GROUP), out, outOffset + i);
        }
        for (; i < n; i++) out[outOffset + i] = get(offset + i);
    }

    /** The block of lane {@code lane} in the group block at {@code at}, as floats. */
    abstract void dequantizeBlock(long at, int lane, float[] out, int outOffset);

    /**
     * Splits the product over whole groups, so that every chunk starts on a group (prefill's panels
     * then decode straight from the interleaved bytes). {@link NativeGemm} takes prefill and decode where
     * it runs (see {@link BlockQuantTensor#matmul}). Otherwise fewer than {@link TiledMatmul#MIN_BATCH} rows of x
     * take the integer kernel, x quantized once per call as for the row-major formats.
     */
    @Override
    public final void matmul(float[] x, int batch, float[] out, float[] spare) {
        NativeGemm.Layout layout = nativeLayout();
        if (layout != null && NativeGemm.runs(layout, batch)) {
            NativeGemm.multiply(layout, this, x, batch, out, spare);
            return;
        }
        int groups = rows() / GROUP, grain = Math.max(1, rowGrain(batch) / GROUP);
        if (Kernels.VECTORIZE && Kernels.QUANTIZE_ACTIVATIONS && batch < TiledMatmul.MIN_BATCH) {
            QuantizedActivations a = prepare(QuantizedActivations.forThread().quantize(x, batch, cols(), type().blockSize));
            Parallel.forRange(groups, grain, (start, end) -> matvecQuantized(a, out, start, end));
            return;
        }
        Parallel.forRange(groups, grain, (start, end) -> matmulRows(x, batch, out, start * GROUP, end * GROUP));
    }

    /** The layout {@link NativeGemm} multiplies this format in, or null; see {@link BlockQuantTensor#nativeLayout}. */
    NativeGemm.Layout nativeLayout() { return null; }

    /** Whatever else the integer kernel needs from the quantized activations, computed before the product is split between threads. */
    QuantizedActivations prepare(QuantizedActivations a) { return a; }

    /** The integer kernel: {@code out[b * rows + r]} for every batch row of {@code a} and the rows of groups {@code [groupStart, groupEnd)}. */
    abstract void matvecQuantized(QuantizedActivations a, float[] out, int groupStart, int groupEnd);

    /**
     * Prefill: the 16 rows of group {@code group}, columns {@code [kc, kc + kLen)} (whole blocks),
     * decoded column-major into {@code panel[k * 16 + i]}, the layout {@link TiledMatmul} multiplies;
     * the same floats as {@link #dequantize}.
     */
    abstract void decodePanel(int group, int kc, int kLen, float[] panel);

    /** The f16 in the low half of each 32-bit lane, as a float (exact for finite halves, subnormals included). */
    static FloatVector lowHalves(IntVector pairs) { return halfToFloats(pairs.lanewise(VectorOperators.LSHL, 16)); }

    /** The f16 in the high half of each 32-bit lane, as a float. */
    static FloatVector highHalves(IntVector pairs) { return halfToFloats(pairs); }

    /**
     * The f16 in the high half of each lane (whatever the low half holds) as a float. Split in two
     * small methods: C2 declined to inline it whole where it is not hot ("callee is too large").
     */
    static FloatVector halfToFloats(IntVector half) {
        return magnitude(half).reinterpretAsInts().or(half.and(0x80000000)).reinterpretAsFloats();
    }

    private static FloatVector magnitude(IntVector half) {
        return half.lanewise(VectorOperators.LSHR, 3).and(0x0FFFE000).reinterpretAsFloats().mul(REBIAS);
    }

    /** Signed 16-bit lanes: the even ones (rows 0-7 of a group), sign-extended to ints. */
    static IntVector evenLanes(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16);
    }

    /** Signed 16-bit lanes: the odd ones (rows 8-15 of a group), sign-extended to ints. */
    static IntVector oddLanes(IntVector pairs) { return pairs.lanewise(VectorOperators.ASHR, 16); }

    static FloatVector toFloats(IntVector v) { return (FloatVector) v.convert(VectorOperators.I2F, 0); }
}
