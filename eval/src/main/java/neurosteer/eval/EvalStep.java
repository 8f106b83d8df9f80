package neurosteer.eval;

import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neurosteer.data.Problem;
import neurosteer.engine.Model;
import neurosteer.engine.generate.Generator;
import neurosteer.engine.generate.SamplingConfig;
import neurosteer.engine.hooks.Hooks;
import neurosteer.method.run.Jsonl;
import neurosteer.method.run.Progress;
import neurosteer.method.sample.AnswerCheck;
import neurosteer.method.sample.Prompter;

/**
 * METHOD §6: greedy chain-of-thought evaluation, with or without an intervention; one graded line
 * per problem (append-only, resumable) and a summary with per-subject accuracy, the pooled Avg and,
 * against a baseline run, McNemar's test and a paired bootstrap interval.
 */
public final class EvalStep {
    public record Settings(int maxNewTokens, int problemsPerBatch, long bootstrapSeed) {}

    private EvalStep() {}

    public static void run(Model model, Prompter prompter, List<Problem> problems, Hooks hooks, Settings s, Path out, PrintStream log) {
        Set<String> done = new HashSet<>();
        for (ObjectNode n : Jsonl.readValues(out)) done.add(n.path("id").asText());
        List<Problem> todo = new ArrayList<>();
        for (Problem p : problems) if (!done.contains(p.id())) todo.add(p);
        Progress progress = new Progress("eval " + out.getFileName(), problems.size(), problems.size() - todo.size(), log);
        Generator generator = new Generator(model.transformer(), null);
        SamplingConfig greedy = SamplingConfig.greedy(s.maxNewTokens(), prompter.stopTokens());
        try (Jsonl.Appender app = new Jsonl.Appender(out)) {
            for (int start = 0; start < todo.size(); start += s.problemsPerBatch()) {
                List<Problem> batch = todo.subList(start, Math.min(todo.size(), start + s.problemsPerBatch()));
                List<int[]> prompts = new ArrayList<>();
                for (Problem p : batch) prompts.add(prompter.promptTokens(p));
                List<Generator.Completion> cs = generator.generate(prompts, greedy, hooks, null);
                long tokens = 0;
                for (int i = 0; i < batch.size(); i++) {
                    Problem p = batch.get(i);
                    Generator.Completion c = cs.get(i);
                    String text = model.tokenizer().decode(c.withoutStopToken(), true);
                    AnswerCheck.Verdict v = AnswerCheck.check(p, text);
                    Map<String, Object> r = new LinkedHashMap<>();
                    r.put("id", p.id());
                    r.put("subject", p.subject());
                    r.put("level", p.level());
                    r.put("gold", p.goldAnswer());
                    r.put("extracted", v.extracted());
                    r.put("correct", v.correct());
                    r.put("finish", c.finish().name().toLowerCase());
                    r.put("completion", text);
                    app.append(r);
                    tokens += c.tokens().length;
                }
                progress.advance(batch.size(), tokens);
            }
        }
    }

    /** Reads one eval file as graded results. */
    public static List<Accuracy.Graded> results(Path file) {
        List<Accuracy.Graded> out = new ArrayList<>();
        for (ObjectNode n : Jsonl.readValues(file))
            out.add(new Accuracy.Graded(n.path("id").asText(), n.path("subject").isNull() ? null : n.path("subject").asText(null), n.path("correct").asBoolean()));
        return out;
    }

    /** The summary of {@code file}, and against {@code baseline} (if given and different) the paired comparison. */
    public static Map<String, Object> summarize(Path file, Path baseline, Map<String, Object> settings, long seed, Path summaryOut) {
        List<Accuracy.Graded> results = results(file);
        Accuracy.Table table = Accuracy.of(results);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("file", file.getFileName().toString());
        s.put("problems", results.size());
        Map<String, Object> subjects = new LinkedHashMap<>();
        table.bySubject().forEach((k, c) -> subjects.put(k, Map.of("correct", c.correct(), "total", c.total(), "accuracy", c.accuracy())));
        s.put("subjects", subjects);
        s.put("avg", table.pooled().accuracy());
        s.put("correct", table.pooled().correct());
        s.put("settings", settings);
        if (baseline != null && Files.exists(baseline) && !baseline.equals(file)) {
            Map<String, Boolean> base = new HashMap<>();
            for (Accuracy.Graded g : results(baseline)) base.put(g.id(), g.correct());
            List<Boolean> a = new ArrayList<>(), b = new ArrayList<>();
            for (Accuracy.Graded g : results) {
                Boolean x = base.get(g.id());
                if (x == null) continue;
                a.add(x);
                b.add(g.correct());
            }
            boolean[] ba = new boolean[a.size()], bb = new boolean[b.size()];
            for (int i = 0; i < ba.length; i++) { ba[i] = a.get(i); bb[i] = b.get(i); }
            PairedTest.Result r = PairedTest.compare(ba, bb, 0.95, 10000, seed);
            Map<String, Object> cmp = new LinkedHashMap<>();
            cmp.put("baseline", baseline.getFileName().toString());
            cmp.put("paired_problems", r.n());
            cmp.put("delta", r.delta());
            cmp.put("only_baseline_correct", r.onlyBaseline());
            cmp.put("only_this_correct", r.onlyTreatment());
            cmp.put("mcnemar_p", r.mcnemarP());
            cmp.put("ci95_low", r.ciLow());
            cmp.put("ci95_high", r.ciHigh());
            cmp.put("bootstrap_resamples", r.resamples());
            cmp.put("bootstrap_seed", r.seed());
            s.put("vs_baseline", cmp);
        }
        try {
            Files.createDirectories(summaryOut.toAbsolutePath().getParent());
            Jsonl.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(summaryOut.toFile(), s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return s;
    }
}
