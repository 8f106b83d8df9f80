package neurosteer.engine.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Decodes ids fed one at a time. {@link #next(int)} returns only whole characters; bytes of a
 * character split across tokens wait for the rest. {@link #flush()} returns what is left (an
 * incomplete character becomes U+FFFD). For valid text the concatenated output equals
 * {@link Tokenizer#decode(int[], boolean)} of all ids.
 */
public final class StreamDecoder {
    private final PipelineTokenizer tokenizer;
    private final boolean skipSpecial;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private int leadingSpacesToStrip;
    private boolean first = true;

    StreamDecoder(PipelineTokenizer tokenizer, boolean skipSpecial) {
        this.tokenizer = tokenizer;
        this.skipSpecial = skipSpecial;
        this.leadingSpacesToStrip = tokenizer.leadingSpacesToStrip();
    }

    public String next(int id) {
        if (skipSpecial && tokenizer.specialIds().contains(id)) return "";
        byte[] bytes = tokenizer.pieceBytes(id, skipSpecial, first);
        first = false;
        if (bytes.length == 0) return "";
        int from = 0;
        while (leadingSpacesToStrip > 0 && pending.size() == 0 && from < bytes.length && bytes[from] == ' ') {
            from++;
            leadingSpacesToStrip--;
        }
        if (from < bytes.length) leadingSpacesToStrip = 0;
        pending.write(bytes, from, bytes.length - from);
        byte[] all = pending.toByteArray();
        int complete = completePrefixLength(all);
        if (complete == 0) return "";
        pending.reset();
        pending.write(all, complete, all.length - complete);
        return lossyUtf8(all, 0, complete);
    }

    public String flush() {
        byte[] all = pending.toByteArray();
        pending.reset();
        return lossyUtf8(all, 0, all.length);
    }

    /** Length of the longest prefix that does not end inside a (still possibly valid) UTF-8 sequence. */
    static int completePrefixLength(byte[] bytes) {
        int n = bytes.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int b = bytes[n - back] & 0xFF;
            if (b < 0x80) return n;
            if (b >= 0xC0) {
                int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
                if (b >= 0xF8) return n;
                return back < need ? n - back : n;
            }
        }
        return n;
    }

    static String lossyUtf8(byte[] bytes, int offset, int length) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(bytes, offset, length)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
