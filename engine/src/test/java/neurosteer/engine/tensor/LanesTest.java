package neurosteer.engine.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

class LanesTest {
    private static final int ROUNDS = 200_000;

    private static float[][] vectors(Random random, int count, double spread) {
        float[][] v = new float[count][8];
        for (float[] lanes : v)
            for (int i = 0; i < 8; i++) lanes[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt((int) spread + 1)));
        return v;
    }

    private static float sum(float[] lanes) { return Lanes.sum(FloatVector.fromArray(FloatVector.SPECIES_256, lanes, 0)); }

    private static float[] exp(float[] lanes) {
        float[] out = new float[8];
        Lanes.exp(FloatVector.fromArray(FloatVector.SPECIES_256, lanes, 0)).intoArray(out, 0);
        return out;
    }

    /** A 512-bit vector (what {@code SPECIES_PREFERRED} gives with AVX-512) is refused with a message, not a cast failure. */
    @Test
    void sumRefusesVectorsOfOtherThanEightLanes() {
        FloatVector wide = FloatVector.broadcast(FloatVector.SPECIES_512, 1f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Lanes.sum(wide));
        assertTrue(e.getMessage().contains("8-lane"), e.getMessage());
    }

    /** The fixed order, on values of very different sizes (where the order shows), the first calls and after C2 has compiled it. */
    @Test
    void sumAddsTheLanesInOneOrderBeforeAndAfterCompilation() {
        float[][] v = vectors(new Random(1), 1000, 6);
        float[] first = new float[v.length];
        for (int k = 0; k < v.length; k++) first[k] = sum(v[k]);
        float sink = 0;
        for (int k = 0; k < ROUNDS; k++) sink += sum(v[k % v.length]);
        assertTrue(Float.isFinite(sink));
        for (int k = 0; k < v.length; k++) {
            float[] l = v[k];
            float want = ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
            assertEquals(want, first[k], 0f, "vector " + k + " on its first call");
            assertEquals(want, sum(l), 0f, "vector " + k + " once compiled");
        }
    }

    @Test
    void expIsWithinTwoUlpsOfMathExpAndTheSameBeforeAndAfterCompilation() {
        Random random = new Random(2);
        int count = 2000;
        float[][] v = new float[count][8];
        for (int k = 0; k < count; k++)
            for (int i = 0; i < 8; i++) v[k][i] = (float) (Lanes.UNDERFLOW + random.nextDouble() * (Lanes.OVERFLOW - Lanes.UNDERFLOW));
        v[0] = new float[] {0f, -0f, 1f, -1f, 0.5f, -0.34657359f, 0.34657359f, 88.7f};
        v[1] = new float[] {-87.3f, -20f, 20f, 1e-8f, -1e-8f, 10f, -10f, 88f};
        float[][] first = new float[count][];
        for (int k = 0; k < count; k++) first[k] = exp(v[k]);
        float sink = 0;
        for (int k = 0; k < ROUNDS; k++) sink += exp(v[k % count])[k % 8];
        assertTrue(sink > 0);
        double worst = 0;
        for (int k = 0; k < count; k++) {
            float[] again = exp(v[k]);
            for (int i = 0; i < 8; i++) {
                assertEquals(first[k][i], again[i], 0f, "exp(" + v[k][i] + ") on the first call and once compiled");
                double want = Math.exp(v[k][i]);
                worst = Math.max(worst, Math.abs(again[i] - want) / Math.ulp((float) want));
            }
        }
        assertTrue(worst <= 2, "worst error " + worst + " ulps");
        assertEquals(1f, exp(v[0])[0], 0f);
        assertEquals(1f, exp(v[0])[1], 0f);
    }

    @Test
    void expOfTheEdges() {
        float[] edges = exp(new float[] {Float.NEGATIVE_INFINITY, -1000f, -87.4f, Float.NaN, 88.8f, 1000f, Float.POSITIVE_INFINITY, Lanes.OVERFLOW});
        assertEquals(0f, edges[0], 0f);
        assertEquals(0f, edges[1], 0f);
        assertEquals(0f, edges[2], 0f);
        assertTrue(Float.isNaN(edges[3]), "NaN gives " + edges[3]);
        assertEquals(Float.POSITIVE_INFINITY, edges[4], 0f);
        assertEquals(Float.POSITIVE_INFINITY, edges[5], 0f);
        assertEquals(Float.POSITIVE_INFINITY, edges[6], 0f);
        assertEquals(Math.exp(Lanes.OVERFLOW), edges[7], Math.ulp((float) Math.exp(Lanes.OVERFLOW)) * 2, "the largest finite input");
    }
}
