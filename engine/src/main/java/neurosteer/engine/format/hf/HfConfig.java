package neurosteer.engine.format.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.model.ModelConfig;

/** Reads a Hugging Face {@code config.json} into a {@link ModelConfig}. */
public final class HfConfig {
    private HfConfig() {}

    private static final List<String> ARCHITECTURES = List.of("LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM");

    public static ModelConfig read(Path configJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(configJson));
        } catch (IOException e) {
            throw new CheckpointException(configJson, null, "cannot read config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new CheckpointException(configJson, null, "not a JSON object");
        String arch = null;
        JsonNode archs = root.get("architectures");
        if (archs != null && archs.isArray() && !archs.isEmpty()) arch = archs.get(0).asText();
        String modelType = text(root, "model_type", null);
        String family;
        if ("LlamaForCausalLM".equals(arch) || (arch == null && "llama".equals(modelType))) family = "llama";
        else if ("MistralForCausalLM".equals(arch) || (arch == null && "mistral".equals(modelType))) family = "mistral";
        else if ("Qwen2ForCausalLM".equals(arch) || (arch == null && "qwen2".equals(modelType))) family = "qwen2";
        else throw new CheckpointException(configJson, "architectures", "unknown architecture " + (arch != null ? arch : modelType)
                + " (supported: " + String.join(", ", ARCHITECTURES) + ")");

        int hidden = requiredInt(root, configJson, "hidden_size");
        int heads = requiredInt(root, configJson, "num_attention_heads");
        int kvHeads = intOr(root, configJson, "num_key_value_heads", heads);
        int headDim = root.hasNonNull("head_dim") ? requiredInt(root, configJson, "head_dim") : hidden / heads;
        if (heads % kvHeads != 0)
            throw new CheckpointException(configJson, "num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
        String act = text(root, "hidden_act", "silu");
        if (!act.equals("silu") && !act.equals("swish"))
            throw new CheckpointException(configJson, "hidden_act", "'" + act + "' is not supported (silu is)");

        ModelConfig.RopeScaling scaling = null;
        JsonNode rs = root.get("rope_scaling");
        if (rs != null && rs.isObject()) {
            String type = rs.hasNonNull("rope_type") ? rs.get("rope_type").asText() : text(rs, "type", "default");
            if (!List.of("default", "linear", "llama3").contains(type))
                throw new CheckpointException(configJson, "rope_scaling", "type '" + type + "' is not supported (default, linear, llama3 are)");
            scaling = new ModelConfig.RopeScaling(type, rs.path("factor").asDouble(1.0), rs.path("low_freq_factor").asDouble(1.0),
                    rs.path("high_freq_factor").asDouble(4.0), rs.path("original_max_position_embeddings").asInt(8192));
        }
        boolean bias = family.equals("qwen2") || root.path("attention_bias").asBoolean(false);
        int window = 0;
        if (root.hasNonNull("sliding_window")) {
            boolean use = family.equals("mistral") || root.path("use_sliding_window").asBoolean(false);
            if (use) window = root.get("sliding_window").asInt(0);
        }
        List<Integer> eos = new ArrayList<>();
        JsonNode e = root.get("eos_token_id");
        if (e != null && e.isArray()) e.forEach(n -> eos.add(n.asInt()));
        else if (e != null && e.isNumber()) eos.add(e.asInt());
        return new ModelConfig(
                family,
                hidden,
                requiredInt(root, configJson, "intermediate_size"),
                requiredInt(root, configJson, "num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                requiredInt(root, configJson, "vocab_size"),
                intOr(root, configJson, "max_position_embeddings", 4096),
                (float) root.path("rms_norm_eps").asDouble(1e-6),
                root.path("rope_theta").asDouble(10000.0),
                scaling,
                null,
                ModelConfig.RopeStyle.HALF,
                bias,
                root.path("tie_word_embeddings").asBoolean(false),
                window,
                root.path("bos_token_id").asInt(-1),
                List.copyOf(eos));
    }

    private static String text(JsonNode n, String key, String dflt) {
        JsonNode v = n.get(key);
        return v == null || v.isNull() ? dflt : v.asText();
    }

    private static int requiredInt(JsonNode root, Path file, String key) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) throw new CheckpointException(file, key, "missing");
        if (!v.canConvertToInt() || v.asInt() <= 0) throw new CheckpointException(file, key, "must be a positive integer, found " + v);
        return v.asInt();
    }

    private static int intOr(JsonNode root, Path file, String key, int dflt) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) return dflt;
        return requiredInt(root, file, key);
    }
}
