package neurosteer.engine.tokenizer;

import java.util.BitSet;

/**
 * The text of every token id, in one {@code char} array. A 128k vocabulary held as {@code String}s takes about
 * 9 MB (an object and an array per token); this takes about 2 MB, and makes a {@code String} only when asked.
 */
final class TokenTexts {
    private final char[] chars;
    /** Token {@code id} is {@code chars[starts[id], starts[id + 1])}. */
    private final int[] starts;
    private final BitSet present;

    private TokenTexts(char[] chars, int[] starts, BitSet present) {
        this.chars = chars;
        this.starts = starts;
        this.present = present;
    }

    /** {@code tokens[id]} for every id; null entries are ids without a token. */
    static TokenTexts of(String[] tokens) {
        long total = 0;
        for (String t : tokens) if (t != null) total += t.length();
        if (total > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("the tokens' text is too long: " + total + " characters");
        char[] chars = new char[(int) total];
        int[] starts = new int[tokens.length + 1];
        BitSet present = new BitSet(tokens.length);
        int at = 0;
        for (int id = 0; id < tokens.length; id++) {
            starts[id] = at;
            String t = tokens[id];
            if (t == null) continue;
            t.getChars(0, t.length(), chars, at);
            at += t.length();
            present.set(id);
        }
        starts[tokens.length] = at;
        return new TokenTexts(chars, starts, present);
    }

    /** Ids from 0 up to the highest, with or without a token. */
    int size() { return starts.length - 1; }

    boolean has(int id) { return id >= 0 && id < size() && present.get(id); }

    /** The token of {@code id}, or null where the id has none. */
    String get(int id) {
        return has(id) ? new String(chars, starts[id], starts[id + 1] - starts[id]) : null;
    }

    /** Whether {@code id} has a token and it is {@code text}. */
    boolean matches(int id, String text) {
        if (!has(id)) return false;
        int start = starts[id], length = starts[id + 1] - start;
        if (text.length() != length) return false;
        for (int i = 0; i < length; i++) if (chars[start + i] != text.charAt(i)) return false;
        return true;
    }

    /** Whether ids {@code a} and {@code b}, which must have tokens, have the same text. */
    boolean sameText(int a, int b) {
        int length = starts[a + 1] - starts[a];
        if (starts[b + 1] - starts[b] != length) return false;
        for (int i = 0; i < length; i++) if (chars[starts[a] + i] != chars[starts[b] + i]) return false;
        return true;
    }

    /** {@link String#hashCode} of the token of {@code id}, which must have one. */
    int hash(int id) {
        int h = 0;
        for (int i = starts[id]; i < starts[id + 1]; i++) h = 31 * h + chars[i];
        return h;
    }
}
