package neurosteer.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The tokenizer pipeline shared by every supported format: added-token matching, normalization,
 * pre-tokenization, a word model (BPE by rank or by score), post-processing, and decoding.
 */
final class PipelineTokenizer implements Tokenizer {
    /** How token strings turn back into bytes. */
    enum Decoding { BYTE_LEVEL, SENTENCEPIECE, JOIN_WITH_SPACES }

    /**
     * @param firstTokenDrops a string removed entirely from the first decoded token instead of being replaced
     *                        (Hugging Face's Metaspace decoder does this with ▁), or null
     */
    record Decoder(Decoding decoding, List<String[]> replacements, boolean byteFallback, int leadingSpacesToStrip,
                   String firstTokenDrops) {
        Decoder(Decoding decoding, List<String[]> replacements, boolean byteFallback, int leadingSpacesToStrip) {
            this(decoding, replacements, byteFallback, leadingSpacesToStrip, null);
        }
    }

    private final TokenTexts tokens;
    private final TokenIds ids;
    private final AddedTokenMatcher rawAddedTokens;
    private final AddedTokenMatcher normalizedAddedTokens;
    private final UnaryOperator<String> normalizer;
    private final List<PreTokenizer> preTokenizers;
    private final WordModel model;
    private final int[] prefixIds;
    private final int[] suffixIds;
    private final Decoder decoder;
    private final BitSet special;
    private final BitSet verbatim;
    private final OptionalInt bosId;
    private final Set<Integer> eosIds;
    private final Set<Integer> specialIds;

    PipelineTokenizer(TokenTexts tokens, TokenIds ids, AddedTokenMatcher rawAddedTokens,
                      AddedTokenMatcher normalizedAddedTokens, UnaryOperator<String> normalizer,
                      List<PreTokenizer> preTokenizers, WordModel model, int[] prefixIds, int[] suffixIds,
                      Decoder decoder, BitSet special, BitSet verbatim, OptionalInt bosId, Set<Integer> eosIds) {
        this.tokens = tokens;
        this.ids = ids;
        this.rawAddedTokens = rawAddedTokens;
        this.normalizedAddedTokens = normalizedAddedTokens;
        this.normalizer = normalizer;
        this.preTokenizers = preTokenizers;
        this.model = model;
        this.prefixIds = prefixIds;
        this.suffixIds = suffixIds;
        this.decoder = decoder;
        this.special = special;
        this.verbatim = verbatim;
        this.bosId = bosId;
        this.eosIds = Collections.unmodifiableSet(new LinkedHashSet<>(eosIds));
        Set<Integer> specials = new LinkedHashSet<>();
        special.stream().forEach(specials::add);
        this.specialIds = Collections.unmodifiableSet(specials);
    }

    @Override
    public int[] encode(String text, boolean addSpecialTokens) {
        IntList out = new IntList();
        if (addSpecialTokens) out.addAll(prefixIds);
        for (AddedTokenMatcher.Segment raw : rawAddedTokens.split(text, true)) {
            if (raw.isToken()) {
                out.add(raw.id());
                continue;
            }
            String normalized = normalizer.apply(raw.text());
            for (AddedTokenMatcher.Segment piece : normalizedAddedTokens.split(normalized, raw.atTextStart())) {
                if (piece.isToken()) {
                    out.add(piece.id());
                    continue;
                }
                List<String> words = List.of(piece.text());
                for (PreTokenizer step : preTokenizers) words = step.apply(words, piece.atTextStart());
                for (String word : words) model.encode(word, out);
            }
        }
        if (addSpecialTokens) out.addAll(suffixIds);
        return out.toArray();
    }

    @Override
    public String decode(int[] idsToDecode, boolean skipSpecial) {
        String text = switch (decoder.decoding()) {
            case BYTE_LEVEL -> {
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                for (int id : idsToDecode) bytes.writeBytes(pieceBytes(id, skipSpecial, false));
                yield StreamDecoder.lossyUtf8(bytes.toByteArray(), 0, bytes.size());
            }
            case SENTENCEPIECE -> decodeSentencePiece(idsToDecode, skipSpecial);
            case JOIN_WITH_SPACES -> {
                List<String> parts = new ArrayList<>();
                for (int id : idsToDecode) if (!(skipSpecial && isSpecial(id))) parts.add(token(id));
                yield String.join(" ", parts);
            }
        };
        int strip = 0;
        while (strip < decoder.leadingSpacesToStrip() && strip < text.length() && text.charAt(strip) == ' ') strip++;
        return text.substring(strip);
    }

    /** Byte-fallback groups that are not valid UTF-8 become one U+FFFD per byte, as Hugging Face's ByteFallback does. */
    private String decodeSentencePiece(int[] idsToDecode, boolean skipSpecial) {
        StringBuilder sb = new StringBuilder();
        ByteArrayOutputStream group = new ByteArrayOutputStream();
        boolean first = true;
        for (int id : idsToDecode) {
            if (skipSpecial && isSpecial(id)) continue;
            int b = decoder.byteFallback() && !verbatim.get(id) ? byteOfToken(token(id)) : -1;
            if (b >= 0) {
                group.write(b);
                first = false;
                continue;
            }
            flushGroup(group, sb);
            sb.append(pieceText(id, first));
            first = false;
        }
        flushGroup(group, sb);
        return sb.toString();
    }

    private static void flushGroup(ByteArrayOutputStream group, StringBuilder sb) {
        if (group.size() == 0) return;
        byte[] bytes = group.toByteArray();
        group.reset();
        try {
            sb.append(StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)));
        } catch (java.nio.charset.CharacterCodingException e) {
            sb.append("\uFFFD".repeat(bytes.length));
        }
    }

    private String pieceText(int id, boolean first) {
        String text = token(id);
        if (verbatim.get(id)) return text;
        if (first && decoder.firstTokenDrops() != null) text = text.replace(decoder.firstTokenDrops(), "");
        for (String[] r : decoder.replacements()) text = text.replace(r[0], r[1]);
        return text;
    }

    /** The bytes one token contributes to decoded text (before the leading-space strip). */
    byte[] pieceBytes(int id, boolean skipSpecial, boolean first) {
        if (skipSpecial && isSpecial(id)) return new byte[0];
        if (verbatim.get(id)) return token(id).getBytes(StandardCharsets.UTF_8);
        return switch (decoder.decoding()) {
            case BYTE_LEVEL -> ByteLevelAlphabet.decode(token(id));
            case SENTENCEPIECE -> {
                int b = decoder.byteFallback() ? byteOfToken(token(id)) : -1;
                yield b >= 0 ? new byte[] {(byte) b} : pieceText(id, first).getBytes(StandardCharsets.UTF_8);
            }
            case JOIN_WITH_SPACES -> (" " + token(id)).getBytes(StandardCharsets.UTF_8);
        };
    }

    int leadingSpacesToStrip() {
        return decoder.decoding() == Decoding.JOIN_WITH_SPACES ? 1 : decoder.leadingSpacesToStrip();
    }

    /** The byte of a {@code <0xNN>} token, or -1. */
    static int byteOfToken(String token) {
        if (token.length() != 6 || !token.startsWith("<0x") || token.charAt(5) != '>') return -1;
        int hi = Character.digit(token.charAt(3), 16), lo = Character.digit(token.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }

    private boolean isSpecial(int id) { return id >= 0 && special.get(id); }

    @Override
    public String token(int id) {
        String token = tokens.get(id);
        if (token == null) throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + tokens.size());
        return token;
    }

    @Override
    public int vocabSize() { return tokens.size(); }

    @Override
    public OptionalInt id(String token) {
        int id = ids.id(token);
        return id < 0 ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public OptionalInt bosId() { return bosId; }

    @Override
    public Set<Integer> eosIds() { return eosIds; }

    @Override
    public Set<Integer> specialIds() { return specialIds; }

    @Override
    public StreamDecoder streamDecoder(boolean skipSpecial) { return new StreamDecoder(this, skipSpecial); }
}
