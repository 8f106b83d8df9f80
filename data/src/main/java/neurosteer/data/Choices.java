package neurosteer.data;

import java.util.List;

/** Formats a multiple-choice question with its options, one "(A) text" a line. */
final class Choices {
    private Choices() {}

    static final String LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    static String format(String question, List<String> labels, List<String> texts) {
        StringBuilder text = new StringBuilder(question.strip()).append("\n\nAnswer choices:");
        for (int i = 0; i < labels.size(); i++) {
            text.append("\n(").append(labels.get(i)).append(") ").append(texts.get(i).strip());
        }
        return text.toString();
    }

    static List<String> letters(int count) {
        if (count > LETTERS.length()) throw new Records.BadRecord(count + " choices, at most 26 are supported");
        return LETTERS.substring(0, count).chars().mapToObj(c -> String.valueOf((char) c)).toList();
    }
}
