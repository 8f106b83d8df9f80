package neurosteer.toy.train;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where each named tensor lives in the one flat parameter array (and, with the same offsets, in the
 * gradient and Adam moment arrays). Names and shapes are Hugging Face's.
 */
public final class ToyParameters {
    /** One tensor: HF name, offset into the flat array, shape [rows, cols] (cols = 1 for vectors). */
    public record Slot(String name, int offset, int rows, int cols, boolean isNorm) {
        public int size() { return rows * cols; }
        public long[] hfShape() { return cols == 1 ? new long[] {rows} : new long[] {rows, cols}; }
    }

    public record Layer(Slot attnNorm, Slot wq, Slot wk, Slot wv, Slot wo, Slot ffnNorm, Slot wGate, Slot wUp, Slot wDown) {}

    public record Layout(Slot embed, List<Layer> layers, Slot finalNorm, List<Slot> all, int total) {}

    private ToyParameters() {}

    public static Layout layout(ToyModelConfig c) {
        List<Slot> all = new ArrayList<>();
        int[] offset = {0};
        java.util.function.BiFunction<String, int[], Slot> add = (name, shape) -> {
            Slot s = new Slot(name, offset[0], shape[0], shape.length > 1 ? shape[1] : 1, shape.length == 1);
            offset[0] += s.size();
            all.add(s);
            return s;
        };
        Slot embed = add.apply("model.embed_tokens.weight", new int[] {c.vocabSize(), c.dim()});
        List<Layer> layers = new ArrayList<>();
        for (int l = 0; l < c.layers(); l++) {
            String p = "model.layers." + l + ".";
            layers.add(new Layer(
                    add.apply(p + "input_layernorm.weight", new int[] {c.dim()}),
                    add.apply(p + "self_attn.q_proj.weight", new int[] {c.qDim(), c.dim()}),
                    add.apply(p + "self_attn.k_proj.weight", new int[] {c.kvDim(), c.dim()}),
                    add.apply(p + "self_attn.v_proj.weight", new int[] {c.kvDim(), c.dim()}),
                    add.apply(p + "self_attn.o_proj.weight", new int[] {c.dim(), c.qDim()}),
                    add.apply(p + "post_attention_layernorm.weight", new int[] {c.dim()}),
                    add.apply(p + "mlp.gate_proj.weight", new int[] {c.ffnDim(), c.dim()}),
                    add.apply(p + "mlp.up_proj.weight", new int[] {c.ffnDim(), c.dim()}),
                    add.apply(p + "mlp.down_proj.weight", new int[] {c.dim(), c.ffnDim()})));
        }
        Slot finalNorm = add.apply("model.norm.weight", new int[] {c.dim()});
        return new Layout(embed, List.copyOf(layers), finalNorm, List.copyOf(all), offset[0]);
    }

    /** Norm weights 1, matrices N(0, 0.02), output projections scaled down by sqrt(2 * layers). */
    public static float[] initialise(ToyModelConfig c, long seed) {
        Layout layout = layout(c);
        float[] params = new float[layout.total()];
        SplittableRandom rng = new SplittableRandom(seed);
        double residualScale = 1.0 / Math.sqrt(2.0 * c.layers());
        for (Slot s : layout.all()) {
            if (s.isNorm()) {
                java.util.Arrays.fill(params, s.offset(), s.offset() + s.size(), 1f);
                continue;
            }
            boolean residualOut = s.name().endsWith("o_proj.weight") || s.name().endsWith("down_proj.weight");
            double std = 0.02 * (residualOut ? residualScale : 1.0);
            for (int i = 0; i < s.size(); i++) params[s.offset() + i] = (float) (gaussian(rng) * std);
        }
        return params;
    }

    static double gaussian(SplittableRandom rng) {
        double u1 = 1.0 - rng.nextDouble(), u2 = rng.nextDouble();
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
