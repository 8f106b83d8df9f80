package neurosteer.method;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import neurosteer.engine.Model;
import neurosteer.engine.format.hf.HfCheckpointWriter;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.hooks.HookPoint;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.random.ModelShapes;
import neurosteer.engine.random.RandomWeights;
import neurosteer.method.collect.Collector;
import neurosteer.method.collect.NeuronStats;
import neurosteer.method.collect.StatsSet;
import neurosteer.method.collect.Trajectory;
import neurosteer.method.select.Neuron;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.select.Selector;
import neurosteer.method.steer.FoldedWeights;
import neurosteer.method.steer.Steering;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CollectSelectTest {
    @TempDir
    static Path dir;
    static Path folder;
    static ModelConfig config;
    static List<Trajectory> trajectories = new ArrayList<>();

    @BeforeAll
    static void setUp() throws Exception {
        config = ModelShapes.config("qwen2", "tiny", 71);
        folder = dir.resolve("m");
        HfCheckpointWriter.write(folder, config, new RandomWeights(config, 3)::fill, SafetensorsWriter.DType.F32, Map.of());
        SplittableRandom r = new SplittableRandom(9);
        for (int i = 0; i < 14; i++) {
            int len = 6 + r.nextInt(20), prompt = 2 + r.nextInt(4);
            int[] t = new int[len];
            for (int j = 0; j < len; j++) t[j] = r.nextInt(71);
            trajectories.add(new Trajectory("t" + i, t, prompt, i % 3 != 0, i % 2 == 0 ? "Algebra" : "Geometry"));
        }
    }

    /** Brute force: one trajectory at a time, every activation kept. */
    private static double[] bruteMeanRms(Model m, boolean high, boolean includePrompt) {
        int L = config.numLayers(), F = config.intermediateSize();
        double[] sum = new double[L * F];
        int count = 0;
        for (Trajectory t : trajectories) {
            if (t.highQuality() != high) continue;
            List<float[]> perLayer = new ArrayList<>();
            Hooks.Builder b = Hooks.builder(L);
            for (int l = 0; l < L; l++) b.add(HookPoint.mlpPost(l), (p, v, values, w) -> perLayer.add(values.clone()));
            m.transformer().forward(Batch.ofSequence(0, t.tokens(), 0, true, false), new KvCache[] {new KvCache(config, 8)}, b.build());
            int from = includePrompt ? 0 : t.promptLength();
            for (int l = 0; l < L; l++)
                for (int j = 0; j < F; j++) {
                    double sq = 0;
                    for (int pos = from; pos < t.tokens().length; pos++) sq += Math.pow(perLayer.get(l)[pos * F + j], 2);
                    sum[l * F + j] += Math.sqrt(sq / (t.tokens().length - from));
                }
            count++;
        }
        for (int i = 0; i < sum.length; i++) sum[i] /= count;
        return sum;
    }

    @Test
    void batchedStreamingStatisticsEqualBruteForceAndShardsMergeExactly() throws Exception {
        try (Model m = Model.load(folder)) {
            for (boolean includePrompt : new boolean[] {false, true}) {
                StatsSet whole = new StatsSet(config.numLayers(), config.intermediateSize());
                new Collector(m.transformer(), includePrompt, 40, 1).collect(trajectories, whole, n -> {});
                for (boolean high : new boolean[] {true, false}) {
                    double[] expected = bruteMeanRms(m, high, includePrompt), actual = whole.find(StatsSet.key("all", high)).meanRms();
                    for (int i = 0; i < expected.length; i++)
                        assertEquals(expected[i], actual[i], 1e-5 * Math.max(1, Math.abs(expected[i])), "neuron " + i + " high=" + high);
                }
                StatsSet merged = new StatsSet(config.numLayers(), config.intermediateSize());
                for (int shard = 0; shard < 3; shard++) {
                    List<Trajectory> part = new ArrayList<>();
                    for (int i = shard; i < trajectories.size(); i += 3) part.add(trajectories.get(i));
                    StatsSet s = new StatsSet(config.numLayers(), config.intermediateSize());
                    new Collector(m.transformer(), includePrompt, 40, 1).collect(part, s, n -> {});
                    Path f = dir.resolve("shard" + shard + includePrompt + ".safetensors");
                    s.save(f);
                    StatsSet reloaded = StatsSet.load(f);
                    for (var g : s.groups().entrySet())
                        for (NeuronStats.Field field : NeuronStats.Field.values())
                            org.junit.jupiter.api.Assertions.assertArrayEquals(g.getValue().sums(field), reloaded.find(g.getKey()).sums(field),
                                    "saved statistics reload bit for bit");
                    merged.merge(reloaded);
                }
                assertEquals(whole.groups().keySet(), merged.groups().keySet());
                for (var e : whole.groups().entrySet()) {
                    NeuronStats a = e.getValue(), b = merged.find(e.getKey());
                    assertEquals(a.trajectories(), b.trajectories());
                    assertEquals(a.tokens(), b.tokens());
                    for (NeuronStats.Field f : NeuronStats.Field.values()) {
                        double[] x = a.sums(f), y = b.sums(f);
                        // shards batch trajectories differently, and the matmul kernels' float summation order depends on
                        // the batch's row count, so activations agree to float rounding, not bit for bit
                        // signed sums cancel, so they are compared at the scale of the matching sum of |a|
                        double[] scale = f == NeuronStats.Field.TOKEN_SUM ? a.sums(NeuronStats.Field.TOKEN_ABS)
                                : f == NeuronStats.Field.TRAJ_MEAN ? a.sums(NeuronStats.Field.TRAJ_MEAN_ABS) : x;
                        for (int i = 0; i < x.length; i++)
                            assertEquals(x[i], y[i], 1e-5 * Math.max(1, Math.abs(scale[i])), e.getKey() + " " + f + " neuron " + i);
                    }
                }
                assertTrue(whole.find("subject=Algebra/high").trajectories() > 0);
                assertEquals(whole.find("all/high").trajectories(),
                        whole.find("half0/high") == null ? whole.find("half1/high").trajectories()
                                : whole.find("half0/high").trajectories() + (whole.find("half1/high") == null ? 0 : whole.find("half1/high").trajectories()));
            }
        }
    }

    /** Statistics where neurons (1, 5), (0, 7) and (1, 9) fire much more on high-quality chains. */
    private static StatsSet planted() {
        int L = 2, F = 40;
        StatsSet s = new StatsSet(L, F);
        SplittableRandom r = new SplittableRandom(4);
        Set<Integer> boosted = Set.of(F + 5, 7, F + 9);
        for (int t = 0; t < 30; t++) {
            boolean high = t % 2 == 0;
            var acc = new neurosteer.method.collect.TrajectoryActivations(L, F);
            for (int tok = 0; tok < 5; tok++) {
                for (int l = 0; l < L; l++) {
                    float[] v = new float[F];
                    for (int j = 0; j < F; j++) v[j] = (float) ((r.nextDouble() - 0.5) * (high && boosted.contains(l * F + j) ? 4 : 1));
                    acc.add(l, v, 0);
                }
                acc.countToken();
            }
            s.group(StatsSet.key("all", high)).add(acc);
        }
        return s;
    }

    @Test
    void oursFindsPlantedNeuronsAndBaselinesHaveK() {
        StatsSet s = planted();
        Selector sel = new Selector(s, "all", Selector.Norm.RMS);
        NeuronSet ours = sel.ours(1.15, 0.10, 0);
        assertTrue(ours.contains(1, 5) && ours.contains(0, 7) && ours.contains(1, 9), "planted neurons: " + ours.neurons());
        for (Neuron n : ours.neurons()) assertTrue(n.ratio() >= 1.15);
        assertTrue(ours.size() <= 8, "at most the top 10% of 80 neurons");
        int k = ours.size();
        double[] norms = new double[80];
        java.util.Arrays.fill(norms, 1.0);
        assertEquals(k, sel.topActivation(k).size());
        assertEquals(k, sel.wanda(k, norms).size());
        assertEquals(k, Selector.random(2, 40, k, 1, null).size());
        assertEquals(k, Selector.random(2, 40, k, 1, ours.perLayerCounts()).size());
        NeuronSet mn = sel.mathNeuro(k, norms);
        assertTrue(mn.size() <= k && mn.size() > 0);
        assertTrue(mn.contains(1, 5) || mn.contains(0, 7) || mn.contains(1, 9), "MathNeuro keeps high-only neurons: " + mn.neurons());
        assertThrows(IllegalArgumentException.class, () -> new Selector(s, "subject=Algebra", Selector.Norm.RMS).ours(1.15, 0.1, 0));
    }

    @Test
    void exportedWeightsEqualHookedModel() throws Exception {
        try (Model m = Model.load(folder)) {
            NeuronSet set = Selector.random(config.numLayers(), config.intermediateSize(), 30, 5, null);
            Path out = dir.resolve("exported");
            HfCheckpointWriter.write(out, config, new FoldedWeights(m.weights(), set, 1.6), SafetensorsWriter.DType.F32, Map.of());
            try (Model e = Model.load(out)) {
                int[] tokens = trajectories.get(0).tokens();
                float[] hooked = m.transformer().forward(Batch.ofSequence(0, tokens, 0, true, true), new KvCache[] {new KvCache(config, 8)},
                        Steering.hooks(set, 1.6, Steering.Positions.ALL));
                float[] plain = m.transformer().forward(Batch.ofSequence(0, tokens, 0, true, true), new KvCache[] {new KvCache(config, 8)}, Hooks.NONE);
                float[] baked = e.transformer().forward(Batch.ofSequence(0, tokens, 0, true, true), new KvCache[] {new KvCache(config, 8)}, Hooks.NONE);
                double diff = 0, effect = 0, scale = 0;
                for (int i = 0; i < hooked.length; i++) {
                    diff = Math.max(diff, Math.abs(hooked[i] - baked[i]));
                    effect = Math.max(effect, Math.abs(plain[i] - baked[i]));
                    scale = Math.max(scale, Math.abs(baked[i]));
                }
                assertTrue(effect > 1e-3, "steering must change the logits");
                assertTrue(diff / scale < 1e-5, "exported vs hooked: relative " + diff / scale);
            }
            assertThrows(IllegalArgumentException.class, () -> Steering.hooks(Selector.random(2, 192, 3, 1, null), -1, Steering.Positions.ALL));
            assertThrows(IllegalArgumentException.class, () -> Steering.hooks(Selector.random(2, 192, 3, 1, null), Double.NaN, Steering.Positions.ALL));
        }
    }
}
