package neurosteer.toy.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The toy model's byte-level BPE tokenizer, in the layout of Llama 3's Hugging Face tokenizer: the
 * Llama 3 split regex, byte-to-unicode mapping, BPE merges trained here on the toy data (never
 * across a digit, so every digit stays its own token), five special tokens after the BPE vocabulary
 * and a post-processor that prepends {@code <|begin_of_text|>}.
 *
 * <p>{@link #encode} reproduces what Hugging Face {@code tokenizers} gives for the written
 * {@code tokenizer.json} (checked against DJL in the tests).
 */
public final class ToyTokenizer {
    public static final String BOS = "<|begin_of_text|>";
    public static final String END_OF_TEXT = "<|end_of_text|>";
    public static final String START_HEADER = "<|start_header_id|>";
    public static final String END_HEADER = "<|end_header_id|>";
    public static final String EOT = "<|eot_id|>";
    public static final List<String> SPECIALS = List.of(BOS, END_OF_TEXT, START_HEADER, END_HEADER, EOT);

    /** Llama 3's pre-tokenizer pattern (Java and Rust regex agree on it for ASCII text). */
    public static final String SPLIT_REGEX =
            "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    public static final String CHAT_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{{ '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' }}"
            + "{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    private static final Pattern SPLIT = Pattern.compile(SPLIT_REGEX);
    private static final Pattern SPECIAL_SPLIT = Pattern.compile(
            String.join("|", SPECIALS.stream().map(Pattern::quote).toList()));
    private static final char[] BYTE_TO_CHAR = byteToUnicode();
    private static final Map<Character, Integer> CHAR_TO_BYTE = new HashMap<>();

    static {
        for (int b = 0; b < 256; b++) CHAR_TO_BYTE.put(BYTE_TO_CHAR[b], b);
    }

    private final List<String> vocab;
    private final Map<String, Integer> ids;
    private final List<String[]> merges;
    private final Map<String, Integer> mergeRank;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    private ToyTokenizer(List<String> bpeVocab, List<String[]> merges) {
        this.vocab = new ArrayList<>(bpeVocab);
        this.vocab.addAll(SPECIALS);
        this.merges = List.copyOf(merges);
        this.ids = new HashMap<>();
        for (int i = 0; i < vocab.size(); i++) ids.put(vocab.get(i), i);
        this.mergeRank = new HashMap<>();
        for (int i = 0; i < merges.size(); i++) mergeRank.put(merges.get(i)[0] + " " + merges.get(i)[1], i);
    }

    public int vocabSize() { return vocab.size(); }
    public int id(String token) {
        Integer id = ids.get(token);
        if (id == null) throw new IllegalArgumentException("no token '" + token + "'");
        return id;
    }
    public int bosId() { return id(BOS); }
    public int eotId() { return id(EOT); }
    public int endOfTextId() { return id(END_OF_TEXT); }
    public List<String[]> merges() { return merges; }

    /** The chat-formatted prompt for one user message, ending where the assistant's reply starts. */
    public static String chatPrompt(String userMessage) {
        return BOS + START_HEADER + "user" + END_HEADER + "\n\n" + userMessage.strip() + EOT + START_HEADER + "assistant" + END_HEADER + "\n\n";
    }

    // ---------------------------------------------------------------- training

    /** Learns {@code mergeCount} merges from the texts (specials removed), never merging a digit. */
    public static ToyTokenizer train(Iterable<String> texts, int mergeCount) {
        Map<String, Integer> wordCounts = new HashMap<>();
        for (String text : texts)
            for (String piece : SPECIAL_SPLIT.split(text))
                for (String chunk : preTokenize(piece)) wordCounts.merge(chunk, 1, Integer::sum);
        List<List<String>> words = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        wordCounts.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            List<String> symbols = new ArrayList<>();
            for (char c : e.getKey().toCharArray()) symbols.add(String.valueOf(c));
            words.add(symbols);
            counts.add(e.getValue());
        });
        List<String> bpeVocab = new ArrayList<>();
        for (int b = 0; b < 256; b++) bpeVocab.add(String.valueOf(BYTE_TO_CHAR[b]));
        List<String[]> merges = new ArrayList<>();
        for (int m = 0; m < mergeCount; m++) {
            Map<String, Long> pairCounts = new HashMap<>();
            for (int w = 0; w < words.size(); w++) {
                List<String> s = words.get(w);
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (hasDigit(s.get(i)) || hasDigit(s.get(i + 1))) continue;
                    pairCounts.merge(s.get(i) + " " + s.get(i + 1), (long) counts.get(w), Long::sum);
                }
            }
            String best = null;
            long bestCount = 1;
            for (Map.Entry<String, Long> e : pairCounts.entrySet()) {
                long c = e.getValue();
                if (c > bestCount || (c == bestCount && best != null && e.getKey().compareTo(best) < 0)) {
                    best = e.getKey();
                    bestCount = c;
                }
            }
            if (best == null) break;
            String[] pair = best.split(" ", 2);
            merges.add(pair);
            String joined = pair[0] + pair[1];
            bpeVocab.add(joined);
            for (List<String> s : words) {
                for (int i = 0; i + 1 < s.size(); i++) {
                    if (s.get(i).equals(pair[0]) && s.get(i + 1).equals(pair[1])) {
                        s.set(i, joined);
                        s.remove(i + 1);
                    }
                }
            }
        }
        return new ToyTokenizer(bpeVocab, merges);
    }

    private static boolean hasDigit(String symbol) {
        for (int i = 0; i < symbol.length(); i++) {
            char c = symbol.charAt(i);
            if (c >= '0' && c <= '9') return true;
        }
        return false;
    }

    /** Regex split, then each chunk's UTF-8 bytes mapped to the byte-level alphabet. */
    static List<String> preTokenize(String text) {
        List<String> chunks = new ArrayList<>();
        Matcher m = SPLIT.matcher(text);
        while (m.find()) {
            byte[] bytes = m.group().getBytes(StandardCharsets.UTF_8);
            StringBuilder sb = new StringBuilder(bytes.length);
            for (byte b : bytes) sb.append(BYTE_TO_CHAR[b & 0xFF]);
            chunks.add(sb.toString());
        }
        return chunks;
    }

    // ---------------------------------------------------------------- encoding

    /** Token ids of {@code text}; special tokens written in the text become their ids. No BOS is added. */
    public int[] encode(String text) {
        List<Integer> out = new ArrayList<>();
        Matcher m = SPECIAL_SPLIT.matcher(text);
        int pos = 0;
        while (m.find()) {
            encodeOrdinary(text.substring(pos, m.start()), out);
            out.add(ids.get(m.group()));
            pos = m.end();
        }
        encodeOrdinary(text.substring(pos), out);
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private void encodeOrdinary(String text, List<Integer> out) {
        if (text.isEmpty()) return;
        for (String chunk : preTokenize(text)) for (int id : cache.computeIfAbsent(chunk, this::bpe)) out.add(id);
    }

    private int[] bpe(String chunk) {
        List<String> symbols = new ArrayList<>();
        for (char c : chunk.toCharArray()) symbols.add(String.valueOf(c));
        while (symbols.size() > 1) {
            int bestRank = Integer.MAX_VALUE;
            for (int i = 0; i + 1 < symbols.size(); i++) {
                Integer rank = mergeRank.get(symbols.get(i) + " " + symbols.get(i + 1));
                if (rank != null && rank < bestRank) bestRank = rank;
            }
            if (bestRank == Integer.MAX_VALUE) break;
            String[] pair = merges.get(bestRank);
            List<String> next = new ArrayList<>(symbols.size());
            for (int i = 0; i < symbols.size(); i++) {
                if (i + 1 < symbols.size() && symbols.get(i).equals(pair[0]) && symbols.get(i + 1).equals(pair[1])) {
                    next.add(pair[0] + pair[1]);
                    i++;
                } else {
                    next.add(symbols.get(i));
                }
            }
            symbols = next;
        }
        int[] result = new int[symbols.size()];
        for (int i = 0; i < result.length; i++) result[i] = ids.get(symbols.get(i));
        return result;
    }

    /** Text of the ids; special tokens are written out unless {@code skipSpecial}. */
    public String decode(int[] tokenIds, boolean skipSpecial) {
        StringBuilder sb = new StringBuilder();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int firstSpecial = vocab.size() - SPECIALS.size();
        for (int id : tokenIds) {
            if (id < 0 || id >= vocab.size()) throw new IllegalArgumentException("token id " + id + " outside vocabulary of " + vocab.size());
            if (id >= firstSpecial) {
                sb.append(bytes.toString(StandardCharsets.UTF_8));
                bytes.reset();
                if (!skipSpecial) sb.append(vocab.get(id));
                continue;
            }
            for (char c : vocab.get(id).toCharArray()) bytes.write(CHAR_TO_BYTE.get(c));
        }
        sb.append(bytes.toString(StandardCharsets.UTF_8));
        return sb.toString();
    }

    // ---------------------------------------------------------------- files

    /** Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir}. */
    public void save(Path dir, int maxLength) throws IOException {
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("version", "1.0");
        root.put("truncation", null);
        root.put("padding", null);
        List<Object> added = new ArrayList<>();
        for (String special : SPECIALS) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("id", ids.get(special));
            t.put("content", special);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
            added.add(t);
        }
        root.put("added_tokens", added);
        root.put("normalizer", null);
        root.put("pre_tokenizer", Map.of("type", "Sequence", "pretokenizers", List.of(
                ordered("type", "Split", "pattern", Map.of("Regex", SPLIT_REGEX), "behavior", "Isolated", "invert", false),
                ordered("type", "ByteLevel", "add_prefix_space", false, "trim_offsets", true, "use_regex", false))));
        Map<String, Object> bosSpec = ordered("id", BOS, "ids", List.of(bosId()), "tokens", List.of(BOS));
        root.put("post_processor", ordered("type", "Sequence", "processors", List.of(
                ordered("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", false, "use_regex", true),
                ordered("type", "TemplateProcessing",
                        "single", List.of(Map.of("SpecialToken", ordered("id", BOS, "type_id", 0)), Map.of("Sequence", ordered("id", "A", "type_id", 0))),
                        "pair", List.of(Map.of("SpecialToken", ordered("id", BOS, "type_id", 0)), Map.of("Sequence", ordered("id", "A", "type_id", 0)),
                                Map.of("SpecialToken", ordered("id", BOS, "type_id", 1)), Map.of("Sequence", ordered("id", "B", "type_id", 1))),
                        "special_tokens", Map.of(BOS, bosSpec)))));
        root.put("decoder", ordered("type", "ByteLevel", "add_prefix_space", true, "trim_offsets", true, "use_regex", true));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("type", "BPE");
        model.put("dropout", null);
        model.put("unk_token", null);
        model.put("continuing_subword_prefix", null);
        model.put("end_of_word_suffix", null);
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        Map<String, Integer> vocabMap = new LinkedHashMap<>();
        int bpeSize = vocab.size() - SPECIALS.size();
        for (int i = 0; i < bpeSize; i++) vocabMap.put(vocab.get(i), i);
        model.put("vocab", vocabMap);
        model.put("merges", merges.stream().map(p -> p[0] + " " + p[1]).toList());
        root.put("model", model);
        json.writeValue(dir.resolve("tokenizer.json").toFile(), root);

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("add_bos_token", true);
        config.put("add_eos_token", false);
        Map<String, Object> decoderTokens = new LinkedHashMap<>();
        for (String special : SPECIALS)
            decoderTokens.put(Integer.toString(ids.get(special)), ordered("content", special, "lstrip", false, "normalized", false,
                    "rstrip", false, "single_word", false, "special", true));
        config.put("added_tokens_decoder", decoderTokens);
        config.put("bos_token", BOS);
        config.put("eos_token", EOT);
        config.put("chat_template", CHAT_TEMPLATE);
        config.put("clean_up_tokenization_spaces", false);
        config.put("model_input_names", List.of("input_ids", "attention_mask"));
        config.put("model_max_length", maxLength);
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        json.writeValue(dir.resolve("tokenizer_config.json").toFile(), config);
    }

    /** Reads a {@code tokenizer.json} this class wrote (vocab and merges). */
    public static ToyTokenizer read(Path tokenizerJson) throws IOException {
        JsonNode root = new ObjectMapper().readTree(tokenizerJson.toFile());
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText()))
            throw new IOException(tokenizerJson + ": key 'model.type' is not BPE");
        JsonNode vocabNode = model.path("vocab");
        String[] bpeVocab = new String[vocabNode.size()];
        for (Iterator<Map.Entry<String, JsonNode>> it = vocabNode.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id = e.getValue().asInt(-1);
            if (id < 0 || id >= bpeVocab.length || bpeVocab[id] != null)
                throw new IOException(tokenizerJson + ": key 'model.vocab' has a bad or repeated id for '" + e.getKey() + "'");
            bpeVocab[id] = e.getKey();
        }
        List<String[]> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) {
            String[] pair = m.isArray() ? new String[] {m.get(0).asText(), m.get(1).asText()} : m.asText().split(" ", 2);
            if (pair.length != 2) throw new IOException(tokenizerJson + ": key 'model.merges' has a malformed entry '" + m + "'");
            merges.add(pair);
        }
        ToyTokenizer tokenizer = new ToyTokenizer(List.of(bpeVocab), merges);
        for (JsonNode t : root.path("added_tokens")) {
            String content = t.path("content").asText();
            if (tokenizer.ids.getOrDefault(content, -1) != t.path("id").asInt())
                throw new IOException(tokenizerJson + ": key 'added_tokens' gives '" + content + "' id " + t.path("id") + ", this reader expects "
                        + tokenizer.ids.get(content));
        }
        return tokenizer;
    }

    private static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) map.put((String) keyValues[i], keyValues[i + 1]);
        return map;
    }

    /** GPT-2's reversible map from bytes to printable unicode characters. */
    private static char[] byteToUnicode() {
        char[] map = new char[256];
        boolean[] direct = new boolean[256];
        for (int b = '!'; b <= '~'; b++) direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) direct[b] = true;
        int next = 0;
        for (int b = 0; b < 256; b++) map[b] = direct[b] ? (char) b : (char) (256 + next++);
        return map;
    }
}
