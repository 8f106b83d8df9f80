package neurosteer.engine.format.gguf;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.tensor.GgmlType;

/** The type each weight matrix of a written GGUF file gets, chosen by its GGUF tensor name. */
@FunctionalInterface
public interface MatrixTypes {
    GgmlType of(String ggufName);

    /** One type for every matrix. */
    static MatrixTypes all(GgmlType type) {
        return name -> type;
    }

    /**
     * llama.cpp's Q4_K_M mix for a dense model, as {@code llama-quantize} chooses it: Q6_K for the output
     * head ({@code output.weight}, or {@code token_embd.weight} when the embeddings are tied) and for
     * {@code attn_v} and {@code ffn_down} in the layers where it spends more bits (the first and last
     * eighth of the layers and every third layer between); Q4_K for every other matrix.
     */
    static MatrixTypes q4KMedium(ModelConfig c) {
        Pattern layerTensor = Pattern.compile("blk\\.(\\d+)\\.(attn_v|ffn_down)\\.weight");
        int layers = c.numLayers();
        return name -> {
            if (name.equals("output.weight") || (c.tieWordEmbeddings() && name.equals("token_embd.weight"))) return GgmlType.Q6_K;
            Matcher m = layerTensor.matcher(name);
            if (m.matches() && moreBits(Integer.parseInt(m.group(1)), layers)) return GgmlType.Q6_K;
            return GgmlType.Q4_K;
        };
    }

    /** llama.cpp's {@code use_more_bits}: layer {@code i} of {@code n} gets the larger type. */
    static boolean moreBits(int i, int n) {
        return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
    }

    /** {@code q4_k_m} for {@link #q4KMedium}, otherwise one writable type for all ({@link GgmlType#parseWritable}). */
    static MatrixTypes parse(String dtype, ModelConfig c) {
        if (dtype.equalsIgnoreCase("q4_k_m")) return q4KMedium(c);
        try {
            return all(GgmlType.parseWritable(dtype));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--dtype " + dtype + " is not available for gguf (f32, f16, bf16, q8_0, q4_0, q4_k, q6_k"
                    + " and the mix q4_k_m are)", e);
        }
    }
}
