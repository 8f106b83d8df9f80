package neurosteer.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QuantizedTensorTest {
    private static final GgmlType[] TYPES = {GgmlType.F32, GgmlType.F16, GgmlType.BF16,
            GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K};

    static float[] gaussian(Random random, int n, float scale) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) random.nextGaussian() * scale;
        return v;
    }

    static Tensor encode(GgmlType type, float[] values) {
        return Tensors.of(type, "w", MemorySegment.ofArray(Quantizer.quantize(type, values)), new long[] {values.length});
    }

    private static float dotScalar(Tensor t, long offset, float[] x, int xOffset, int n) {
        return switch (t) {
            case BlockQuantTensor b -> b.dotScalar(offset, x, xOffset, n);
            case F16Tensor h -> h.dotScalar(offset, x, xOffset, n);
            case BF16Tensor h -> h.dotScalar(offset, x, xOffset, n);
            case F32Tensor f -> f.dotScalar(offset, x, xOffset, n);
            default -> throw new AssertionError(t);
        };
    }

    private static float dotVector(Tensor t, long offset, float[] x, int xOffset, int n) {
        return switch (t) {
            case BlockQuantTensor b -> b.dotVector(offset, x, xOffset, n);
            case F16Tensor h -> h.dotVector(offset, x, xOffset, n);
            case BF16Tensor h -> h.dotVector(offset, x, xOffset, n);
            case F32Tensor f -> f.dotVector(offset, x, xOffset, n);
            default -> throw new AssertionError(t);
        };
    }

    /** Vector kernels against the scalar references on ranges that start and end on and off block boundaries. */
    @Test
    void vectorKernelsMatchScalarReferences() {
        Random random = new Random(7);
        int total = 256 * 6;
        for (GgmlType type : TYPES) {
            Tensor t = encode(type, gaussian(random, total, 0.5f));
            float[] x = gaussian(random, total + 50, 1f);
            int bs = type.blockSize;
            long[][] cases = {
                    {0, total}, {0, bs}, {bs, 2L * bs}, {2L * bs, 3L * bs}, {0, total - bs},
                    {1, total - 1}, {3, 5}, {bs - 1, bs + 2}, {7, 2L * bs + 9}, {256, 512}, {512, 256 + 17}, {0, 1},
                    {total - 3, 3}, {total - 256, 256}};
            for (long[] c : cases) {
                long offset = c[0];
                int n = (int) c[1];
                for (int xOffset : new int[] {0, 13, 50}) {
                    double magnitude = 0;
                    for (int i = 0; i < n; i++) magnitude += Math.abs(t.get(offset + i) * x[xOffset + i]);
                    float scalar = dotScalar(t, offset, x, xOffset, n), vector = dotVector(t, offset, x, xOffset, n);
                    double exact = 0;
                    for (int i = 0; i < n; i++) exact += (double) t.get(offset + i) * x[xOffset + i];
                    assertTrue(magnitude > 0, type + " test data must not be zero");
                    // float sums in different orders: allow a few ulps of the sum of magnitudes
                    double tolerance = 1e-5 * magnitude + 1e-6;
                    assertEquals(exact, scalar, tolerance, type + " scalar offset " + offset + " n " + n);
                    assertEquals(exact, vector, tolerance, type + " vector offset " + offset + " n " + n + " xOffset " + xOffset);
                }
            }
        }
    }

    @Test
    void dequantizeAgreesWithGetOnAnyRange() {
        Random random = new Random(11);
        int total = 256 * 3;
        for (GgmlType type : TYPES) {
            Tensor t = encode(type, gaussian(random, total, 2f));
            for (int[] c : new int[][] {{0, total}, {5, 300}, {256, 256}, {31, 2}, {33, 700}}) {
                float[] out = new float[c[1] + 4];
                t.dequantize(c[0], out, 4, c[1]);
                for (int i = 0; i < c[1]; i++) assertEquals(t.get(c[0] + i), out[4 + i], type + " element " + (c[0] + i));
            }
        }
    }

    /**
     * Round-trip error per type on Gaussian data: relative RMS error bounded by the format's step size
     * (about range / levels / sqrt(12)), and never more than the per-block worst case where one exists.
     */
    @Test
    void quantizationErrorWithinExpectedBounds() {
        Random random = new Random(3);
        int n = 256 * 16;
        float[] values = gaussian(random, n, 0.02f);
        assertRelativeRms(GgmlType.F32, values, 0);
        assertRelativeRms(GgmlType.F16, values, 3e-4);
        assertRelativeRms(GgmlType.BF16, values, 2.5e-3);
        assertRelativeRms(GgmlType.Q8_0, values, 0.007);
        assertRelativeRms(GgmlType.Q6_K, values, 0.03);
        assertRelativeRms(GgmlType.Q4_0, values, 0.11);
        assertRelativeRms(GgmlType.Q4_K, values, 0.10);

        Tensor q8 = encode(GgmlType.Q8_0, values), q4 = encode(GgmlType.Q4_0, values);
        for (int b = 0; b < n / 32; b++) {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(values[32 * b + i]));
            for (int i = 0; i < 32; i++) {
                int e = 32 * b + i;
                assertTrue(Math.abs(q8.get(e) - values[e]) <= amax / 127 * 0.51f, "Q8_0 element " + e);
                assertTrue(Math.abs(q4.get(e) - values[e]) <= amax / 8 * 1.01f, "Q4_0 element " + e);
            }
        }
        Tensor bf16 = encode(GgmlType.BF16, values), f16 = encode(GgmlType.F16, values);
        for (int e = 0; e < n; e++) {
            assertTrue(Math.abs(bf16.get(e) - values[e]) <= Math.abs(values[e]) * 0x1p-8f, "BF16 element " + e);
            assertTrue(Math.abs(f16.get(e) - values[e]) <= Math.max(Math.abs(values[e]) * 0x1p-11f, 0x1p-25f), "F16 element " + e);
        }
    }

    private static void assertRelativeRms(GgmlType type, float[] values, double bound) {
        Tensor t = encode(type, values);
        double err = 0, ref = 0;
        for (int i = 0; i < values.length; i++) {
            double d = t.get(i) - values[i];
            err += d * d;
            ref += (double) values[i] * values[i];
        }
        double relative = Math.sqrt(err / ref);
        assertTrue(relative <= bound, type + " relative RMS error " + relative + " exceeds " + bound);
    }

    /** K-quants with blocks of mixed magnitude and sign (some all-positive, some all-negative, one constant). */
    @Test
    void kQuantsHandleOffsetAndConstantBlocks() {
        Random random = new Random(5);
        float[] values = new float[256 * 4];
        for (int i = 0; i < values.length; i++) {
            int sub = i / 32;
            values[i] = switch (sub % 4) {
                case 0 -> 1.5f + random.nextFloat();
                case 1 -> -3f - random.nextFloat();
                case 2 -> 0.75f;
                default -> (float) random.nextGaussian() * 0.01f;
            };
        }
        for (GgmlType type : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q6_K}) {
            Tensor t = encode(type, values);
            for (int i = 0; i < values.length; i++) {
                float tolerance = type == GgmlType.Q4_K ? 0.35f : 0.08f;
                assertEquals(values[i], t.get(i), tolerance, type + " element " + i);
            }
        }
    }

    @Test
    void f16VectorConversionIsExactForAllHalves() {
        short[] all = new short[65536];
        for (int i = 0; i < all.length; i++) all[i] = (short) i;
        for (int i = 0; i < all.length; i += 8) {
            var halves = jdk.incubator.vector.ShortVector.fromArray(jdk.incubator.vector.ShortVector.SPECIES_128, all, i);
            float[] got = F16Tensor.toFloats(halves).toArray();
            for (int j = 0; j < 8; j++) {
                float want = Float.float16ToFloat(all[i + j]);
                if (Float.isNaN(want)) assertTrue(Float.isNaN(got[j]), "half 0x" + Integer.toHexString(i + j));
                else assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(got[j]), "half 0x" + Integer.toHexString(i + j));
            }
        }
    }
}
