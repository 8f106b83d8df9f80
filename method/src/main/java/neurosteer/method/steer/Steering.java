package neurosteer.method.steer;

import java.util.ArrayList;
import java.util.List;
import neurosteer.engine.hooks.HookPoint;
import neurosteer.engine.hooks.Hooks;
import neurosteer.method.select.Neuron;
import neurosteer.method.select.NeuronSet;

/** The intervention of METHOD §5: multiply the selected neurons' activations by α. */
public final class Steering {
    public enum Positions { ALL, GENERATED }

    private Steering() {}

    public static void checkAlpha(double alpha) {
        if (!Double.isFinite(alpha) || alpha < 0)
            throw new IllegalArgumentException("alpha must be a finite number >= 0 (1 leaves the model unchanged, 0 suppresses), got " + alpha);
    }

    /** Hooks on {@code blocks.{l}.mlp.hook_post} that scale each selected neuron by α. */
    public static Hooks hooks(NeuronSet set, double alpha, Positions positions) {
        checkAlpha(alpha);
        List<List<Integer>> byLayer = new ArrayList<>();
        for (int l = 0; l < set.layers(); l++) byLayer.add(new ArrayList<>());
        for (Neuron n : set.neurons()) byLayer.get(n.layer()).add(n.index());
        Hooks.Builder b = Hooks.builder(set.layers());
        float a = (float) alpha;
        boolean generatedOnly = positions == Positions.GENERATED;
        for (int l = 0; l < set.layers(); l++) {
            int[] idx = byLayer.get(l).stream().mapToInt(Integer::intValue).toArray();
            if (idx.length == 0) continue;
            b.add(HookPoint.mlpPost(l), (point, view, values, width) -> {
                for (int row = 0; row < view.rows(); row++) {
                    if (generatedOnly && view.isPrompt(row)) continue;
                    int base = row * width;
                    for (int j : idx) values[base + j] *= a;
                }
            });
        }
        return b.build();
    }
}
