package neurosteer.method.collect;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;
import neurosteer.engine.hooks.HookPoint;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.model.Transformer;

/**
 * The teacher-forced pass of METHOD §2: runs trajectories through the model several at a time and
 * streams every {@code mlp.hook_post} activation into {@link StatsSet} groups, never holding more
 * than one batch of activations.
 */
public final class Collector {
    private final Transformer transformer;
    private final boolean includePrompt;
    private final int maxRows;
    private final long halvesSeed;

    public Collector(Transformer transformer, boolean includePrompt, int maxRows, long halvesSeed) {
        this.transformer = transformer;
        this.includePrompt = includePrompt;
        this.maxRows = Math.max(1, maxRows);
        this.halvesSeed = halvesSeed;
    }

    /** Which random half (0 or 1) a trajectory belongs to, a pure function of its id and the seed. */
    public static int half(String id, long seed) {
        long h = id.hashCode() * 0x9E3779B97F4A7C15L ^ seed * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        return (int) (h & 1);
    }

    /** Adds {@code trajectories} to {@code into}; {@code done} is told how many finished after each batch. */
    public void collect(List<Trajectory> trajectories, StatsSet into, IntConsumer done) {
        ModelConfig c = transformer.config();
        int i = 0;
        while (i < trajectories.size()) {
            List<Trajectory> batch = new ArrayList<>();
            int rows = 0;
            while (i < trajectories.size() && (batch.isEmpty() || rows + trajectories.get(i).tokens().length <= maxRows)) {
                Trajectory t = trajectories.get(i++);
                if (t.tokens().length > c.maxPositions())
                    throw new IllegalArgumentException("trajectory " + t.id() + " has " + t.tokens().length + " tokens; the model's context is " + c.maxPositions());
                batch.add(t);
                rows += t.tokens().length;
            }
            run(batch, rows, into);
            done.accept(batch.size());
        }
    }

    private void run(List<Trajectory> batch, int rows, StatsSet into) {
        ModelConfig c = transformer.config();
        int n = batch.size();
        int[] tok = new int[rows], seq = new int[rows], pos = new int[rows];
        boolean[] prompt = new boolean[rows], want = new boolean[rows];
        int r = 0;
        KvCache[] caches = new KvCache[n];
        TrajectoryActivations[] acc = new TrajectoryActivations[n];
        for (int s = 0; s < n; s++) {
            Trajectory t = batch.get(s);
            caches[s] = transformer.cachePool().take(t.tokens().length);
            acc[s] = new TrajectoryActivations(c.numLayers(), c.intermediateSize());
            for (int p = 0; p < t.tokens().length; p++, r++) {
                tok[r] = t.tokens()[p];
                seq[r] = s;
                pos[r] = p;
                prompt[r] = p < t.promptLength();
            }
        }
        Hooks.Builder hooks = Hooks.builder(c.numLayers());
        for (int l = 0; l < c.numLayers(); l++) {
            int layer = l;
            hooks.add(HookPoint.mlpPost(l), (point, view, values, width) -> {
                for (int row = 0; row < view.rows(); row++) {
                    if (!includePrompt && view.isPrompt(row)) continue;
                    acc[view.sequence(row)].add(layer, values, row * width);
                }
            });
        }
        Batch b = new Batch(tok, seq, pos, prompt, want);
        try {
            transformer.forward(b, caches, hooks.build());
        } finally {
            transformer.cachePool().give(caches);
        }
        for (int row = 0; row < rows; row++) if (includePrompt || !prompt[row]) acc[seq[row]].countToken();
        for (int s = 0; s < n; s++) {
            Trajectory t = batch.get(s);
            String half = "half" + half(t.id(), halvesSeed);
            into.group(StatsSet.key("all", t.highQuality())).add(acc[s]);
            into.group(StatsSet.key(half, t.highQuality())).add(acc[s]);
            if (t.subject() != null) into.group(StatsSet.key("subject=" + t.subject(), t.highQuality())).add(acc[s]);
        }
    }
}
