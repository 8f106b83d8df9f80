package neurosteer.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The native prefill kernel ({@link NativeGemm}) against the product of the dequantized weights with the
 * dequantized activations, computed here in double, in the kernels of every instruction set this CPU runs
 * (both AVX-512 VNNI and AVX2 on an AVX-512 machine). These tests run only where a kernel does (a C
 * compiler, one of the instruction sets); {@link #statusSaysWhyTheKernelIsOff} runs everywhere.
 */
class NativeGemmTest {
    private static void assumeNative() {
        assumeTrue(NativeGemm.available(), "native prefill kernels " + NativeGemm.status());
    }

    /** The libraries of every instruction set this CPU runs, the one in use among them. */
    private static List<NativeGemm.Library> libraries() {
        assumeNative();
        List<NativeGemm.Library> libraries = new ArrayList<>();
        for (NativeGemm.Isa isa : NativeGemm.runnableIsas()) {
            try {
                libraries.add(NativeGemm.library(isa));
            } catch (NativeGemm.Unavailable e) {
                // AMX may be refused by the kernel (tile registers not granted) or by an older compiler; the engine then takes the next
                if (isa == NativeGemm.Isa.AVX512_AMX && !NativeGemm.status().equals(isa.label)) {
                    System.out.println("skipping " + isa + ": " + e.getMessage());
                    continue;
                }
                throw new AssertionError(isa + " runs on this CPU and the kernel in use compiled, but this one did not: " + e.getMessage());
            }
        }
        assertTrue(libraries.stream().anyMatch(l -> l.isa().label.equals(NativeGemm.status())), NativeGemm.status() + " not among " + libraries);
        return libraries;
    }

    private static boolean loads(NativeGemm.Isa isa) {
        try {
            NativeGemm.library(isa);
            return true;
        } catch (NativeGemm.Unavailable e) {
            return false;
        }
    }

    @Test
    void statusSaysWhyTheKernelIsOff() {
        String status = NativeGemm.status();
        if (NativeGemm.available()) {
            assertTrue(Arrays.stream(NativeGemm.Isa.values()).anyMatch(isa -> isa.label.equals(status)), status);
            String forced = System.getProperty("neurosteer.native.isa");
            String expected = forced != null ? forced : NativeGemm.runnableIsas().stream().filter(NativeGemmTest::loads).findFirst().orElseThrow().label;
            assertTrue(status.equals(expected) || status.startsWith(expected + " (tiles off"), status
                    + ": the instruction set asked for, else the best of this CPU that loads, is in use");
        } else assertTrue(status.startsWith("off: ") && status.length() > 10, status);
    }

    /**
     * The row-major formats: odd row counts (partial panels of 16 and 32), column counts across the
     * 512-column chunks, token counts around the 6-token tile.
     */
    @Test
    void rowMajorProductsAreTheProductsOfDequantizedWeightsAndActivations() {
        for (NativeGemm.Library library : libraries()) {
        Random random = new Random(31);
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K})
            for (int rows : new int[] {37, 64, 100})
                for (int cols : type == GgmlType.Q4_K ? new int[] {256, 768, 1280} : new int[] {32, 96, 544, 1056})
                    for (int batch : new int[] {1, 5, 6, 7, 13, 40}) {
                        Tensor w = MatmulRowsTest.matrix(type, random, rows, cols);
                        checkProduct(library, NativeGemm.Layout.valueOf(type.name()), w, random, batch,
                                new int[][] {{0, rows}, {5, 29}, {rows - 1, rows}, {16, rows}});
                    }
        }
    }


    /** The interleaved copy of a row-major Q4_0, Q4_K, Q6_K or Q8_0 matrix. */
    private static Tensor interleaved(Tensor flat) {
        Tensor w = switch (flat) {
            case Q4_0Tensor q -> InterleavedQ4_0Tensor.interleave(q);
            case Q4_KTensor q -> InterleavedQ4_KTensor.interleave(q);
            case Q6_KTensor q -> InterleavedQ6_KTensor.interleave(q);
            case Q8_0Tensor q -> InterleavedQ8_0Tensor.interleave(q);
            default -> throw new AssertionError(flat);
        };
        assertTrue(w instanceof InterleavedTensor, w.toString());
        return w;
    }

    private static NativeGemm.Layout interleavedLayout(GgmlType type) { return NativeGemm.Layout.valueOf("INTERLEAVED_" + type.name()); }

    /**
     * The interleaved Q4_0, Q4_K and Q8_0 copies (rows in groups of 16), in whole groups, one group past a 32-row
     * panel, and columns across the 512-column chunks.
     */
    @Test
    void interleavedProductsAreTheProductsOfDequantizedWeightsAndActivations() {
        for (NativeGemm.Library library : libraries()) {
        Random random = new Random(8);
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q8_0})
            for (int rows : new int[] {16, 48, 96})
                for (int cols : type.blockSize == 32 ? new int[] {32, 544, 1056} : new int[] {256, 768, 1280})
                    for (int batch : new int[] {1, 7, 33}) {
                        Tensor w = interleaved(MatmulRowsTest.matrix(type, random, rows, cols));
                        NativeGemm.Layout layout = interleavedLayout(type);
                        checkProduct(library, layout, w, random, batch, new int[][] {{0, rows}, {rows - 16, rows}, {0, 16}});
                        assertThrows(IllegalArgumentException.class, () -> NativeGemm.product(library, layout, false, w.segment(), w.byteSize(), rows,
                                cols, 0, rows - 1, new QuantizedActivations().quantizeToBytes(new float[cols], 1, cols), new float[rows]));
                    }
        }
    }

    /**
     * The decode kernels (a few rows of x): Q8_0's own, and the interleaved layouts' prefill kernel run one
     * panel at a time, on odd row counts and ranges, one to seven tokens.
     */
    @Test
    void decodeProductsAreTheProductsOfDequantizedWeightsAndActivations() {
        for (NativeGemm.Library library : libraries()) {
            Random random = new Random(12);
            for (int rows : new int[] {37, 64})
                for (int cols : new int[] {32, 64, 96, 1056})  // an odd and an even number of blocks
                    for (int batch : new int[] {1, 2, 3, 7, 8, 9, 17, 31}) {  // tiles of 4 (AVX2) and 8 (AVX-512), and what is left of them
                        Tensor w = MatmulRowsTest.matrix(GgmlType.Q8_0, random, rows, cols);
                        checkDecode(library, NativeGemm.Layout.Q8_0, w, random, batch, new int[][] {{0, rows}, {5, 29}, {rows - 1, rows}});
                    }
            for (GgmlType type : new GgmlType[] {GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.Q6_K}) {
                if (library.decodes()[interleavedLayout(type).ordinal()] == null) {  // Q6_K's decode kernel: AVX-512 only
                    assertTrue(type == GgmlType.Q6_K && library.isa() == NativeGemm.Isa.AVX2, library.isa() + " lacks the decode kernel of " + type);
                    continue;
                }
                for (int cols : type.blockSize == 32 ? new int[] {32, 1056} : new int[] {256, 1280})
                    for (int batch : type == GgmlType.Q8_0 || type == GgmlType.Q6_K ? new int[] {1, 3, 4, 5, 6, 9, 11} : new int[] {1, 3, 6}) {  // Q8_0, Q6_K: passes of 4 tokens
                        // one token takes groups four at a time, a quarter of the range apart: 9 and 6 groups leave 1 and 2 after them
                        Tensor w = interleaved(MatmulRowsTest.matrix(type, random, 144, cols));
                        checkDecode(library, interleavedLayout(type), w, random, batch, new int[][] {{0, 144}, {16, 32}, {32, 128}, {16, 80}});
                    }
            }
        }
    }

    /**
     * Q6_K's decode kernel at its integer bounds: every 6-bit value 63 or 0 (weights 31 and -32 times the scale), every
     * scale -128, against activations at ±127 in every column.
     */
    @Test
    void q6_kDecodeDoesNotOverflow() {
        int rows = 32, cols = 2048, batch = 5;
        float[] x = new float[batch * cols];
        for (int t = 0; t < batch; t++) Arrays.fill(x, t * cols, (t + 1) * cols, t % 2 == 0 ? 0.5f : -0.5f);
        QuantizedActivations a = new QuantizedActivations().quantizeToBytes(x, batch, cols);
        for (NativeGemm.Library library : libraries()) {
            if (library.decodes()[NativeGemm.Layout.INTERLEAVED_Q6_K.ordinal()] == null) continue;
            for (int q : new int[] {63, 0}) {
                byte[] bytes = new byte[(int) GgmlType.Q6_K.byteSize((long) rows * cols)];
                for (int b = 0; b < rows * cols / 256; b++) {
                    int at = b * Q6_KTensor.BYTES;
                    Arrays.fill(bytes, at + Q6_KTensor.QL, at + Q6_KTensor.SCALES, (byte) (q == 63 ? 0xFF : 0x00));  // ql and qh
                    Arrays.fill(bytes, at + Q6_KTensor.SCALES, at + Q6_KTensor.D, (byte) -128);
                    bytes[at + Q6_KTensor.D] = 0x00; // f16 1.0
                    bytes[at + Q6_KTensor.D + 1] = 0x3C;
                }
                Tensor w = interleaved(Tensors.of(GgmlType.Q6_K, "w", MemorySegment.ofArray(bytes), new long[] {rows, cols}));
                float[] out = new float[batch * rows];
                NativeGemm.product(library, NativeGemm.Layout.INTERLEAVED_Q6_K, true, w.segment(), w.byteSize(), rows, cols, 0, rows, a, out);
                for (int t = 0; t < batch; t++)
                    for (int r = 0; r < rows; r++) {
                        double want = -128.0 * (q - 32) * (t % 2 == 0 ? 127 : -127) * cols * (0.5 / 127);
                        assertEquals(want, out[t * rows + r], 1e-5 * Math.abs(want), library.isa() + " q " + q + " token " + t + " row " + r);
                    }
            }
        }
    }

    private static void checkDecode(NativeGemm.Library library, NativeGemm.Layout layout, Tensor w, Random random, int batch, int[][] ranges) {
        int rows = w.rows(), cols = w.cols();
        QuantizedActivations a = new QuantizedActivations().quantizeToBytes(MatmulRowsTest.gaussian(random, batch * cols), batch, cols);
        for (int[] range : ranges) {
            float[] out = new float[batch * rows];
            Arrays.fill(out, Float.NaN);
            NativeGemm.product(library, layout, true, w.segment(), w.byteSize(), rows, cols, range[0], range[1], a, out);
            checkRows(w, a, out, range[0], range[1], library.isa() + " decode " + layout + " rows " + rows + " cols " + cols + " batch "
                    + batch + " range " + Arrays.toString(range));
        }
    }

    /**
     * BF16 and F16 decode and prefill kernels against double dot products of each row: columns that fill
     * the 4-vector loop, leave single vectors and a scalar tail, and cross prefill's 128-column chunks;
     * token counts around the prefill tiles (6 and 8); row counts past its 32-row panel; partial row ranges.
     */
    @Test
    void floatProductsAreTheDotProductsOfEachRow() {
        for (NativeGemm.Library library : libraries()) {
            Random random = new Random(21);
            // float prefill is in the AVX-512 library only (the AVX2 kernel was no faster than Java's)
            assertEquals(library.isa() != NativeGemm.Isa.AVX2, Arrays.stream(library.floatProducts()).allMatch(h -> h != null), library.isa().label);
            for (boolean prefill : library.isa() == NativeGemm.Isa.AVX2 ? new boolean[] {false} : new boolean[] {false, true})
            for (GgmlType type : new GgmlType[] {GgmlType.BF16, GgmlType.F16})
                for (int cols : new int[] {5, 16, 72, 300, 2048 + 24})
                    // decode: one token, and tiles of 4 (AVX2) and 8 (AVX-512) tokens and what is left of them, over
                    // 37 rows (blocks of 16 rows) and past a 512-column chunk
                    for (int batch : prefill ? new int[] {1, 7, 9, 14} : new int[] {1, 2, 3, 5, 8, 9, 17, 31}) {
                        int rows = prefill ? 45 : 37;
                        Tensor w = MatmulRowsTest.matrix(type, random, rows, cols);
                        float[] x = MatmulRowsTest.gaussian(random, batch * cols), row = new float[cols];
                        for (int[] range : new int[][] {{0, rows}, {3, 11}, {5, 29}, {rows - 1, rows}}) {
                            float[] out = new float[batch * rows];
                            Arrays.fill(out, Float.NaN);
                            NativeGemm.floats(library, NativeGemm.FloatLayout.valueOf(type.name()), prefill, w.segment(), rows, cols, x, batch, out,
                                    range[0], range[1]);
                            for (int r = 0; r < rows; r++) {
                                w.dequantize((long) r * cols, row, 0, cols);
                                for (int t = 0; t < batch; t++) {
                                    String where = library.isa() + (prefill ? " prefill " : " decode ") + type + " cols " + cols + " batch " + batch
                                            + " range " + Arrays.toString(range) + " row " + r + " token " + t;
                                    float got = out[t * rows + r];
                                    if (r < range[0] || r >= range[1]) {
                                        assertTrue(Float.isNaN(got), where + " outside the range was written");
                                        continue;
                                    }
                                    // one token of BF16 weights meets x rounded to BF16 where the library says so
                                    boolean roundsX = type == GgmlType.BF16 && !prefill && library.bf16DecodeRoundsX();
                                    double want = 0, magnitude = 0;
                                    for (int c = 0; c < cols; c++) {
                                        float xc = roundsX ? bf16(x[t * cols + c]) : x[t * cols + c];
                                        want += (double) row[c] * xc;
                                        magnitude += Math.abs((double) row[c] * xc);
                                    }
                                    assertEquals(want, got, 1e-6 * magnitude + 1e-7, where);
                                }
                            }
                        }
                    }
            Tensor w = MatmulRowsTest.matrix(GgmlType.BF16, random, 4, 32);
            assertThrows(IndexOutOfBoundsException.class, () -> NativeGemm.decodeFloats(library, NativeGemm.FloatLayout.BF16, w.segment(), 4, 32,
                    new float[32], 1, new float[4], 0, 5));
            assertThrows(IllegalArgumentException.class, () -> NativeGemm.decodeFloats(library, NativeGemm.FloatLayout.BF16, w.segment(), 5, 32,
                    new float[32], 1, new float[5], 0, 5));
            assertThrows(IllegalArgumentException.class, () -> NativeGemm.decodeFloats(library, NativeGemm.FloatLayout.BF16, w.segment(), 4, 32,
                    new float[31], 1, new float[4], 0, 4));
        }
    }

    /**
     * In decode, the public {@link Tensor#matmul} of Q8_0, interleaved Q4_K, BF16 and F16 matrices takes the
     * native kernels, close to the float products; so does BF16 and F16 prefill.
     */
    @Test
    void matmulInDecodeAndFloatPrefillTakesTheNativeKernels() {
        assumeNative();
        Random random = new Random(6);
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_K, GgmlType.BF16, GgmlType.F16})
            for (int batch : type == GgmlType.BF16 || type == GgmlType.F16 ? new int[] {1, 3, 8, 17, TiledMatmul.MIN_BATCH + 1} : new int[] {1, 3, 5, 17}) {
                int rows = 96, cols = 512;
                Tensor w = Tensors.forInference(MatmulRowsTest.matrix(type, random, rows, cols));
                if (type == GgmlType.Q4_K) assertTrue(w instanceof InterleavedQ4_KTensor, w.toString());
                float[] x = MatmulRowsTest.gaussian(random, batch * cols);
                float[] out = new float[batch * rows], floats = new float[batch * rows];
                w.matmul(x, batch, out);
                w.matmulRowsByDot(x, batch, floats, 0, rows);
                // in the tiles and in the vdpbf16ps decode kernel x meets BF16 weights rounded to BF16
                boolean tiles = prefillInTiles() && batch >= NativeGemm.floatRowsInTiles(NativeGemm.defaultLibrary().orElseThrow(), NativeGemm.FloatLayout.BF16);
                if (type == GgmlType.BF16 && (tiles || NativeGemm.multipliedFloatsRoundBf16X(batch))) {
                    Arrays.fill(out, Float.NaN);
                    w.matmul(x, batch, out);
                    checkTileRows(w, x, out, 0, rows, type + (tiles ? " prefill in tiles" : " decode with x in BF16") + ", batch " + batch);
                    continue;
                }
                if (type == GgmlType.BF16 || type == GgmlType.F16) {
                    for (int i = 0; i < out.length; i++) assertEquals(floats[i], out[i], 1e-4f * (1 + Math.abs(floats[i])), type + " output " + i);
                    continue;
                }
                QuantizedActivations a = new QuantizedActivations().quantizeToBytes(x, batch, cols);
                checkRows(w, a, out, 0, rows, type + " decode batch " + batch);
            }
    }

    private static void checkProduct(NativeGemm.Library library, NativeGemm.Layout layout, Tensor w, Random random, int batch,
                                     int[][] ranges) {
        int rows = w.rows(), cols = w.cols();
        float[] x = MatmulRowsTest.gaussian(random, batch * cols);
        QuantizedActivations a = new QuantizedActivations().quantizeToBytes(x, batch, cols);
        for (int[] range : ranges) {
            float[] out = new float[batch * rows];
            Arrays.fill(out, Float.NaN);
            NativeGemm.product(library, layout, false, w.segment(), w.byteSize(), rows, cols, range[0], range[1], a, out);
            String where = library.isa() + " " + layout + " rows " + rows + " cols " + cols + " batch " + batch + " range " + Arrays.toString(range);
            checkRows(w, a, out, range[0], range[1], where);
        }
    }

    /**
     * The public {@link Tensor#matmul} of a Q8_0 matrix and of the interleaved Q4_0 and Q4_K ones takes the
     * native kernel from {@link TiledMatmul#MIN_BATCH} rows of x on, close to the float product.
     */
    @Test
    void matmulInPrefillTakesTheNativeKernel() {
        assumeNative();
        Random random = new Random(5);
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K})
        for (int batch : new int[] {TiledMatmul.MIN_BATCH, 45}) {
            int rows = type == GgmlType.Q8_0 ? 77 : 80, cols = type == GgmlType.Q4_K ? 768 : 608;
            Tensor w = Tensors.forInference(MatmulRowsTest.matrix(type, random, rows, cols));
            float[] x = MatmulRowsTest.gaussian(random, batch * cols);
            float[] out = new float[batch * rows], floats = new float[batch * rows];
            w.matmul(x, batch, out);
            w.matmulRows(x, batch, floats, 0, rows);
            if (prefillInTiles()) checkTileRows(w, x, out, 0, rows, type + " prefill in tiles, batch " + batch);
            else checkRows(w, new QuantizedActivations().quantizeToBytes(x, batch, cols), out, 0, rows, type + " batch " + batch);
            double errorSquares = 0, squares = 0;
            for (int i = 0; i < out.length; i++) {
                errorSquares += Math.pow(out[i] - floats[i], 2);
                squares += Math.pow(floats[i], 2);
            }
            assertTrue(Math.sqrt(errorSquares / squares) < 0.02, type + ": quantizing activations moved the product by "
                    + Math.sqrt(errorSquares / squares));
        }
    }

    /**
     * The largest sums each kernel meets: Q8_0 weights at -128 (scale 1), and Q4_0 weights at nibble 15
     * and at 0 (the bound of AVX2's 16-bit sums), against activations at ±127 in every column.
     */
    @Test
    void extremeValuesDoNotOverflow() {
        int rows = 33, cols = 2048, batch = 7;
        float[] x = new float[batch * cols];
        for (int t = 0; t < batch; t++) Arrays.fill(x, t * cols, (t + 1) * cols, t % 2 == 0 ? 0.5f : -0.5f);
        QuantizedActivations a = new QuantizedActivations().quantizeToBytes(x, batch, cols);
        for (NativeGemm.Library library : libraries())
            for (int weight : new int[] {-128, 7, -8}) {
                GgmlType type = weight == -128 ? GgmlType.Q8_0 : GgmlType.Q4_0;
                int blockBytes = type == GgmlType.Q8_0 ? 34 : 18;
                byte[] bytes = new byte[(int) type.byteSize((long) rows * cols)];
                for (int b = 0; b < rows * cols / 32; b++) {
                    Arrays.fill(bytes, b * blockBytes + 2, (b + 1) * blockBytes, (byte) (type == GgmlType.Q8_0 ? 0x80 : weight == 7 ? 0xFF : 0x00));
                    bytes[b * blockBytes] = 0x00; // f16 1.0
                    bytes[b * blockBytes + 1] = 0x3C;
                }
                BlockQuantTensor w = (BlockQuantTensor) Tensors.of(type, "w", MemorySegment.ofArray(bytes), new long[] {rows, cols});
                float[] out = new float[batch * rows];
                NativeGemm.product(library, NativeGemm.Layout.valueOf(type.name()), false, w.segment(), w.byteSize(), rows, cols, 0, rows, a, out);
                for (int t = 0; t < batch; t++)
                    for (int r = 0; r < rows; r++) {
                        double want = (double) weight * (t % 2 == 0 ? 127 : -127) * cols * (0.5 / 127);
                        assertEquals(want, out[t * rows + r], 1e-5 * Math.abs(want), library.isa() + " " + type + " weight " + weight
                                + " token " + t + " row " + r);
                    }
            }
    }

    /**
     * Which kernel takes BF16/F16 products of a few rows of x: the decode kernel below 4 rows everywhere, and from 4 to
     * 31 rows in every AVX-512 library (the AMX one included), where it beat Java's few-rows kernel; Java's on AVX2.
     */
    @Test
    void fewRowsOfFloatWeightsTakeTheDecodeKernelWithAvx512() {
        assumeTrue(!"false".equals(System.getProperty("neurosteer.native.decode")), "native decode switched off");
        for (NativeGemm.Library library : libraries())
            for (NativeGemm.FloatLayout layout : NativeGemm.FloatLayout.values()) {
                assertEquals(NativeGemm.FloatKernel.DECODE, NativeGemm.floatKernel(library, layout, 1), library.isa() + " " + layout);
                assertEquals(library.isa() == NativeGemm.Isa.AVX2 ? NativeGemm.FloatKernel.JAVA : NativeGemm.FloatKernel.DECODE,
                        NativeGemm.floatKernel(library, layout, 8), library.isa() + " " + layout + " at 8 rows");
            }
    }

    /** The AMX library; the test is skipped where this CPU, its kernel or the C compiler has none. */
    private static NativeGemm.Library amx() {
        NativeGemm.Library amx = libraries().stream().filter(NativeGemm.Library::tiles).findFirst().orElse(null);
        assumeTrue(amx != null, "no AMX tile kernels here: " + NativeGemm.runnableIsas());
        return amx;
    }

    /**
     * The AMX tile products of every layout: rows and tokens that leave partial tiles (16 rows, 16 and 32 tokens),
     * partial row ranges, and columns across the 512-column panels, against double sums of the weights and of x,
     * each rounded to BF16 as the kernels round them.
     */
    @Test
    void tileProductsAreTheProductsOfWeightsAndActivationsInBf16() {
        NativeGemm.Library library = amx();
        Random random = new Random(19);
        for (NativeGemm.Layout layout : NativeGemm.Layout.values()) {
            boolean interleaved = layout.name().startsWith("INTERLEAVED");
            GgmlType type = GgmlType.valueOf(layout.name().replace("INTERLEAVED_", ""));
            for (int rows : interleaved ? new int[] {16, 48, 80} : new int[] {37, 64, 100})
                for (int cols : type.blockSize == 256 ? new int[] {256, 768} : new int[] {32, 96, 544, 1056})
                    for (int batch : new int[] {1, 17, 32, 45, 70}) {
                        Tensor flat = MatmulRowsTest.matrix(type, random, rows, cols);
                        Tensor w = interleaved ? interleaved(flat) : flat;
                        int[][] ranges = interleaved ? new int[][] {{0, rows}, {16, rows}, {0, 16}} : new int[][] {{0, rows}, {5, 29}, {rows - 1, rows}, {16, rows}};
                        checkTiles(w, random, batch, ranges, layout.toString(),
                                (x, out, range) -> NativeGemm.tileProduct(library, layout, w, x, batch, out, range[0], range[1]));
                    }
        }
        for (NativeGemm.FloatLayout layout : new NativeGemm.FloatLayout[] {NativeGemm.FloatLayout.BF16})
            for (int rows : new int[] {37, 100})
                for (int cols : new int[] {32, 96, 544})
                    for (int batch : new int[] {1, 17, 45}) {
                        Tensor w = MatmulRowsTest.matrix(GgmlType.valueOf(layout.name()), random, rows, cols);
                        checkTiles(w, random, batch, new int[][] {{0, rows}, {5, 29}, {rows - 1, rows}}, layout.toString(),
                                (x, out, range) -> NativeGemm.tileProduct(library, layout, w, x, batch, out, range[0], range[1]));
                    }
        Tensor w = MatmulRowsTest.matrix(GgmlType.BF16, random, 4, 48);
        assertThrows(IllegalArgumentException.class, () -> NativeGemm.tileProduct(library, NativeGemm.FloatLayout.BF16, w, new float[48], 1,
                new float[4], 0, 4), "columns not in 32s");
        assertThrows(IllegalArgumentException.class, () -> NativeGemm.tileProduct(library, NativeGemm.FloatLayout.F16,
                MatmulRowsTest.matrix(GgmlType.F16, random, 4, 64), new float[64], 1, new float[4], 0, 4), "F16 keeps its precision");
        Tensor q = MatmulRowsTest.matrix(GgmlType.Q8_0, random, 4, 64);
        assertThrows(IllegalArgumentException.class, () -> NativeGemm.tileProduct(library, NativeGemm.Layout.Q8_0, q, new float[64], 1,
                new float[3], 0, 4), "output too small");
        assertThrows(IndexOutOfBoundsException.class, () -> NativeGemm.tileProduct(library, NativeGemm.Layout.Q8_0, q, new float[64], 1,
                new float[5], 0, 5), "rows past the matrix");
    }

    /**
     * A product in tiles that is lent a spare array puts x in BF16 there and gives the same bits as one that is not;
     * a spare too small, or one that is x itself, is left alone.
     */
    @Test
    void tileProductsUseALentSpareArrayAndGiveTheSameBits() {
        assumeTrue(NativeGemm.tiles(), "prefill does not run in AMX tiles here");
        Random random = new Random(23);
        int batch = 45, rows = 80;
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.BF16}) {
            int cols = type.blockSize == 256 ? 768 : 544;
            Tensor flat = MatmulRowsTest.matrix(type, random, rows, cols);
            Tensor w = type == GgmlType.BF16 ? flat : Tensors.forInference(flat);
            float[] x = new float[batch * cols];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            float[] expected = new float[batch * rows], out = new float[batch * rows];
            w.matmul(x, batch, expected);
            int needed = (batch + 31) / 32 * 32 * cols / 2;  // floats that hold the padded rows of x in BF16
            float[] spare = new float[needed];
            Arrays.fill(spare, Float.NaN);
            w.matmul(x, batch, out, spare);
            assertTrue(Arrays.equals(expected, out), type + ": the same bits with a spare array");
            // two finite BF16 values, or zero padding, in every float: no NaN from the fill is left
            assertEquals(0, countNaN(spare), type + ": x went to the spare array");
            float[] small = new float[needed - 1];
            Arrays.fill(small, Float.NaN);
            Arrays.fill(out, 0);
            w.matmul(x, batch, out, small);
            assertTrue(Arrays.equals(expected, out), type + ": the same bits with a spare array too small");
            assertEquals(small.length, countNaN(small), type + ": a spare array too small is left alone");
            float[] xCopy = x.clone();
            Arrays.fill(out, 0);
            w.matmul(xCopy, batch, out, xCopy);
            assertTrue(Arrays.equals(expected, out) && Arrays.equals(x, xCopy), type + ": x lent as its own spare is left alone");
        }
    }

    private static int countNaN(float[] a) {
        int n = 0;
        for (float v : a) if (Float.isNaN(v)) n++;
        return n;
    }

    /** The tiles' ceiling is measured where prefill runs in them (far above the FMA rate), and NaN elsewhere. */
    @Test
    void tileCeilingIsMeasuredWhereTheTilesRun() {
        double gflops = NativeGemm.tilePeakGflops(0.05);
        if (NativeGemm.tiles()) assertTrue(gflops > 10 && Double.isFinite(gflops), "tile ceiling " + gflops);
        else assertTrue(Double.isNaN(gflops), "no tiles, yet a ceiling of " + gflops);
    }

    /** The read ceiling's native pass sums every float it reads: four quarters and what is left after them. */
    @Test
    void nativeReadSumAddsEveryFloat() {
        assumeNative();
        Random random = new Random(23);
        for (long floats : new long[] {32, 96, 128 * 32 + 96, 100_000 / 32 * 32}) {
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                MemorySegment s = arena.allocate(floats * 4, 64);
                double want = 0;
                for (long i = 0; i < floats; i++) {
                    float v = (float) random.nextInt(1000) - 500; // integers: every order of summing gives the same float
                    s.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, v);
                    want += v;
                }
                assertEquals(want, NativeGemm.nativeReadSum(s, floats), 0.0, floats + " floats");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> NativeGemm.nativeReadSum(MemorySegment.ofArray(new float[40]), 40));
    }

    interface TileCall {
        void run(float[] x, float[] out, int[] range);
    }

    /** Rows in each range of the tile product against double sums of BF16-rounded weights and x; rows outside it stay NaN. */
    private static void checkTiles(Tensor w, Random random, int batch, int[][] ranges, String what, TileCall call) {
        float[] x = MatmulRowsTest.gaussian(random, batch * w.cols());
        for (int[] range : ranges) {
            float[] out = new float[batch * w.rows()];
            Arrays.fill(out, Float.NaN);
            call.run(x, out, range);
            checkTileRows(w, x, out, range[0], range[1], "tiles " + what + " rows " + w.rows() + " cols " + w.cols() + " batch " + batch
                    + " range " + Arrays.toString(range));
        }
    }

    /** Rows {@code [start, end)} of {@code out} against double sums of BF16-rounded weights and x; every other row still NaN. */
    private static void checkTileRows(Tensor w, float[] x, float[] out, int start, int end, String what) {
        int rows = w.rows(), cols = w.cols(), batch = out.length / rows;
        float[] weights = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantize((long) r * cols, weights, 0, cols);
            for (int t = 0; t < batch; t++) {
                String where = what + ": token " + t + " row " + r;
                float got = out[t * rows + r];
                if (r < start || r >= end) {
                    assertTrue(Float.isNaN(got), where + " outside the range was written");
                    continue;
                }
                double want = 0, magnitude = 0;
                for (int c = 0; c < cols; c++) {
                    double term = (double) bf16(weights[c]) * bf16(x[t * cols + c]);
                    want += term;
                    magnitude += Math.abs(term);
                }
                assertEquals(want, got, 1e-5 * magnitude + 1e-6, where);
            }
        }
    }

    /** True when prefill of this build takes the AMX tiles. */
    private static boolean prefillInTiles() {
        return NativeGemm.status().equals(NativeGemm.Isa.AVX512_AMX.label);
    }

    /** {@code f} rounded to the nearest BF16, ties to even. */
    static float bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        return Float.intBitsToFloat((bits + 0x7FFF + ((bits >>> 16) & 1)) & 0xFFFF0000);
    }

    /** The C code trusts its arguments; sizes that do not fit, and activations it cannot read, are refused before the call. */
    @Test
    void argumentsThatWouldWritePastAnArrayAreRefused() {
        assumeNative();
        Random random = new Random(2);
        int rows = 40, cols = 64, batch = 3;
        BlockQuantTensor w = (BlockQuantTensor) MatmulRowsTest.matrix(GgmlType.Q8_0, random, rows, cols);
        QuantizedActivations a = new QuantizedActivations().quantizeToBytes(MatmulRowsTest.gaussian(random, batch * cols), batch, cols);
        assertThrows(IllegalArgumentException.class, () -> q8_0(w, rows, cols, 0, rows, a, new float[batch * rows - 1]));
        assertThrows(IndexOutOfBoundsException.class, () -> q8_0(w, rows, cols, 0, rows + 1, a, new float[batch * (rows + 1)]));
        assertThrows(IllegalArgumentException.class, () -> q8_0(w, rows + 1, cols, 0, rows, a, new float[batch * (rows + 1)]));
        assertThrows(IllegalArgumentException.class, () -> q8_0(w, rows, 2 * cols, 0, rows, a, new float[2 * batch * rows]));
        // activations last quantized as shorts: the bytes left from before must not be read
        QuantizedActivations shorts = new QuantizedActivations().quantizeToBytes(new float[batch * cols], batch, cols)
                .quantize(MatmulRowsTest.gaussian(random, batch * cols), batch, cols, 32);
        assertThrows(IllegalArgumentException.class, () -> q8_0(w, rows, cols, 0, rows, shorts, new float[batch * rows]));
        // Q4_K rows are whole super-blocks of 256 columns
        assertThrows(IllegalArgumentException.class, () -> NativeGemm.product(NativeGemm.Layout.Q4_K, w.segment(), 0, rows, cols, 0, rows,
                a, new float[batch * rows]));
    }

    private static void q8_0(BlockQuantTensor w, int rows, int cols, int start, int end, QuantizedActivations a, float[] out) {
        NativeGemm.product(NativeGemm.Layout.Q8_0, w.segment(), GgmlType.Q8_0.byteSize((long) rows * cols), rows, cols, start, end, a, out);
    }

    /** Rows {@code [start, end)} of {@code out} against double sums; every other row still NaN. */
    private static void checkRows(Tensor w, QuantizedActivations a, float[] out, int start, int end, String where) {
        int cols = w.cols(), rows = w.rows(), batch = out.length / rows;
        float[] weights = new float[cols];
        for (int r = 0; r < rows; r++) {
            w.dequantize((long) r * cols, weights, 0, cols);
            for (int t = 0; t < batch; t++) {
                float got = out[t * rows + r];
                if (r < start || r >= end) {
                    assertTrue(Float.isNaN(got), where + ": row " + r + " outside the range was written");
                    continue;
                }
                double want = 0, magnitude = 0;
                for (int c = 0; c < cols; c++) {
                    double term = (double) weights[c] * a.int8[t * cols + c] * a.scales[(t * cols + c) / 32];
                    want += term;
                    magnitude += Math.abs(term);
                }
                assertEquals(want, got, 1e-5 * magnitude + 1e-6, where + ": token " + t + " row " + r);
            }
        }
    }
}
