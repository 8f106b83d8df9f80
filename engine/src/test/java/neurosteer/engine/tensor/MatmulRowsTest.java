package neurosteer.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The matrix kernels ({@link Tensor#matmulRows}) against per-row scalar dot products, every format. */
class MatmulRowsTest {
    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16,
            GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K};
    /** Every kernel: the formats' own decode (1-3 rows), {@link FewRowsMatmul} (4-31) and {@link TiledMatmul} (32 on). */
    private static final int[] BATCHES = {1, 2, 3, 4, 5, 6, 7, 13, 17, 31, 32, 33, 34, 35, 39};

    static float dotScalar(Tensor t, long offset, float[] x, int xOffset, int n) {
        return switch (t) {
            case BlockQuantTensor b -> b.dotScalar(offset, x, xOffset, n);
            case F16Tensor h -> h.dotScalar(offset, x, xOffset, n);
            case BF16Tensor h -> h.dotScalar(offset, x, xOffset, n);
            case F32Tensor f -> f.dotScalar(offset, x, xOffset, n);
            default -> throw new AssertionError(t);
        };
    }

    static float[] gaussian(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian();
        return v;
    }

    static Tensor matrix(GgmlType type, Random random, int rows, int cols) {
        byte[] bytes = Quantizer.quantize(type, gaussian(random, rows * cols));
        return Tensors.of(type, "w", MemorySegment.ofArray(bytes), new long[] {rows, cols});
    }

    /**
     * Column counts that cross the kernel's column blocks: odd for float formats, block multiples for
     * quantizations. For BF16 also a half step of its one-row loop (305: 19 steps of 16 columns) and rows
     * wide enough for its four-row kernel (more than {@link BF16Tensor#ONE_ROW_COLS}).
     */
    static int[] columnCounts(GgmlType type) {
        return switch (type.blockSize) {
            case 1 -> type == GgmlType.BF16 ? new int[] {19, 305, 515, BF16Tensor.ONE_ROW_COLS + 19} : new int[] {19, 301, 515};
            case 32 -> new int[] {32, 416};
            default -> new int[] {256, 768};
        };
    }

    @Test
    void matmulRowsMatchesScalarDotsForEveryFormatAndOddSizes() {
        Random random = new Random(42);
        int rows = 37;
        int[][] ranges = {{0, rows}, {5, 29}, {16, rows}, {21, 22}, {1, 34}};
        for (GgmlType type : TYPES)
            for (int cols : columnCounts(type))
                checkAgainstScalarDots(matrix(type, random, rows, cols), random, BATCHES, ranges);
    }

    /**
     * A whole product as the model runs it ({@link Tensor#matmul}: rows shared out between two threads)
     * equals {@link Tensor#matmulRows} over all rows, bit for bit, for the float formats (the quantized
     * ones decode with quantized activations: QuantizedActivationsTest).
     */
    @Test
    void matmulOnTwoThreadsEqualsMatmulRowsForFloatFormats() {
        Random random = new Random(43);
        int threads = neurosteer.engine.util.Parallel.threads();
        neurosteer.engine.util.Parallel.setThreads(2);
        try {
            for (GgmlType type : new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16})
                for (int cols : columnCounts(type)) {
                    Tensor w = matrix(type, random, 301, cols);
                    for (int batch : new int[] {1, 2, 3, 4, 33}) {
                        float[] x = gaussian(random, batch * cols);
                        float[] whole = new float[batch * w.rows()], byRows = new float[whole.length];
                        w.matmul(x, batch, whole);
                        w.matmulRows(x, batch, byRows, 0, w.rows());
                        assertTrue(byRows[0] != 0, "test data must not be zero");
                        assertArrayEquals(byRows, whole, type + " cols " + cols + " batch " + batch);
                    }
                }
        } finally {
            neurosteer.engine.util.Parallel.setThreads(threads);
        }
    }

    /**
     * A row of x gets the same bits whichever prefill tile it falls in: the first n rows of a 42-row batch
     * (seven full tiles of 6) alone, for every n from 32 to 41, which leaves 2 to 5 rows for a padded tile
     * or 1 for the one-row tile.
     */
    @Test
    void aRowsResultDoesNotDependOnTheTileItFallsIn() {
        Random random = new Random(44);
        for (GgmlType type : TYPES) {
            Tensor w = matrix(type, random, 48, columnCounts(type)[1]);
            int rows = w.rows(), cols = w.cols(), all = 42;
            float[] x = gaussian(random, all * cols), full = new float[all * rows];
            w.matmulRows(x, all, full, 0, rows);
            for (int n = TiledMatmul.MIN_BATCH; n < all; n++) {
                float[] part = new float[n * rows];
                w.matmulRows(Arrays.copyOf(x, n * cols), n, part, 0, rows);
                assertTrue(part[(n - 1) * rows] != 0, "test data must not be zero");
                assertArrayEquals(Arrays.copyOf(full, n * rows), part, type + " batch " + n);
            }
        }
    }

    /** More rows than one group of panels the prefill kernel decodes together, ending in a partial panel. */
    @Test
    void tallMatricesSpanningSeveralPanelGroupsMatchScalarDots() {
        Random random = new Random(43);
        int rows = 2 * TiledMatmul.GROUP * TiledMatmul.PANEL + 45;
        int[][] ranges = {{0, rows}, {7, rows - 3}, {TiledMatmul.GROUP * TiledMatmul.PANEL - 5, rows}};
        for (GgmlType type : TYPES)
            checkAgainstScalarDots(matrix(type, random, rows, columnCounts(type)[1]), random,
                    new int[] {FewRowsMatmul.MIN_BATCH, 13, TiledMatmul.MIN_BATCH, TiledMatmul.MIN_BATCH + 7}, ranges);
    }

    private static void checkAgainstScalarDots(Tensor w, Random random, int[] batches, int[][] ranges) {
        int rows = w.rows(), cols = w.cols();
        GgmlType type = w.type();
        for (int batch : batches) {
            float[] x = gaussian(random, batch * cols);
            // the native vdpbf16ps kernel multiplies BF16 weights by x rounded to BF16: the reference then takes it so too
            float[] xAsMultiplied = x.clone();
            if (type == GgmlType.BF16 && NativeGemm.multipliedFloatsRoundBf16X(batch))
                for (int i = 0; i < x.length; i++) xAsMultiplied[i] = NativeGemmTest.bf16(x[i]);
            for (int[] range : ranges) {
                float[] out = new float[batch * rows];
                Arrays.fill(out, Float.NaN);
                w.matmulRows(x, batch, out, range[0], range[1]);
                for (int b = 0; b < batch; b++) {
                    for (int r = 0; r < rows; r++) {
                        String where = type + " rows " + rows + " cols " + cols + " batch " + batch + " range " + range[0] + ".." + range[1]
                                + " at b " + b + " r " + r;
                        float got = out[b * rows + r];
                        if (r < range[0] || r >= range[1]) {
                            assertTrue(Float.isNaN(got), where + ": wrote outside its row range");
                            continue;
                        }
                        double magnitude = 0;
                        for (int c = 0; c < cols; c++) magnitude += Math.abs(w.get((long) r * cols + c) * x[b * cols + c]);
                        assertTrue(magnitude > 0, where + ": test data must not be zero");
                        float expected = dotScalar(w, (long) r * cols, xAsMultiplied, b * cols, cols);
                        assertEquals(expected, got, 1e-5 * magnitude + 1e-6, where);
                    }
                }
            }
        }
    }

    /** Splitting rows between threads differently must not change a single bit of the result. */
    @Test
    void resultDoesNotDependOnHowRowsAreSplit() {
        forEveryFormat(5, 53, (type, w, random) -> {
            int rows = w.rows(), cols = w.cols();
            for (int batch : new int[] {1, 7, 12, TiledMatmul.MIN_BATCH + 5}) {
                float[] x = gaussian(random, batch * cols);
                float[] whole = new float[batch * rows], split = new float[batch * rows];
                w.matmulRows(x, batch, whole, 0, rows);
                w.matmulRows(x, batch, split, 0, 9);
                w.matmulRows(x, batch, split, 9, 30);
                w.matmulRows(x, batch, split, 30, rows);
                assertArrayEquals(whole, split, type + " batch " + batch);
            }
        });
    }

    /**
     * Between {@link FewRowsMatmul#MIN_BATCH} and {@link TiledMatmul#MIN_BATCH} batch rows, a row's
     * result must not depend on how many other rows share the call (whole tiles or leftovers).
     */
    @Test
    void aFewRowsResultDoesNotDependOnTheBatchAroundIt() {
        forEveryFormat(6, 11, (type, w, random) -> {
            int rows = w.rows(), cols = w.cols();
            int most = FewRowsMatmul.MIN_BATCH + 6;
            float[] x = gaussian(random, most * cols);
            float[] reference = new float[most * rows];
            w.matmulRows(x, most, reference, 0, rows);
            for (int batch = FewRowsMatmul.MIN_BATCH; batch < most; batch++) {
                float[] out = new float[batch * rows];
                w.matmulRows(Arrays.copyOf(x, batch * cols), batch, out, 0, rows);
                assertArrayEquals(Arrays.copyOf(reference, batch * rows), out, type + " batch " + batch);
            }
        });
    }

    private interface FormatCheck {
        void check(GgmlType type, Tensor w, Random random);
    }

    /** A random {@code rows} × (a block-crossing column count) matrix in every format, one seed for all. */
    private static void forEveryFormat(long seed, int rows, FormatCheck check) {
        Random random = new Random(seed);
        for (GgmlType type : TYPES) check.check(type, matrix(type, random, rows, columnCounts(type)[1]), random);
    }
}
