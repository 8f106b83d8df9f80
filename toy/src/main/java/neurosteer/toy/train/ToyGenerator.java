package neurosteer.toy.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import neurosteer.toy.data.ToyPrompt;
import neurosteer.toy.data.ToyTokenizer;

/** Minimal generation for the trainer's own evaluation: greedy or temperature/top-p sampling with a KV cache. */
public final class ToyGenerator {
    private static final Pattern BOXED = Pattern.compile("\\\\boxed\\{([^{}]*)}");

    private final ToyModel model;
    private final ToyTokenizer tokenizer;

    public ToyGenerator(ToyModel model, ToyTokenizer tokenizer) {
        this.model = model;
        this.tokenizer = tokenizer;
    }

    /** The completion for one problem; temperature 0 is greedy. Stops at end-of-turn. */
    public String complete(String problem, int maxNewTokens, double temperature, double topP, SplittableRandom rng) {
        int[] prompt = tokenizer.encode(ToyPrompt.chat(problem));
        ToyModel.KvCache cache = model.new KvCache();
        float[] logits = null;
        for (int token : prompt) logits = model.step(token, cache);
        List<Integer> out = new ArrayList<>();
        int eot = tokenizer.eotId(), end = tokenizer.endOfTextId();
        for (int i = 0; i < maxNewTokens && cache.length() < model.config.maxPositions(); i++) {
            int next = temperature <= 0 ? argmax(logits) : sample(logits, temperature, topP, rng);
            if (next == eot || next == end) break;
            out.add(next);
            if (cache.length() >= model.config.maxPositions()) break;
            logits = model.step(next, cache);
        }
        return tokenizer.decode(out.stream().mapToInt(Integer::intValue).toArray(), true);
    }

    /** Content of the last {@code \boxed{...}}, or null. */
    public static String lastBoxed(String text) {
        Matcher m = BOXED.matcher(text);
        String last = null;
        while (m.find()) last = m.group(1).trim();
        return last;
    }

    public static boolean isCorrect(String completion, String answer) {
        String boxed = lastBoxed(completion);
        return boxed != null && boxed.equals(answer.trim());
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    static int sample(float[] logits, double temperature, double topP, SplittableRandom rng) {
        int n = logits.length;
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] probs = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += probs[i] = Math.exp((logits[i] - max) / temperature);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(probs[b], probs[a]));
        double kept = 0;
        int keep = 0;
        while (keep < n && (keep == 0 || kept < topP * sum)) kept += probs[order[keep++]];
        double u = rng.nextDouble() * kept;
        for (int i = 0; i < keep; i++) {
            u -= probs[order[i]];
            if (u <= 0) return order[i];
        }
        return order[keep - 1];
    }
}
