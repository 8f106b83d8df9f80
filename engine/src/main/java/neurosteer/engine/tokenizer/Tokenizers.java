package neurosteer.engine.tokenizer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import neurosteer.engine.format.CheckpointException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/** Loads tokenizers from a Hugging Face folder or from GGUF metadata. */
public final class Tokenizers {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Tokenizers() {}

    // ---------------------------------------------------------------- Hugging Face

    /**
     * Reads {@code tokenizer.json} (required), {@code tokenizer_config.json} (BOS/EOS token names) and
     * {@code generation_config.json} (extra EOS ids), each optional except the first.
     */
    public static Tokenizer fromHuggingFace(Path folder) {
        Path file = folder.resolve("tokenizer.json");
        TokenizerJson tokenizerJson = readTokenizerJson(file);
        JsonNode config = readJson(folder.resolve("tokenizer_config.json"), false);
        JsonNode generation = readJson(folder.resolve("generation_config.json"), false);
        return new HuggingFaceReader(file, tokenizerJson).build(folder.resolve("tokenizer_config.json"), config, generation);
    }

    /** tokenizer.json with the large {@code model.vocab} and {@code model.merges} read without building a JSON tree. */
    record TokenizerJson(ObjectNode root, ObjectNode model, Map<String, Integer> vocab, List<String> mergeLefts,
                                 List<String> mergeRights) {}

    static TokenizerJson readTokenizerJson(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, null, "file not found");
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read: " + e.getMessage(), e);
        }
        String key = null;
        try (JsonParser p = JSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new CheckpointException(file, null, "expected a JSON object");
            ObjectNode root = JSON.createObjectNode();
            ObjectNode model = null;
            Map<String, Integer> vocab = null;
            List<String> lefts = new ArrayList<>(), rights = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (!field.equals("model") || p.currentToken() != JsonToken.START_OBJECT) {
                    key = field;
                    root.set(field, p.readValueAsTree());
                    continue;
                }
                model = JSON.createObjectNode();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String modelField = p.currentName();
                    key = "model." + modelField;
                    JsonToken value = p.nextToken();
                    if (modelField.equals("vocab") && value == JsonToken.START_OBJECT) {
                        vocab = new HashMap<>();
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String token = p.currentName();
                            if (p.nextToken() != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 0 || p.getLongValue() > Integer.MAX_VALUE)
                                throw new CheckpointException(file, "model.vocab." + token, "id is not a non-negative integer");
                            vocab.put(token, p.getIntValue());
                        }
                    } else if (modelField.equals("merges") && value == JsonToken.START_ARRAY) {
                        while (p.nextToken() != JsonToken.END_ARRAY) {
                            String where = "model.merges[" + lefts.size() + "]";
                            if (p.currentToken() == JsonToken.VALUE_STRING) {
                                String merge = p.getText();
                                int space = merge.indexOf(' ');
                                if (space < 0 || merge.indexOf(' ', space + 1) >= 0)
                                    throw new CheckpointException(file, where, "expected 'left right', found '" + merge + "'");
                                lefts.add(merge.substring(0, space));
                                rights.add(merge.substring(space + 1));
                            } else if (p.currentToken() == JsonToken.START_ARRAY && p.nextToken() == JsonToken.VALUE_STRING) {
                                String left = p.getText();
                                if (p.nextToken() != JsonToken.VALUE_STRING) throw new CheckpointException(file, where, "expected a pair of strings");
                                String right = p.getText();
                                if (p.nextToken() != JsonToken.END_ARRAY) throw new CheckpointException(file, where, "expected a pair of strings");
                                lefts.add(left);
                                rights.add(right);
                            } else {
                                throw new CheckpointException(file, where, "expected a string or a pair of strings");
                            }
                        }
                    } else {
                        model.set(modelField, p.readValueAsTree());
                    }
                }
            }
            if (model == null) throw new CheckpointException(file, "model", "missing");
            if (vocab == null) throw new CheckpointException(file, "model.vocab", "missing or not an object of token -> id");
            return new TokenizerJson(root, model, vocab, lefts, rights);
        } catch (IOException e) {
            throw new CheckpointException(file, key, "malformed JSON: " + e.getMessage(), e);
        }
    }

    private static JsonNode readJson(Path file, boolean required) {
        try {
            return JSON.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            if (required) throw new CheckpointException(file, null, "file not found");
            return null;
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read JSON: " + e.getMessage(), e);
        }
    }

    private static final class HuggingFaceReader {
        private final Path file;
        private final JsonNode root;
        private final TokenizerJson parsed;

        HuggingFaceReader(Path file, TokenizerJson parsed) {
            this.file = file;
            this.root = parsed.root();
            this.parsed = parsed;
        }

        private CheckpointException error(String key, String message) { return new CheckpointException(file, key, message); }

        private JsonNode require(JsonNode node, String field, String key) {
            JsonNode value = node == null ? null : node.get(field);
            if (value == null || value.isNull()) throw error(key, "missing");
            return value;
        }

        private String text(JsonNode node, String field, String key) {
            JsonNode value = require(node, field, key);
            if (!value.isTextual()) throw error(key, "expected a string, found " + value.getNodeType());
            return value.asText();
        }

        Tokenizer build(Path configFile, JsonNode config, JsonNode generation) {
            JsonNode model = parsed.model();
            String modelType = model.path("type").asText("BPE");
            if (!modelType.equals("BPE"))
                throw error("model.type", "unsupported tokenizer model '" + modelType + "' (only BPE is implemented)");
            for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
                if (!model.path(affix).asText("").isEmpty())
                    throw error("model." + affix, "unsupported non-empty value '" + model.get(affix).asText() + "'");
            }
            Map<String, Integer> vocab = parsed.vocab();
            int maxId = -1;
            for (int id : vocab.values()) maxId = Math.max(maxId, id);
            List<AddedEntry> added = new ArrayList<>();
            JsonNode addedNode = root.path("added_tokens");
            for (int i = 0; i < addedNode.size(); i++) {
                JsonNode a = addedNode.get(i);
                String key = "added_tokens[" + i + "]";
                int id = require(a, "id", key + ".id").asInt();
                added.add(new AddedEntry(text(a, "content", key + ".content"), id, a.path("special").asBoolean(false),
                        a.path("normalized").asBoolean(!a.path("special").asBoolean(false)),
                        a.path("lstrip").asBoolean(false), a.path("rstrip").asBoolean(false)));
                maxId = Math.max(maxId, id);
            }
            String[] tokens = new String[maxId + 1];
            vocab.forEach((t, id) -> tokens[id] = t);
            BitSet special = new BitSet();
            Map<String, Integer> addedIds = new HashMap<>();
            for (AddedEntry a : added) {
                tokens[a.id] = a.content;
                addedIds.put(a.content, a.id);
                if (a.special) special.set(a.id);
            }
            TokenTexts texts = TokenTexts.of(tokens);
            TokenIds modelVocab = TokenIds.of(texts, vocab, Map.of());
            TokenIds ids = TokenIds.of(texts, vocab, addedIds);

            UnaryOperator<String> normalizer = normalizer(root.get("normalizer"), "normalizer");
            List<AddedTokenMatcher.AddedToken> rawTokens = new ArrayList<>(), normalizedTokens = new ArrayList<>();
            for (AddedEntry a : added) {
                if (a.normalized) normalizedTokens.add(new AddedTokenMatcher.AddedToken(normalizer.apply(a.content), a.id, a.lstrip, a.rstrip));
                else rawTokens.add(new AddedTokenMatcher.AddedToken(a.content, a.id, a.lstrip, a.rstrip));
            }
            List<PreTokenizer> preTokenizers = new ArrayList<>();
            preTokenizer(root.get("pre_tokenizer"), "pre_tokenizer", preTokenizers);

            MergeTable merges = merges(model, modelVocab);
            String unkToken = model.path("unk_token").isTextual() ? model.get("unk_token").asText() : null;
            int unkId = unkToken == null ? -1 : modelVocab.getOrDefault(unkToken, -1);
            if (unkToken != null && unkId < 0) throw error("model.unk_token", "'" + unkToken + "' is not in model.vocab");
            WordModel bpe = new BpeMerges(modelVocab, merges, model.path("ignore_merges").asBoolean(false),
                    model.path("byte_fallback").asBoolean(false), unkId, model.path("fuse_unk").asBoolean(false));

            IntList prefix = new IntList(), suffix = new IntList();
            postProcessor(root.get("post_processor"), "post_processor", prefix, suffix);
            PipelineTokenizer.Decoder decoder = decoder(root.get("decoder"));

            OptionalInt bos = OptionalInt.empty();
            Set<Integer> eos = new LinkedHashSet<>();
            if (config != null) {
                String bosName = specialTokenName(config.get("bos_token"));
                String eosName = specialTokenName(config.get("eos_token"));
                if (bosName != null) {
                    Integer id = ids.get(bosName);
                    if (id == null) throw new CheckpointException(configFile, "bos_token", "'" + bosName + "' is not a token of " + file);
                    bos = OptionalInt.of(id);
                }
                if (eosName != null) {
                    Integer id = ids.get(eosName);
                    if (id == null) throw new CheckpointException(configFile, "eos_token", "'" + eosName + "' is not a token of " + file);
                    eos.add(id);
                }
            }
            if (generation != null) {
                JsonNode eosIds = generation.get("eos_token_id");
                if (eosIds != null && eosIds.isArray()) eosIds.forEach(n -> eos.add(n.asInt()));
                else if (eosIds != null && eosIds.canConvertToInt()) eos.add(eosIds.asInt());
            }
            return new PipelineTokenizer(texts, ids,
                    new AddedTokenMatcher(rawTokens, AddedTokenMatcher.Order.LEFTMOST_LONGEST),
                    new AddedTokenMatcher(normalizedTokens, AddedTokenMatcher.Order.LEFTMOST_LONGEST),
                    normalizer, preTokenizers, bpe, prefix.toArray(), suffix.toArray(), decoder, special, new BitSet(), bos, eos);
        }

        private record AddedEntry(String content, int id, boolean special, boolean normalized, boolean lstrip, boolean rstrip) {}

        private static String specialTokenName(JsonNode node) {
            if (node == null || node.isNull()) return null;
            if (node.isTextual()) return node.asText();
            if (node.isObject() && node.path("content").isTextual()) return node.get("content").asText();
            return null;
        }

        private MergeTable merges(JsonNode model, Map<String, Integer> vocab) {
            List<String> lefts = parsed.mergeLefts(), rights = parsed.mergeRights();
            MergeTable merges = new MergeTable(lefts.size());
            for (int rank = 0; rank < lefts.size(); rank++) {
                String left = lefts.get(rank), right = rights.get(rank);
                Integer l = vocab.get(left), r = vocab.get(right), merged = vocab.get(left + right);
                if (l == null || r == null || merged == null)
                    throw error("model.merges[" + rank + "]", "'" + left + "' + '" + right + "': a part or the merged token is not in model.vocab");
                merges.add(l, r, merged);
            }
            return merges;
        }

        private UnaryOperator<String> normalizer(JsonNode node, String key) {
            if (node == null || node.isNull()) return s -> s;
            String type = text(node, "type", key + ".type");
            return switch (type) {
                case "NFC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFC);
                case "NFD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFD);
                case "NFKC" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKC);
                case "NFKD" -> s -> Normalizer.normalize(s, Normalizer.Form.NFKD);
                case "Lowercase" -> s -> s.toLowerCase(Locale.ROOT);
                case "Prepend" -> {
                    String prepend = text(node, "prepend", key + ".prepend");
                    yield s -> s.isEmpty() ? s : prepend + s;
                }
                case "Replace" -> {
                    Pattern pattern = pattern(require(node, "pattern", key + ".pattern"), key + ".pattern");
                    String content = text(node, "content", key + ".content");
                    String quoted = java.util.regex.Matcher.quoteReplacement(content);
                    yield s -> pattern.matcher(s).replaceAll(quoted);
                }
                case "Sequence" -> {
                    JsonNode list = require(node, "normalizers", key + ".normalizers");
                    List<UnaryOperator<String>> steps = new ArrayList<>();
                    for (int i = 0; i < list.size(); i++) steps.add(normalizer(list.get(i), key + ".normalizers[" + i + "]"));
                    yield s -> {
                        for (UnaryOperator<String> step : steps) s = step.apply(s);
                        return s;
                    };
                }
                default -> throw error(key + ".type", "unsupported normalizer '" + type + "'");
            };
        }

        private Pattern pattern(JsonNode node, String key) {
            if (node.path("String").isTextual()) return Pattern.compile(Pattern.quote(node.get("String").asText()));
            if (node.path("Regex").isTextual()) {
                try {
                    return SplitPatterns.compile(node.get("Regex").asText());
                } catch (java.util.regex.PatternSyntaxException e) {
                    throw error(key + ".Regex", "cannot translate the regex: " + e.getDescription());
                }
            }
            throw error(key, "expected {\"String\": ...} or {\"Regex\": ...}");
        }

        private void preTokenizer(JsonNode node, String key, List<PreTokenizer> out) {
            if (node == null || node.isNull()) return;
            String type = text(node, "type", key + ".type");
            switch (type) {
                case "Sequence" -> {
                    JsonNode list = require(node, "pretokenizers", key + ".pretokenizers");
                    for (int i = 0; i < list.size(); i++) preTokenizer(list.get(i), key + ".pretokenizers[" + i + "]", out);
                }
                case "Split" -> {
                    String behavior = node.path("behavior").asText("Isolated");
                    if (!behavior.equals("Isolated")) throw error(key + ".behavior", "unsupported split behavior '" + behavior + "'");
                    if (node.path("invert").asBoolean(false)) throw error(key + ".invert", "inverted split is not supported");
                    out.add(new PreTokenizer.RegexSplit(pattern(require(node, "pattern", key + ".pattern"), key + ".pattern")));
                }
                case "ByteLevel" -> out.add(new PreTokenizer.ByteLevel(node.path("add_prefix_space").asBoolean(false),
                        node.path("use_regex").asBoolean(true)));
                case "Metaspace" -> {
                    String scheme = node.has("prepend_scheme") ? node.get("prepend_scheme").asText()
                            : node.path("add_prefix_space").asBoolean(true) ? "always" : "never";
                    out.add(new PreTokenizer.Metaspace(node.path("replacement").asText("\u2581"), scheme,
                            node.path("split").asBoolean(true)));
                }
                default -> throw error(key + ".type", "unsupported pre-tokenizer '" + type + "'");
            }
        }

        private void postProcessor(JsonNode node, String key, IntList prefix, IntList suffix) {
            if (node == null || node.isNull()) return;
            String type = text(node, "type", key + ".type");
            switch (type) {
                case "ByteLevel" -> { }
                case "Sequence" -> {
                    JsonNode list = require(node, "processors", key + ".processors");
                    for (int i = 0; i < list.size(); i++) postProcessor(list.get(i), key + ".processors[" + i + "]", prefix, suffix);
                }
                case "TemplateProcessing" -> {
                    JsonNode single = require(node, "single", key + ".single");
                    JsonNode specials = node.path("special_tokens");
                    boolean afterSequence = false;
                    for (int i = 0; i < single.size(); i++) {
                        JsonNode piece = single.get(i);
                        if (piece.has("Sequence")) {
                            afterSequence = true;
                            continue;
                        }
                        String name = text(piece.path("SpecialToken"), "id", key + ".single[" + i + "].SpecialToken.id");
                        JsonNode idsNode = require(specials.path(name), "ids", key + ".special_tokens." + name + ".ids");
                        for (JsonNode id : idsNode) (afterSequence ? suffix : prefix).add(id.asInt());
                    }
                }
                default -> throw error(key + ".type", "unsupported post-processor '" + type + "'");
            }
        }

        private PipelineTokenizer.Decoder decoder(JsonNode node) {
            if (node == null || node.isNull())
                return new PipelineTokenizer.Decoder(PipelineTokenizer.Decoding.JOIN_WITH_SPACES, List.of(), false, 0);
            List<JsonNode> steps = new ArrayList<>();
            if ("Sequence".equals(node.path("type").asText())) require(node, "decoders", "decoder.decoders").forEach(steps::add);
            else steps.add(node);
            boolean byteLevel = false, byteFallback = false;
            int strip = 0;
            String firstTokenDrops = null;
            List<String[]> replacements = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                JsonNode step = steps.get(i);
                String key = steps.size() == 1 && step == node ? "decoder" : "decoder.decoders[" + i + "]";
                String type = text(step, "type", key + ".type");
                switch (type) {
                    case "ByteLevel" -> byteLevel = true;
                    case "ByteFallback" -> byteFallback = true;
                    case "Fuse" -> { }
                    case "Replace" -> {
                        JsonNode pattern = require(step, "pattern", key + ".pattern");
                        if (!pattern.path("String").isTextual()) throw error(key + ".pattern", "only String patterns are supported in decoders");
                        replacements.add(new String[] {pattern.get("String").asText(), text(step, "content", key + ".content")});
                    }
                    case "Strip" -> {
                        if (!" ".equals(step.path("content").asText()) || step.path("stop").asInt(0) != 0)
                            throw error(key, "only stripping leading spaces is supported");
                        strip = step.path("start").asInt(0);
                    }
                    case "Metaspace" -> {
                        String replacement = step.path("replacement").asText("\u2581");
                        replacements.add(new String[] {replacement, " "});
                        String scheme = step.has("prepend_scheme") ? step.get("prepend_scheme").asText()
                                : step.path("add_prefix_space").asBoolean(true) ? "always" : "never";
                        if (!scheme.equals("never")) firstTokenDrops = replacement;
                    }
                    default -> throw error(key + ".type", "unsupported decoder '" + type + "'");
                }
            }
            if (byteLevel && (byteFallback || !replacements.isEmpty()))
                throw error("decoder", "ByteLevel combined with SentencePiece decoders is not supported");
            return new PipelineTokenizer.Decoder(byteLevel ? PipelineTokenizer.Decoding.BYTE_LEVEL : PipelineTokenizer.Decoding.SENTENCEPIECE,
                    replacements, byteFallback, strip, firstTokenDrops);
        }
    }

    // ---------------------------------------------------------------- GGUF

    static final int TYPE_NORMAL = 1, TYPE_UNKNOWN = 2, TYPE_CONTROL = 3, TYPE_USER_DEFINED = 4, TYPE_UNUSED = 5, TYPE_BYTE = 6;

    /**
     * A tokenizer from GGUF key/values, tokenizing as llama.cpp does (special tokens in the text are
     * parsed; SentencePiece merges by score with a leading space; BPE merges by rank after the
     * pre-tokenizer regexes named by {@code tokenizer.ggml.pre}).
     */
    public static Tokenizer fromGguf(Map<String, Object> metadata, Path fileForErrors) {
        GgufValues kv = new GgufValues(metadata, fileForErrors);
        String modelName = kv.string("tokenizer.ggml.model", null);
        if (modelName == null) throw new CheckpointException(fileForErrors, "tokenizer.ggml.model", "missing");
        String[] tokens = kv.strings("tokenizer.ggml.tokens");
        int n = tokens.length;
        int[] types = kv.has("tokenizer.ggml.token_type") ? kv.ints("tokenizer.ggml.token_type") : null;
        if (types != null && types.length != n)
            throw new CheckpointException(fileForErrors, "tokenizer.ggml.token_type", types.length + " types for " + n + " tokens");
        TokenTexts texts = TokenTexts.of(tokens);
        TokenIds ids = TokenIds.firstOf(texts);

        List<AddedTokenMatcher.AddedToken> matchable = new ArrayList<>();
        BitSet special = new BitSet(), verbatim = new BitSet();
        for (int i = 0; types != null && i < n; i++) {
            int t = types[i];
            if (t == TYPE_CONTROL || t == TYPE_USER_DEFINED || t == TYPE_UNKNOWN)
                matchable.add(new AddedTokenMatcher.AddedToken(tokens[i], i, false, false));
            if (t == TYPE_CONTROL) special.set(i);
            if (t == TYPE_CONTROL || t == TYPE_USER_DEFINED) verbatim.set(i);
        }

        boolean spm = switch (modelName) {
            case "llama" -> true;
            case "gpt2" -> false;
            default -> throw new CheckpointException(fileForErrors, "tokenizer.ggml.model",
                    "unsupported tokenizer model '" + modelName + "' (supported: llama, gpt2)");
        };
        String family = null;
        if (!spm) {
            String pre = kv.string("tokenizer.ggml.pre", "default");
            family = SplitPatterns.GGUF_PRE_ALIASES.get(pre);
            if (family == null)
                throw new CheckpointException(fileForErrors, "tokenizer.ggml.pre", "unsupported pre-tokenizer '" + pre
                        + "' (supported: " + String.join(", ", new java.util.TreeSet<>(SplitPatterns.GGUF_PRE_ALIASES.keySet())) + ")");
        }
        int bos = kv.integer("tokenizer.ggml.bos_token_id", spm ? 1 : -1);
        int eos = kv.integer("tokenizer.ggml.eos_token_id", spm ? 2 : -1);
        int unk = kv.integer("tokenizer.ggml.unknown_token_id", spm ? 0 : -1);
        for (String key : List.of("tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id")) {
            int id = kv.integer(key, -1);
            if (kv.has(key) && (id < 0 || id >= n)) throw new CheckpointException(fileForErrors, key, "id " + id + " outside the " + n + " tokens");
        }
        boolean addBos = kv.bool("tokenizer.ggml.add_bos_token", spm || "llama3".equals(family));
        boolean addEos = kv.bool("tokenizer.ggml.add_eos_token", false);
        Set<Integer> eosIds = new LinkedHashSet<>();
        for (String key : List.of("tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id")) {
            int id = kv.integer(key, key.endsWith("eos_token_id") ? eos : -1);
            if (id >= 0 && id < n) eosIds.add(id);
        }
        int[] prefix = addBos && bos >= 0 ? new int[] {bos} : new int[0];
        int[] suffix = addEos && eos >= 0 ? new int[] {eos} : new int[0];
        AddedTokenMatcher matcher = new AddedTokenMatcher(matchable, AddedTokenMatcher.Order.LONGEST_FIRST);
        AddedTokenMatcher none = new AddedTokenMatcher(List.of(), AddedTokenMatcher.Order.LONGEST_FIRST);
        OptionalInt bosId = bos >= 0 && bos < n ? OptionalInt.of(bos) : OptionalInt.empty();

        if (spm) {
            float[] scores = kv.has("tokenizer.ggml.scores") ? kv.floats("tokenizer.ggml.scores") : new float[n];
            if (scores.length != n)
                throw new CheckpointException(fileForErrors, "tokenizer.ggml.scores", scores.length + " scores for " + n + " tokens");
            boolean addSpacePrefix = kv.bool("tokenizer.ggml.add_space_prefix", true);
            UnaryOperator<String> escape = s -> (addSpacePrefix ? " " + s : s).replace(' ', '\u2581');
            var decoder = new PipelineTokenizer.Decoder(PipelineTokenizer.Decoding.SENTENCEPIECE,
                    List.<String[]>of(new String[] {"\u2581", " "}), true, addSpacePrefix ? 1 : 0);
            return new PipelineTokenizer(texts, ids, matcher, none, escape, List.of(),
                    new SentencePieceScores(ids, scores, unk), prefix, suffix, decoder, special, verbatim, bosId, eosIds);
        }
        String[] mergeLines = kv.strings("tokenizer.ggml.merges");
        MergeTable merges = new MergeTable(mergeLines.length);
        for (int rank = 0; rank < mergeLines.length; rank++) {
            String line = mergeLines[rank];
            int space = line.indexOf(' ', 1);
            String key = "tokenizer.ggml.merges[" + rank + "]";
            if (space < 0) throw new CheckpointException(fileForErrors, key, "expected 'left right', found '" + line + "'");
            Integer l = ids.get(line.substring(0, space)), r = ids.get(line.substring(space + 1));
            Integer merged = ids.get(line.substring(0, space) + line.substring(space + 1));
            if (l == null || r == null || merged == null)
                throw new CheckpointException(fileForErrors, key, "'" + line + "': a part or the merged token is not in tokenizer.ggml.tokens");
            merges.add(l, r, merged);
        }
        List<PreTokenizer> pre = new ArrayList<>();
        for (String regex : SplitPatterns.GGUF_FAMILIES.get(family)) pre.add(new PreTokenizer.RegexSplit(SplitPatterns.compile(regex)));
        pre.add(new PreTokenizer.ByteLevel(false, false));
        var decoder = new PipelineTokenizer.Decoder(PipelineTokenizer.Decoding.BYTE_LEVEL, List.of(), false, 0);
        return new PipelineTokenizer(texts, ids, matcher, none, s -> s, pre,
                new BpeMerges(ids, merges, "llama3".equals(family), false, -1, false),
                prefix, suffix, decoder, special, verbatim, bosId, eosIds);
    }

    /** Typed access to GGUF values that may arrive as arrays or lists, boxed or primitive. */
    private record GgufValues(Map<String, Object> metadata, Path file) {
        /** Without reading the value: a GGUF file's large arrays are read from the file at each look-up. */
        boolean has(String key) { return metadata.containsKey(key); }

        private CheckpointException wrongType(String key, Object value, String expected) {
            return new CheckpointException(file, key, "expected " + expected + ", found " + value.getClass().getSimpleName());
        }

        private Object require(String key) {
            Object value = metadata.get(key);
            if (value == null) throw new CheckpointException(file, key, "missing");
            return value;
        }

        String string(String key, String fallback) {
            Object value = metadata.get(key);
            if (value == null) return fallback;
            if (value instanceof String s) return s;
            throw wrongType(key, value, "a string");
        }

        int integer(String key, int fallback) {
            Object value = metadata.get(key);
            if (value == null) return fallback;
            if (value instanceof Number num && num.longValue() == (int) num.longValue()) return num.intValue();
            throw wrongType(key, value, "an integer");
        }

        boolean bool(String key, boolean fallback) {
            Object value = metadata.get(key);
            if (value == null) return fallback;
            if (value instanceof Boolean b) return b;
            throw wrongType(key, value, "a boolean");
        }

        String[] strings(String key) {
            Object value = require(key);
            if (value instanceof String[] a) return a;
            if (value instanceof List<?> list) {
                String[] out = new String[list.size()];
                for (int i = 0; i < out.length; i++) {
                    if (!(list.get(i) instanceof String s)) throw new CheckpointException(file, key + "[" + i + "]", "expected a string");
                    out[i] = s;
                }
                return out;
            }
            throw wrongType(key, value, "an array of strings");
        }

        int[] ints(String key) {
            Object value = require(key);
            if (value instanceof int[] a) return a;
            if (value instanceof long[] a) return java.util.Arrays.stream(a).mapToInt(Math::toIntExact).toArray();
            if (value instanceof short[] a) {
                int[] out = new int[a.length];
                for (int i = 0; i < a.length; i++) out[i] = a[i];
                return out;
            }
            if (value instanceof byte[] a) {
                int[] out = new int[a.length];
                for (int i = 0; i < a.length; i++) out[i] = a[i];
                return out;
            }
            if (value instanceof List<?> list) {
                int[] out = new int[list.size()];
                for (int i = 0; i < out.length; i++) {
                    if (!(list.get(i) instanceof Number num)) throw new CheckpointException(file, key + "[" + i + "]", "expected an integer");
                    out[i] = num.intValue();
                }
                return out;
            }
            throw wrongType(key, value, "an array of integers");
        }

        float[] floats(String key) {
            Object value = require(key);
            if (value instanceof float[] a) return a;
            if (value instanceof double[] a) {
                float[] out = new float[a.length];
                for (int i = 0; i < a.length; i++) out[i] = (float) a[i];
                return out;
            }
            if (value instanceof List<?> list) {
                float[] out = new float[list.size()];
                for (int i = 0; i < out.length; i++) {
                    if (!(list.get(i) instanceof Number num)) throw new CheckpointException(file, key + "[" + i + "]", "expected a number");
                    out[i] = num.floatValue();
                }
                return out;
            }
            throw wrongType(key, value, "an array of numbers");
        }
    }
}
