package neurosteer.engine.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The matrix-matrix kernel behind {@link Tensor#matmulRows} for prefill (many rows of {@code x} at
 * once). Work goes in column blocks of {@link #KC} (a multiple of every quantization block) and
 * panels of {@link #PANEL} weight rows: each panel is decoded once by its format's
 * {@link Tensor#dequantize} into a float scratch laid out column-major ({@code packed[k * PANEL + i]}, off-heap and cache-line aligned).
 * {@link #GROUP} panels are decoded together (128 KiB, held in L2); then for every group of 6 batch rows
 * a 6 × 16 register tile (6 rows of x against the 16 panel rows, twelve 8-lane accumulators) sweeps
 * each panel of the group in turn, so those 6 rows of x are read from L1 once per group rather than
 * from L3 once per panel. The output tile is contiguous in {@code out}, so partial
 * sums of a column block are added in place; no horizontal reductions. Each output element is summed
 * by one thread in a fixed order, so results do not depend on the thread count.
 */
final class TiledMatmul {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final int LANES = 8, PANEL = 2 * LANES, KC = 256, BATCH_TILE = 6, GROUP = 8;
    /**
     * Below this many batch rows {@link FewRowsMatmul} wins: packing panels only pays for itself over
     * many batch rows (measured for BF16, Q8_0 and Q4_K at 4-32 rows: docs/BENCHMARKS.md).
     */
    static final int MIN_BATCH = 32;

    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /**
     * The decoded panels live off-heap, aligned to a cache line: a heap array starts wherever the
     * collector puts it, and when a 16-float panel column straddles two cache lines every second
     * weight load of the tile is split in two. Measured on this project's machine (docs/BENCHMARKS.md):
     * about 55 GFLOP/s with a heap array under the parallel collector against about 100 aligned.
     */
    private static final class Scratch {
        final MemorySegment packed = Arena.ofAuto().allocate((long) GROUP * PANEL * KC * Float.BYTES, 64);
        final float[] row = new float[KC], panel = new float[PANEL * KC];
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private TiledMatmul() {}

    static void matmulRows(Tensor w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        int cols = w.cols(), rows = w.rows();
        Scratch s = SCRATCH.get();
        MemorySegment packed = s.packed;
        float[] row = s.row, panel = s.panel;
        for (int kc = 0; kc < cols; kc += KC) {
            int kLen = Math.min(KC, cols - kc);
            boolean first = kc == 0;
            for (int g0 = rowStart; g0 < rowEnd; g0 += GROUP * PANEL) {
                int groupEnd = Math.min(rowEnd, g0 + GROUP * PANEL);
                int panels = (groupEnd - g0 + PANEL - 1) / PANEL, fullPanels = (groupEnd - g0) / PANEL;
                for (int p = 0; p < panels; p++) {
                    int r0 = g0 + p * PANEL;
                    pack(w, r0, Math.min(PANEL, groupEnd - r0), kc, kLen, cols, packed, p * PANEL * KC, row, panel);
                }
                int b = 0;
                for (; b + BATCH_TILE <= batch; b += BATCH_TILE)
                    for (int p = 0; p < fullPanels; p++)
                        tile6x16(packed, p * PANEL * KC, kLen, x, b * cols + kc, cols, out, b * rows + g0 + p * PANEL, rows, BATCH_TILE, first);
                if (batch - b >= 2) { // 2-5 rows left: a full tile, its spare rows repeating the last one, beats the one-row tile (see tile6x16)
                    for (int p = 0; p < fullPanels; p++)
                        tile6x16(packed, p * PANEL * KC, kLen, x, b * cols + kc, cols, out, b * rows + g0 + p * PANEL, rows, batch - b, first);
                    b = batch;
                }
                for (int p = 0; p < panels; p++) {
                    int r0 = g0 + p * PANEL, panelRows = Math.min(PANEL, groupEnd - r0);
                    VectorMask<Float> m0 = F.indexInRange(0, panelRows), m1 = F.indexInRange(LANES, panelRows);
                    for (int bb = p < fullPanels ? b : 0; bb < batch; bb++)
                        tile1x16(packed, p * PANEL * KC, kLen, x, bb * cols + kc, out, bb * rows + r0, m0, m1, first);
                }
            }
        }
    }

    /**
     * Decodes weight rows {@code [r0, r0 + n)}, columns {@code [kc, kc + kLen)}, column-major into
     * {@code packed[po...]}; missing rows are zero. The transpose writes a heap array (plain stores,
     * bounds checks hoisted) and one bulk copy moves it into the aligned segment, instead of a checked
     * segment store per element; the whole-model prefill measured the same either way (docs/BENCHMARKS.md).
     */
    private static void pack(Tensor w, int r0, int n, int kc, int kLen, int cols, MemorySegment packed, int po,
                             float[] row, float[] panel) {
        if (w instanceof InterleavedTensor interleaved && n == PANEL && r0 % PANEL == 0) {
            interleaved.decodePanel(r0 / PANEL, kc, kLen, panel); // already column-major
        } else {
            for (int i = 0; i < n; i++) {
                w.dequantize((long) (r0 + i) * cols + kc, row, 0, kLen);
                for (int k = 0; k < kLen; k++) panel[k * PANEL + i] = row[k];
            }
            for (int i = n; i < PANEL; i++) for (int k = 0; k < kLen; k++) panel[k * PANEL + i] = 0f;
        }
        MemorySegment.copy(panel, 0, packed, ValueLayout.JAVA_FLOAT, (long) po * Float.BYTES, kLen * PANEL);
    }

    private static FloatVector load(MemorySegment packed, long floatIndex) {
        return FloatVector.fromMemorySegment(F, packed, floatIndex * Float.BYTES, NATIVE);
    }

    /**
     * Rows {@code 0..valid-1} of x from {@code xo} against one panel. With fewer than 6 valid rows the
     * spare ones repeat the last valid row and are not stored: the one-row tile has two accumulator
     * chains, too few to cover the FMA latency, and ran at about a quarter of this tile's rate per row
     * (11% of a 64-sequence decode step went to 4 leftover rows). Every stored element is the same chain
     * of FMAs in k order as in a full tile, so a row's result does not depend on where it falls.
     */
    private static void tile6x16(MemorySegment packed, int po, int kLen, float[] x, int xo, int cols, float[] out, int oo, int rows,
                                 int valid, boolean first) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
        FloatVector a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
        int last = xo + (valid - 1) * cols;
        int x0 = xo, x1 = Math.min(x0 + cols, last), x2 = Math.min(x1 + cols, last), x3 = Math.min(x2 + cols, last),
                x4 = Math.min(x3 + cols, last), x5 = Math.min(x4 + cols, last);
        for (int k = 0; k < kLen; k++) {
            long at = po + (long) k * PANEL;
            FloatVector w0 = load(packed, at);
            FloatVector w1 = load(packed, at + LANES);
            FloatVector v = FloatVector.broadcast(F, x[x0 + k]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            v = FloatVector.broadcast(F, x[x1 + k]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            v = FloatVector.broadcast(F, x[x2 + k]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            v = FloatVector.broadcast(F, x[x3 + k]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
            v = FloatVector.broadcast(F, x[x4 + k]);
            a40 = w0.fma(v, a40);
            a41 = w1.fma(v, a41);
            v = FloatVector.broadcast(F, x[x5 + k]);
            a50 = w0.fma(v, a50);
            a51 = w1.fma(v, a51);
        }
        store(a00, a01, out, oo, first);
        if (valid > 1) store(a10, a11, out, oo + rows, first);
        if (valid > 2) store(a20, a21, out, oo + 2 * rows, first);
        if (valid > 3) store(a30, a31, out, oo + 3 * rows, first);
        if (valid > 4) store(a40, a41, out, oo + 4 * rows, first);
        if (valid > 5) store(a50, a51, out, oo + 5 * rows, first);
    }

    private static void store(FloatVector lo, FloatVector hi, float[] out, int oo, boolean first) {
        if (!first) {
            lo = lo.add(FloatVector.fromArray(F, out, oo));
            hi = hi.add(FloatVector.fromArray(F, out, oo + LANES));
        }
        lo.intoArray(out, oo);
        hi.intoArray(out, oo + LANES);
    }

    private static void tile1x16(MemorySegment packed, int po, int kLen, float[] x, int xo, float[] out, int oo,
                                 VectorMask<Float> m0, VectorMask<Float> m1, boolean first) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        for (int k = 0; k < kLen; k++) {
            FloatVector v = FloatVector.broadcast(F, x[xo + k]);
            long at = po + (long) k * PANEL;
            a0 = load(packed, at).fma(v, a0);
            a1 = load(packed, at + LANES).fma(v, a1);
        }
        if (!first) {
            a0 = a0.add(FloatVector.fromArray(F, out, oo, m0));
            a1 = a1.add(FloatVector.fromArray(F, out, oo + LANES, m1));
        }
        a0.intoArray(out, oo, m0);
        a1.intoArray(out, oo + LANES, m1);
    }
}
