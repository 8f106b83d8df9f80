package neurosteer.grade;

/**
 * Outcome of grading one prediction against one gold answer.
 *
 * @param equal                whether the predicted answer is equivalent to the gold answer
 * @param goldAnswer           the answer taken from the gold text (last \boxed of a solution, or the bare answer)
 * @param predictedAnswer      the answer extracted from the prediction; null when none was found
 * @param normalizedGold       the gold answer after normalisation
 * @param normalizedPrediction the predicted answer after normalisation; null when none was found
 * @param timedOut             the comparison ran out of time (then {@code equal} is false unless the strings matched)
 */
public record GradeResult(boolean equal, String goldAnswer, String predictedAnswer, String normalizedGold,
                          String normalizedPrediction, boolean timedOut) {}
