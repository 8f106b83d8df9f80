package neurosteer.engine.format.hf;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neurosteer.engine.format.ModelTensors;
import neurosteer.engine.format.WeightProvider;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.model.ModelConfig;

/** Writes a Hugging Face model folder: {@code config.json}, {@code model.safetensors}, {@code generation_config.json}. */
public final class HfCheckpointWriter {
    private HfCheckpointWriter() {}

    public static void write(Path folder, ModelConfig config, WeightProvider weights, SafetensorsWriter.DType dtype,
                             Map<String, String> metadata) throws IOException {
        Files.createDirectories(folder);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(folder.resolve("config.json").toFile(), configJson(config, dtype));
        Map<String, Object> gen = new LinkedHashMap<>();
        if (config.bosTokenId() >= 0) gen.put("bos_token_id", config.bosTokenId());
        if (!config.eosTokenIds().isEmpty()) gen.put("eos_token_id", config.eosTokenIds().size() == 1 ? config.eosTokenIds().get(0) : config.eosTokenIds());
        gen.put("do_sample", false);
        json.writeValue(folder.resolve("generation_config.json").toFile(), gen);

        SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
        metadata.forEach(writer::metadata);
        for (ModelTensors.Spec spec : ModelTensors.of(config)) {
            long[] shape = spec.vector() ? new long[] {spec.cols()} : new long[] {spec.rows(), spec.cols()};
            writer.addLazy(spec.name(), dtype, shape, out -> {
                int block = Math.max(1, (1 << 20) / spec.cols());
                float[] rows = new float[Math.min(block, spec.rows()) * spec.cols()];
                ByteBuffer buf = ByteBuffer.allocate(rows.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
                for (int r = 0; r < spec.rows(); r += block) {
                    int n = Math.min(block, spec.rows() - r);
                    float[] chunk = n * spec.cols() == rows.length ? rows : new float[n * spec.cols()];
                    weights.fill(spec.name(), spec.rows(), spec.cols(), r, chunk);
                    buf.clear();
                    for (float v : chunk) {
                        switch (dtype) {
                            case F32 -> buf.putFloat(v);
                            case F16 -> buf.putShort(Float.floatToFloat16(v));
                            case BF16 -> buf.putShort(SafetensorsWriter.toBf16(v));
                            default -> throw new IOException("cannot store weights as " + dtype);
                        }
                    }
                    out.write(buf.array(), 0, buf.position());
                }
            });
        }
        writer.write(folder.resolve("model.safetensors"));
    }

    static Map<String, Object> configJson(ModelConfig c, SafetensorsWriter.DType dtype) {
        Map<String, Object> m = new LinkedHashMap<>();
        String arch = switch (c.architecture()) {
            case "qwen2" -> "Qwen2ForCausalLM";
            case "mistral" -> "MistralForCausalLM";
            default -> "LlamaForCausalLM";
        };
        m.put("architectures", List.of(arch));
        m.put("model_type", c.architecture());
        m.put("hidden_size", c.hiddenSize());
        m.put("intermediate_size", c.intermediateSize());
        m.put("num_hidden_layers", c.numLayers());
        m.put("num_attention_heads", c.numHeads());
        m.put("num_key_value_heads", c.numKvHeads());
        m.put("head_dim", c.headDim());
        m.put("hidden_act", "silu");
        m.put("vocab_size", c.vocabSize());
        m.put("max_position_embeddings", c.maxPositions());
        m.put("rms_norm_eps", c.rmsNormEps());
        m.put("rope_theta", c.ropeTheta());
        if (c.ropeScaling() != null) {
            Map<String, Object> rs = new LinkedHashMap<>();
            rs.put("rope_type", c.ropeScaling().type());
            rs.put("factor", c.ropeScaling().factor());
            if (c.ropeScaling().type().equals("llama3")) {
                rs.put("low_freq_factor", c.ropeScaling().lowFreqFactor());
                rs.put("high_freq_factor", c.ropeScaling().highFreqFactor());
                rs.put("original_max_position_embeddings", c.ropeScaling().originalMaxPositions());
            }
            m.put("rope_scaling", rs);
        } else {
            m.put("rope_scaling", null);
        }
        if (c.architecture().equals("llama")) m.put("attention_bias", c.attentionBias());
        if (c.architecture().equals("qwen2")) m.put("use_sliding_window", c.slidingWindow() > 0);
        m.put("sliding_window", c.slidingWindow() > 0 ? c.slidingWindow() : null);
        m.put("tie_word_embeddings", c.tieWordEmbeddings());
        if (c.bosTokenId() >= 0) m.put("bos_token_id", c.bosTokenId());
        if (!c.eosTokenIds().isEmpty()) m.put("eos_token_id", c.eosTokenIds().size() == 1 ? c.eosTokenIds().get(0) : c.eosTokenIds());
        m.put("torch_dtype", switch (dtype) {
            case F16 -> "float16";
            case BF16 -> "bfloat16";
            default -> "float32";
        });
        return m;
    }
}
