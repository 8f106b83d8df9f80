package neurosteer.engine.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/** Picks the next token from logits: greedy, or temperature with top-k and top-p filters. */
public final class Sampler {
    private final SamplingConfig config;
    private final SplittableRandom random;

    /** What one call needs over the vocabulary, shared by the samplers of a thread (a call keeps none of it). */
    private static final class Scratch {
        double[] p = new double[0];
        long[] keys = new long[0];
        int[] order = new int[0];

        Scratch ensure(int vocab) {
            if (p.length < vocab) {
                p = new double[vocab];
                keys = new long[vocab];
                order = new int[vocab];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

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

    /**
     * The filters keep a prefix of the tokens in descending probability (ties by id). Only the tokens
     * whose probability is at least a threshold are sorted: they are exactly the first ones of that
     * order, so when the prefix ends among them the result is that of sorting the whole vocabulary.
     * The threshold starts at a thousandth of the largest probability and falls until the prefix ends
     * among the tokens above it; a peaked distribution sorts a few dozen tokens instead of 128k.
     */
    public int sample(float[] logits, int offset, int vocab) {
        if (config.temperature() == 0) return argmax(logits, offset, vocab);
        Scratch s = SCRATCH.get().ensure(vocab);
        double[] p = s.p;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[offset + i]);
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += p[i] = Math.exp((logits[offset + i] - max) / config.temperature());
        if (!(sum >= 1) || Double.isInfinite(sum)) // the largest term is exp(0) = 1: anything else means a NaN or an infinite logit
            throw new IllegalStateException("cannot sample: the logits hold NaN or infinity (or every one is -infinity); largest logit " + max);
        float largest = 0;
        for (int i = 0; i < vocab; i++) largest = Math.max(largest, (float) (p[i] /= sum));
        int k = config.topK() > 0 ? Math.min(config.topK(), vocab) : vocab;
        if (k == vocab && config.topP() >= 1) return draw(p, null, vocab);
        long[] keys = s.keys;
        int[] order = s.order;
        for (float threshold = largest / 1024; ; threshold /= 1024) {
            // descending probability, ties by id: sort primitive keys (inverted float bits of p, then the id), no boxing
            int candidates = 0;
            for (int i = 0; i < vocab; i++) {
                float pi = (float) p[i];
                if (pi >= threshold || threshold < Float.MIN_NORMAL)
                    keys[candidates++] = ((long) (Integer.MAX_VALUE - Float.floatToRawIntBits(pi)) << 32) | i;
            }
            Arrays.sort(keys, 0, candidates);
            for (int i = 0; i < candidates; i++) order[i] = (int) keys[i];
            int keep = 0;
            double mass = 0;
            while (keep < k && keep < candidates) {
                mass += p[order[keep]];
                keep++;
                if (mass >= config.topP()) return draw(p, order, keep);
            }
            if (keep == k || candidates == vocab) return draw(p, order, keep);
        }
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
