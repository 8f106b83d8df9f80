package neurosteer.method.sample;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.ArrayList;
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
import neurosteer.method.run.RunFolder;

/**
 * METHOD §1.2–1.3: k sampled completions per problem, batched, each graded as it is written to
 * {@code samples.jsonl}. Every completion has its own random stream (seed, problem id, sample
 * index), so a rerun after an interruption gives the same completions and skips the finished ones.
 */
public final class SampleStep {
    public record Settings(int samplesPerProblem, double temperature, double topP, int topK, int maxNewTokens, long seed, int problemsPerBatch) {}

    private SampleStep() {}

    public static long streamSeed(long seed, String problemId, int sample) {
        long h = seed * 0x9E3779B97F4A7C15L ^ problemId.hashCode() * 0xC2B2AE3D27D4EB4FL ^ (sample + 1L) * 0x165667B19E3779F9L;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        return h ^ (h >>> 33);
    }

    /** Returns the number of completions written by this call. */
    public static int run(Model model, Prompter prompter, List<Problem> problems, Settings s, RunFolder run, PrintStream log) {
        Set<String> done = new HashSet<>();
        for (ObjectNode n : Jsonl.readValues(run.samples())) done.add(n.path("problem_id").asText() + "#" + n.path("sample").asInt());
        List<Problem> todo = new ArrayList<>();
        int finishedProblems = 0;
        for (Problem p : problems) {
            boolean all = true;
            for (int k = 0; k < s.samplesPerProblem(); k++) all &= done.contains(p.id() + "#" + k);
            if (all) finishedProblems++;
            else todo.add(p);
        }
        Progress progress = new Progress("sample", problems.size(), finishedProblems, log);
        SamplingConfig config = new SamplingConfig(s.maxNewTokens(), s.temperature(), s.topP(), s.topK(), s.seed(), prompter.stopTokens(), List.of());
        Generator generator = new Generator(model.transformer(), null);
        int written = 0;
        try (Jsonl.Appender out = new Jsonl.Appender(run.samples())) {
            for (int start = 0; start < todo.size(); start += s.problemsPerBatch()) {
                List<Problem> batch = todo.subList(start, Math.min(todo.size(), start + s.problemsPerBatch()));
                List<int[]> prompts = new ArrayList<>();
                List<long[]> keys = new ArrayList<>();
                List<Long> seeds = new ArrayList<>();
                for (int b = 0; b < batch.size(); b++) {
                    Problem p = batch.get(b);
                    int[] ids = prompter.promptTokens(p);
                    for (int k = 0; k < s.samplesPerProblem(); k++) {
                        if (done.contains(p.id() + "#" + k)) continue;
                        prompts.add(ids);
                        keys.add(new long[] {b, k});
                        seeds.add(streamSeed(s.seed(), p.id(), k));
                    }
                }
                List<Generator.Completion> completions = generator.generate(prompts, config,
                        seeds.stream().mapToLong(Long::longValue).toArray(), Hooks.NONE, null);
                long tokens = 0;
                for (int i = 0; i < completions.size(); i++) {
                    Problem p = batch.get((int) keys.get(i)[0]);
                    int k = (int) keys.get(i)[1];
                    Generator.Completion c = completions.get(i);
                    out.append(record(model, p, k, prompts.get(i).length, c, s.seed()));
                    tokens += c.tokens().length;
                    written++;
                }
                progress.advance(batch.size(), tokens);
            }
        }
        return written;
    }

    static Map<String, Object> record(Model model, Problem p, int sample, int promptTokens, Generator.Completion c, long seed) {
        String text = model.tokenizer().decode(c.withoutStopToken(), true);
        AnswerCheck.Verdict v = AnswerCheck.check(p, text);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("problem_id", p.id());
        r.put("sample", sample);
        r.put("subject", p.subject());
        r.put("level", p.level());
        r.put("gold", p.goldAnswer());
        r.put("extracted", v.extracted());
        r.put("correct", v.correct());
        r.put("finish", c.finish().name().toLowerCase());
        r.put("prompt_tokens", promptTokens);
        r.put("completion", text);
        r.put("completion_tokens", c.tokens());
        r.put("seed", seed);
        return r;
    }

}
