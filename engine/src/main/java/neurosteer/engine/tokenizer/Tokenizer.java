package neurosteer.engine.tokenizer;

import java.util.OptionalInt;
import java.util.Set;

/**
 * Text to token ids and back. Implementations reproduce Hugging Face {@code tokenizers} (when loaded
 * from {@code tokenizer.json}) or llama.cpp (when loaded from GGUF metadata).
 */
public interface Tokenizer {
    /**
     * Token ids of {@code text}. Special and added tokens written in the text are matched as single
     * tokens; with {@code addSpecialTokens} the post-processor's tokens (BOS, ...) are added.
     */
    int[] encode(String text, boolean addSpecialTokens);

    /** Text of {@code ids}; with {@code skipSpecial} special tokens are left out. */
    String decode(int[] ids, boolean skipSpecial);

    /** The vocabulary entry of {@code id} as stored (byte-level or ▁ alphabet), e.g. {@code "Ġthe"}. */
    String token(int id);

    int vocabSize();

    OptionalInt id(String token);

    OptionalInt bosId();

    /** Ids that end generation (EOS and, where known, end-of-turn tokens). */
    Set<Integer> eosIds();

    Set<Integer> specialIds();

    /** A decoder for ids arriving one by one that never emits half a character. */
    StreamDecoder streamDecoder(boolean skipSpecial);
}
