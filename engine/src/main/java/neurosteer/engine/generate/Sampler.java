package neurosteer.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token from logits: greedy, or temperature with top-k and top-p filters. */
public final class Sampler {
    private final SamplingConfig config;
    private final SplittableRandom random;
    private int[] order = new int[0];
    private long[] keys = new long[0];

    public Sampler(SamplingConfig config, int sequenceIndex) {
        this(config, config.seed() * 0x9E3779B97F4A7C15L + sequenceIndex * 0xC2B2AE3D27D4EB4FL + 1);
    }

    /** A sampler whose random stream is {@code streamSeed} alone (stable however sequences are batched). */
    public Sampler(SamplingConfig config, long streamSeed) {
        this.config = config;
        this.random = new SplittableRandom(streamSeed);
    }

    public static int argmax(float[] logits, int offset, int n) {
        int best = 0;
        float bestValue = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            float v = logits[offset + i];
            if (v > bestValue) {
                bestValue = v;
                best = i;
            }
        }
        return best;
    }

    public int sample(float[] logits, int offset, int vocab) {
        if (config.temperature() == 0) return argmax(logits, offset, vocab);
        double[] p = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]);
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += p[i] = Math.exp((logits[offset + i] - max) / config.temperature());
        for (int i = 0; i < vocab; i++) p[i] /= sum;
        int k = config.topK() > 0 ? Math.min(config.topK(), vocab) : vocab;
        if (k == vocab && config.topP() >= 1) return draw(p, null, vocab);
        // descending probability, ties by id: sort primitive keys (inverted float bits of p, then the id), no boxing
        if (keys.length != vocab) {
            keys = new long[vocab];
            order = new int[vocab];
        }
        for (int i = 0; i < vocab; i++) keys[i] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits((float) p[i])) << 32) | i;
        Arrays.sort(keys);
        for (int i = 0; i < vocab; i++) order[i] = (int) keys[i];
        int keep = 0;
        double mass = 0;
        while (keep < k) {
            mass += p[order[keep]];
            keep++;
            if (mass >= config.topP()) break;
        }
        return draw(p, order, keep);
    }

    private int draw(double[] p, int[] idx, int n) {
        double total = 0;
        for (int i = 0; i < n; i++) total += p[idx == null ? i : idx[i]];
        double u = random.nextDouble() * total;
        for (int i = 0; i < n; i++) {
            int t = idx == null ? i : idx[i];
            u -= p[t];
            if (u < 0) return t;
        }
        return idx == null ? n - 1 : idx[n - 1];
    }
}
