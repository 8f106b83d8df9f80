package neurosteer.engine.format;

import java.util.ArrayList;
import java.util.List;
import neurosteer.engine.model.ModelConfig;

/** Every tensor a Llama-family checkpoint holds for a config, with Hugging Face names and [rows, cols] shapes. */
public final class ModelTensors {
    private ModelTensors() {}

    /** One tensor: a vector has {@code rows == 1}. */
    public record Spec(String name, int rows, int cols, boolean vector) {
        public long size() { return (long) rows * cols; }
    }

    public static List<Spec> of(ModelConfig c) {
        TensorNames n = TensorNames.HUGGING_FACE;
        int h = c.hiddenSize(), f = c.intermediateSize(), q = c.qDim(), kv = c.kvDim();
        List<Spec> out = new ArrayList<>();
        out.add(new Spec(n.embedding(), c.vocabSize(), h, false));
        for (int l = 0; l < c.numLayers(); l++) {
            out.add(new Spec(n.attnNorm(l), 1, h, true));
            out.add(new Spec(n.wq(l), q, h, false));
            out.add(new Spec(n.wk(l), kv, h, false));
            out.add(new Spec(n.wv(l), kv, h, false));
            if (c.attentionBias()) {
                out.add(new Spec(n.bq(l), 1, q, true));
                out.add(new Spec(n.bk(l), 1, kv, true));
                out.add(new Spec(n.bv(l), 1, kv, true));
            }
            out.add(new Spec(n.wo(l), h, q, false));
            out.add(new Spec(n.ffnNorm(l), 1, h, true));
            out.add(new Spec(n.gate(l), f, h, false));
            out.add(new Spec(n.up(l), f, h, false));
            out.add(new Spec(n.down(l), h, f, false));
        }
        out.add(new Spec(n.finalNorm(), 1, h, true));
        if (!c.tieWordEmbeddings()) out.add(new Spec(n.output(), c.vocabSize(), h, false));
        return out;
    }
}
