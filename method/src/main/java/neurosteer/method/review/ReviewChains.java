package neurosteer.method.review;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import neurosteer.data.Problem;
import neurosteer.method.run.Jsonl;
import neurosteer.method.run.RunFolder;

/**
 * The right-answer chains of a run, grouped by problem in the order samples.jsonl first names them,
 * each beside its problem (null when the problem set given does not hold it).
 */
public record ReviewChains(List<Group> groups, Map<String, Boolean> correctByKey) {

    public record Chain(String problemId, int sample, String extracted, String completion) {
        public String key() { return ReviewChains.key(problemId, sample); }
    }

    public record Group(String problemId, Problem problem, String subject, Integer level, String gold, int samples, List<Chain> right) {}

    public static String key(String problemId, int sample) { return problemId + "#" + sample; }

    public static ReviewChains load(RunFolder run, Map<String, Problem> problems) {
        if (!Files.isRegularFile(run.samples()))
            throw new IllegalArgumentException(run.samples() + ": not found; run the sample step first (neurosteer sample --run " + run.root() + ")");
        Map<String, Group> groups = new LinkedHashMap<>();
        Map<String, Boolean> correct = new LinkedHashMap<>();
        for (Jsonl.Line line : Jsonl.read(run.samples(), false, null)) {
            ObjectNode n = line.value();
            String where = run.samples() + ":" + line.number();
            JsonNode id = n.get("problem_id");
            JsonNode sample = n.get("sample");
            if (id == null || !id.isTextual()) throw new Jsonl.BadRecordException(where + ": 'problem_id' missing or not a string");
            if (sample == null || !sample.isIntegralNumber() || !sample.canConvertToInt()) throw new Jsonl.BadRecordException(where + ": 'sample' missing or not an integer");
            boolean right = n.path("correct").asBoolean(false);
            String problemId = id.asText();
            correct.put(key(problemId, sample.asInt()), right);
            Group g = groups.computeIfAbsent(problemId, k -> {
                Problem p = problems.get(k);
                String subject = text(n, "subject");
                Integer level = n.path("level").isIntegralNumber() ? n.path("level").asInt() : null;
                String gold = text(n, "gold");
                if (p != null) {
                    if (subject == null) subject = p.subject();
                    if (level == null) level = p.level();
                    if (gold == null) gold = p.goldAnswer();
                }
                return new Group(k, p, subject, level, gold, 0, new ArrayList<>());
            });
            g = new Group(g.problemId(), g.problem(), g.subject(), g.level(), g.gold(), g.samples() + 1, g.right());
            groups.put(problemId, g);
            if (right) g.right().add(new Chain(problemId, sample.asInt(), text(n, "extracted"), n.path("completion").asText("")));
        }
        List<Group> out = new ArrayList<>();
        for (Group g : groups.values()) {
            if (g.right().isEmpty()) continue;
            List<Chain> right = new ArrayList<>(g.right());
            right.sort((a, b) -> Integer.compare(a.sample(), b.sample()));
            out.add(new Group(g.problemId(), g.problem(), g.subject(), g.level(), g.gold(), g.samples(), List.copyOf(right)));
        }
        return new ReviewChains(List.copyOf(out), correct);
    }

    public int chainCount() {
        int n = 0;
        for (Group g : groups) n += g.right().size();
        return n;
    }

    /** Problems of the run the given problem set does not hold (their text and solution cannot be shown). */
    public List<String> missingProblems() {
        List<String> out = new ArrayList<>();
        for (Group g : groups) if (g.problem() == null) out.add(g.problemId());
        return out;
    }

    public Set<String> subjects() {
        Set<String> out = new TreeSet<>();
        for (Group g : groups) out.add(g.subject() == null ? "" : g.subject());
        return out;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
