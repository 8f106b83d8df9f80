package neurosteer.grade;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Pulls the final answer out of a model completion or a MATH reference solution. */
public final class AnswerExtractor {

    private AnswerExtractor() {}

    private static final Pattern SENTENCE_END = Pattern.compile("\\.(\\s|$)");
    private static final Pattern TEXT_BLOCK = Pattern.compile("\\\\(text|mbox|mathrm|begin|end)\\{[^{}]*\\}");
    private static final Pattern COMMAND = Pattern.compile("\\\\[A-Za-z]+");
    private static final Pattern CHOICE_LINE = Pattern.compile("(?m)^\\s*\\(?([A-Z])[).:]");
    private static final Pattern CHOICE_PAREN = Pattern.compile("\\(([A-Z])\\)");
    private static final Pattern CHOICE_ALONE = Pattern.compile("^\\(?([A-Za-z])\\)?(?:[.:)]\\s.*|[.:)]?)$", Pattern.DOTALL);
    private static final Pattern CHOICE_LEADING = Pattern.compile(
            "^(?:option\\s+|choice\\s+)?\\(?([A-Za-z])(?:\\)|\\.|:|,|\\s|$)", Pattern.CASE_INSENSITIVE);
    private static final Pattern YES_NO_FIRST = Pattern.compile("^\\W*(yes|no|true|false)\\b", Pattern.CASE_INSENSITIVE);
    private static final Pattern YES_NO_ALONE = Pattern.compile("^\\W*(yes|no|true|false)\\W*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern ANSWER_IS = Pattern.compile(
            "(?i)(?:final answer|the answer|answer)\\s*(?:is|:|=)\\s*:?\\s*");
    private static final Pattern NUMBER = Pattern.compile("-?\\d+(?:,\\d{3})*(?:\\.\\d+)?(?:\\s*/\\s*\\d+)?|-?\\.\\d+");
    private static final Pattern WORD = Pattern.compile("(?<![\\\\A-Za-z])[A-Za-z]{2,}");
    private static final Pattern YES_NO = Pattern.compile("(?i)\\b(yes|no|true|false)\\b");

    /**
     * The answer of a completion or solution: the last \boxed{...} (or \fbox), else what follows "the answer is",
     * else the whole text when it is a bare answer, else the last number, else a short one-line text as a whole;
     * null when nothing is found.
     */
    public static String extract(String text) {
        if (text == null) return null;
        String boxed = lastBoxed(text);
        if (boxed != null) return boxed;
        String stated = afterAnswerIs(text);
        if (stated != null && !stated.isBlank()) return stated;
        if (looksBare(text)) return text.strip();
        String number = lastNumber(text);
        if (number == null && text.strip().length() <= 40 && !text.strip().contains("\n") && !text.isBlank()) return text.strip();
        return number;
    }

    /** Content of the last complete \boxed{...}, \boxed x or \fbox{...}; nested boxes are unwrapped. */
    public static String lastBoxed(String text) {
        if (text == null) return null;
        int from = text.length();
        while (from > 0) {
            int boxed = text.lastIndexOf("\\boxed", from - 1);
            int fbox = text.lastIndexOf("\\fbox", from - 1);
            int at = Math.max(boxed, fbox);
            if (at < 0) return null;
            int i = at + (at == boxed ? 6 : 5);
            String content = null;
            int j = i;
            while (j < text.length() && text.charAt(j) == ' ') j++;
            if (j < text.length() && text.charAt(j) == '{') {
                int close = Normalizer.matchingBrace(text, j);
                if (close > 0) content = text.substring(j + 1, close);
            } else if (j > i && j < text.length()) {
                int end = j;
                while (end < text.length() && text.charAt(end) != '$' && !Character.isWhitespace(text.charAt(end))) end++;
                content = text.substring(j, end);
            }
            if (content != null) {
                content = content.strip();
                String inner = content.startsWith("\\boxed") || content.startsWith("\\fbox") ? lastBoxed(content) : null;
                return inner != null ? inner : content;
            }
            from = at;
        }
        return null;
    }

    private static String afterAnswerIs(String text) {
        Matcher m = ANSWER_IS.matcher(text);
        int start = -1;
        while (m.find()) start = m.end();
        if (start < 0) return null;
        String rest = text.substring(start);
        if (rest.startsWith("$$")) {
            int close = rest.indexOf("$$", 2);
            return close > 0 ? rest.substring(2, close).strip() : null;
        }
        if (rest.startsWith("$")) {
            int close = rest.indexOf('$', 1);
            return close > 0 ? rest.substring(1, close).strip() : null;
        }
        if (rest.startsWith("\\(")) {
            int close = rest.indexOf("\\)");
            return close > 0 ? rest.substring(2, close).strip() : null;
        }
        int newline = rest.indexOf('\n');
        if (newline >= 0) rest = rest.substring(0, newline);
        Matcher sentenceEnd = SENTENCE_END.matcher(rest);
        if (sentenceEnd.find()) rest = rest.substring(0, sentenceEnd.start());
        rest = rest.strip();
        while (!rest.isEmpty() && ".,;!".indexOf(rest.charAt(rest.length() - 1)) >= 0) rest = rest.substring(0, rest.length() - 1).strip();
        if (rest.startsWith("**") && rest.endsWith("**") && rest.length() > 4) rest = rest.substring(2, rest.length() - 2);
        return rest.strip();
    }

    /** Short text with at most one word: treat the whole of it as the answer. */
    private static boolean looksBare(String text) {
        String t = text.strip();
        if (t.isEmpty() || t.length() > 120 || t.contains("\n")) return false;
        String withoutText = COMMAND.matcher(TEXT_BLOCK.matcher(t).replaceAll("T")).replaceAll(" ");
        Matcher words = WORD.matcher(withoutText);
        int count = 0;
        while (words.find()) count++;
        return count <= 1;
    }

    private static String lastNumber(String text) {
        Matcher m = NUMBER.matcher(text);
        String last = null;
        while (m.find()) last = m.group();
        return last == null ? null : last.replace(",", "").replace(" ", "");
    }

    /**
     * A multiple-choice letter (upper case, among {@code validLetters}, e.g. "ABCDE"): from \boxed{B},
     * "the answer is (B)", a line starting "B)" or "(B)", else the last "(B)"; null when none.
     */
    public static String extractChoice(String text, String validLetters) {
        if (text == null) return null;
        String letters = validLetters.toUpperCase(Locale.ROOT);
        String boxed = lastBoxed(text);
        if (boxed != null) {
            String letter = letterIn(boxed, letters);
            if (letter != null) return letter;
        }
        Matcher m = ANSWER_IS.matcher(text);
        String found = null;
        while (m.find()) {
            String letter = leadingLetter(text.substring(m.end()), letters);
            if (letter != null) found = letter;
        }
        if (found != null) return found;
        String bare = letterIn(text, letters);
        if (bare != null) return bare;
        Matcher line = CHOICE_LINE.matcher(text);
        while (line.find()) if (letters.indexOf(line.group(1)) >= 0) found = line.group(1);
        if (found != null) return found;
        Matcher paren = CHOICE_PAREN.matcher(text);
        while (paren.find()) if (letters.indexOf(paren.group(1)) >= 0) found = paren.group(1);
        return found;
    }

    /** The letter when the whole (short) text is just a choice: "B", "(B)", "\text{B}", "B) 12". */
    private static String letterIn(String text, String letters) {
        String t = Normalizer.unwrapText(text.strip()).replace("$", "").strip();
        Matcher m = CHOICE_ALONE.matcher(t);
        if (m.matches()) {
            String letter = m.group(1).toUpperCase(Locale.ROOT);
            if (letters.indexOf(letter) >= 0 && (Character.isUpperCase(m.group(1).charAt(0)) || t.length() <= 3)) return letter;
        }
        return null;
    }

    private static String leadingLetter(String rest, String letters) {
        String t = Normalizer.unwrapText(rest.replace("$", "").replace("*", "")).strip();
        if (t.startsWith("\\boxed")) {
            String b = lastBoxed(t);
            if (b != null) t = b;
        }
        Matcher m = CHOICE_LEADING.matcher(t);
        if (!m.find()) return null;
        String letter = m.group(1).toUpperCase(Locale.ROOT);
        if (m.group(1).equals("a") && t.length() > 2 && Character.isWhitespace(t.charAt(1))) return null;
        return letters.indexOf(letter) >= 0 ? letter : null;
    }

    /** "yes" or "no" (true/false map to yes/no) from the box, "the answer is", the first word, else the last mention. */
    public static String extractYesNo(String text) {
        if (text == null) return null;
        String boxed = lastBoxed(text);
        if (boxed != null) {
            String v = yesNoWord(Normalizer.unwrapText(boxed));
            if (v != null) return v;
        }
        Matcher m = ANSWER_IS.matcher(text);
        String found = null;
        while (m.find()) {
            Matcher w = YES_NO.matcher(text.substring(m.end()));
            if (w.lookingAt() || (w.find() && w.start() <= 4)) found = yesNo(w.group(1));
        }
        if (found != null) return found;
        Matcher first = YES_NO_FIRST.matcher(text.strip());
        if (first.find()) return yesNo(first.group(1));
        Matcher any = YES_NO.matcher(text);
        while (any.find()) found = yesNo(any.group(1));
        return found;
    }

    private static String yesNoWord(String s) {
        Matcher m = YES_NO_ALONE.matcher(s.strip());
        return m.matches() ? yesNo(m.group(1)) : null;
    }

    private static String yesNo(String word) {
        String w = word.toLowerCase(Locale.ROOT);
        return w.equals("yes") || w.equals("true") ? "yes" : "no";
    }
}
