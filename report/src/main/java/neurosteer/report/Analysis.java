package neurosteer.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import neurosteer.engine.model.ModelWeights;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.tokenizer.Tokenizer;
import neurosteer.method.collect.NeuronStats;
import neurosteer.method.collect.StatsSet;
import neurosteer.method.run.RunFolder;
import neurosteer.method.select.Neuron;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.select.Selector;

/**
 * The analyses of METHOD §7 that need only the statistics, the neuron sets and (Table 6) the weights:
 * Figures 3a, 3b, 4 and Tables 5, 6, each written as a CSV under {@code RUN/experiments/}.
 */
public final class Analysis {
    public static final int[] TOP_PERCENTS = {5, 10, 15, 20, 25, 30, 35, 40, 45, 50};
    public static final String HALF0 = "half0", HALF1 = "half1", SUBJECT_PREFIX = "subject=";

    private Analysis() {}

    public static Path dir(RunFolder run) { return run.root().resolve("experiments"); }

    public static Path file(RunFolder run, String name) { return dir(run).resolve(name + ".csv"); }

    /** Figure 3a: histogram of r between the quality classes and of r between two random halves of the high class (control). */
    public static Csv ratioHistogram(StatsSet stats, Selector.Norm norm, double epsilon, int bins, Path out, Path summaryOut) {
        Selector.Ratios between = new Selector(stats, "all", norm).ratios(epsilon);
        double eps = between.epsilon();
        NeuronStats h0 = stats.find(StatsSet.key(HALF0, true)), h1 = stats.find(StatsSet.key(HALF1, true));
        if (h0 == null || h1 == null || h0.trajectories() == 0 || h1.trajectories() == 0)
            throw new IllegalArgumentException("the statistics have no " + HALF0 + "/high and " + HALF1
                    + "/high groups with trajectories (Figure 3a's control needs at least two high-quality chains)");
        double[] a = norm == Selector.Norm.RMS ? h0.meanRms() : h0.meanAbs(), b = norm == Selector.Norm.RMS ? h1.meanRms() : h1.meanAbs();
        double[] control = new double[a.length];
        for (int i = 0; i < a.length; i++) control[i] = (a[i] + eps) / (b[i] + eps);
        double[] r = between.r();
        double lo = Math.min(quantile(r, 0.005), quantile(control, 0.005)), hi = Math.max(quantile(r, 0.995), quantile(control, 0.995));
        if (!(hi > lo)) { lo -= 0.05; hi += 0.05; }
        long[] cb = histogram(r, lo, hi, bins), cc = histogram(control, lo, hi, bins);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < bins; i++) {
            double from = lo + (hi - lo) * i / bins, to = lo + (hi - lo) * (i + 1) / bins;
            rows.add(List.of(Csv.num(from), Csv.num(to), Long.toString(cb[i]), Long.toString(cc[i])));
        }
        Csv csv = new Csv(List.of("bin_low", "bin_high", "between_classes", "control_halves"), rows);
        csv.write(out);
        List<List<String>> sum = new ArrayList<>();
        sum.add(summaryRow("between_classes", r, stats.find("all/high").trajectories(), stats.find("all/low").trajectories()));
        sum.add(summaryRow("control_halves", control, h0.trajectories(), h1.trajectories()));
        new Csv(List.of("series", "neurons", "trajectories_a", "trajectories_b", "median", "mean", "within_5_percent_of_1", "epsilon"),
                sum.stream().map(l -> { List<String> x = new ArrayList<>(l); x.add(Csv.num(eps)); return x; }).toList()).write(summaryOut);
        return csv;
    }

    private static List<String> summaryRow(String name, double[] v, long ta, long tb) {
        double mean = 0;
        int near = 0;
        for (double x : v) { mean += x; if (Math.abs(x - 1) <= 0.05) near++; }
        return List.of(name, Integer.toString(v.length), Long.toString(ta), Long.toString(tb), Csv.num(quantile(v, 0.5)), Csv.num(mean / v.length),
                Csv.num((double) near / v.length));
    }

    static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
    }

    /** Counts with everything outside [lo, hi) put into the edge bins. */
    static long[] histogram(double[] v, double lo, double hi, int bins) {
        long[] c = new long[bins];
        for (double x : v) {
            int i = (int) Math.floor((x - lo) / (hi - lo) * bins);
            c[Math.max(0, Math.min(bins - 1, i))]++;
        }
        return c;
    }

    /** Every neurons/*.json of the run folder, by name, ours first. */
    public static Map<String, NeuronSet> neuronSets(RunFolder run) {
        Map<String, NeuronSet> out = new TreeMap<>(Comparator.comparing((String s) -> !s.equals("ours")).thenComparing(s -> s));
        Path dir = run.neurons("x").getParent();
        if (!Files.isDirectory(dir)) return out;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList())
                out.put(f.getFileName().toString().replaceFirst("\\.json$", ""), NeuronSet.load(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /** Figure 3b: selected neurons per layer, one column per neuron set (the study's methods; not the domain sets). */
    public static Csv perLayer(Map<String, NeuronSet> sets, int layers, Path out) {
        List<String> names = sets.keySet().stream().filter(n -> !n.startsWith("domain-")).toList();
        List<String> header = new ArrayList<>(List.of("layer"));
        header.addAll(names);
        List<List<String>> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            List<String> row = new ArrayList<>(List.of(Integer.toString(l)));
            for (String n : names) row.add(Integer.toString(sets.get(n).perLayerCounts()[l]));
            rows.add(row);
        }
        Csv csv = new Csv(header, rows);
        csv.write(out);
        return csv;
    }

    /**
     * Figure 4: per layer, the fraction of the selected neurons that are among that layer's top p% by m⁺,
     * for p = 5 … 50; the row {@code all} pools the layers.
     */
    public static Csv overlapWithTopActivated(StatsSet stats, Selector.Norm norm, NeuronSet selected, Path out) {
        double[] mPlus = new Selector(stats, "all", norm).ratios(0).mPlus();
        int layers = stats.layers(), width = stats.width();
        int[] rank = new int[mPlus.length];
        for (int l = 0; l < layers; l++) {
            final int base = l * width;
            Integer[] order = new Integer[width];
            for (int j = 0; j < width; j++) order[j] = j;
            Arrays.sort(order, Comparator.comparingDouble((Integer j) -> -mPlus[base + j]).thenComparingInt(j -> j));
            for (int pos = 0; pos < width; pos++) rank[base + order[pos]] = pos;
        }
        int[] perLayer = selected.perLayerCounts();
        List<List<String>> rows = new ArrayList<>();
        for (int p : TOP_PERCENTS) {
            int top = (int) Math.ceil(width * p / 100.0);
            int[] overlap = new int[layers];
            for (Neuron n : selected.neurons()) if (rank[n.layer() * width + n.index()] < top) overlap[n.layer()]++;
            int allSel = 0, allOv = 0;
            for (int l = 0; l < layers; l++) {
                rows.add(List.of(Integer.toString(l), Integer.toString(p), Integer.toString(perLayer[l]), Integer.toString(overlap[l]),
                        perLayer[l] == 0 ? "" : Csv.num((double) overlap[l] / perLayer[l])));
                allSel += perLayer[l];
                allOv += overlap[l];
            }
            rows.add(List.of("all", Integer.toString(p), Integer.toString(allSel), Integer.toString(allOv), allSel == 0 ? "" : Csv.num((double) allOv / allSel)));
        }
        Csv csv = new Csv(List.of("layer", "top_percent", "selected", "overlap", "rate"), rows);
        csv.write(out);
        return csv;
    }

    /** The subjects with per-subject statistics, in name order. */
    public static List<String> subjects(StatsSet stats) {
        Set<String> names = new java.util.TreeSet<>();
        for (String key : stats.groups().keySet())
            if (key.startsWith(SUBJECT_PREFIX) && key.lastIndexOf('/') > SUBJECT_PREFIX.length())
                names.add(key.substring(SUBJECT_PREFIX.length(), key.lastIndexOf('/')));
        return new ArrayList<>(names);
    }

    public record Domain(String subject, long high, long low, NeuronSet selected, NeuronSet specific) {}

    /**
     * Table 5: per subject d with both quality classes, S_d = ours on that subject's statistics and the
     * domain-specific S_d \ ∪_{d'≠d} S_{d'}. Subjects without both classes have no set (null).
     */
    public static List<Domain> domains(StatsSet stats, Selector.Norm norm, double theta, double topFraction, double epsilon) {
        List<String> subjects = subjects(stats);
        Map<String, NeuronSet> sets = new LinkedHashMap<>();
        Map<String, long[]> counts = new LinkedHashMap<>();
        for (String s : subjects) {
            NeuronStats h = stats.find(StatsSet.key(SUBJECT_PREFIX + s, true)), l = stats.find(StatsSet.key(SUBJECT_PREFIX + s, false));
            long nh = h == null ? 0 : h.trajectories(), nl = l == null ? 0 : l.trajectories();
            counts.put(s, new long[] {nh, nl});
            if (nh > 0 && nl > 0) sets.put(s, new Selector(stats, SUBJECT_PREFIX + s, norm).ours(theta, topFraction, epsilon));
        }
        List<Domain> out = new ArrayList<>();
        for (String s : subjects) {
            NeuronSet mine = sets.get(s);
            NeuronSet specific = null;
            if (mine != null) {
                Set<Long> others = new HashSet<>();
                sets.forEach((o, set) -> { if (!o.equals(s)) for (Neuron n : set.neurons()) others.add(id(n)); });
                List<Neuron> only = mine.neurons().stream().filter(n -> !others.contains(id(n))).toList();
                Map<String, Object> settings = new LinkedHashMap<>(mine.settings());
                settings.put("subject", s);
                settings.put("domain_specific_of", mine.size());
                specific = new NeuronSet("domain-specific", mine.layers(), mine.width(), only, settings);
            }
            out.add(new Domain(s, counts.get(s)[0], counts.get(s)[1], mine, specific));
        }
        return out;
    }

    private static long id(Neuron n) { return ((long) n.layer() << 32) | n.index(); }

    /** A file-name-safe form of a subject name. */
    public static String slug(String s) {
        String x = s.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return x.isEmpty() ? "subject" : x;
    }

    public static Csv domainTable(List<Domain> domains, RunFolder run, Path out) {
        List<List<String>> rows = new ArrayList<>();
        for (Domain d : domains) {
            boolean has = d.selected() != null;
            rows.add(List.of(d.subject(), Long.toString(d.high()), Long.toString(d.low()), has ? Integer.toString(d.selected().size()) : "",
                    has ? Integer.toString(d.specific().size()) : "", has ? Integer.toString(d.selected().size() - d.specific().size()) : "",
                    has ? "" : "no contrast (needs both right and wrong chains)"));
            if (has) {
                try {
                    d.specific().save(run.neurons("domain-" + slug(d.subject())));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        Csv csv = new Csv(List.of("subject", "high_chains", "low_chains", "selected", "specific", "shared", "note"), rows);
        csv.write(out);
        return csv;
    }

    /**
     * Table 6: for each neuron, the tokens whose unembedding rows align most with γ_final ⊙ down[:, j],
     * the direction flipped when the neuron's mean signed activation is negative.
     */
    public static Csv topTokens(ModelWeights w, Tokenizer tokenizer, StatsSet stats, List<Neuron> neurons, int topTokens, Path out) {
        Tensor unembed = w.output() != null ? w.output() : w.tokenEmbedding();
        int hidden = unembed.cols(), vocab = unembed.rows();
        double[] signed = stats.find("all/high") != null ? stats.find("all/high").meanSigned() : null;
        List<List<String>> rows = new ArrayList<>();
        float[] v = new float[hidden];
        float[] logits = new float[vocab];
        for (Neuron n : neurons) {
            Tensor down = w.layers().get(n.layer()).down();
            int width = down.cols();
            if (down.rows() != hidden) throw new IllegalArgumentException("down_proj of layer " + n.layer() + " has " + down.rows() + " rows, the unembedding " + hidden);
            double mean = signed == null ? 1 : signed[n.layer() * width + n.index()];
            float sign = mean < 0 ? -1f : 1f;
            for (int h = 0; h < hidden; h++) v[h] = sign * w.finalNorm()[h] * down.get((long) h * width + n.index());
            neurosteer.engine.util.Parallel.forRange(vocab, 1024, (from, to) -> unembed.matmulRows(v, 1, logits, from, to));
            Integer[] order = topIndices(logits, Math.min(topTokens, vocab));
            for (int rank = 0; rank < order.length; rank++) {
                int t = order[rank];
                rows.add(List.of(Integer.toString(n.layer()), Integer.toString(n.index()), Csv.num(n.ratio()), sign < 0 ? "-" : "+",
                        Integer.toString(rank + 1), Integer.toString(t), tokenText(tokenizer, t), Csv.num(logits[t])));
            }
        }
        Csv csv = new Csv(List.of("layer", "index", "r", "sign", "rank", "token_id", "token", "score"), rows);
        csv.write(out);
        return csv;
    }

    static String tokenText(Tokenizer tokenizer, int id) {
        if (tokenizer == null) return "";
        try {
            return tokenizer.decode(new int[] {id}, false);
        } catch (RuntimeException e) {
            return "<" + id + ">";
        }
    }

    private static Integer[] topIndices(float[] x, int k) {
        java.util.PriorityQueue<Integer> heap = new java.util.PriorityQueue<>(Comparator.comparingDouble((Integer i) -> x[i]).thenComparingInt(i -> -i));
        for (int i = 0; i < x.length; i++) {
            heap.add(i);
            if (heap.size() > k) heap.poll();
        }
        Integer[] out = heap.toArray(Integer[]::new);
        Arrays.sort(out, Comparator.comparingDouble((Integer i) -> -x[i]).thenComparingInt(i -> i));
        return out;
    }

    /** The neurons Table 6 shows by default: the {@code n} of the set with the highest r (or score). */
    public static List<Neuron> strongest(NeuronSet set, int n) {
        List<Neuron> s = new ArrayList<>(set.neurons());
        s.sort(Comparator.comparingDouble((Neuron x) -> -(Double.isNaN(x.ratio()) ? x.score() : x.ratio())).thenComparingInt(Neuron::layer)
                .thenComparingInt(Neuron::index));
        return s.subList(0, Math.min(n, s.size()));
    }
}
