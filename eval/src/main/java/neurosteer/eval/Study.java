package neurosteer.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neurosteer.data.Datasets;
import neurosteer.data.LoadOptions;
import neurosteer.data.LoadResult;
import neurosteer.data.Problem;
import neurosteer.engine.Model;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.KvCache;
import neurosteer.method.collect.CollectStep;
import neurosteer.method.collect.StatsSet;
import neurosteer.method.contrast.ContrastStep;
import neurosteer.method.run.Fingerprint;
import neurosteer.method.run.Jsonl;
import neurosteer.method.run.RunFolder;
import neurosteer.method.sample.Prompter;
import neurosteer.method.sample.SampleStep;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.select.SelectStep;
import neurosteer.method.select.Selector;
import neurosteer.method.steer.Steering;

/**
 * The whole study (METHOD §1–6): sample → contrast → collect → select (ours and every baseline,
 * random with several seeds) → greedy evaluation of each → Table 1. Every step writes its file in the
 * run folder and is skipped when that file is complete, so an interrupted study resumes.
 */
public final class Study {
    public record Settings(String model, Path train, Path test, String trainFormat, String testFormat, int trainLimit, int testLimit,
                           boolean skipBad, String userTemplate, String systemMessage,
                           SampleStep.Settings sampling, boolean keepAll, CollectStep.Settings collect,
                           double theta, double topFraction, double epsilon, Selector.Norm norm,
                           double alpha, Steering.Positions positions, List<Integer> randomSeeds, EvalStep.Settings eval, long seed,
                           KvCache.Precision kvCache) {}

    private final Settings s;
    private final RunFolder run;
    private final PrintStream log;

    public Study(Settings settings, RunFolder run, PrintStream log) {
        this.s = settings;
        this.run = run;
        this.log = log;
    }

    public static List<Problem> load(Path path, String format, int limit, boolean skipBad, PrintStream log) {
        LoadResult r = Datasets.load(path, java.util.Optional.ofNullable(format), skipBad ? LoadOptions.SKIP_BAD : LoadOptions.STRICT);
        if (r.skipped() > 0 && log != null) log.println(r.summary());
        List<Problem> ps = r.problems();
        return limit > 0 && ps.size() > limit ? spread(ps, limit) : ps;
    }

    /** {@code limit} problems spread evenly over the list (keeps every subject represented when files are grouped by subject). */
    static List<Problem> spread(List<Problem> ps, int limit) {
        List<Problem> out = new ArrayList<>();
        for (int i = 0; i < limit; i++) out.add(ps.get((int) ((long) i * ps.size() / limit)));
        return out;
    }

    public Map<String, Object> provenance(Model m) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("model", s.model());
        p.put("model_path", m.location().toAbsolutePath().toString());
        p.put("model_fingerprint", Fingerprint.of(m.location()));
        p.put("train", s.train().toAbsolutePath().toString());
        p.put("train_hash", Datasets.hash(s.train()));
        p.put("test", s.test().toAbsolutePath().toString());
        p.put("test_hash", Datasets.hash(s.test()));
        p.put("train_limit", s.trainLimit());
        p.put("test_limit", s.testLimit());
        p.put("seed", s.seed());
        p.put("kv_cache", s.kvCache().name());
        return p;
    }

    /** Writes study.json, or checks that the one there was made with the same model, data and sampling settings. */
    void recordSettings(Map<String, Object> provenance) {
        Map<String, Object> all = new LinkedHashMap<>(provenance);
        all.put("settings", s);
        try {
            Files.createDirectories(run.root());
            if (Files.exists(run.studyJson())) {
                JsonNode old = Jsonl.JSON.readTree(run.studyJson().toFile());
                JsonNode now = Jsonl.JSON.valueToTree(all);
                for (String key : List.of("model_fingerprint", "train_hash", "test_hash", "train_limit", "test_limit", "seed"))
                    if (!old.path(key).asText().equals(now.path(key).asText()))
                        throw new IllegalArgumentException(run.studyJson() + ": this run folder was made with a different " + key + " ("
                                + old.path(key) + " vs " + now.path(key) + "); use another --run folder");
                // runs from before the option kept keys and values as floats
                String oldCache = old.path("kv_cache").asText(KvCache.Precision.F32.name());
                if (!oldCache.equals(s.kvCache().name()))
                    throw new IllegalArgumentException(run.studyJson() + ": this run folder was made with a " + oldCache + " KV cache, not "
                            + s.kvCache() + "; use the same --kv-cache or another --run folder");
                if (!old.path("settings").path("sampling").toString().equals(now.path("settings").path("sampling").toString()))
                    throw new IllegalArgumentException(run.studyJson() + ": this run folder was sampled with other settings ("
                            + old.path("settings").path("sampling") + "); use another --run folder");
            }
            Jsonl.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(run.studyJson().toFile(), all);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public List<Table1.Row> run() {
        long started = System.nanoTime();
        try (Model model = Model.load(s.model())) {
            model.transformer().kvCachePrecision(s.kvCache());
            Map<String, Object> prov = provenance(model);
            recordSettings(prov);
            Map<String, String> provStrings = new LinkedHashMap<>();
            prov.forEach((k, v) -> provStrings.put("neurosteer." + k, String.valueOf(v)));
            Prompter prompter = new Prompter(model, s.userTemplate(), s.systemMessage());
            List<Problem> train = load(s.train(), s.trainFormat(), s.trainLimit(), s.skipBad(), log);
            List<Problem> test = load(s.test(), s.testFormat(), s.testLimit(), s.skipBad(), log);
            log.printf("study: %s, %d train problems x %d samples, %d test problems, run folder %s%n", model.location(), train.size(),
                    s.sampling().samplesPerProblem(), test.size(), run.root());

            SampleStep.run(model, prompter, train, s.sampling(), run, log);
            ContrastStep.Summary cs = ContrastStep.run(train, prompter, run, s.keepAll());
            log.printf("contrast: %d of %d problems kept, %d high- and %d low-quality chains%n", cs.kept(), cs.problems(), cs.high(), cs.low());
            CollectStep.run(model, run, s.collect(), provStrings, log);
            StatsSet stats = StatsSet.load(run.stats());

            List<String> names = new ArrayList<>();
            List<NeuronSet> sets = new ArrayList<>();
            NeuronSet ours = select(stats, model, SelectStep.Method.OURS, 0, 0, "ours", prov);
            int k = ours.size();
            if (k == 0)
                throw new IllegalArgumentException("no neuron has r >= theta = " + s.theta() + " among the top " + s.topFraction() * 100
                        + "% of r: lower --theta or raise --top-fraction");
            log.printf("select: %d neurons (theta %.2f), per layer %s%n", k, s.theta(), java.util.Arrays.toString(ours.perLayerCounts()));
            names.add("ours");
            sets.add(ours);
            for (var m : List.of(SelectStep.Method.TOP_ACTIVATION, SelectStep.Method.MATHNEURO, SelectStep.Method.WANDA)) {
                String name = m.name().toLowerCase().replace('_', '-');
                names.add(name);
                sets.add(select(stats, model, m, k, 0, name, prov));
            }
            for (int seed : s.randomSeeds()) {
                names.add("random-" + seed);
                sets.add(select(stats, model, SelectStep.Method.RANDOM, k, seed, "random-" + seed, prov));
            }

            Map<String, Object> evalSettings = new LinkedHashMap<>(prov);
            evalSettings.put("alpha", s.alpha());
            evalSettings.put("positions", s.positions().name().toLowerCase());
            evalSettings.put("max_new_tokens", s.eval().maxNewTokens());
            EvalStep.run(model, prompter, test, Hooks.NONE, s.eval(), run.eval("greedy"), log);
            for (int i = 0; i < names.size(); i++)
                EvalStep.run(model, prompter, test, Steering.hooks(sets.get(i), s.alpha(), s.positions()), s.eval(), run.eval(names.get(i)), log);

            List<Table1.Row> rows = new ArrayList<>();
            rows.add(new Table1.Row("greedy", -1, EvalStep.summarize(run.eval("greedy"), null, evalSettings, s.seed(), run.evalSummary("greedy"))));
            for (int i = 0; i < names.size(); i++) {
                Map<String, Object> es = new LinkedHashMap<>(evalSettings);
                es.put("neurons", run.neurons(names.get(i)).toString());
                rows.add(new Table1.Row(names.get(i), sets.get(i).size(),
                        EvalStep.summarize(run.eval(names.get(i)), run.eval("greedy"), es, s.seed(), run.evalSummary(names.get(i)))));
            }
            Table1.write(rows, run.table1Csv(), run.table1Md());
            log.printf("study finished in %.1f minutes%n", (System.nanoTime() - started) / 60e9);
            return rows;
        }
    }

    private NeuronSet select(StatsSet stats, Model model, SelectStep.Method method, int k, long seed, String name, Map<String, Object> prov) {
        if (Files.exists(run.neurons(name))) return NeuronSet.load(run.neurons(name));
        SelectStep.Settings ss = new SelectStep.Settings(method, s.theta(), s.topFraction(), s.epsilon(), "all", s.norm(), k, seed, false);
        return SelectStep.run(stats, model.weights(), ss, prov, run.neurons(name));
    }
}
