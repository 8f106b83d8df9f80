package neurosteer.method.steer;

import java.util.HashMap;
import java.util.Map;
import neurosteer.engine.format.TensorNames;
import neurosteer.engine.format.WeightProvider;
import neurosteer.engine.model.LayerWeights;
import neurosteer.engine.model.ModelWeights;
import neurosteer.engine.tensor.Tensor;
import neurosteer.method.select.Neuron;
import neurosteer.method.select.NeuronSet;

/**
 * A model's weights with the intervention folded in: column j of {@code down_proj} scaled by α for
 * each selected neuron, so an ordinary checkpoint behaves like the hooked model (all positions).
 */
public final class FoldedWeights implements WeightProvider {
    private final Map<String, Tensor> byName = new HashMap<>();
    private final Map<String, float[]> vectors = new HashMap<>();
    private final Map<Integer, int[]> columnsByLayer = new HashMap<>();
    private final float alpha;

    public FoldedWeights(ModelWeights weights, NeuronSet set, double alpha) {
        Steering.checkAlpha(alpha);
        this.alpha = (float) alpha;
        TensorNames n = TensorNames.HUGGING_FACE;
        byName.put(n.embedding(), weights.tokenEmbedding());
        byName.put(n.output(), weights.output());
        vectors.put(n.finalNorm(), weights.finalNorm());
        for (int l = 0; l < weights.layers().size(); l++) {
            LayerWeights w = weights.layers().get(l);
            byName.put(n.wq(l), w.wq());
            byName.put(n.wk(l), w.wk());
            byName.put(n.wv(l), w.wv());
            byName.put(n.wo(l), w.wo());
            byName.put(n.gate(l), w.gate());
            byName.put(n.up(l), w.up());
            byName.put(n.down(l), w.down());
            vectors.put(n.attnNorm(l), w.attnNorm());
            vectors.put(n.ffnNorm(l), w.ffnNorm());
            if (w.bq() != null) {
                vectors.put(n.bq(l), w.bq());
                vectors.put(n.bk(l), w.bk());
                vectors.put(n.bv(l), w.bv());
            }
        }
        Map<Integer, java.util.List<Integer>> cols = new HashMap<>();
        for (Neuron neuron : set.neurons()) cols.computeIfAbsent(neuron.layer(), k -> new java.util.ArrayList<>()).add(neuron.index());
        cols.forEach((l, list) -> columnsByLayer.put(l, list.stream().mapToInt(Integer::intValue).toArray()));
    }

    @Override
    public void fill(String name, int rows, int cols, int rowStart, float[] out) {
        float[] v = vectors.get(name);
        if (v != null) {
            System.arraycopy(v, rowStart * cols, out, 0, out.length);
            return;
        }
        Tensor t = byName.get(name);
        if (t == null) throw new IllegalArgumentException("no weight named " + name);
        t.dequantize((long) rowStart * cols, out, 0, out.length);
        int layer = downLayer(name);
        if (layer >= 0) {
            int[] columns = columnsByLayer.get(layer);
            if (columns != null) for (int r = 0; r < out.length / cols; r++) for (int j : columns) out[r * cols + j] *= alpha;
        }
    }

    private static int downLayer(String name) {
        if (!name.endsWith(".mlp.down_proj.weight")) return -1;
        String[] parts = name.split("\\.");
        return Integer.parseInt(parts[2]);
    }

    /** ‖down[:, j]‖₂ of every neuron, {@code [layer * width + j]}. */
    public static double[] downColumnNorms(ModelWeights weights) {
        int layers = weights.layers().size();
        Tensor first = weights.layers().get(0).down();
        int hidden = first.rows(), width = first.cols();
        double[] norms = new double[layers * width];
        float[] row = new float[width];
        for (int l = 0; l < layers; l++) {
            Tensor down = weights.layers().get(l).down();
            for (int h = 0; h < hidden; h++) {
                down.dequantize((long) h * width, row, 0, width);
                for (int j = 0; j < width; j++) norms[l * width + j] += (double) row[j] * row[j];
            }
            for (int j = 0; j < width; j++) norms[l * width + j] = Math.sqrt(norms[l * width + j]);
        }
        return norms;
    }
}
