package neurosteer.eval;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The paper's Table 1 layout: one row per method, accuracy (%) per subject and the pooled Avg, with
 * the neuron count and, against greedy, the change, McNemar's p and the 95% paired bootstrap interval.
 */
public final class Table1 {
    public record Row(String method, int neurons, Map<String, Object> summary) {}

    private Table1() {}

    @SuppressWarnings("unchecked")
    public static List<String> subjects(List<Row> rows) {
        TreeSet<String> s = new TreeSet<>();
        for (Row r : rows) s.addAll(((Map<String, Object>) r.summary().get("subjects")).keySet());
        return new ArrayList<>(s);
    }

    @SuppressWarnings("unchecked")
    public static List<List<String>> cells(List<Row> rows) {
        List<String> subjects = subjects(rows);
        List<List<String>> out = new ArrayList<>();
        List<String> header = new ArrayList<>();
        header.add("Method");
        header.addAll(subjects);
        header.addAll(List.of("Avg", "K", "Δ Avg", "McNemar p", "95% CI of Δ"));
        out.add(header);
        for (Row r : rows) {
            List<String> line = new ArrayList<>();
            line.add(r.method());
            Map<String, Object> subj = (Map<String, Object>) r.summary().get("subjects");
            for (String s : subjects) {
                Map<String, Object> c = (Map<String, Object>) subj.get(s);
                line.add(c == null ? "" : pct((Double) c.get("accuracy")));
            }
            line.add(pct((Double) r.summary().get("avg")));
            line.add(r.neurons() < 0 ? "" : Integer.toString(r.neurons()));
            Map<String, Object> cmp = (Map<String, Object>) r.summary().get("vs_baseline");
            if (cmp == null) line.addAll(List.of("", "", ""));
            else {
                line.add(String.format(Locale.ROOT, "%+.2f", 100 * (Double) cmp.get("delta")));
                line.add(String.format(Locale.ROOT, "%.3g", (Double) cmp.get("mcnemar_p")));
                line.add(String.format(Locale.ROOT, "[%+.2f, %+.2f]", 100 * (Double) cmp.get("ci95_low"), 100 * (Double) cmp.get("ci95_high")));
            }
            out.add(line);
        }
        return out;
    }

    private static String pct(Double v) {
        return v == null || v.isNaN() ? "" : String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    public static String markdown(List<Row> rows) {
        List<List<String>> c = cells(rows);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            sb.append("| ").append(String.join(" | ", c.get(i))).append(" |\n");
            if (i == 0) sb.append("|").append("---|".repeat(c.get(0).size())).append("\n");
        }
        return sb.toString();
    }

    public static String csv(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        for (List<String> line : cells(rows)) {
            List<String> quoted = new ArrayList<>();
            for (String v : line) quoted.add(v.contains(",") || v.contains("\"") ? "\"" + v.replace("\"", "\"\"") + "\"" : v);
            sb.append(String.join(",", quoted)).append("\n");
        }
        return sb.toString();
    }

    public static void write(List<Row> rows, Path csv, Path md) {
        try {
            Files.writeString(csv, csv(rows));
            Files.writeString(md, markdown(rows));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Object> json(List<Row> rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (Row r : rows) m.put(r.method(), r.summary());
        return m;
    }
}
