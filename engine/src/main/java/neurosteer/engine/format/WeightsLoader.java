package neurosteer.engine.format;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import neurosteer.engine.model.LayerWeights;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.model.ModelWeights;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.tensor.Tensors;

/** Gathers a model's weights from a checkpoint, checking every shape against the config. */
public final class WeightsLoader {
    private final ModelConfig c;
    private final TensorSource source;
    private final TensorNames names;

    private WeightsLoader(ModelConfig config, TensorSource source, TensorNames names) {
        this.c = config;
        this.source = source;
        this.names = names;
    }

    public static ModelWeights load(ModelConfig config, TensorSource source, TensorNames names) {
        return new WeightsLoader(config, source, names).load();
    }

    private ModelWeights load() {
        int h = c.hiddenSize(), f = c.intermediateSize(), q = c.qDim(), kv = c.kvDim(), vocab = c.vocabSize();
        Tensor embedding = matrix(names.embedding(), vocab, h);
        List<LayerWeights> layers = new ArrayList<>();
        for (int l = 0; l < c.numLayers(); l++) {
            boolean bias = c.attentionBias();
            layers.add(new LayerWeights(
                    vector(names.attnNorm(l), h),
                    matrix(names.wq(l), q, h), matrix(names.wk(l), kv, h), matrix(names.wv(l), kv, h), matrix(names.wo(l), h, q),
                    bias ? vector(names.bq(l), q) : null, bias ? vector(names.bk(l), kv) : null, bias ? vector(names.bv(l), kv) : null,
                    vector(names.ffnNorm(l), h),
                    matrix(names.gate(l), f, h), matrix(names.up(l), f, h), matrix(names.down(l), h, f)));
        }
        float[] finalNorm = vector(names.finalNorm(), h);
        Tensor output = !c.tieWordEmbeddings() && source.has(names.output()) ? matrix(names.output(), vocab, h) : null;
        if (output == null) {
            if (!c.tieWordEmbeddings() && !names.equals(TensorNames.GGUF))
                throw new CheckpointException(source.location(), names.output(), "tensor not found and tie_word_embeddings is false");
            output = embedding;
        }
        return new ModelWeights(embedding, List.copyOf(layers), finalNorm, output);
    }

    private Tensor find(String name) {
        if (!source.has(name)) throw new CheckpointException(source.location(), name, "tensor not found in the checkpoint");
        return source.tensor(name);
    }

    private Tensor matrix(String name, int rows, int cols) {
        Tensor t = find(name);
        long[] s = t.shape();
        if (s.length != 2 || s[0] != rows || s[1] != cols)
            throw new CheckpointException(source.fileOf(name), name, "shape " + Arrays.toString(s) + " disagrees with the config, which implies ["
                    + rows + ", " + cols + "]");
        return Tensors.forInference(t);
    }

    private float[] vector(String name, int n) {
        Tensor t = find(name);
        if (t.size() != n)
            throw new CheckpointException(source.fileOf(name), name, "shape " + Arrays.toString(t.shape()) + " disagrees with the config, which implies [" + n + "]");
        return t.toFloatArray();
    }
}
