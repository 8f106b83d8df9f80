package neurosteer.engine.format.gguf;

import java.util.ArrayList;
import java.util.List;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.tensor.Tensor;

/**
 * Reads a {@link ModelConfig} from GGUF metadata ({@code general.architecture} = {@code llama} or
 * {@code qwen2}; Mistral models are stored as {@code llama}). llama.cpp stores llama-arch Q/K rows
 * permuted for interleaved RoPE, and qwen2 unpermuted for "NeoX" (rotate-half) RoPE.
 */
public final class GgufConfig {
    private GgufConfig() {}

    public static ModelConfig read(GgufFile f) {
        String arch = f.getString("general.architecture");
        ModelConfig.RopeStyle style = switch (arch) {
            case "llama" -> ModelConfig.RopeStyle.INTERLEAVED;
            case "qwen2" -> ModelConfig.RopeStyle.HALF;
            default -> throw new CheckpointException(f.path(), "general.architecture", "unknown architecture '" + arch + "' (supported: llama, qwen2)");
        };
        String p = arch + ".";
        int hidden = f.getInt(p + "embedding_length");
        int heads = f.getInt(p + "attention.head_count");
        int kvHeads = f.getInt(p + "attention.head_count_kv", heads);
        int headDim = f.getInt(p + "attention.key_length", hidden / heads);
        int layers = f.getInt(p + "block_count");
        int ffn = f.getInt(p + "feed_forward_length");
        if (!f.hasTensor("token_embd.weight")) throw new CheckpointException(f.path(), "token_embd.weight", "tensor not found");
        long[] emb = f.tensorInfo("token_embd.weight").shape();
        int vocab = f.has(p + "vocab_size") ? f.getInt(p + "vocab_size") : Math.toIntExact(emb[0]);
        float[] freqFactors = null;
        if (f.hasTensor("rope_freqs.weight")) {
            Tensor t = f.tensor("rope_freqs.weight");
            if (t.size() != headDim / 2)
                throw new CheckpointException(f.path(), "rope_freqs.weight", "has " + t.size() + " values, expected head_dim/2 = " + headDim / 2);
            freqFactors = t.toFloatArray();
        }
        ModelConfig.RopeScaling scaling = null;
        String scalingType = f.getString(p + "rope.scaling.type", "none");
        if (scalingType.equals("linear")) scaling = new ModelConfig.RopeScaling("linear", f.getFloat(p + "rope.scaling.factor"), 1, 4, 0);
        else if (!scalingType.equals("none"))
            throw new CheckpointException(f.path(), p + "rope.scaling.type", "'" + scalingType + "' is not supported (none, linear are)");
        if (f.has(p + "rope.dimension_count") && f.getInt(p + "rope.dimension_count") != headDim)
            throw new CheckpointException(f.path(), p + "rope.dimension_count", "partial rotary embeddings are not supported");
        List<Integer> eos = new ArrayList<>();
        if (f.has("tokenizer.ggml.eos_token_id")) eos.add(f.getInt("tokenizer.ggml.eos_token_id"));
        if (f.has("tokenizer.ggml.eot_token_id") && !eos.contains(f.getInt("tokenizer.ggml.eot_token_id"))) eos.add(f.getInt("tokenizer.ggml.eot_token_id"));
        return new ModelConfig(
                arch,
                hidden, ffn, layers, heads, kvHeads, headDim, vocab,
                f.getInt(p + "context_length", 4096),
                f.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f),
                f.has(p + "rope.freq_base") ? f.getFloat(p + "rope.freq_base") : 10000.0,
                scaling,
                freqFactors,
                style,
                f.hasTensor("blk.0.attn_q.bias"),
                !f.hasTensor("output.weight"),
                0,
                f.has("tokenizer.ggml.bos_token_id") ? f.getInt("tokenizer.ggml.bos_token_id") : -1,
                List.copyOf(eos));
    }
}
