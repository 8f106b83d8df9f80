package neurosteer.method.sample;

import neurosteer.data.Problem;
import neurosteer.grade.AnswerExtractor;
import neurosteer.grade.GradeResult;
import neurosteer.grade.Grader;

/** Grades a completion against a problem's gold answer, as the problem's kind requires. */
public final class AnswerCheck {
    public record Verdict(String extracted, boolean correct) {}

    private AnswerCheck() {}

    public static Verdict check(Problem p, String completion) {
        return switch (p.kind()) {
            case CHOICE -> {
                String letters = p.choices().isEmpty() ? "ABCDE" : String.join("", p.choices());
                String got = AnswerExtractor.extractChoice(completion, letters);
                yield new Verdict(got, got != null && got.equalsIgnoreCase(p.goldAnswer().trim()));
            }
            case YES_NO -> {
                String got = AnswerExtractor.extractYesNo(completion);
                yield new Verdict(got, got != null && got.equalsIgnoreCase(p.goldAnswer().trim()));
            }
            case MATH, NUMBER -> {
                GradeResult r = Grader.grade(p.goldAnswer(), completion);
                yield new Verdict(r.predictedAnswer(), r.equal());
            }
        };
    }
}
