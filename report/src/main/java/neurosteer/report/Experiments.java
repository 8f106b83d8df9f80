package neurosteer.report;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import neurosteer.data.Problem;
import neurosteer.engine.Model;
import neurosteer.engine.hooks.Hooks;
import neurosteer.eval.Accuracy;
import neurosteer.eval.EvalStep;
import neurosteer.method.collect.StatsSet;
import neurosteer.method.run.RunFolder;
import neurosteer.method.sample.Prompter;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.select.Selector;
import neurosteer.method.steer.Steering;

/**
 * The experiments that evaluate the model (METHOD §7): the α and θ sweeps (Figures 2 and 5) and the
 * domain suppression matrix (Figure 6). Every point is one greedy evaluation file under
 * {@code RUN/eval/} (resumable, skipped when complete); the results go to {@code RUN/experiments/*.csv}.
 */
public final class Experiments {
    public enum Param { ALPHA, THETA }

    /** What every evaluation of an experiment shares. */
    public record Context(Model model, Prompter prompter, List<Problem> problems, RunFolder run, StatsSet stats, Selector.Norm norm,
                          double topFraction, double epsilon, Steering.Positions positions, EvalStep.Settings eval, PrintStream log) {}

    private Experiments() {}

    static String fmt(double v) { return Csv.num(v).replace('-', 'm'); }

    public static String sweepName(double alpha, double theta, String set) {
        return "sweep-alpha" + fmt(alpha) + "-theta" + fmt(theta) + "-" + set;
    }

    public static String randomName(double alpha, int k, int seed) {
        return "sweep-alpha" + fmt(alpha) + "-k" + k + "-random" + seed;
    }

    /**
     * {@code ALPHA}: ours (at {@code fixed} = θ) and random sets of the same size for every seed, each
     * scaled by every α of {@code values}. {@code THETA}: ours selected at every θ of {@code values},
     * scaled by {@code fixed} = α. Writes {@code experiments/sweep-alpha.csv} or {@code sweep-theta.csv}.
     */
    public static Csv sweep(Context c, Param param, List<Double> values, double fixed, List<Integer> randomSeeds) {
        List<List<String>> rows = new ArrayList<>();
        Selector selector = new Selector(c.stats(), "all", c.norm());
        if (param == Param.ALPHA) {
            for (double a : values) Steering.checkAlpha(a);
            NeuronSet ours = selector.ours(fixed, c.topFraction(), c.epsilon());
            requireNonEmpty(ours, fixed);
            List<NeuronSet> randoms = new ArrayList<>();
            for (int seed : randomSeeds) randoms.add(Selector.random(c.stats().layers(), c.stats().width(), ours.size(), seed, null));
            for (double a : values) {
                rows.add(point(c, "alpha", a, a, fixed, "ours", "", ours, sweepName(a, fixed, "ours")));
                for (int i = 0; i < randomSeeds.size(); i++)
                    rows.add(point(c, "alpha", a, a, Double.NaN, "random", Integer.toString(randomSeeds.get(i)), randoms.get(i),
                            randomName(a, ours.size(), randomSeeds.get(i))));
            }
        } else {
            Steering.checkAlpha(fixed);
            for (double t : values) {
                NeuronSet ours = selector.ours(t, c.topFraction(), c.epsilon());
                if (ours.size() == 0) {
                    c.log().printf("sweep: no neuron has r >= %s; the point theta = %s has K = 0 (accuracy of the unsteered model)%n", Csv.num(t), Csv.num(t));
                }
                rows.add(point(c, "theta", t, fixed, t, "ours", "", ours, sweepName(fixed, t, "ours")));
            }
        }
        Csv csv = new Csv(List.of("param", "value", "alpha", "theta", "set", "seed", "k", "correct", "total", "accuracy", "eval_file"), rows);
        csv.write(Analysis.file(c.run(), "sweep-" + param.name().toLowerCase(Locale.ROOT)));
        return csv;
    }

    private static void requireNonEmpty(NeuronSet set, double theta) {
        if (set.size() == 0)
            throw new IllegalArgumentException("no neuron has r >= theta = " + Csv.num(theta) + " among the top fraction of r: lower --theta");
    }

    private static List<String> point(Context c, String param, double value, double alpha, double theta, String set, String seed, NeuronSet neurons,
                                      String name) {
        Path file = c.run().eval(name);
        Hooks hooks = neurons.size() == 0 ? Hooks.NONE : Steering.hooks(neurons, alpha, c.positions());
        EvalStep.run(c.model(), c.prompter(), c.problems(), hooks, c.eval(), file, c.log());
        Accuracy.Cell cell = pooled(file, c.problems());
        return List.of(param, Csv.num(value), Csv.num(alpha), Csv.num(theta), set, seed, Integer.toString(neurons.size()), Integer.toString(cell.correct()),
                Integer.toString(cell.total()), Csv.num(cell.accuracy()), file.getFileName().toString());
    }

    /** Pooled accuracy over the given problems only (an eval file may hold more from an earlier, larger run). */
    static Accuracy.Cell pooled(Path file, List<Problem> problems) {
        return Accuracy.of(restrict(file, problems)).pooled();
    }

    static List<Accuracy.Graded> restrict(Path file, List<Problem> problems) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (Problem p : problems) ids.add(p.id());
        List<Accuracy.Graded> out = new ArrayList<>();
        for (Accuracy.Graded g : EvalStep.results(file)) if (ids.contains(g.id())) out.add(g);
        return out;
    }

    /**
     * Figure 6: for every subject A with domain-specific neurons, those neurons suppressed (α = 0) and
     * accuracy on every subject B; the first row is the unsteered model. Writes {@code experiments/fig6-domains.csv}.
     */
    public static Csv domains(Context c, List<Analysis.Domain> domains) {
        List<String> subjects = new ArrayList<>(new java.util.TreeSet<>(c.problems().stream().map(p -> p.subject() == null ? "all" : p.subject()).toList()));
        List<String> header = new ArrayList<>(List.of("suppressed", "k"));
        header.addAll(subjects);
        header.add("Avg");
        List<List<String>> rows = new ArrayList<>();
        Path greedy = c.run().eval("greedy");
        EvalStep.run(c.model(), c.prompter(), c.problems(), Hooks.NONE, c.eval(), greedy, c.log());
        rows.add(row("none", "0", restrict(greedy, c.problems()), subjects));
        for (Analysis.Domain d : domains) {
            if (d.specific() == null || d.specific().size() == 0) {
                List<String> r = new ArrayList<>(List.of(d.subject(), d.specific() == null ? "" : "0"));
                for (int i = 0; i <= subjects.size(); i++) r.add("");
                rows.add(r);
                continue;
            }
            Path file = c.run().eval("domain-suppress-" + Analysis.slug(d.subject()));
            EvalStep.run(c.model(), c.prompter(), c.problems(), Steering.hooks(d.specific(), 0.0, c.positions()), c.eval(), file, c.log());
            rows.add(row(d.subject(), Integer.toString(d.specific().size()), restrict(file, c.problems()), subjects));
        }
        Csv csv = new Csv(header, rows);
        csv.write(Analysis.file(c.run(), "fig6-domains"));
        return csv;
    }

    private static List<String> row(String name, String k, List<Accuracy.Graded> results, List<String> subjects) {
        Accuracy.Table t = Accuracy.of(results);
        List<String> r = new ArrayList<>(List.of(name, k));
        for (String s : subjects) {
            Accuracy.Cell cell = t.bySubject().get(s);
            r.add(cell == null ? "" : Csv.num(cell.accuracy()));
        }
        r.add(Csv.num(t.pooled().accuracy()));
        return r;
    }

    /** Tables 2 and 4: accuracy on a general benchmark with and without the intervention. Writes {@code experiments/general-NAME.csv}. */
    public static Csv general(Context c, String benchmark, Map<String, NeuronSet> sets, double alpha) {
        List<List<String>> rows = new ArrayList<>();
        String slug = Analysis.slug(benchmark);
        Map<String, NeuronSet> all = new LinkedHashMap<>();
        all.put("greedy", null);
        all.putAll(sets);
        for (var e : all.entrySet()) {
            String name = "general-" + slug + "-" + e.getKey();
            Path file = c.run().eval(name);
            Hooks hooks = e.getValue() == null ? Hooks.NONE : Steering.hooks(e.getValue(), alpha, c.positions());
            EvalStep.run(c.model(), c.prompter(), c.problems(), hooks, c.eval(), file, c.log());
            Accuracy.Cell cell = pooled(file, c.problems());
            rows.add(List.of(benchmark, e.getKey(), e.getValue() == null ? "" : Csv.num(alpha), e.getValue() == null ? "0" : Integer.toString(e.getValue().size()),
                    Integer.toString(cell.correct()), Integer.toString(cell.total()), Csv.num(cell.accuracy())));
        }
        Csv csv = new Csv(List.of("benchmark", "method", "alpha", "k", "correct", "total", "accuracy"), rows);
        csv.write(Analysis.file(c.run(), "general-" + slug));
        return csv;
    }
}
