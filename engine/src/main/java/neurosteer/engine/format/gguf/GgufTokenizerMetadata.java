package neurosteer.engine.format.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.tokenizer.Tokenizer;
import neurosteer.engine.tokenizer.Tokenizers;

/**
 * Converts a Hugging Face {@code tokenizer.json} (+ {@code tokenizer_config.json}) into the GGUF
 * {@code tokenizer.ggml.*} keys llama.cpp reads: byte-level BPE becomes {@code gpt2} with merges and a
 * pre-tokenizer name; SentencePiece-style BPE becomes {@code llama} with scores from merge ranks.
 */
public final class GgufTokenizerMetadata {
    private static final int NORMAL = 1, UNKNOWN = 2, CONTROL = 3, USER_DEFINED = 4, BYTE = 6;

    private GgufTokenizerMetadata() {}

    public static void write(Path folder, GgufWriter w) {
        Path file = folder.resolve("tokenizer.json");
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(file));
        } catch (IOException e) {
            throw new CheckpointException(file, null, "cannot read: " + e.getMessage(), e);
        }
        Tokenizer tok = Tokenizers.fromHuggingFace(folder);
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText()))
            throw new CheckpointException(file, "model.type", "only BPE tokenizers can be exported to GGUF, found " + model.path("type").asText());
        int n = tok.vocabSize();
        String[] tokens = new String[n];
        for (int i = 0; i < n; i++) tokens[i] = tok.token(i);
        Set<Integer> special = new HashSet<>();
        Set<Integer> added = new HashSet<>();
        for (JsonNode a : root.path("added_tokens")) {
            added.add(a.path("id").asInt());
            if (a.path("special").asBoolean(false)) special.add(a.path("id").asInt());
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : model.path("merges")) merges.add(m.isArray() ? m.get(0).asText() + " " + m.get(1).asText() : m.asText());
        boolean byteLevel = root.toString().contains("\"ByteLevel\"");
        int[] types = new int[n];
        if (byteLevel) {
            for (int i = 0; i < n; i++) types[i] = special.contains(i) ? CONTROL : added.contains(i) ? USER_DEFINED : NORMAL;
            w.putString("tokenizer.ggml.model", "gpt2");
            w.putString("tokenizer.ggml.pre", preTokenizerName(root));
            w.putStringArray("tokenizer.ggml.tokens", tokens);
            w.putInt32Array("tokenizer.ggml.token_type", types);
            w.putStringArray("tokenizer.ggml.merges", merges);
        } else {
            Map<String, Integer> rank = new HashMap<>();
            for (int r = 0; r < merges.size(); r++) rank.putIfAbsent(merges.get(r).replace(" ", ""), r);
            float[] scores = new float[n];
            for (int i = 0; i < n; i++) {
                String t = tokens[i];
                boolean isByte = t.length() == 6 && t.startsWith("<0x") && t.endsWith(">");
                types[i] = special.contains(i) ? CONTROL : isByte ? BYTE : added.contains(i) ? USER_DEFINED : NORMAL;
                if (t.equals(model.path("unk_token").asText(null))) types[i] = UNKNOWN;
                Integer r = rank.get(t);
                scores[i] = r != null ? -r - 1 : (t.codePointCount(0, t.length()) == 1 ? 0 : -1e9f);
            }
            w.putString("tokenizer.ggml.model", "llama");
            w.putStringArray("tokenizer.ggml.tokens", tokens);
            w.putFloat32Array("tokenizer.ggml.scores", scores);
            w.putInt32Array("tokenizer.ggml.token_type", types);
        }
        tok.bosId().ifPresent(id -> w.putUInt32("tokenizer.ggml.bos_token_id", id));
        int eos = tok.eosIds().stream().mapToInt(Integer::intValue).min().orElse(-1);
        for (int id : tok.eosIds()) if (special.contains(id) && tokens[id].contains("end_of_text")) eos = id;
        if (eos >= 0) w.putUInt32("tokenizer.ggml.eos_token_id", eos);
        int[] withSpecial = tok.encode("a", true), without = tok.encode("a", false);
        boolean addsBos = withSpecial.length > without.length && tok.bosId().isPresent() && withSpecial[0] == tok.bosId().getAsInt();
        boolean addsEos = withSpecial.length > without.length && tok.eosIds().contains(withSpecial[withSpecial.length - 1]);
        w.putBool("tokenizer.ggml.add_bos_token", addsBos);
        w.putBool("tokenizer.ggml.add_eos_token", addsEos);
    }

    /** llama.cpp's name for the pre-tokenizer regex family of a byte-level tokenizer. */
    static String preTokenizerName(JsonNode root) {
        String s = root.path("pre_tokenizer").toString();
        if (s.contains("\\\\p{N}{1,3}") || s.contains("\\p{N}{1,3}")) return "llama-bpe";
        if (s.contains("\\\\p{N}") || s.contains("\\p{N}")) return "qwen2";
        return "default";
    }
}
