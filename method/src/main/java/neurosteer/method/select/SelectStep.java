package neurosteer.method.select;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;
import neurosteer.engine.model.ModelWeights;
import neurosteer.method.collect.StatsSet;
import neurosteer.method.steer.FoldedWeights;

/** METHOD §3–4 as a step: statistics file in, neurons file out. */
public final class SelectStep {
    public enum Method { OURS, TOP_ACTIVATION, WANDA, MATHNEURO, RANDOM }

    public record Settings(Method method, double theta, double topFraction, double epsilon, String scope, Selector.Norm norm, int k,
                           long seed, boolean matchLayers) {}

    private SelectStep() {}

    public static Method parse(String name) {
        return switch (name.toLowerCase().replace('_', '-')) {
            case "ours" -> Method.OURS;
            case "top-activation", "topactivation", "top" -> Method.TOP_ACTIVATION;
            case "wanda" -> Method.WANDA;
            case "mathneuro" -> Method.MATHNEURO;
            case "random" -> Method.RANDOM;
            default -> throw new IllegalArgumentException("unknown selection method '" + name + "' (ours, top-activation, wanda, mathneuro, random)");
        };
    }

    /**
     * Selects and writes {@code out}. Baselines need K (> 0): the size of our set, normally.
     * {@code weights} is needed by Wanda and MathNeuro (‖down[:, j]‖₂).
     */
    public static NeuronSet run(StatsSet stats, ModelWeights weights, Settings s, Map<String, Object> provenance, Path out) {
        Selector sel = new Selector(stats, s.scope(), s.norm());
        NeuronSet set = switch (s.method()) {
            case OURS -> sel.ours(s.theta(), s.topFraction(), s.epsilon());
            case TOP_ACTIVATION -> sel.topActivation(requireK(s));
            case WANDA -> sel.wanda(requireK(s), FoldedWeights.downColumnNorms(weights));
            case MATHNEURO -> sel.mathNeuro(requireK(s), FoldedWeights.downColumnNorms(weights));
            case RANDOM -> Selector.random(stats.layers(), stats.width(), requireK(s), s.seed(), null);
        };
        set.settings().putAll(provenance);
        try {
            set.save(out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        return set;
    }

    private static int requireK(Settings s) {
        if (s.k() <= 0) throw new IllegalArgumentException("--method " + s.method().name().toLowerCase() + " needs --k (e.g. the size of our set)");
        return s.k();
    }
}
