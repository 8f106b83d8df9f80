package neurosteer.cli;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "logits", description = "The next-token distribution after every position, as JSON.")
final class LogitsCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    static final class Input {
        @Option(names = "--text", description = "Text to tokenize (special tokens added as the tokenizer says)")
        String text;

        @Option(names = "--tokens", split = ",", description = "Token ids, comma-separated")
        int[] tokens;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    @Option(names = "--top", defaultValue = "10", description = "Report the K most likely tokens per position (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--full", description = "Report the whole probability distribution per position")
    boolean full;

    @Option(names = "--threads", description = "Threads (default: all cores)")
    Integer threads;

    @Override
    public void run() {
        if (threads != null) neurosteer.engine.util.Parallel.setThreads(threads);
        try (Model m = Model.load(model)) {
            int[] ids = input.tokens != null ? input.tokens : TextInput.encode(m, input.text);
            if (ids.length == 0) throw new IllegalArgumentException("no tokens to run");
            int vocab = m.config().vocabSize();
            float[] logits = m.transformer().forward(Batch.ofSequence(0, ids, 0, true, true),
                    new KvCache[] {new KvCache(m.config(), ids.length)}, Hooks.NONE);
            List<Map<String, Object>> positions = new ArrayList<>();
            for (int p = 0; p < ids.length; p++) {
                double[] prob = softmax(logits, p * vocab, vocab);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("position", p);
                row.put("token", ids[p]);
                if (full) row.put("probs", prob);
                else {
                    Integer[] order = new Integer[vocab];
                    for (int i = 0; i < vocab; i++) order[i] = i;
                    Arrays.sort(order, (a, b) -> Double.compare(prob[b], prob[a]));
                    List<Map<String, Object>> best = new ArrayList<>();
                    for (int k = 0; k < Math.min(top, vocab); k++) {
                        int id = order[k];
                        Map<String, Object> e = new LinkedHashMap<>();
                        e.put("id", id);
                        e.put("prob", prob[id]);
                        e.put("logit", logits[p * vocab + id]);
                        TextInput.piece(m, id).ifPresent(s -> e.put("text", s));
                        best.add(e);
                    }
                    row.put("top", best);
                }
                positions.add(row);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", m.location().toString());
            out.put("tokens", ids);
            out.put("vocab_size", vocab);
            out.put("positions", positions);
            Json.print(spec.commandLine().getOut(), out, false);
        }
    }

    static double[] softmax(float[] logits, int offset, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, logits[offset + i]);
        double[] p = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) sum += p[i] = Math.exp(logits[offset + i] - max);
        for (int i = 0; i < n; i++) p[i] /= sum;
        return p;
    }
}
