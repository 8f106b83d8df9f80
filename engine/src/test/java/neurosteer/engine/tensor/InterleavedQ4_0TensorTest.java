package neurosteer.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Q4_0 interleaved by groups of 16 rows against the file's row-major layout, and its kernels. */
class InterleavedQ4_0TensorTest {
    private static final int COLS = 416; // 13 blocks: more than one prefill column block, not a power of two

    private static Q4_0Tensor flat(Random random, int rows, int cols) {
        return (Q4_0Tensor) MatmulRowsTest.matrix(GgmlType.Q4_0, random, rows, cols);
    }

    private static InterleavedQ4_0Tensor interleaved(Q4_0Tensor flat) {
        return assertInstanceOf(InterleavedQ4_0Tensor.class, InterleavedQ4_0Tensor.interleave(flat));
    }

    @Test
    void holdsTheSameElementsAsTheRowMajorTensor() {
        Random random = new Random(3);
        Q4_0Tensor flat = flat(random, 48, COLS);
        InterleavedQ4_0Tensor w = interleaved(flat);
        assertEquals(GgmlType.Q4_0, w.type());
        assertArrayEquals(flat.shape(), w.shape());
        for (long i = 0; i < flat.size(); i++) assertEquals(flat.get(i), w.get(i), 0f, "element " + i);
        // ranges that start and end inside blocks and rows, and cross rows and groups
        for (long[] range : new long[][] {{0, flat.size()}, {5, 40}, {COLS - 7, 3 * COLS + 11}, {15L * COLS + 64, 2 * COLS}}) {
            int n = (int) range[1];
            float[] want = new float[n + 2], got = new float[n + 2];
            flat.dequantize(range[0], want, 1, n);
            w.dequantize(range[0], got, 1, n);
            assertArrayEquals(want, got, "range from " + range[0]);
            float[] x = MatmulRowsTest.gaussian(random, n);
            assertEquals(flat.dotScalar(range[0], x, 0, n), w.dot(range[0], x, 0, n), 1e-4f * n, "dot from " + range[0]);
        }
    }

    /**
     * Every batch size the integer kernel takes (1 to 31): the dot products of the dequantized weights
     * with the dequantized activations, checked in double, through the public {@link Tensor#matmul}.
     */
    @Test
    void integerKernelIsTheProductOfDequantizedWeightsAndActivations() {
        assumeTrue(Kernels.VECTORIZE && Kernels.QUANTIZE_ACTIVATIONS, "the integer path is switched off in this JVM");
        Random random = new Random(5);
        int rows = 64;
        Q4_0Tensor flat = flat(random, rows, COLS);
        InterleavedQ4_0Tensor w = interleaved(flat);
        float[] weights = new float[COLS];
        for (int batch : new int[] {1, 2, 3, 4, 7, 31}) {
            float[] x = MatmulRowsTest.gaussian(random, batch * COLS);
            x[3] = 9f; // an outlier sets its block's activation scale
            float[] out = new float[batch * rows];
            w.matmul(x, batch, out);
            QuantizedActivations a = new QuantizedActivations().quantize(x, batch, COLS, 32);
            for (int r = 0; r < rows; r++) {
                flat.dequantize((long) r * COLS, weights, 0, COLS);
                for (int b = 0; b < batch; b++) {
                    double want = 0, magnitude = 0;
                    for (int c = 0; c < COLS; c++) {
                        double term = (double) weights[c] * a.values[b * COLS + c] * a.scales[(b * COLS + c) / 32];
                        want += term;
                        magnitude += Math.abs(term);
                    }
                    assertEquals(want, out[b * rows + r], 1e-5 * magnitude + 1e-6, "batch " + b + "/" + batch + " row " + r);
                }
            }
            if (batch < FewRowsMatmul.MIN_BATCH) { // the row-major kernel computes the same products
                float[] rowMajor = new float[batch * rows];
                flat.matmul(x, batch, rowMajor);
                for (int i = 0; i < rowMajor.length; i++) assertEquals(rowMajor[i], out[i], 1e-4f * (1 + Math.abs(rowMajor[i])), "element " + i);
            }
        }
    }

    /**
     * The 16-bit lane sums at their limits: every weight at -8 or +7 against activations at ±127 in
     * every column of a block (32 · 8 · 127 = 32512 in a lane), each row a different extreme.
     */
    @Test
    void extremeWeightsAndActivationsDoNotOverflowTheLanes() {
        assumeTrue(Kernels.VECTORIZE && Kernels.QUANTIZE_ACTIVATIONS, "the integer path is switched off in this JVM");
        int rows = 16, cols = 128;
        byte[] bytes = new byte[(int) GgmlType.Q4_0.byteSize((long) rows * cols)];
        for (int r = 0; r < rows; r++)
            for (int b = 0; b < cols / 32; b++) {
                int base = (r * cols / 32 + b) * Q4_0Tensor.BYTES;
                bytes[base + 1] = 0x3C; // scale 1.0
                Arrays.fill(bytes, base + 2, base + Q4_0Tensor.BYTES, r % 2 == 0 ? (byte) 0x00 : (byte) 0xFF); // -8 or +7
            }
        Q4_0Tensor flat = (Q4_0Tensor) Tensors.of(GgmlType.Q4_0, "w", MemorySegment.ofArray(bytes), new long[] {rows, cols});
        InterleavedQ4_0Tensor w = interleaved(flat);
        for (float sign : new float[] {1, -1}) {
            float[] x = new float[cols];
            Arrays.fill(x, sign * 0.25f);
            float[] out = new float[rows];
            w.matmul(x, 1, out);
            float scale = 0.25f / 127;
            for (int r = 0; r < rows; r++) {
                double want = (r % 2 == 0 ? -8 : 7) * 127.0 * sign * cols * scale;
                assertEquals(want, out[r], 1e-5 * Math.abs(want), "row " + r + " sign " + sign);
            }
        }
    }

    /**
     * Prefill (32 rows of x and more) decodes each 16-row panel straight from the interleaved bytes:
     * the same floats as the row-major tensor's panels, so the same results bit for bit, also over a
     * row range that does not start on a group (those panels are decoded row by row).
     */
    @Test
    void prefillMatchesTheRowMajorTensorExactly() {
        Random random = new Random(9);
        int rows = 80;
        Q4_0Tensor flat = flat(random, rows, COLS);
        InterleavedQ4_0Tensor w = interleaved(flat);
        for (int batch : new int[] {32, 45}) {
            float[] x = MatmulRowsTest.gaussian(random, batch * COLS);
            float[] want = new float[batch * rows], got = new float[batch * rows];
            flat.matmul(x, batch, want);
            w.matmul(x, batch, got);
            assertArrayEquals(want, got, "batch " + batch);
            Arrays.fill(want, 0f);
            Arrays.fill(got, 0f);
            flat.matmulRows(x, batch, want, 5, 71);
            w.matmulRows(x, batch, got, 5, 71);
            assertArrayEquals(want, got, "batch " + batch + ", rows 5-70");
        }
    }

    @Test
    void aMatrixThatCannotBeInterleavedIsKeptAsItIs() {
        Random random = new Random(11);
        Q4_0Tensor partialGroup = flat(random, 40, 64);
        assertSame(partialGroup, InterleavedQ4_0Tensor.interleave(partialGroup));
        byte[] bytes = Quantizer.quantize(GgmlType.Q4_0, MatmulRowsTest.gaussian(random, 32 * 64));
        bytes[7 * Q4_0Tensor.BYTES + 1] = 0x7C; // scale of block 7 = +infinity
        Q4_0Tensor infinite = (Q4_0Tensor) Tensors.of(GgmlType.Q4_0, "w", MemorySegment.ofArray(bytes), new long[] {32, 64});
        assertSame(infinite, InterleavedQ4_0Tensor.interleave(infinite));
    }

    /** From a memory-mapped file (in a shared arena, as a model loads): each copied stretch of the mapping is released. */
    @Test
    void interleavesFromAMappedFile(@TempDir Path dir) throws IOException {
        Random random = new Random(13);
        int rows = 48;
        byte[] bytes = Quantizer.quantize(GgmlType.Q4_0, MatmulRowsTest.gaussian(random, rows * COLS));
        Path file = dir.resolve("w.bin");
        Files.write(file, bytes);
        Q4_0Tensor inMemory = (Q4_0Tensor) Tensors.of(GgmlType.Q4_0, "w", MemorySegment.ofArray(bytes), new long[] {rows, COLS});
        try (Arena arena = Arena.ofShared(); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
            Q4_0Tensor fromFile = (Q4_0Tensor) Tensors.of(GgmlType.Q4_0, "w", mapped, new long[] {rows, COLS});
            InterleavedQ4_0Tensor w = interleaved(fromFile);
            float[] want = new float[rows * COLS], got = new float[rows * COLS];
            inMemory.dequantize(0, want, 0, want.length);
            w.dequantize(0, got, 0, got.length);
            assertArrayEquals(want, got);
        }
    }
}
