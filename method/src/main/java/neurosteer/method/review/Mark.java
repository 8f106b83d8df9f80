package neurosteer.method.review;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashMap;
import java.util.Map;
import neurosteer.method.run.Jsonl;
import neurosteer.method.run.RunFolder;

/** One line of review.jsonl: a reviewer's verdict on a right-answer chain. The last mark for a chain wins. */
@JsonPropertyOrder({"problem_id", "sample", "flawed", "note", "time"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Mark(@JsonProperty("problem_id") String problemId, int sample, boolean flawed, String note, String time) {

    public String key() { return ReviewChains.key(problemId, sample); }

    /** The current mark of every chain (last one wins), keyed by {@link ReviewChains#key}. */
    public static Map<String, Mark> current(RunFolder run) {
        Map<String, Mark> out = new HashMap<>();
        for (ObjectNode n : Jsonl.readValues(run.review())) {
            Mark m = new Mark(n.path("problem_id").asText(), n.path("sample").asInt(), n.path("flawed").asBoolean(false),
                    n.hasNonNull("note") ? n.get("note").asText() : null, n.hasNonNull("time") ? n.get("time").asText() : null);
            out.put(m.key(), m);
        }
        return out;
    }

    /** Reads a mark posted by the page; throws IllegalArgumentException saying what is wrong with it. */
    static Mark fromRequest(JsonNode body, String time) {
        if (!(body instanceof ObjectNode)) throw new IllegalArgumentException("the body must be a JSON object {\"problem_id\": ..., \"sample\": ..., \"flawed\": true|false, \"note\": optional}");
        JsonNode id = body.get("problem_id"), sample = body.get("sample"), flawed = body.get("flawed"), note = body.get("note");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) throw new IllegalArgumentException("'problem_id' must be a non-empty string");
        if (sample == null || !sample.isIntegralNumber() || !sample.canConvertToInt()) throw new IllegalArgumentException("'sample' must be an integer");
        if (flawed == null || !flawed.isBoolean()) throw new IllegalArgumentException("'flawed' must be true or false");
        if (note != null && !note.isNull() && !note.isTextual()) throw new IllegalArgumentException("'note' must be a string");
        String text = note == null || note.isNull() || note.asText().isBlank() ? null : note.asText().strip();
        return new Mark(id.asText(), sample.asInt(), flawed.asBoolean(), text, time);
    }
}
