package neurosteer.data;

import com.fasterxml.jackson.databind.JsonNode;
import neurosteer.data.Records.BadRecord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** StrategyQA, a JSON array or JSONL of {@code question}, {@code answer} (true/false), optional {@code qid}, {@code facts}. */
public final class StrategyQa {
    private StrategyQa() {}

    public static List<Problem> load(Path file) {
        return load(file, LoadOptions.STRICT).problems();
    }

    public static LoadResult load(Path file, LoadOptions options) {
        Records.checkReadable(file);
        BadRecords bad = new BadRecords(options);
        return bad.result(RecordConverter.convertAll(file, "strategyqa", Records.read(file, bad),
                StrategyQa::fromRecord, bad));
    }

    static Problem fromRecord(JsonNode node, String defaultId) {
        String question = Records.requiredText(node, "question");
        JsonNode answer = node.get("answer");
        if (answer == null || answer.isNull()) throw new BadRecord("no gold answer: no 'answer'");
        String gold;
        if (answer.isBoolean()) {
            gold = answer.booleanValue() ? "yes" : "no";
        } else {
            gold = switch (answer.asText().strip().toLowerCase(Locale.ROOT)) {
                case "true", "yes" -> "yes";
                case "false", "no" -> "no";
                default -> throw new BadRecord("'answer' is '" + answer.asText() + "', expected true or false");
            };
        }
        String solution = null;
        JsonNode facts = node.get("facts");
        if (facts != null && facts.isArray() && !facts.isEmpty()) {
            List<String> lines = new ArrayList<>();
            facts.forEach(f -> lines.add(f.asText()));
            solution = String.join("\n", lines);
        }
        String id = Records.text(node, "qid");
        if (id == null) id = Records.text(node, "id");
        return new Problem(id == null ? defaultId : id, question, gold, solution, null, null,
                Problem.Kind.YES_NO, List.of());
    }
}
