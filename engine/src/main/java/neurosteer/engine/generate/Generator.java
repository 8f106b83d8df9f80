package neurosteer.engine.generate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.engine.model.KvCachePool;
import neurosteer.engine.model.Transformer;

/**
 * Generates completions for many prompts at once: one batched prefill of every prompt, then one
 * decode row per unfinished sequence per step.
 */
public final class Generator {
    /** Told each new token as it is chosen. */
    @FunctionalInterface
    public interface TokenListener {
        void onToken(int sequence, int token);
    }

    public enum Finish { STOP_TOKEN, STOP_STRING, LENGTH, CONTEXT }

    public record Completion(int[] tokens, Finish finish) {
        /** The tokens without the stop token that ended them, if one did. */
        public int[] withoutStopToken() {
            return finish == Finish.STOP_TOKEN && tokens.length > 0 ? java.util.Arrays.copyOf(tokens, tokens.length - 1) : tokens;
        }
    }

    private static final int MAX_PREFILL_ROWS = 2048;

    private final Transformer transformer;
    private final Function<int[], String> detokenize;

    /** {@code detokenize} turns completion ids into text for stop strings; may be null when none are used. */
    public Generator(Transformer transformer, Function<int[], String> detokenize) {
        this.transformer = transformer;
        this.detokenize = detokenize;
    }

    public List<Completion> generate(List<int[]> prompts, SamplingConfig config, Hooks hooks, TokenListener listener) {
        return generate(prompts, config, null, hooks, listener);
    }

    /**
     * Identical prompts are prefilled once (their hooks see the first such sequence's index during
     * the prompt) and the others continue from a copy of its cache.
     *
     * As {@link #generate(List, SamplingConfig, Hooks, TokenListener)}, with each sequence's random
     * stream given by {@code streamSeeds[i]} (null: derived from the config's seed and the index).
     */
    public List<Completion> generate(List<int[]> prompts, SamplingConfig config, long[] streamSeeds, Hooks hooks, TokenListener listener) {
        KvCache[] caches = new KvCache[prompts.size()];  // from the transformer's pool, and back to it however the call ends
        try {
            return generate(prompts, config, streamSeeds, hooks, listener, caches);
        } finally {
            transformer.cachePool().give(caches);
        }
    }

    private List<Completion> generate(List<int[]> prompts, SamplingConfig config, long[] streamSeeds, Hooks hooks, TokenListener listener,
                                      KvCache[] caches) {
        int n = prompts.size();
        int vocab = transformer.config().vocabSize();
        int context = transformer.config().maxPositions();
        KvCachePool pool = transformer.cachePool();
        Sampler[] samplers = new Sampler[n];
        List<List<Integer>> out = new ArrayList<>();
        Finish[] finish = new Finish[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            int[] p = prompts.get(i);
            if (p.length == 0) throw new IllegalArgumentException("prompt " + i + " is empty");
            if (p.length > context)
                throw new IllegalArgumentException("prompt " + i + " has " + p.length + " tokens but the model's context is " + context);
            caches[i] = pool.take(p.length + Math.min(config.maxNewTokens(), context - p.length));
            samplers[i] = streamSeeds == null ? new Sampler(config, i) : new Sampler(config, streamSeeds[i]);
            out.add(new ArrayList<>());
        }
        // identical prompts (k samples of one problem) are run once; the others start from a copy of its cache
        java.util.Map<PromptKey, Integer> firstOf = new java.util.HashMap<>();
        int[] source = new int[n];
        List<int[]> unique = new ArrayList<>();
        List<Integer> uniqueSeq = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Integer first = firstOf.putIfAbsent(new PromptKey(prompts.get(i)), i);
            source[i] = first == null ? i : first;
            if (first == null) {
                unique.add(prompts.get(i));
                uniqueSeq.add(i);
            }
        }
        KvCache[] uniqueCaches = new KvCache[unique.size()];
        for (int u = 0; u < unique.size(); u++) uniqueCaches[u] = caches[uniqueSeq.get(u)];
        float[][] lastLogits = new float[n][];
        prefill(unique, uniqueCaches, hooks, (u, logits, offset) -> lastLogits[uniqueSeq.get(u)] = java.util.Arrays.copyOfRange(logits, offset, offset + vocab));
        for (int i = 0; i < n; i++) {
            if (source[i] != i) caches[i].copyFrom(caches[source[i]]);
            next[i] = samplers[i].sample(lastLogits[source[i]], 0, vocab);
        }

        int[] active = new int[n];
        float[] logits = null;  // one array for every step (the batch only shrinks)
        for (int step = 0; ; step++) {
            int count = 0;
            for (int i = 0; i < n; i++) {
                if (finish[i] != null) continue;
                if (step >= config.maxNewTokens()) { finish[i] = Finish.LENGTH; continue; }
                int token = next[i];
                out.get(i).add(token);
                if (listener != null) listener.onToken(i, token);
                if (config.stopTokens().contains(token)) { finish[i] = Finish.STOP_TOKEN; continue; }
                if (!config.stopStrings().isEmpty() && endsWithStop(out.get(i), config.stopStrings())) { finish[i] = Finish.STOP_STRING; continue; }
                if (out.get(i).size() >= config.maxNewTokens()) { finish[i] = Finish.LENGTH; continue; }
                if (caches[i].length() + 1 > context) { finish[i] = Finish.CONTEXT; continue; }
                active[count++] = i;
            }
            if (count == 0) break;
            int[] tok = new int[count], seq = new int[count], pos = new int[count];
            for (int j = 0; j < count; j++) {
                int i = active[j];
                tok[j] = next[i];
                seq[j] = i;
                pos[j] = caches[i].length();
            }
            logits = transformer.forward(new Batch(tok, seq, pos, new boolean[count], null), caches, hooks, logits);
            for (int j = 0; j < count; j++) next[active[j]] = samplers[active[j]].sample(logits, j * vocab, vocab);
        }
        List<Completion> result = new ArrayList<>();
        for (int i = 0; i < n; i++) result.add(new Completion(out.get(i).stream().mapToInt(Integer::intValue).toArray(), finish[i]));
        return result;
    }

    private record PromptKey(int[] tokens) {
        @Override
        public boolean equals(Object o) { return o instanceof PromptKey k && java.util.Arrays.equals(tokens, k.tokens); }

        @Override
        public int hashCode() { return java.util.Arrays.hashCode(tokens); }
    }

    @FunctionalInterface
    private interface LastLogits {
        void accept(int sequence, float[] logits, int offset);
    }

    /** Runs every prompt through the model in batches of whole prompts, reporting each prompt's last-row logits. */
    private void prefill(List<int[]> prompts, KvCache[] caches, Hooks hooks, LastLogits sink) {
        int vocab = transformer.config().vocabSize();
        int i = 0;
        while (i < prompts.size()) {
            int start = i, rows = 0;
            while (i < prompts.size() && (i == start || rows + prompts.get(i).length <= MAX_PREFILL_ROWS)) rows += prompts.get(i++).length;
            int[] tok = new int[rows], seq = new int[rows], pos = new int[rows];
            boolean[] prompt = new boolean[rows], want = new boolean[rows];
            Arrays.fill(prompt, true);
            int r = 0;
            for (int s = start; s < i; s++) {
                int[] p = prompts.get(s);
                for (int t = 0; t < p.length; t++, r++) {
                    tok[r] = p[t];
                    seq[r] = s;
                    pos[r] = t;
                    want[r] = t == p.length - 1;
                }
            }
            float[] logits = transformer.forward(new Batch(tok, seq, pos, prompt, want), caches, hooks);
            for (int s = start; s < i; s++) sink.accept(s, logits, (s - start) * vocab);
        }
    }

    private boolean endsWithStop(List<Integer> tokens, List<String> stops) {
        if (detokenize == null) throw new IllegalStateException("stop strings need a tokenizer to decode the completion");
        String text = detokenize.apply(tokens.stream().mapToInt(Integer::intValue).toArray());
        for (String s : stops) if (text.contains(s)) return true;
        return false;
    }
}
