package neurosteer.engine.tokenizer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Writes a small, self-made byte-level BPE tokenizer ({@code tokenizer.json} + {@code tokenizer_config.json}
 * with a ChatML chat template) for random-weight test models. Hugging Face tokenizers loads the files.
 */
public final class TokenizerFiles {
    public static final String BOS = "<|begin_of_text|>";
    public static final String EOS = "<|end_of_text|>";
    public static final String IM_START = "<|im_start|>";
    public static final String IM_END = "<|im_end|>";
    public static final String PAD = "<|pad|>";
    private static final List<String> SPECIALS = List.of(BOS, EOS, IM_START, IM_END, PAD);

    /** Smallest vocabulary: the 256 byte tokens and the special tokens. */
    public static final int MIN_VOCAB_SIZE = 256 + SPECIALS.size();

    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    static final String LLAMA3_SPLIT = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final String CORPUS = """
            The quick brown fox jumps over the lazy dog. The dog sleeps in the sun, and the fox runs into the forest.
            A language model reads text as tokens; the tokenizer turns the text into numbers and back into text.
            When the model answers a question, it thinks step by step: first it reads, then it reasons, then it writes.
            def add(a, b):
                return a + b
            for (int i = 0; i < n; i++) { total += values[i]; }
            Numbers like 12, 345 and 6789 appear in the text, and so do words like there, where, these and those.
            """;

    private TokenizerFiles() {}

    /**
     * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code folder} (created if
     * needed) for a vocabulary of exactly {@code vocabSize} ids: 256 byte tokens, merges learned from a
     * built-in English text, filler tokens if the text runs out of merges, and 5 special tokens at the end.
     */
    public static void writeSmallByteLevel(Path folder, int vocabSize) {
        if (vocabSize < MIN_VOCAB_SIZE)
            throw new IllegalArgumentException("vocabSize must be at least " + MIN_VOCAB_SIZE + ", got " + vocabSize);
        int bpeSize = vocabSize - SPECIALS.size();
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) vocab.put(String.valueOf(ByteLevelAlphabet.charOf(b)), vocab.size());
        List<String[]> merges = learnMerges(bpeSize - 256);
        for (String[] m : merges) vocab.putIfAbsent(m[0] + m[1], vocab.size());
        for (int filler = 0; vocab.size() < bpeSize; filler++) vocab.put("<|filler_" + filler + "|>", vocab.size());

        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        for (int i = 0; i < SPECIALS.size(); i++) {
            ObjectNode t = added.addObject();
            t.put("id", bpeSize + i);
            t.put("content", SPECIALS.get(i));
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", LLAMA3_SPLIT);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        ObjectNode byteLevel = steps.addObject();
        byteLevel.put("type", "ByteLevel");
        byteLevel.put("add_prefix_space", false);
        byteLevel.put("trim_offsets", true);
        byteLevel.put("use_regex", false);
        ObjectNode post = root.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("SpecialToken").put("id", BOS).put("type_id", 1);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode bos = post.putObject("special_tokens").putObject(BOS);
        bos.put("id", BOS);
        bos.putArray("ids").add(bpeSize);
        bos.putArray("tokens").add(BOS);
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "ByteLevel");
        decoder.put("add_prefix_space", true);
        decoder.put("trim_offsets", true);
        decoder.put("use_regex", true);
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.putNull("continuing_subword_prefix");
        model.putNull("end_of_word_suffix");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocabNode = model.putObject("vocab");
        vocab.forEach(vocabNode::put);
        ArrayNode mergesNode = model.putArray("merges");
        for (String[] m : merges) mergesNode.add(m[0] + " " + m[1]);

        ObjectNode config = json.createObjectNode();
        config.put("add_bos_token", true);
        config.put("add_eos_token", false);
        config.put("bos_token", BOS);
        config.put("eos_token", IM_END);
        config.put("pad_token", PAD);
        config.put("chat_template", CHAT_TEMPLATE);
        config.put("clean_up_tokenization_spaces", false);
        config.put("model_max_length", 131072);
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        ObjectNode decoderMap = config.putObject("added_tokens_decoder");
        for (int i = 0; i < SPECIALS.size(); i++) {
            ObjectNode t = decoderMap.putObject(String.valueOf(bpeSize + i));
            t.put("content", SPECIALS.get(i));
            t.put("lstrip", false);
            t.put("normalized", false);
            t.put("rstrip", false);
            t.put("single_word", false);
            t.put("special", true);
        }
        try {
            Files.createDirectories(folder);
            json.writeValue(folder.resolve("tokenizer.json").toFile(), root);
            json.writeValue(folder.resolve("tokenizer_config.json").toFile(), config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write tokenizer files into " + folder, e);
        }
    }

    /** Greedy BPE training on {@link #CORPUS}: most frequent adjacent pair first, ties by text order. */
    static List<String[]> learnMerges(int maxMerges) {
        Map<List<String>, Integer> words = new HashMap<>();
        var matcher = SplitPatterns.compile(LLAMA3_SPLIT).matcher(CORPUS);
        while (matcher.find()) {
            String word = ByteLevelAlphabet.encode(matcher.group());
            List<String> symbols = new ArrayList<>();
            word.codePoints().forEach(cp -> symbols.add(Character.toString(cp)));
            words.merge(symbols, 1, Integer::sum);
        }
        List<List<String>> symbolsOfWord = new ArrayList<>(words.keySet());
        List<Integer> counts = new ArrayList<>();
        for (List<String> w : symbolsOfWord) counts.add(words.get(w));
        List<String[]> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            TreeMap<String, Integer> pairCounts = new TreeMap<>();
            for (int w = 0; w < symbolsOfWord.size(); w++) {
                List<String> s = symbolsOfWord.get(w);
                for (int i = 0; i + 1 < s.size(); i++) pairCounts.merge(s.get(i) + " " + s.get(i + 1), counts.get(w), Integer::sum);
            }
            String best = null;
            int bestCount = 1;
            for (var e : pairCounts.entrySet()) {
                if (e.getValue() > bestCount) {
                    best = e.getKey();
                    bestCount = e.getValue();
                }
            }
            if (best == null) break;
            String[] pair = best.split(Pattern.quote(" "), 2);
            merges.add(pair);
            for (List<String> s : symbolsOfWord) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(pair[0]) && s.get(i + 1).equals(pair[1])) {
                        s.set(i, pair[0] + pair[1]);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return merges;
    }
}
