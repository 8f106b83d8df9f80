package neurosteer.toy.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import neurosteer.engine.util.Parallel;
import neurosteer.toy.data.Problem;
import neurosteer.toy.data.Subject;
import neurosteer.toy.data.ToyTokenizer;

/** The trainer's own quality check: greedy accuracy per subject, and how often sampling gives mixed results. */
public final class ToyEvaluator {
    public static final int MAX_NEW_TOKENS = 128;

    /** Greedy exact-match accuracy: counts per subject display name, plus the pooled total. */
    public record Accuracy(Map<String, int[]> correctAndTotal, int correct, int total) {
        public double overall() { return total == 0 ? 0 : (double) correct / total; }

        public double of(String subject) {
            int[] ct = correctAndTotal.get(subject);
            return ct == null || ct[1] == 0 ? 0 : (double) ct[0] / ct[1];
        }

        public String table() {
            StringBuilder sb = new StringBuilder("| subject | correct | total | accuracy |\n|---|---|---|---|\n");
            for (Map.Entry<String, int[]> e : correctAndTotal.entrySet())
                sb.append(String.format("| %s | %d | %d | %.1f%% |%n", e.getKey(), e.getValue()[0], e.getValue()[1], 100.0 * e.getValue()[0] / e.getValue()[1]));
            sb.append(String.format("| **all (pooled)** | %d | %d | %.1f%% |%n", correct, total, 100 * overall()));
            return sb.toString();
        }
    }

    /** Sampling richness: problems with at least one right and one wrong sample, out of those tried. */
    public record Mixed(int mixed, int allRight, int allWrong, int problems) {
        public double mixedFraction() { return problems == 0 ? 0 : (double) mixed / problems; }
    }

    private ToyEvaluator() {}

    public static Accuracy greedy(ToyModel model, ToyTokenizer tokenizer, List<Problem> problems, Consumer<String> progress) {
        ToyGenerator generator = new ToyGenerator(model, tokenizer);
        boolean[] right = new boolean[problems.size()];
        AtomicInteger done = new AtomicInteger();
        Parallel.forRange(problems.size(), 1, (start, end) -> {
            for (int i = start; i < end; i++) {
                Problem p = problems.get(i);
                right[i] = ToyGenerator.isCorrect(generator.complete(p.problem(), MAX_NEW_TOKENS, 0, 1, null), p.answer());
                int n = done.incrementAndGet();
                if (n % 100 == 0) progress.accept("evaluated " + n + "/" + problems.size());
            }
        });
        Map<String, int[]> table = new LinkedHashMap<>();
        for (Subject s : Subject.values()) table.put(s.displayName, new int[2]);
        int correct = 0;
        for (int i = 0; i < problems.size(); i++) {
            int[] ct = table.computeIfAbsent(problems.get(i).subject(), k -> new int[2]);
            ct[1]++;
            if (right[i]) {
                ct[0]++;
                correct++;
            }
        }
        table.values().removeIf(ct -> ct[1] == 0);
        return new Accuracy(table, correct, problems.size());
    }

    public static Mixed sampling(ToyModel model, ToyTokenizer tokenizer, List<Problem> problems, int samples, double temperature,
                                 double topP, long seed) {
        ToyGenerator generator = new ToyGenerator(model, tokenizer);
        int[] rightCounts = new int[problems.size()];
        Parallel.forRange(problems.size(), 1, (start, end) -> {
            for (int i = start; i < end; i++) {
                SplittableRandom rng = new SplittableRandom(seed * 31 + i);
                Problem p = problems.get(i);
                for (int s = 0; s < samples; s++)
                    if (ToyGenerator.isCorrect(generator.complete(p.problem(), MAX_NEW_TOKENS, temperature, topP, rng), p.answer()))
                        rightCounts[i]++;
            }
        });
        int mixed = 0, allRight = 0, allWrong = 0;
        for (int c : rightCounts) {
            if (c == samples) allRight++;
            else if (c == 0) allWrong++;
            else mixed++;
        }
        return new Mixed(mixed, allRight, allWrong, problems.size());
    }

    /** A subset with the same share of every subject and level: every k-th problem. */
    public static List<Problem> everyKth(List<Problem> problems, int count) {
        if (count >= problems.size()) return problems;
        List<Problem> out = new ArrayList<>();
        double stride = (double) problems.size() / count;
        for (int i = 0; i < count; i++) out.add(problems.get((int) (i * stride)));
        return out;
    }
}
