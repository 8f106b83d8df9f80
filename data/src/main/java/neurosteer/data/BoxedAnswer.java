package neurosteer.data;

/** Finds the content of the last {@code \boxed{...}} (or {@code \fbox{...}}, or {@code \boxed 5}) in a LaTeX text. */
public final class BoxedAnswer {
    private BoxedAnswer() {}

    /** The content of the last box, braces matched (escaped braces {@code \{ \}} do not count), or null if there is none. */
    public static String last(String text) {
        if (text == null) return null;
        int boxed = text.lastIndexOf("\\boxed");
        int fbox = text.lastIndexOf("\\fbox");
        int start;
        int afterCommand;
        if (boxed < 0 && fbox < 0) return null;
        if (boxed >= fbox) {
            start = boxed;
            afterCommand = boxed + "\\boxed".length();
        } else {
            start = fbox;
            afterCommand = fbox + "\\fbox".length();
        }
        int i = afterCommand;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) i++;
        if (i < text.length() && text.charAt(i) == '{') {
            int end = matchingBrace(text, i);
            if (end < 0) return null;
            return text.substring(i + 1, end).trim();
        }
        if (i > afterCommand) {
            // "\boxed 5": the argument is the next token, up to a space or '$'
            int end = i;
            while (end < text.length() && text.charAt(end) != '$' && !Character.isWhitespace(text.charAt(end))) end++;
            String token = text.substring(i, end);
            if (!token.isEmpty()) return token;
        }
        // e.g. "\boxedfoo" is not a box: look further left
        return lastBefore(text, start);
    }

    private static String lastBefore(String text, int index) {
        return index <= 0 ? null : last(text.substring(0, index));
    }

    /** Index of the '}' closing the '{' at {@code open}, or -1 if it is never closed. */
    static int matchingBrace(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\') {
                i++; // skip the escaped character, e.g. \{ or \}
                continue;
            }
            if (c == '{') depth++;
            else if (c == '}' && --depth == 0) return i;
        }
        return -1;
    }
}
