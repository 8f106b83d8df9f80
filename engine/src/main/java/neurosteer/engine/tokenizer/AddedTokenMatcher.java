package neurosteer.engine.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Finds added/special tokens written in text and cuts the text around them. */
final class AddedTokenMatcher {
    record AddedToken(String content, int id, boolean lstrip, boolean rstrip) {}

    /** A piece of text ({@code id < 0}) or a matched token; {@code atTextStart}: the piece starts the input. */
    record Segment(String text, int id, boolean atTextStart) {
        boolean isToken() { return id >= 0; }
    }

    /** How overlapping candidates are resolved. */
    enum Order {
        /** Hugging Face: scan left to right, longest token at each position. */
        LEFTMOST_LONGEST,
        /** llama.cpp: longest token first over the whole text, then the next longest in the remaining text. */
        LONGEST_FIRST
    }

    private final Map<Character, List<AddedToken>> byFirstChar = new HashMap<>();
    private final List<AddedToken> longestFirst;
    private final Order order;

    AddedTokenMatcher(List<AddedToken> tokens, Order order) {
        this.order = order;
        List<AddedToken> sorted = new ArrayList<>();
        for (AddedToken t : tokens) if (!t.content().isEmpty()) sorted.add(t);
        sorted.sort(Comparator.comparingInt((AddedToken t) -> t.content().length()).reversed());
        this.longestFirst = sorted;
        for (AddedToken t : sorted) byFirstChar.computeIfAbsent(t.content().charAt(0), c -> new ArrayList<>()).add(t);
    }

    boolean isEmpty() { return longestFirst.isEmpty(); }

    List<Segment> split(String text, boolean atTextStart) {
        List<Segment> out = new ArrayList<>();
        if (text.isEmpty()) return out;
        if (longestFirst.isEmpty()) {
            out.add(new Segment(text, -1, atTextStart));
            return out;
        }
        List<Object> parts = order == Order.LEFTMOST_LONGEST ? scanLeftmostLongest(text) : scanLongestFirst(text);
        applyStrip(parts);
        int offsetZeroIndex = 0;
        for (Object part : parts) {
            if (part instanceof AddedToken t) {
                out.add(new Segment(t.content(), t.id(), false));
            } else if (!((String) part).isEmpty()) {
                out.add(new Segment((String) part, -1, atTextStart && offsetZeroIndex == 0));
            }
            offsetZeroIndex++;
        }
        return out;
    }

    private List<Object> scanLeftmostLongest(String text) {
        List<Object> parts = new ArrayList<>();
        int textStart = 0;
        for (int i = 0; i < text.length(); ) {
            AddedToken match = null;
            List<AddedToken> candidates = byFirstChar.get(text.charAt(i));
            if (candidates != null) {
                for (AddedToken t : candidates) {
                    if (text.startsWith(t.content(), i)) {
                        match = t;
                        break;
                    }
                }
            }
            if (match == null) {
                i++;
                continue;
            }
            parts.add(text.substring(textStart, i));
            parts.add(match);
            i += match.content().length();
            textStart = i;
        }
        parts.add(text.substring(textStart));
        return parts;
    }

    private List<Object> scanLongestFirst(String text) {
        List<Object> parts = new ArrayList<>(List.of(text));
        for (AddedToken t : longestFirst) {
            List<Object> next = new ArrayList<>();
            for (Object part : parts) {
                if (!(part instanceof String s) || s.length() < t.content().length()) {
                    next.add(part);
                    continue;
                }
                int from = 0;
                for (int at = s.indexOf(t.content()); at >= 0; at = s.indexOf(t.content(), from)) {
                    next.add(s.substring(from, at));
                    next.add(t);
                    from = at + t.content().length();
                }
                next.add(s.substring(from));
            }
            parts = next;
        }
        return parts;
    }

    private static void applyStrip(List<Object> parts) {
        for (int i = 0; i < parts.size(); i++) {
            if (!(parts.get(i) instanceof AddedToken t)) continue;
            if (t.lstrip() && i > 0 && parts.get(i - 1) instanceof String before) parts.set(i - 1, before.stripTrailing());
            if (t.rstrip() && i + 1 < parts.size() && parts.get(i + 1) instanceof String after) parts.set(i + 1, after.stripLeading());
        }
    }
}
