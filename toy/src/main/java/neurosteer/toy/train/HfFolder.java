package neurosteer.toy.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.format.safetensors.SafetensorsFile;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.tensor.Tensor;
import neurosteer.toy.data.ToyTokenizer;

/**
 * Writes and reads the toy model as a standard Hugging Face Llama folder: {@code config.json},
 * {@code model.safetensors} (F32, HF tensor names and [out, in] shapes, tied head),
 * {@code generation_config.json}; the tokenizer files are written by {@link ToyTokenizer}.
 */
public final class HfFolder {
    public static final String CONFIG = "config.json";
    public static final String WEIGHTS = "model.safetensors";
    public static final String GENERATION_CONFIG = "generation_config.json";

    private HfFolder() {}

    public static void write(Path dir, ToyModel model, ToyTokenizer tokenizer) throws IOException {
        Files.createDirectories(dir);
        ToyModelConfig c = model.config;
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architectures", List.of("LlamaForCausalLM"));
        config.put("model_type", "llama");
        config.put("vocab_size", c.vocabSize());
        config.put("hidden_size", c.dim());
        config.put("intermediate_size", c.ffnDim());
        config.put("num_hidden_layers", c.layers());
        config.put("num_attention_heads", c.heads());
        config.put("num_key_value_heads", c.kvHeads());
        config.put("head_dim", c.headDim());
        config.put("hidden_act", "silu");
        config.put("rms_norm_eps", (double) c.rmsEps());
        config.put("rope_theta", c.ropeTheta());
        config.put("rope_scaling", null);
        config.put("max_position_embeddings", c.maxPositions());
        config.put("tie_word_embeddings", true);
        config.put("attention_bias", false);
        config.put("mlp_bias", false);
        config.put("bos_token_id", tokenizer.bosId());
        config.put("eos_token_id", List.of(tokenizer.eotId(), tokenizer.endOfTextId()));
        config.put("torch_dtype", "float32");
        config.put("initializer_range", 0.02);
        config.put("use_cache", true);
        json.writeValue(dir.resolve(CONFIG).toFile(), config);

        Map<String, Object> generation = new LinkedHashMap<>();
        generation.put("bos_token_id", tokenizer.bosId());
        generation.put("eos_token_id", List.of(tokenizer.eotId(), tokenizer.endOfTextId()));
        generation.put("do_sample", false);
        generation.put("max_new_tokens", 128);
        json.writeValue(dir.resolve(GENERATION_CONFIG).toFile(), generation);

        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        for (ToyParameters.Slot s : model.layout.all()) {
            float[] values = new float[s.size()];
            System.arraycopy(model.params, s.offset(), values, 0, s.size());
            writer.add(s.name(), SafetensorsWriter.DType.F32, values, s.hfShape());
        }
        writer.write(dir.resolve(WEIGHTS));
        tokenizer.save(dir, c.maxPositions());
    }

    /** Reads a folder {@link #write} produced (any float dtype the engine reads). */
    public static ToyModel read(Path dir) throws IOException {
        Path configFile = dir.resolve(CONFIG);
        JsonNode cfg = new ObjectMapper().readTree(configFile.toFile());
        ToyModelConfig c = new ToyModelConfig(
                intKey(cfg, "vocab_size", configFile), intKey(cfg, "hidden_size", configFile), intKey(cfg, "num_hidden_layers", configFile),
                intKey(cfg, "num_attention_heads", configFile), intKey(cfg, "num_key_value_heads", configFile), intKey(cfg, "head_dim", configFile),
                intKey(cfg, "intermediate_size", configFile), intKey(cfg, "max_position_embeddings", configFile),
                (float) cfg.path("rms_norm_eps").asDouble(1e-5), cfg.path("rope_theta").asDouble(10000.0));
        if (!cfg.path("tie_word_embeddings").asBoolean(false))
            throw new CheckpointException(configFile, "tie_word_embeddings", "the toy model reader expects a tied output head");
        ToyParameters.Layout layout = ToyParameters.layout(c);
        float[] params = new float[layout.total()];
        Path weights = dir.resolve(WEIGHTS);
        try (SafetensorsFile file = SafetensorsFile.open(weights)) {
            for (ToyParameters.Slot s : layout.all()) {
                if (!file.has(s.name())) throw new CheckpointException(weights, s.name(), "tensor missing");
                Tensor t = file.tensor(s.name());
                if (t.size() != s.size())
                    throw new CheckpointException(weights, s.name(), "expected " + s.size() + " values, found " + t.size());
                float[] values = t.toFloatArray();
                System.arraycopy(values, 0, params, s.offset(), s.size());
            }
        }
        return new ToyModel(c, params);
    }

    private static int intKey(JsonNode cfg, String key, Path file) {
        JsonNode n = cfg.get(key);
        if (n == null || !n.canConvertToInt()) throw new CheckpointException(file, key, "missing or not an integer");
        return n.asInt();
    }
}
