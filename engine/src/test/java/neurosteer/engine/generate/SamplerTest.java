package neurosteer.engine.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final int VOCAB = 20_000;

    /**
     * The sampler sorts only the likeliest tokens; it must draw exactly what sorting the whole vocabulary
     * draws, for peaked and flat distributions, ties, a peak whose nucleus reaches deep into a long tail
     * (the first threshold is not enough), and every mix of top-k and top-p.
     */
    @Test
    void drawsWhatSortingTheWholeVocabularyDraws() {
        SplittableRandom r = new SplittableRandom(5);
        float[] peaked = new float[VOCAB], flat = new float[VOCAB], ties = new float[VOCAB], longTail = new float[VOCAB];
        for (int i = 0; i < VOCAB; i++) {
            peaked[i] = (float) (r.nextGaussian() * 2);
            flat[i] = (float) (r.nextGaussian() * 0.01);
            ties[i] = r.nextInt(5);
            longTail[i] = (float) (r.nextGaussian() * 0.1);
        }
        for (int i = 0; i < 30; i++) peaked[r.nextInt(VOCAB)] += 12;
        longTail[17] = (float) Math.log(VOCAB) + 0.5f;  // at temperature 1.3 about 0.13 of the mass on one token, the rest spread thin
        double[][] filters = {{0.95, 0}, {0.5, 0}, {1.0, 40}, {0.9, 7}, {0.999, 0}, {0.95, VOCAB}};
        for (float[] logits : List.of(peaked, flat, ties, longTail))
            for (double[] f : filters)
                for (double temperature : new double[] {0.7, 1.3}) {
                    SamplingConfig c = new SamplingConfig(1, temperature, f[0], (int) f[1], 3, Set.of(), List.of());
                    Sampler sampler = new Sampler(c, 11L);
                    Reference reference = new Reference(c, 11L);
                    Set<Integer> seen = new HashSet<>();
                    for (int draw = 0; draw < 40; draw++) {
                        int token = sampler.sample(logits, 0, VOCAB);
                        assertEquals(reference.sample(logits, VOCAB), token, "draw " + draw + " at top-p " + f[0] + ", top-k " + f[1]);
                        seen.add(token);
                    }
                    if (f[0] >= 0.95 && f[1] != 40 && logits != peaked && (logits != longTail || temperature > 1)) assertTrue(seen.size() > 5, "the nucleus is wide here, the draws must vary: " + seen);
                }
    }

    @Test
    void readsTheLogitsAtTheirOffset() {
        float[] row = new float[3 * VOCAB];
        Arrays.fill(row, -50f);
        row[VOCAB + 123] = 10f;
        SamplingConfig c = new SamplingConfig(1, 0.7, 0.95, 0, 3, Set.of(), List.of());
        assertEquals(123, new Sampler(c, 0).sample(row, VOCAB, VOCAB));
    }

    /** Logits with a NaN or an infinity (a broken model) stop with a message, neither a hang nor a made-up draw. */
    @Test
    void nonFiniteLogitsAreAClearError() {
        SamplingConfig c = new SamplingConfig(1, 0.7, 0.95, 0, 3, Set.of(), List.of());
        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY}) {
            float[] logits = new float[VOCAB];
            logits[77] = bad;
            IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                    () -> new Sampler(c, 1L).sample(logits, 0, VOCAB));
            assertTrue(e.getMessage().contains("NaN or infinity"), e.getMessage());
        }
        float[] masked = new float[VOCAB];
        Arrays.fill(masked, Float.NEGATIVE_INFINITY);
        masked[5] = 1f;
        assertEquals(5, new Sampler(c, 1L).sample(masked, 0, VOCAB), "-infinity masks a token and is fine");
    }

    /** The sampler as it was: every token sorted on every draw. */
    private static final class Reference {
        final SamplingConfig config;
        final SplittableRandom random;

        Reference(SamplingConfig config, long seed) {
            this.config = config;
            this.random = new SplittableRandom(seed);
        }

        int sample(float[] logits, int vocab) {
            double[] p = new double[vocab];
            double max = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < vocab; i++) max = Math.max(max, logits[i]);
            double sum = 0;
            for (int i = 0; i < vocab; i++) sum += p[i] = Math.exp((logits[i] - max) / config.temperature());
            for (int i = 0; i < vocab; i++) p[i] /= sum;
            int k = config.topK() > 0 ? Math.min(config.topK(), vocab) : vocab;
            long[] keys = new long[vocab];
            for (int i = 0; i < vocab; i++) keys[i] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits((float) p[i])) << 32) | i;
            Arrays.sort(keys);
            int keep = 0;
            double mass = 0;
            while (keep < k) {
                mass += p[(int) keys[keep]];
                keep++;
                if (mass >= config.topP()) break;
            }
            double total = 0;
            for (int i = 0; i < keep; i++) total += p[(int) keys[i]];
            double u = random.nextDouble() * total;
            for (int i = 0; i < keep; i++) {
                u -= p[(int) keys[i]];
                if (u < 0) return (int) keys[i];
            }
            return (int) keys[keep - 1];
        }
    }
}
