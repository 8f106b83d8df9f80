package neurosteer.data;

import com.fasterxml.jackson.databind.JsonNode;
import neurosteer.data.Records.BadRecord;

import java.nio.file.Path;
import java.util.List;

/** GSM8K: {@code question}, and {@code answer} whose last line is "#### 42". */
public final class Gsm8k {
    private Gsm8k() {}

    public static List<Problem> load(Path file) {
        return load(file, LoadOptions.STRICT).problems();
    }

    public static LoadResult load(Path file, LoadOptions options) {
        Records.checkReadable(file);
        BadRecords bad = new BadRecords(options);
        return bad.result(RecordConverter.convertAll(file, "gsm8k", Records.read(file, bad), Gsm8k::fromRecord, bad));
    }

    static Problem fromRecord(JsonNode node, String defaultId) {
        String question = Records.requiredText(node, "question");
        String answer = Records.requiredText(node, "answer");
        int marker = answer.lastIndexOf("####");
        if (marker < 0) throw new BadRecord("no gold answer: 'answer' has no '#### <number>' line");
        String gold = finalNumber(answer.substring(marker + 4));
        if (gold.isEmpty()) throw new BadRecord("no gold answer: nothing after '####' in 'answer'");
        String solution = answer.substring(0, marker).strip();
        String id = Records.text(node, "id");
        return new Problem(id == null ? defaultId : id, question, gold, solution.isEmpty() ? null : solution,
                null, null, Problem.Kind.NUMBER, List.of());
    }

    /** " 1,234 " → "1234". */
    static String finalNumber(String text) {
        return text.strip().replace(",", "").replaceAll("\\s+", "");
    }
}
