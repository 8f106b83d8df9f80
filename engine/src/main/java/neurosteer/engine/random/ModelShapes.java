package neurosteer.engine.random;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neurosteer.engine.model.ModelConfig;

/** The shapes of real open models (and tiny ones for tests), for random-weight checkpoints. */
public final class ModelShapes {
    private ModelShapes() {}

    private record Shape(int hidden, int ffn, int layers, int heads, int kvHeads, int headDim, int vocab, int maxPos,
                         double theta, ModelConfig.RopeScaling scaling, boolean tied, float eps) {}

    private static final ModelConfig.RopeScaling LLAMA31 = new ModelConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 8192);
    private static final ModelConfig.RopeScaling LLAMA32 = new ModelConfig.RopeScaling("llama3", 32.0, 1.0, 4.0, 8192);

    private static final Map<String, Shape> SHAPES = new LinkedHashMap<>();

    static {
        SHAPES.put("tiny", new Shape(64, 192, 2, 4, 2, 16, 0, 2048, 10000, null, false, 1e-5f));
        SHAPES.put("mini", new Shape(256, 512, 2, 4, 2, 64, 0, 2048, 500000, new ModelConfig.RopeScaling("llama3", 8.0, 1.0, 4.0, 64), false, 1e-5f));
        SHAPES.put("small", new Shape(256, 704, 4, 8, 2, 32, 0, 4096, 500000, LLAMA32, true, 1e-5f));
        SHAPES.put("llama-3.2-1b", new Shape(2048, 8192, 16, 32, 8, 64, 128256, 131072, 500000, LLAMA32, true, 1e-5f));
        SHAPES.put("llama-3.2-3b", new Shape(3072, 8192, 28, 24, 8, 128, 128256, 131072, 500000, LLAMA32, true, 1e-5f));
        SHAPES.put("llama-3.1-8b", new Shape(4096, 14336, 32, 32, 8, 128, 128256, 131072, 500000, LLAMA31, false, 1e-5f));
        SHAPES.put("mistral-7b", new Shape(4096, 14336, 32, 32, 8, 128, 32768, 32768, 1000000, null, false, 1e-5f));
        SHAPES.put("qwen2.5-0.5b", new Shape(896, 4864, 24, 14, 2, 64, 151936, 32768, 1000000, null, true, 1e-6f));
        SHAPES.put("qwen2.5-1.5b", new Shape(1536, 8960, 28, 12, 2, 128, 151936, 32768, 1000000, null, true, 1e-6f));
        SHAPES.put("qwen2.5-math-1.5b", new Shape(1536, 8960, 28, 12, 2, 128, 151936, 4096, 10000, null, true, 1e-6f));
        SHAPES.put("qwen2.5-7b", new Shape(3584, 18944, 28, 28, 4, 128, 152064, 32768, 1000000, null, false, 1e-6f));
    }

    public static List<String> names() { return List.copyOf(SHAPES.keySet()); }

    /** The real model's vocabulary size, or 0 for test shapes, whose vocabulary comes from the tokenizer. */
    public static int defaultVocab(String shape) {
        Shape s = SHAPES.get(shape);
        if (s == null) throw new IllegalArgumentException("unknown shape '" + shape + "' (known: " + String.join(", ", SHAPES.keySet()) + ")");
        return s.vocab();
    }

    /**
     * The config of {@code shape} for architecture {@code arch} ({@code llama}, {@code mistral},
     * {@code qwen2}); {@code vocabOverride > 0} replaces the vocabulary size (to match a tokenizer).
     */
    public static ModelConfig config(String arch, String shape, int vocabOverride) {
        Shape s = SHAPES.get(shape);
        if (s == null) throw new IllegalArgumentException("unknown shape '" + shape + "' (known: " + String.join(", ", SHAPES.keySet()) + ")");
        if (!List.of("llama", "mistral", "qwen2").contains(arch))
            throw new IllegalArgumentException("unknown architecture '" + arch + "' (known: llama, mistral, qwen2)");
        int vocab = vocabOverride > 0 ? vocabOverride : s.vocab();
        if (vocab <= 0) throw new IllegalArgumentException("shape '" + shape + "' takes its vocabulary size from the tokenizer");
        return new ModelConfig(arch, s.hidden(), s.ffn(), s.layers(), s.heads(), s.kvHeads(), s.headDim(), vocab, s.maxPos(), s.eps(),
                s.theta(), arch.equals("llama") ? s.scaling() : null, null, ModelConfig.RopeStyle.HALF, arch.equals("qwen2"), s.tied(), 0,
                -1, List.of());
    }
}
