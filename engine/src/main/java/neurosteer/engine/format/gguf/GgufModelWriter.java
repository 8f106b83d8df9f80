package neurosteer.engine.format.gguf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import neurosteer.engine.format.ModelTensors;
import neurosteer.engine.format.TensorNames;
import neurosteer.engine.format.WeightProvider;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.template.ChatTemplate;
import neurosteer.engine.tensor.GgmlType;

/**
 * Writes a Llama-family model as GGUF, as llama.cpp's converter lays it out: {@code llama} (also for
 * Mistral) with Q/K rows permuted for interleaved RoPE, {@code qwen2} unpermuted with QKV biases;
 * llama3 RoPE scaling as a {@code rope_freqs} tensor; norms and biases in F32, matrices in
 * {@code matrixType} (or per tensor, {@link MatrixTypes}).
 */
public final class GgufModelWriter {
    private GgufModelWriter() {}

    public static String ggufArchitecture(ModelConfig c) {
        return c.architecture().equals("qwen2") ? "qwen2" : "llama";
    }

    public static void write(Path file, ModelConfig c, WeightProvider weights, GgmlType matrixType, Path tokenizerFolder,
                             ChatTemplate template, Map<String, String> extraMetadata) throws IOException {
        write(file, c, weights, MatrixTypes.all(matrixType), tokenizerFolder, template, extraMetadata);
    }

    public static void write(Path file, ModelConfig c, WeightProvider weights, MatrixTypes matrixTypes, Path tokenizerFolder,
                             ChatTemplate template, Map<String, String> extraMetadata) throws IOException {
        write(file, c, weights, matrixTypes, w -> {
            if (tokenizerFolder != null && Files.isRegularFile(tokenizerFolder.resolve("tokenizer.json")))
                GgufTokenizerMetadata.write(tokenizerFolder, w);
            if (template != null) w.putString("tokenizer.chat_template", template.source());
        }, extraMetadata);
    }

    /** Copies every {@code tokenizer.*} key of another GGUF file (its vocabulary, merges, template). */
    public static java.util.function.Consumer<GgufWriter> tokenizerFrom(GgufFile source) {
        return w -> {
            for (String key : source.metadata().keySet())
                if (key.startsWith("tokenizer.")) copy(w, key, source.get(key));
        };
    }

    private static void copy(GgufWriter w, String key, Object v) {
        switch (v) {
            case String s -> w.putString(key, s);
            case String[] a -> w.putStringArray(key, a);
            case int[] a -> w.putInt32Array(key, a);
            case long[] a -> w.putUInt32Array(key, a);
            case float[] a -> w.putFloat32Array(key, a);
            case Boolean b -> w.putBool(key, b);
            case Integer i -> w.putUInt32(key, i);
            case Long l -> w.putUInt32(key, l);
            case Float f -> w.putFloat32(key, f);
            default -> throw new IllegalArgumentException("cannot copy GGUF key " + key + " of type " + v.getClass().getSimpleName());
        }
    }

    public static void write(Path file, ModelConfig c, WeightProvider weights, GgmlType matrixType,
                             java.util.function.Consumer<GgufWriter> tokenizer, Map<String, String> extraMetadata) throws IOException {
        write(file, c, weights, MatrixTypes.all(matrixType), tokenizer, extraMetadata);
    }

    public static void write(Path file, ModelConfig c, WeightProvider weights, MatrixTypes matrixTypes,
                             java.util.function.Consumer<GgufWriter> tokenizer, Map<String, String> extraMetadata) throws IOException {
        String arch = ggufArchitecture(c);
        String p = arch + ".";
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", arch)
                .putString("general.name", extraMetadata.getOrDefault("general.name", "neurosteer-" + c.architecture()))
                .putUInt32(p + "block_count", c.numLayers())
                .putUInt32(p + "context_length", c.maxPositions())
                .putUInt32(p + "embedding_length", c.hiddenSize())
                .putUInt32(p + "feed_forward_length", c.intermediateSize())
                .putUInt32(p + "attention.head_count", c.numHeads())
                .putUInt32(p + "attention.head_count_kv", c.numKvHeads())
                .putUInt32(p + "attention.key_length", c.headDim())
                .putUInt32(p + "attention.value_length", c.headDim())
                .putUInt32(p + "rope.dimension_count", c.headDim())
                .putFloat32(p + "rope.freq_base", (float) c.ropeTheta())
                .putFloat32(p + "attention.layer_norm_rms_epsilon", c.rmsNormEps())
                .putUInt32(p + "vocab_size", c.vocabSize());
        ModelConfig.RopeScaling rs = c.ropeScaling();
        if (rs != null && rs.type().equals("linear")) {
            w.putString(p + "rope.scaling.type", "linear");
            w.putFloat32(p + "rope.scaling.factor", (float) rs.factor());
        }
        extraMetadata.forEach((k, v) -> { if (!k.equals("general.name")) w.putString(k, v); });
        if (tokenizer != null) tokenizer.accept(w);

        if (rs != null && rs.type().equals("llama3")) {
            double[] scaled = c.ropeInverseFrequencies();
            ModelConfig plain = new ModelConfig(c.architecture(), c.hiddenSize(), c.intermediateSize(), c.numLayers(), c.numHeads(), c.numKvHeads(),
                    c.headDim(), c.vocabSize(), c.maxPositions(), c.rmsNormEps(), c.ropeTheta(), null, null, c.ropeStyle(), c.attentionBias(),
                    c.tieWordEmbeddings(), c.slidingWindow(), c.bosTokenId(), c.eosTokenIds());
            double[] base = plain.ropeInverseFrequencies();
            float[] factors = new float[base.length];
            for (int i = 0; i < base.length; i++) factors[i] = (float) (base[i] / scaled[i]);
            w.addTensor("rope_freqs.weight", factors, new long[] {factors.length}, GgmlType.F32);
        }
        boolean permute = arch.equals("llama");
        for (ModelTensors.Spec spec : ModelTensors.of(c)) {
            String ggufName = ggufName(spec.name(), c);
            long[] shape = spec.vector() ? new long[] {spec.cols()} : new long[] {spec.rows(), spec.cols()};
            GgmlType type = spec.vector() ? GgmlType.F32 : matrixTypes.of(ggufName);
            boolean isQ = spec.name().contains(".q_proj."), isK = spec.name().contains(".k_proj.");
            int heads = isQ ? c.numHeads() : c.numKvHeads();
            w.addTensor(ggufName, shape, type, () -> {
                float[] values = new float[Math.toIntExact(spec.size())];
                weights.fill(spec.name(), spec.rows(), spec.cols(), 0, values);
                if (permute && (isQ || isK)) {
                    int rowLen = spec.vector() ? 1 : spec.cols();
                    values = permuteRows(values, heads, c.headDim(), rowLen);
                }
                return values;
            });
        }
        w.write(file);
    }

    /** HF rotate-half row order to llama.cpp's interleaved order: row h·d + 2i + j ← h·d + j·d/2 + i. */
    static float[] permuteRows(float[] values, int heads, int headDim, int rowLen) {
        float[] out = new float[values.length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++)
            for (int i = 0; i < half; i++)
                for (int j = 0; j < 2; j++) {
                    int to = h * headDim + 2 * i + j, from = h * headDim + j * half + i;
                    System.arraycopy(values, from * rowLen, out, to * rowLen, rowLen);
                }
        return out;
    }

    static String ggufName(String hfName, ModelConfig c) {
        TensorNames hf = TensorNames.HUGGING_FACE, gg = TensorNames.GGUF;
        if (hfName.equals(hf.embedding())) return gg.embedding();
        if (hfName.equals(hf.finalNorm())) return gg.finalNorm();
        if (hfName.equals(hf.output())) return gg.output();
        for (int l = 0; l < c.numLayers(); l++) {
            if (!hfName.startsWith("model.layers." + l + ".")) continue;
            if (hfName.equals(hf.attnNorm(l))) return gg.attnNorm(l);
            if (hfName.equals(hf.wq(l))) return gg.wq(l);
            if (hfName.equals(hf.wk(l))) return gg.wk(l);
            if (hfName.equals(hf.wv(l))) return gg.wv(l);
            if (hfName.equals(hf.wo(l))) return gg.wo(l);
            if (hfName.equals(hf.bq(l))) return gg.bq(l);
            if (hfName.equals(hf.bk(l))) return gg.bk(l);
            if (hfName.equals(hf.bv(l))) return gg.bv(l);
            if (hfName.equals(hf.ffnNorm(l))) return gg.ffnNorm(l);
            if (hfName.equals(hf.gate(l))) return gg.gate(l);
            if (hfName.equals(hf.up(l))) return gg.up(l);
            if (hfName.equals(hf.down(l))) return gg.down(l);
        }
        throw new IllegalArgumentException("no GGUF name for " + hfName);
    }
}
