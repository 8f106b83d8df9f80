package neurosteer.engine.tokenizer;

import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Pre-tokenizer regexes. Hugging Face writes them for Oniguruma, where {@code \s} is Unicode White_Space
 * and {@code (?i)} folds case by Unicode rules; {@link #compile} gives them the same meaning in java.util.regex.
 */
final class SplitPatterns {
    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";

    private static final String CONTRACTIONS_ASCII_CASE = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])";

    /** llama.cpp's regex lists by {@code tokenizer.ggml.pre}; each regex further splits the previous words. */
    static final Map<String, List<String>> GGUF_FAMILIES = Map.of(
            "llama3", List.of(CONTRACTIONS_ASCII_CASE
                    + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
            "qwen2", List.of(CONTRACTIONS_ASCII_CASE
                    + "|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"),
            "gpt2", List.of(GPT2),
            "default", List.of("[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]"));

    static final Map<String, String> GGUF_PRE_ALIASES = Map.ofEntries(
            Map.entry("llama-bpe", "llama3"), Map.entry("llama3", "llama3"), Map.entry("llama-v3", "llama3"),
            Map.entry("qwen2", "qwen2"), Map.entry("qwen3", "qwen2"), Map.entry("deepseek-r1-qwen", "qwen2"),
            Map.entry("gpt-2", "gpt2"), Map.entry("gpt2", "gpt2"), Map.entry("default", "default"));

    private SplitPatterns() {}

    static Pattern compile(String onigurumaRegex) {
        String java = onigurumaRegex.replace("(?i:", "(?iu:");
        return Pattern.compile(java, Pattern.UNICODE_CHARACTER_CLASS);
    }
}
