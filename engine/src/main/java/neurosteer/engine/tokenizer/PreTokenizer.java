package neurosteer.engine.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One step that cuts text into words (and maps them to the vocabulary's alphabet). */
interface PreTokenizer {
    /** @param atTextStart whether {@code pieces.get(0)} begins the whole input text */
    List<String> apply(List<String> pieces, boolean atTextStart);

    /** Splits every piece at each match of {@code pattern}, keeping matches and the text between as words. */
    record RegexSplit(Pattern pattern) implements PreTokenizer {
        @Override
        public List<String> apply(List<String> pieces, boolean atTextStart) {
            List<String> out = new ArrayList<>();
            for (String piece : pieces) {
                Matcher m = pattern.matcher(piece);
                int last = 0;
                while (m.find()) {
                    if (m.end() == m.start()) continue;
                    if (m.start() > last) out.add(piece.substring(last, m.start()));
                    out.add(piece.substring(m.start(), m.end()));
                    last = m.end();
                }
                if (last < piece.length()) out.add(piece.substring(last));
            }
            return out;
        }
    }

    /** GPT-2 byte-level step: optional prefix space, optional GPT-2 split, then bytes to the printable alphabet. */
    record ByteLevel(boolean addPrefixSpace, boolean useRegex) implements PreTokenizer {
        private static final RegexSplit GPT2 = new RegexSplit(SplitPatterns.compile(SplitPatterns.GPT2));

        @Override
        public List<String> apply(List<String> pieces, boolean atTextStart) {
            List<String> prefixed = pieces;
            if (addPrefixSpace) {
                prefixed = new ArrayList<>(pieces.size());
                for (String p : pieces) prefixed.add(p.startsWith(" ") ? p : " " + p);
            }
            List<String> words = useRegex ? GPT2.apply(prefixed, atTextStart) : prefixed;
            List<String> out = new ArrayList<>(words.size());
            for (String w : words) out.add(ByteLevelAlphabet.encode(w));
            return out;
        }
    }

    /** SentencePiece's metaspace: spaces become {@code replacement}, optionally prepended and split before. */
    record Metaspace(String replacement, String prependScheme, boolean split) implements PreTokenizer {
        @Override
        public List<String> apply(List<String> pieces, boolean atTextStart) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < pieces.size(); i++) {
                String p = pieces.get(i).replace(" ", replacement);
                boolean prepend = switch (prependScheme) {
                    case "always" -> true;
                    case "first" -> i == 0 && atTextStart;
                    default -> false;
                };
                if (prepend && !p.startsWith(replacement)) p = replacement + p;
                if (!split) {
                    out.add(p);
                    continue;
                }
                int last = 0;
                for (int at = p.indexOf(replacement, 1); at > 0; at = p.indexOf(replacement, at + 1)) {
                    out.add(p.substring(last, at));
                    last = at;
                }
                out.add(p.substring(last));
            }
            return out;
        }
    }
}
