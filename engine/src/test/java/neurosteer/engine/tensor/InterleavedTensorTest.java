package neurosteer.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
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

/** Q4_0, Q4_K, Q6_K and Q8_0 interleaved by groups of 16 rows against the file's row-major layout, and their kernels. */
class InterleavedTensorTest {
    private static final GgmlType[] TYPES = {GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q8_0};

    /** More than one prefill column block (256), and not a multiple of it. */
    private static int cols(GgmlType type) { return 13 * type.blockSize; }

    private static BlockQuantTensor flat(GgmlType type, Random random, int rows, int cols) {
        return (BlockQuantTensor) MatmulRowsTest.matrix(type, random, rows, cols);
    }

    private static BlockQuantTensor flat(GgmlType type, byte[] bytes, int rows, int cols) {
        return (BlockQuantTensor) Tensors.of(type, "w", MemorySegment.ofArray(bytes), new long[] {rows, cols});
    }

    private static Tensor interleave(BlockQuantTensor flat) {
        return switch (flat) {
            case Q4_0Tensor q -> InterleavedQ4_0Tensor.interleave(q);
            case Q4_KTensor q -> InterleavedQ4_KTensor.interleave(q);
            case Q6_KTensor q -> InterleavedQ6_KTensor.interleave(q);
            case Q8_0Tensor q -> InterleavedQ8_0Tensor.interleave(q);
            default -> throw new AssertionError(flat);
        };
    }

    private static InterleavedTensor interleaved(BlockQuantTensor flat) {
        return assertInstanceOf(InterleavedTensor.class, interleave(flat));
    }

    /** Byte offsets of a block's f16 scales: Q4_0's d; Q4_K's d and dmin; Q6_K's d. */
    private static int[] halfOffsets(GgmlType type) {
        return switch (type) {
            case Q4_0, Q8_0 -> new int[] {0};
            case Q4_K -> new int[] {0, 2};
            case Q6_K -> new int[] {Q6_KTensor.D};
            default -> throw new AssertionError(type);
        };
    }

    @Test
    void holdsTheSameElementsAsTheRowMajorTensor() {
        Random random = new Random(3);
        for (GgmlType type : TYPES) {
            int cols = cols(type);
            BlockQuantTensor flat = flat(type, random, 48, cols);
            InterleavedTensor w = interleaved(flat);
            assertEquals(type, w.type());
            assertArrayEquals(flat.shape(), w.shape());
            for (long i = 0; i < flat.size(); i++) assertEquals(flat.get(i), w.get(i), 0f, type + " element " + i);
            // ranges that start and end inside blocks and rows, and cross rows and groups
            for (long[] range : new long[][] {{0, flat.size()}, {5, 40}, {cols - 7, 3L * cols + 11}, {15L * cols + 64, 2L * cols}}) {
                int n = (int) range[1];
                float[] want = new float[n + 2], got = new float[n + 2];
                flat.dequantize(range[0], want, 1, n);
                w.dequantize(range[0], got, 1, n);
                assertArrayEquals(want, got, type + " range from " + range[0]);
                float[] x = MatmulRowsTest.gaussian(random, n);
                assertEquals(flat.dotScalar(range[0], x, 0, n), w.dot(range[0], x, 0, n), 1e-4f * n, type + " dot from " + range[0]);
            }
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
        for (GgmlType type : TYPES) {
            int cols = cols(type), block = type.blockSize;
            BlockQuantTensor flat = flat(type, random, rows, cols);
            InterleavedTensor w = interleaved(flat);
            float[] weights = new float[cols];
            for (int batch : new int[] {1, 2, 3, 4, 7, 31}) {
                float[] x = MatmulRowsTest.gaussian(random, batch * cols);
                x[3] = 9f; // an outlier sets its block's activation scale
                float[] out = new float[batch * rows];
                boolean inTiles = NativeGemm.tiles() && batch >= w.nativeLayout().tilesFrom;
                if (inTiles) // matmul would take the AMX tiles (Q6_K from 5 rows of x): the Java integer kernel is called as matmul would call it
                    w.matvecQuantized(w.prepare(new QuantizedActivations().quantize(x, batch, cols, block)), out, 0, rows / InterleavedTensor.GROUP);
                else w.matmul(x, batch, out);
                // the native decode kernel (where it runs) quantizes x in blocks of 32 to bytes, the Java one in the format's blocks
                boolean nativeDecode = !inTiles && w.nativeLayout() != null && NativeGemm.available() && NativeGemm.decodes(w.nativeLayout());
                int xBlock = nativeDecode ? 32 : block;
                QuantizedActivations a = nativeDecode ? new QuantizedActivations().quantizeToBytes(x, batch, cols)
                        : new QuantizedActivations().quantize(x, batch, cols, block);
                for (int r = 0; r < rows; r++) {
                    flat.dequantize((long) r * cols, weights, 0, cols);
                    for (int b = 0; b < batch; b++) {
                        double want = 0, magnitude = 0;
                        for (int c = 0; c < cols; c++) {
                            double term = (double) weights[c] * (nativeDecode ? a.int8[b * cols + c] : a.values[b * cols + c])
                                    * a.scales[(b * cols + c) / xBlock];
                            want += term;
                            magnitude += Math.abs(term);
                        }
                        assertEquals(want, out[b * rows + r], 1e-5 * magnitude + 1e-6, type + " batch " + b + "/" + batch + " row " + r);
                    }
                }
                // the Java integer kernel itself, also where matmul takes a native one
                QuantizedActivations javaX = w.prepare(new QuantizedActivations().quantize(x, batch, cols, block));
                float[] javaOut = new float[batch * rows];
                w.matvecQuantized(javaX, javaOut, 0, rows / InterleavedTensor.GROUP);
                for (int r = 0; r < rows; r++) {
                    flat.dequantize((long) r * cols, weights, 0, cols);
                    for (int b = 0; b < batch; b++) {
                        double want = 0, magnitude = 0;
                        for (int c = 0; c < cols; c++) {
                            double term = (double) weights[c] * javaX.values[b * cols + c] * javaX.scales[(b * cols + c) / block];
                            want += term;
                            magnitude += Math.abs(term);
                        }
                        assertEquals(want, javaOut[b * rows + r], 1e-5 * magnitude + 1e-6, type + " Java kernel, batch " + b + "/" + batch + " row " + r);
                    }
                }
                for (int b = 0; b < batch; b++) { // a row of x gives the same floats alone as in any batch (Q4_K takes rows two at a time)
                    float[] alone = new float[rows], row = Arrays.copyOfRange(x, b * cols, (b + 1) * cols);
                    if (inTiles) // out is the Java integer kernel's, and so is this (matmul of one row may take a native decode kernel)
                        w.matvecQuantized(w.prepare(new QuantizedActivations().quantize(row, 1, cols, block)), alone, 0, rows / InterleavedTensor.GROUP);
                    else w.matmul(row, 1, alone);
                    assertArrayEquals(alone, Arrays.copyOfRange(out, b * rows, (b + 1) * rows), type + " batch row " + b + "/" + batch);
                }
                // the row-major kernel computes the same products (in Java: compared where the interleaved one runs in Java too)
                if (batch < FewRowsMatmul.MIN_BATCH && flat.activationBlock() != 0 && !nativeDecode) {
                    float[] rowMajor = new float[batch * rows];
                    flat.matmul(x, batch, rowMajor);
                    for (int i = 0; i < rowMajor.length; i++)
                        assertEquals(rowMajor[i], out[i], 1e-4f * (1 + Math.abs(rowMajor[i])), type + " element " + i);
                }
            }
        }
    }

    /**
     * The integer sums at their limits: every weight at the bottom or the top of its range (nibbles 0
     * or 15, Q6_K's 6-bit values 0 or 63; for Q4_K every 6-bit scale and min at 63, for Q6_K the int8
     * scales at 127 and -128, Q8_0's values -128 or 127) against activations at ±127 in every column, each row
     * a different extreme: 16-bit lanes reach 32 · 8 · 127 = 32512 in magnitude (Q6_K: 8 · 32 · 127).
     */
    @Test
    void extremeWeightsAndActivationsDoNotOverflowTheLanes() {
        assumeTrue(Kernels.VECTORIZE && Kernels.QUANTIZE_ACTIVATIONS, "the integer path is switched off in this JVM");
        int rows = 16;
        for (GgmlType type : TYPES) {
            int cols = 2 * type.blockSize, blocksPerRow = cols / type.blockSize, bytesPerBlock = type.bytesPerBlock;
            byte[] bytes = new byte[(int) type.byteSize((long) rows * cols)];
            for (int r = 0; r < rows; r++)
                for (int b = 0; b < blocksPerRow; b++) {
                    int base = (r * blocksPerRow + b) * bytesPerBlock;
                    byte low = type == GgmlType.Q8_0 ? (byte) 0x80 : 0x00, high = type == GgmlType.Q8_0 ? (byte) 0x7F : (byte) 0xFF; // Q8_0: -128, 127
                    Arrays.fill(bytes, base, base + bytesPerBlock, r % 2 == 0 ? low : high);
                    for (int half : halfOffsets(type)) { // f16 1.0
                        bytes[base + half] = 0x00;
                        bytes[base + half + 1] = 0x3C;
                    }
                    if (type == GgmlType.Q4_K) Arrays.fill(bytes, base + 4, base + 16, (byte) 0xFF); // every scale and min 63
                    if (type == GgmlType.Q6_K) // int8 scales at both ends
                        Arrays.fill(bytes, base + Q6_KTensor.SCALES, base + Q6_KTensor.D, r % 4 < 2 ? (byte) 0x7F : (byte) 0x80);
                }
            BlockQuantTensor flat = flat(type, bytes, rows, cols);
            InterleavedTensor w = interleaved(flat);
            float[] weights = new float[cols];
            for (float sign : new float[] {1, -1}) {
                float[] x = new float[cols];
                Arrays.fill(x, sign * 0.25f);
                float[] out = new float[rows];
                w.matmul(x, 1, out);
                QuantizedActivations a = new QuantizedActivations().quantize(x, 1, cols, type.blockSize);
                assertEquals(127 * (int) sign, a.values[0]);
                for (int r = 0; r < rows; r++) {
                    flat.dequantize((long) r * cols, weights, 0, cols);
                    double want = 0;
                    for (int c = 0; c < cols; c++) want += (double) weights[c] * a.values[c] * a.scales[c / a.block];
                    assertEquals(want, out[r], 1e-5 * Math.abs(want), type + " row " + r + " sign " + sign);
                }
            }
        }
    }

    /**
     * The float products ({@link Tensor#matmulRows}) decode 16-row panels straight from the interleaved
     * bytes, also over a row range that does not start on a group (those panels row by row). From 32
     * rows of x on (prefill) the panels hold the same floats as the row-major tensor's and the results
     * are the same bit for bit, through {@link Tensor#matmul} too (where both take the same kernel: with AMX only the
     * interleaved Q6_K goes to the tiles, within BF16 rounding); below that (decode with the integer
     * kernels switched off, {@code analyze}'s unembedding) they equal the row-major kernels' up to float rounding.
     */
    @Test
    void floatProductsMatchTheRowMajorTensor() {
        Random random = new Random(9);
        int rows = 80;
        for (GgmlType type : TYPES) {
            int cols = cols(type);
            BlockQuantTensor flat = flat(type, random, rows, cols);
            InterleavedTensor w = interleaved(flat);
            for (int batch : new int[] {1, 3, 7, 31, 32, 45}) {
                float[] x = MatmulRowsTest.gaussian(random, batch * cols);
                boolean prefill = batch >= TiledMatmul.MIN_BATCH;
                for (int[] range : new int[][] {{0, rows}, {5, 71}}) {
                    float[] want = new float[batch * rows], got = new float[batch * rows];
                    flat.matmulRows(x, batch, want, range[0], range[1]);
                    w.matmulRows(x, batch, got, range[0], range[1]);
                    String what = type + " batch " + batch + ", rows from " + range[0];
                    if (prefill) assertArrayEquals(want, got, what);
                    else for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-4f * (1 + Math.abs(want[i])), what + ", element " + i);
                }
                if (prefill) {
                    float[] want = new float[batch * rows], got = new float[batch * rows];
                    flat.matmul(x, batch, want);
                    w.matmul(x, batch, got);
                    boolean samePath = NativeGemm.runs(w.nativeLayout(), batch)
                            == (flat.nativeLayout() != null && NativeGemm.runs(flat.nativeLayout(), batch));
                    if (samePath) assertArrayEquals(want, got, type + " batch " + batch + " through matmul");
                    else {
                        // only the interleaved copy goes to the AMX tiles (Q6_K), which round weights and x to BF16
                        double errorSquares = 0, squares = 0;
                        for (int i = 0; i < want.length; i++) {
                            errorSquares += Math.pow(want[i] - got[i], 2);
                            squares += Math.pow(want[i], 2);
                        }
                        assertTrue(Math.sqrt(errorSquares / squares) < 0.005, type + " batch " + batch + " through matmul: relative L2 error "
                                + Math.sqrt(errorSquares / squares));
                    }
                }
            }
        }
    }

    @Test
    void aMatrixThatCannotBeInterleavedIsKeptAsItIs() {
        Random random = new Random(11);
        for (GgmlType type : TYPES) {
            int cols = type.blockSize * 2;
            BlockQuantTensor partialGroup = flat(type, random, 40, cols);
            assertSame(partialGroup, interleave(partialGroup));
            for (int half : halfOffsets(type)) {
                byte[] bytes = Quantizer.quantize(type, MatmulRowsTest.gaussian(random, 32 * cols));
                bytes[7 * type.bytesPerBlock + half] = 0x00;
                bytes[7 * type.bytesPerBlock + half + 1] = 0x7C; // block 7's f16 = +infinity
                BlockQuantTensor infinite = flat(type, bytes, 32, cols);
                assertSame(infinite, interleave(infinite), type + " infinite half at byte " + half);
            }
        }
    }

    /** From a memory-mapped file (in a shared arena, as a model loads): each copied stretch of the mapping is released. */
    @Test
    void interleavesFromAMappedFile(@TempDir Path dir) throws IOException {
        Random random = new Random(13);
        int rows = 48;
        for (GgmlType type : TYPES) {
            int cols = cols(type);
            byte[] bytes = Quantizer.quantize(type, MatmulRowsTest.gaussian(random, rows * cols));
            Path file = dir.resolve(type + ".bin");
            Files.write(file, bytes);
            BlockQuantTensor inMemory = flat(type, bytes, rows, cols);
            try (Arena arena = Arena.ofShared(); FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                MemorySegment mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, bytes.length, arena);
                BlockQuantTensor fromFile = (BlockQuantTensor) Tensors.of(type, "w", mapped, new long[] {rows, cols});
                InterleavedTensor w = interleaved(fromFile);
                float[] want = new float[rows * cols], got = new float[rows * cols];
                inMemory.dequantize(0, want, 0, want.length);
                w.dequantize(0, got, 0, got.length);
                assertArrayEquals(want, got, type.toString());
            }
        }
    }
}
