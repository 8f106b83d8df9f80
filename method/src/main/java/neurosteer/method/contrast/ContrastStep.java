package neurosteer.method.contrast;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import neurosteer.data.Problem;
import neurosteer.method.run.Jsonl;
import neurosteer.method.run.RunFolder;
import neurosteer.method.sample.Prompter;

/**
 * METHOD §1.4: the contrastive set. Keeps problems with at least one right and one wrong completion
 * (or all, with {@code keepAll}); right-answer chains a reviewer flagged in {@code review.jsonl}
 * leave the high-quality set. Writes one trajectory per line (prompt and completion ids) to
 * {@code contrast.jsonl}, and the counts per subject to {@code contrast.summary.json}.
 */
public final class ContrastStep {
    private ContrastStep() {}

    public record Summary(Map<String, Map<String, Integer>> bySubject, int problems, int kept, int high, int low, int flawed) {}

    public static Set<String> flawed(RunFolder run) {
        Map<String, Boolean> marks = new HashMap<>();
        for (ObjectNode n : Jsonl.readValues(run.review()))
            marks.put(n.path("problem_id").asText() + "#" + n.path("sample").asInt(), n.path("flawed").asBoolean(false));
        Set<String> out = new HashSet<>();
        marks.forEach((k, v) -> { if (v) out.add(k); });
        return out;
    }

    public static Summary run(List<Problem> problems, Prompter prompter, RunFolder run, boolean keepAll) {
        Map<String, Problem> byId = new HashMap<>();
        for (Problem p : problems) byId.put(p.id(), p);
        Map<String, List<ObjectNode>> samples = new LinkedHashMap<>();
        for (ObjectNode n : Jsonl.readValues(run.samples())) samples.computeIfAbsent(n.path("problem_id").asText(), k -> new ArrayList<>()).add(n);
        if (samples.isEmpty()) throw new IllegalArgumentException(run.samples() + ": no samples; run the sample step first");
        Set<String> flawed = flawed(run);
        Map<String, Map<String, Integer>> counts = new TreeMap<>();
        List<String> onlyRight = new ArrayList<>(), onlyWrong = new ArrayList<>();
        List<Map<String, Object>> lines = new ArrayList<>();
        int kept = 0, high = 0, low = 0, flawedCount = 0;
        for (var e : samples.entrySet()) {
            Problem p = byId.get(e.getKey());
            if (p == null) throw new IllegalArgumentException(run.samples() + ": problem '" + e.getKey() + "' is not in the problem set given to this step");
            int right = 0, wrong = 0;
            for (ObjectNode n : e.getValue()) {
                boolean correct = n.path("correct").asBoolean() && !flawed.contains(p.id() + "#" + n.path("sample").asInt());
                if (correct) right++;
                else wrong++;
            }
            String subject = p.subject() == null ? "all" : p.subject();
            Map<String, Integer> c = counts.computeIfAbsent(subject, k -> new LinkedHashMap<>(Map.of("problems", 0, "kept", 0, "high", 0, "low", 0)));
            c.merge("problems", 1, Integer::sum);
            if (right == 0) onlyWrong.add(p.id());
            if (wrong == 0) onlyRight.add(p.id());
            if (!keepAll && (right == 0 || wrong == 0)) continue;
            kept++;
            c.merge("kept", 1, Integer::sum);
            int[] prompt = prompter.promptTokens(p);
            for (ObjectNode n : e.getValue()) {
                String key = p.id() + "#" + n.path("sample").asInt();
                if (n.path("prompt_tokens").asInt(prompt.length) != prompt.length)
                    throw new IllegalArgumentException(run.samples() + ": problem " + p.id() + " was sampled with a " + n.path("prompt_tokens").asInt()
                            + "-token prompt but now renders to " + prompt.length + " tokens: the prompt settings changed since sampling");
                boolean isFlawed = flawed.contains(key);
                boolean isHigh = n.path("correct").asBoolean() && !isFlawed;
                if (isFlawed) {
                    flawedCount++;
                    continue;
                }
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("id", key);
                t.put("problem_id", p.id());
                t.put("sample", n.path("sample").asInt());
                t.put("subject", p.subject());
                t.put("high", isHigh);
                t.put("prompt_tokens", prompt);
                List<Integer> completion = new ArrayList<>();
                n.path("completion_tokens").forEach(x -> completion.add(x.asInt()));
                t.put("completion_tokens", completion);
                lines.add(t);
                if (isHigh) {
                    high++;
                    c.merge("high", 1, Integer::sum);
                } else {
                    low++;
                    c.merge("low", 1, Integer::sum);
                }
            }
        }
        if (high == 0 || low == 0) {
            throw new IllegalArgumentException("the contrastive set is empty: of " + samples.size() + " problems, " + onlyRight.size()
                    + " had only right completions (e.g. " + head(onlyRight) + ") and " + onlyWrong.size() + " only wrong ones (e.g. "
                    + head(onlyWrong) + "). Sample more completions per problem (--samples), raise the temperature, use more or "
                    + "harder/easier problems, or keep every problem (--keep-all)");
        }
        Path tmp = run.contrast().resolveSibling("contrast.jsonl.tmp");
        try {
            Files.deleteIfExists(tmp);
            try (Jsonl.Appender out = new Jsonl.Appender(tmp)) {
                for (Map<String, Object> l : lines) out.append(l);
            }
            Files.move(tmp, run.contrast(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Summary s = new Summary(counts, samples.size(), kept, high, low, flawedCount);
            Jsonl.JSON.copy().enable(SerializationFeature.INDENT_OUTPUT).writeValue(run.contrastSummary().toFile(), s);
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String head(List<String> ids) {
        return ids.isEmpty() ? "none" : String.join(", ", ids.subList(0, Math.min(3, ids.size())));
    }
}
