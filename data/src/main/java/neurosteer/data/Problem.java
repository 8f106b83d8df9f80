package neurosteer.data;

import java.util.List;
import java.util.Objects;

/**
 * One problem of a problem set.
 *
 * @param id           stable identifier (MATH's {@code unique_id}, or {@code dataset/split/index})
 * @param question     the text shown to the model, multiple-choice options already formatted in
 * @param goldAnswer   the final answer (for MATH the content of the solution's last {@code \boxed{}})
 * @param goldSolution the worked solution, or null when the data set has none
 * @param subject      MATH's subject ("Algebra", ..., "Precalculus"), MMLU's subject, or null
 * @param level        MATH's difficulty 1..5, or null
 * @param kind         how an answer should be graded
 * @param choices      the option letters of a multiple-choice problem, empty otherwise
 */
public record Problem(String id, String question, String goldAnswer, String goldSolution,
                      String subject, Integer level, Kind kind, List<String> choices) {

    /** How the answer to a problem is graded. */
    public enum Kind {
        /** A mathematical expression, compared by a MATH grader. */
        MATH,
        /** A number (GSM8K). */
        NUMBER,
        /** One letter out of {@link Problem#choices()}. */
        CHOICE,
        /** "yes" or "no". */
        YES_NO
    }

    public Problem {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(question, "question");
        Objects.requireNonNull(goldAnswer, "goldAnswer");
        Objects.requireNonNull(kind, "kind");
        choices = choices == null ? List.of() : List.copyOf(choices);
    }
}
