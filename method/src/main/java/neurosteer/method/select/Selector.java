package neurosteer.method.select;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import neurosteer.method.collect.NeuronStats;
import neurosteer.method.collect.StatsSet;

/** Neuron selection: ours (METHOD §3) and the baselines of §4, each returning a {@link NeuronSet}. */
public final class Selector {
    /** Which per-trajectory activation summary m is built from. */
    public enum Norm { RMS, MEAN_ABS }

    private final StatsSet stats;
    private final String scope;
    private final Norm norm;

    public Selector(StatsSet stats, String scope, Norm norm) {
        this.stats = stats;
        this.scope = scope;
        this.norm = norm;
    }

    private NeuronStats required(boolean high) {
        NeuronStats s = stats.find(StatsSet.key(scope, high));
        if (s == null || s.trajectories() == 0)
            throw new IllegalArgumentException("no " + (high ? "high" : "low") + "-quality trajectories in the statistics for '" + scope
                    + "': the contrastive set needs problems with both right and wrong completions");
        return s;
    }

    private double[] m(boolean high) {
        NeuronStats s = required(high);
        return norm == Norm.RMS ? s.meanRms() : s.meanAbs();
    }

    /** The ratio r, its ε and how many neurons ε changes r for by more than 1%. */
    public record Ratios(double[] mPlus, double[] mMinus, double[] r, double epsilon, int epsilonMatters) {}

    /** ε ≤ 0 picks 1e-3 × the median of all m⁺ and m⁻. */
    public Ratios ratios(double epsilon) {
        double[] plus = m(true), minus = m(false);
        if (!(epsilon > 0)) {
            double[] all = new double[plus.length * 2];
            System.arraycopy(plus, 0, all, 0, plus.length);
            System.arraycopy(minus, 0, all, plus.length, minus.length);
            Arrays.sort(all);
            double median = all[all.length / 2];
            epsilon = median > 0 ? 1e-3 * median : 1e-12;
        }
        double[] r = new double[plus.length];
        int matters = 0;
        for (int i = 0; i < r.length; i++) {
            r[i] = (plus[i] + epsilon) / (minus[i] + epsilon);
            double raw = minus[i] == 0 ? Double.POSITIVE_INFINITY : plus[i] / minus[i];
            if (!(Math.abs(raw - r[i]) <= 0.01 * Math.abs(raw))) matters++;
        }
        return new Ratios(plus, minus, r, epsilon, matters);
    }

    /** Candidates: the top {@code topFraction} of r over all neurons; selected: candidates with r ≥ θ. */
    public NeuronSet ours(double theta, double topFraction, double epsilon) {
        Ratios rt = ratios(epsilon);
        int n = rt.r().length;
        Integer[] order = byDescending(rt.r());
        int candidates = (int) Math.ceil(topFraction * n);
        List<Neuron> chosen = new ArrayList<>();
        for (int k = 0; k < candidates; k++) {
            int i = order[k];
            if (rt.r()[i] < theta) break;
            chosen.add(neuron(i, rt, rt.r()[i]));
        }
        Map<String, Object> settings = settings();
        settings.put("theta", theta);
        settings.put("top_fraction", topFraction);
        settings.put("epsilon", rt.epsilon());
        settings.put("epsilon_matters_for", rt.epsilonMatters());
        settings.put("candidates", candidates);
        return new NeuronSet("ours", stats.layers(), stats.width(), List.copyOf(chosen), settings);
    }

    /** Global top K by m⁺. */
    public NeuronSet topActivation(int k) {
        Ratios rt = ratios(0);
        return topK("top-activation", rt.mPlus(), k, rt);
    }

    /** Global top K by ‖down[:, j]‖₂ · sqrt(mean a²) over high-quality tokens. */
    public NeuronSet wanda(int k, double[] downColumnNorms) {
        Ratios rt = ratios(0);
        double[] act = required(true).tokenRms();
        double[] score = new double[act.length];
        for (int i = 0; i < score.length; i++) score[i] = downColumnNorms[i] * act[i];
        return topK("wanda", score, k, rt);
    }

    /**
     * Per layer, P = top p% by ‖down_j‖·m⁺ and N = top p% by ‖down_j‖·m⁻; keeps P \ N with p chosen
     * (on a 0.1% grid) so that |P \ N| is closest to K from above, then ranks by the P score and cuts to K.
     */
    public NeuronSet mathNeuro(int k, double[] downColumnNorms) {
        Ratios rt = ratios(0);
        int layers = stats.layers(), width = stats.width();
        double[] hi = new double[rt.r().length], lo = new double[rt.r().length];
        for (int i = 0; i < hi.length; i++) {
            hi[i] = downColumnNorms[i] * rt.mPlus()[i];
            lo[i] = downColumnNorms[i] * rt.mMinus()[i];
        }
        int[] rankHi = new int[hi.length], rankLo = new int[lo.length];
        for (int l = 0; l < layers; l++) {
            rankWithin(hi, l * width, width, rankHi);
            rankWithin(lo, l * width, width, rankLo);
        }
        int bestTop = width, bestCount = -1;
        long bestGap = Long.MAX_VALUE;
        for (int permille = 1; permille <= 1000; permille++) {
            int top = (int) Math.ceil(width * permille / 1000.0);
            int count = 0;
            for (int i = 0; i < hi.length; i++) if (rankHi[i] < top && rankLo[i] >= top) count++;
            long gap = count >= k ? count - k : (long) (k - count) * 1_000_000L;
            if (gap < bestGap) {
                bestGap = gap;
                bestTop = top;
                bestCount = count;
            }
        }
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < hi.length; i++) if (rankHi[i] < bestTop && rankLo[i] >= bestTop) kept.add(i);
        kept.sort(Comparator.comparingDouble((Integer i) -> -hi[i]).thenComparingInt(i -> i));
        List<Neuron> chosen = new ArrayList<>();
        for (int j = 0; j < Math.min(k, kept.size()); j++) chosen.add(neuron(kept.get(j), rt, hi[kept.get(j)]));
        Map<String, Object> settings = settings();
        settings.put("k", k);
        settings.put("top_percent", 100.0 * bestTop / width);
        settings.put("p_minus_n_size", bestCount);
        return new NeuronSet("mathneuro", layers, width, List.copyOf(chosen), settings);
    }

    /** K neurons drawn uniformly (or with the given per-layer counts), seeded. */
    public static NeuronSet random(int layers, int width, int k, long seed, int[] perLayer) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<Neuron> chosen = new ArrayList<>();
        if (perLayer != null) {
            for (int l = 0; l < layers; l++) for (int idx : sample(rnd, width, perLayer[l])) chosen.add(new Neuron(l, idx, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        } else {
            for (int i : sample(rnd, layers * width, k)) chosen.add(new Neuron(i / width, i % width, Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        }
        chosen.sort(Comparator.comparingInt(Neuron::layer).thenComparingInt(Neuron::index));
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("seed", seed);
        settings.put("k", chosen.size());
        settings.put("per_layer_matched", perLayer != null);
        return new NeuronSet("random", layers, width, List.copyOf(chosen), settings);
    }

    private static int[] sample(SplittableRandom rnd, int n, int k) {
        if (k > n) throw new IllegalArgumentException("cannot draw " + k + " neurons from " + n);
        int[] pool = new int[n];
        for (int i = 0; i < n; i++) pool[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = pool[i]; pool[i] = pool[j]; pool[j] = t;
        }
        return Arrays.copyOf(pool, k);
    }

    private NeuronSet topK(String method, double[] score, int k, Ratios rt) {
        Integer[] order = byDescending(score);
        List<Neuron> chosen = new ArrayList<>();
        for (int j = 0; j < Math.min(k, order.length); j++) chosen.add(neuron(order[j], rt, score[order[j]]));
        Map<String, Object> settings = settings();
        settings.put("k", k);
        return new NeuronSet(method, stats.layers(), stats.width(), List.copyOf(chosen), settings);
    }

    private Neuron neuron(int i, Ratios rt, double score) {
        return new Neuron(i / stats.width(), i % stats.width(), rt.mPlus()[i], rt.mMinus()[i], rt.r()[i], score);
    }

    private Map<String, Object> settings() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("scope", scope);
        s.put("norm", norm.name().toLowerCase());
        s.put("high_trajectories", required(true).trajectories());
        s.put("low_trajectories", required(false).trajectories());
        return s;
    }

    private static Integer[] byDescending(double[] v) {
        Integer[] order = new Integer[v.length];
        for (int i = 0; i < v.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(v[b], v[a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        return order;
    }

    private static void rankWithin(double[] v, int offset, int n, int[] rank) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(v[offset + b], v[offset + a]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        for (int r = 0; r < n; r++) rank[offset + order[r]] = r;
    }
}
