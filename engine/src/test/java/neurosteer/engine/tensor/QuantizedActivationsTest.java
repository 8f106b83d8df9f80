package neurosteer.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The integer decode kernels: activations quantized to 8 bits ({@link QuantizedActivations}) and
 * multiplied with the weights' integers, for every format that has such a kernel.
 */
class QuantizedActivationsTest {
    private static final GgmlType[] TYPES = {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K};

    @Test
    void quantizationRoundsEachValueToItsBlocksGridAndSumsEachGroup() {
        Random random = new Random(7);
        for (int block : new int[] {32, 256}) {
            int batch = 2, cols = 3 * 256;
            float[] x = MatmulRowsTest.gaussian(random, batch * cols);
            Arrays.fill(x, 64, 96, 0f); // an all-zero block of 32 (inside a larger block for 256)
            x[300] = 40f; // an outlier sets its block's scale
            QuantizedActivations a = new QuantizedActivations().quantize(x, batch, cols, block);
            for (int b = 0; b < batch * cols / block; b++) {
                float amax = 0;
                for (int i = b * block; i < (b + 1) * block; i++) amax = Math.max(amax, Math.abs(x[i]));
                assertEquals(amax / 127f, a.scales[b], 0f, "scale of block " + b);
                for (int i = b * block; i < (b + 1) * block; i++) {
                    assertTrue(Math.abs(a.values[i]) <= 127, "value " + i);
                    assertEquals(x[i], a.values[i] * a.scales[b], a.scales[b] * 0.5001f + 1e-7f, "element " + i);
                }
            }
            assertEquals(127, a.values[300]);
            for (int g = 0; g < batch * cols / 32; g++) {
                int sum = 0;
                for (int i = 32 * g; i < 32 * g + 32; i++) sum += a.values[i];
                assertEquals(sum * a.scales[32 * g / block], a.groupSums[g], 1e-6f, "group " + g);
            }
            if (block == 32) assertEquals(0f, a.scales[2], 0f, "the all-zero block");
        }
        assertThrows(IllegalArgumentException.class, () -> new QuantizedActivations().quantize(new float[100], 1, 100, 32));
    }

    /** The byte form for the native kernels holds the same values, scales and group sums as the short form. */
    @Test
    void bytesForTheNativeKernelsMatchTheShortValues() {
        Random random = new Random(12);
        int batch = 3, cols = 320;
        float[] x = MatmulRowsTest.gaussian(random, batch * cols);
        x[77] = -55f;
        QuantizedActivations shorts = new QuantizedActivations().quantize(x, batch, cols, 32);
        QuantizedActivations bytes = new QuantizedActivations().quantizeToBytes(x, batch, cols);
        for (int i = 0; i < batch * cols; i++) assertEquals(shorts.values[i], bytes.int8[i], "element " + i);
        for (int g = 0; g < batch * cols / 32; g++) {
            assertEquals(shorts.scales[g], bytes.scales[g], 0f, "scale " + g);
            assertEquals(shorts.groupSums[g], bytes.groupSums[g], 0f, "group sum " + g);
        }
        assertEquals(-127, bytes.int8[77]);
    }

    /** The vector kernel against its scalar reference, odd row counts and ranges that start mid-matrix. */
    @Test
    void integerKernelMatchesItsScalarReference() {
        int rows = 37;
        forEachDecodeCase(11, rows, (w, x, batch) -> {
            int cols = w.cols();
            GgmlType type = w.type();
            QuantizedActivations a = new QuantizedActivations().quantize(x, batch, cols, w.activationBlock());
            for (int[] range : new int[][] {{0, rows}, {5, 29}, {36, 37}}) {
                float[] out = new float[batch * rows];
                Arrays.fill(out, Float.NaN);
                w.matvecQuantized(a, out, range[0], range[1]);
                for (int b = 0; b < batch; b++)
                    for (int r = 0; r < rows; r++) {
                        float got = out[b * rows + r];
                        if (r < range[0] || r >= range[1]) {
                            assertTrue(Float.isNaN(got), type + ": row " + r + " outside the range was written");
                            continue;
                        }
                        float want = w.dotQuantizedScalar(r, a, b);
                        assertEquals(want, got, 1e-5f * magnitude(w, r, x, b * cols) + 1e-6f,
                                type + " cols " + cols + " batch " + b + "/" + batch + " row " + r);
                    }
            }
        });
    }

    /**
     * What the kernels compute is the dot product of the dequantized weights with the dequantized
     * activations (checked in double, independently of the kernels' scalar references), reached
     * through the public {@link Tensor#matmul} with activations quantized (the default); and it stays
     * close to the float product.
     */
    @Test
    void matmulInDecodeIsTheProductOfDequantizedWeightsAndActivations() {
        assumeTrue(Kernels.VECTORIZE && Kernels.QUANTIZE_ACTIVATIONS, "the integer path is switched off in this JVM");
        int rows = 45;
        forEachDecodeCase(13, rows, (w, x, batch) -> {
            int cols = w.cols();
            GgmlType type = w.type();
            float[] out = new float[batch * rows], exact = new float[batch * rows];
            w.matmul(x, batch, out);
            w.matmulRows(x, batch, exact, 0, rows);
            QuantizedActivations a = new QuantizedActivations().quantize(x, batch, cols, w.activationBlock());
            float[] weights = new float[cols];
            double errorSquares = 0, squares = 0;
            for (int r = 0; r < rows; r++) {
                w.dequantize((long) r * cols, weights, 0, cols);
                for (int b = 0; b < batch; b++) {
                    double want = 0;
                    for (int c = 0; c < cols; c++)
                        want += (double) weights[c] * a.values[b * cols + c] * a.scales[(b * cols + c) / a.block];
                    float got = out[b * rows + r];
                    assertEquals(want, got, 1e-5 * magnitude(w, r, x, b * cols) + 1e-6,
                            type + " cols " + cols + " batch " + b + "/" + batch + " row " + r);
                    errorSquares += Math.pow(got - exact[b * rows + r], 2);
                    squares += Math.pow(exact[b * rows + r], 2);
                }
            }
            double relative = Math.sqrt(errorSquares / squares);
            assertTrue(relative < 0.02, type + ": quantizing activations moved the product by " + relative);
        });
    }

    /**
     * The largest integers each format can hold against activations at ±127: the 16-bit lanes must
     * not overflow (Q4: 15 · 127 twice per lane; Q8_0: -128 · -127 twice per lane).
     */
    @Test
    void extremeWeightsAndActivationsDoNotOverflowTheLanes() {
        assumeTrue(Kernels.VECTORIZE && Kernels.QUANTIZE_ACTIVATIONS, "the integer path is switched off in this JVM");
        int rows = 3, cols = 512;
        for (GgmlType type : TYPES) {
            int blocks = rows * cols / type.blockSize;
            byte[] bytes = new byte[(int) type.byteSize((long) rows * cols)];
            for (int b = 0; b < blocks; b++) {
                int base = b * type.bytesPerBlock;
                Arrays.fill(bytes, base, base + type.bytesPerBlock, type == GgmlType.Q8_0 ? (byte) 0x80 : (byte) 0xFF);
                bytes[base] = 0x00; // f16 1.0 = 0x3C00 (and Q4_K's dmin the same)
                bytes[base + 1] = 0x3C;
                if (type == GgmlType.Q4_K) {
                    bytes[base + 2] = 0x00;
                    bytes[base + 3] = 0x3C;
                }
            }
            BlockQuantTensor w = (BlockQuantTensor) Tensors.of(type, "w", MemorySegment.ofArray(bytes), new long[] {rows, cols});
            for (float sign : new float[] {1, -1}) {
                float[] x = new float[cols];
                Arrays.fill(x, sign * 0.5f);
                float[] out = new float[rows];
                w.matmul(x, 1, out);
                QuantizedActivations a = new QuantizedActivations().quantize(x, 1, cols, w.activationBlock());
                assertEquals(127 * (int) sign, a.values[0]);
                float[] weights = new float[cols];
                for (int r = 0; r < rows; r++) {
                    w.dequantize((long) r * cols, weights, 0, cols);
                    double want = 0;
                    for (int c = 0; c < cols; c++) want += (double) weights[c] * a.values[c] * a.scales[c / a.block];
                    assertEquals(want, out[r], 1e-5 * Math.abs(want), type + " row " + r + " sign " + sign);
                    assertEquals(w.dotQuantizedScalar(r, a, 0), out[r], 1e-5 * Math.abs(want), type + " row " + r);
                }
            }
        }
    }

    /** One decode case: a random weight matrix of one format, and {@code batch} rows of activations for it. */
    private interface DecodeCase {
        void check(BlockQuantTensor w, float[] x, int batch);
    }

    /** Every format with an integer kernel, its column counts and decode batches 1-3, seeded. */
    private static void forEachDecodeCase(long seed, int rows, DecodeCase body) {
        Random random = new Random(seed);
        for (GgmlType type : TYPES)
            for (int cols : MatmulRowsTest.columnCounts(type))
                for (int batch = 1; batch < FewRowsMatmul.MIN_BATCH; batch++) {
                    BlockQuantTensor w = (BlockQuantTensor) MatmulRowsTest.matrix(type, random, rows, cols);
                    body.check(w, MatmulRowsTest.gaussian(random, batch * cols), batch);
                }
    }

    /** {@code Σ |w_c · x_c|} of one row, the scale for float rounding differences. */
    private static float magnitude(Tensor w, int row, float[] x, int xOffset) {
        int cols = w.cols();
        float[] weights = new float[cols];
        w.dequantize((long) row * cols, weights, 0, cols);
        float sum = 0;
        for (int c = 0; c < cols; c++) sum += Math.abs(weights[c] * x[xOffset + c]);
        return sum;
    }
}
