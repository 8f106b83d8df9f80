package neurosteer.toy.data;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** One MATH-style record, as written to the JSONL splits. {@code level} reads "Level N". */
@JsonPropertyOrder({"problem", "solution", "answer", "subject", "level", "unique_id"})
public record Problem(String problem, String solution, String answer, String subject, String level, String unique_id) {

    /** The difficulty as a number 1..5. */
    public int levelNumber() {
        return Integer.parseInt(level.substring("Level ".length()).trim());
    }
}
