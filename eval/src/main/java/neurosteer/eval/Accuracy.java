package neurosteer.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Per-subject accuracy and the pooled Avg (accuracy over all problems: the paper's micro-average). */
public final class Accuracy {
    public record Cell(int correct, int total) {
        public double accuracy() { return total == 0 ? Double.NaN : (double) correct / total; }
    }

    public record Table(Map<String, Cell> bySubject, Cell pooled) {}

    /** One graded problem. */
    public record Graded(String id, String subject, boolean correct) {}

    private Accuracy() {}

    public static Table of(List<Graded> results) {
        Map<String, int[]> counts = new TreeMap<>();
        int correct = 0;
        for (Graded g : results) {
            int[] c = counts.computeIfAbsent(g.subject() == null ? "all" : g.subject(), k -> new int[2]);
            c[1]++;
            if (g.correct()) {
                c[0]++;
                correct++;
            }
        }
        Map<String, Cell> by = new LinkedHashMap<>();
        counts.forEach((k, v) -> by.put(k, new Cell(v[0], v[1])));
        return new Table(by, new Cell(correct, results.size()));
    }
}
