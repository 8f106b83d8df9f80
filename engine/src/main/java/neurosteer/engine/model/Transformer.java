package neurosteer.engine.model;

import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import neurosteer.engine.hooks.Hook;
import neurosteer.engine.hooks.HookPoint;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.tensor.Kernels;
import neurosteer.engine.tensor.Lanes;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.util.JitSettings;
import neurosteer.engine.util.Parallel;

/**
 * The Llama-family forward pass (Llama, Mistral, Qwen2): every architecture difference comes from
 * {@link ModelConfig}. One call runs a {@link Batch} of rows from any number of sequences, each
 * continuing its own {@link KvCache}. Not thread-safe: one forward pass at a time per instance.
 */
public final class Transformer {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final double[] inverseFrequencies;
    private final float attentionScale;
    private final int kvGroup;
    private Buffers buffers = new Buffers(0, null);
    /** Floats of the half caches of sequences with several rows in a pass, one slot per such sequence, reused from layer to layer. */
    private float[][] halfKeysAsFloats = new float[0][], halfValuesAsFloats = new float[0][];
    private int rowsPerPass = DEFAULT_ROWS_PER_PASS;
    private final KvCachePool cachePool;

    /**
     * Batches longer than this run as consecutive passes of at most this many rows, split evenly (as
     * llama.cpp's micro-batches): the activation buffers, which grow with the rows of a pass, stay bounded
     * whatever the batch. Every pass of a split batch has at least 32 rows, so each runs the same
     * kernels as the whole batch would and the results are the same.
     */
    public static final int DEFAULT_ROWS_PER_PASS = 512;
    /** Twice the rows from which the tiled prefill kernel runs, so that no pass of a split batch falls below them. */
    public static final int MIN_ROWS_PER_PASS = 64;

    public Transformer(ModelConfig config, ModelWeights weights) {
        this.config = config;
        this.weights = weights;
        this.inverseFrequencies = config.ropeInverseFrequencies();
        this.attentionScale = (float) (1.0 / Math.sqrt(config.headDim()));
        this.kvGroup = config.numHeads() / config.numKvHeads();
        this.cachePool = new KvCachePool(config);
        JitSettings.warnOnceIfKernelsMaySlowDown();
    }

    /**
     * How the caches this transformer's pool hands out keep keys and values (default {@link KvCache.Precision#F32}).
     * Caches made elsewhere may use either; attention reads each as it is.
     */
    public KvCache.Precision kvCachePrecision() { return cachePool.precision(); }

    public void kvCachePrecision(KvCache.Precision precision) { cachePool.precision(precision); }

    /** Caches for callers that run batch after batch of sequences to take and hand back. */
    public KvCachePool cachePool() { return cachePool; }

    public ModelConfig config() { return config; }

    public ModelWeights weights() { return weights; }

    /** The most rows one pass runs; longer batches are split (see {@link #DEFAULT_ROWS_PER_PASS}). */
    public int rowsPerPass() { return rowsPerPass; }

    public void rowsPerPass(int rows) {
        if (rows < MIN_ROWS_PER_PASS) throw new IllegalArgumentException("rows per pass must be at least " + MIN_ROWS_PER_PASS + ", got " + rows);
        this.rowsPerPass = rows;
    }

    /**
     * Activations of one pass, sized for {@code rows} rows; reused while large enough. There are no
     * separate buffers for the attention output (it overwrites q), the two projections back to the
     * residual (they go to xn, free by then) or the rows that want logits (compacted within xn): at 512
     * rows of a 1B model that is 12 MB less resident memory.
     */
    private static final class Buffers {
        final int rows;
        final float[] x, xn, q, k, v, gate, up;
        final float[] cos, sin;

        Buffers(int rows, ModelConfig c) {
            this.rows = rows;
            if (c == null) {
                x = xn = q = k = v = gate = up = cos = sin = new float[0];
                return;
            }
            int h = c.hiddenSize();
            x = new float[rows * h];
            xn = new float[rows * h];
            q = new float[rows * c.qDim()];
            k = new float[rows * c.kvDim()];
            v = new float[rows * c.kvDim()];
            gate = new float[rows * c.intermediateSize()];
            up = new float[rows * c.intermediateSize()];
            cos = new float[rows * (c.headDim() / 2)];
            sin = new float[rows * (c.headDim() / 2)];
        }
    }

    /**
     * Runs the batch through the model, appending to the caches ({@code caches[batch.sequence(row)]}),
     * and returns the logits of the rows that want them, in row order ({@code logitRows × vocab}). A batch
     * of more than {@link #rowsPerPass()} rows runs as several passes, and hooks see each pass's rows.
     */
    public float[] forward(Batch batch, KvCache[] caches, Hooks hooks) {
        return forward(batch, caches, hooks, null);
    }

    /**
     * As {@link #forward(Batch, KvCache[], Hooks)}, writing the logits into {@code logitsInto} when it is
     * large enough (its first {@code logitRows × vocab} floats) and into a new array otherwise; returns
     * the array written. A decode loop that passes back what it got allocates no logits per step: at
     * 64 sequences and a 128k vocabulary that is 33 MB a step the collector would otherwise reclaim.
     */
    public float[] forward(Batch batch, KvCache[] caches, Hooks hooks, float[] logitsInto) {
        int rows = batch.rows(), hidden = config.hiddenSize();
        int logitFloats = batch.logitRows() * config.vocabSize();
        float[] logits = logitsInto != null && logitsInto.length >= logitFloats ? logitsInto : new float[logitFloats];
        if (rows <= rowsPerPass) {
            int n = pass(batch, caches, hooks);
            weights.output().matmul(buffers.xn, n, logits, buffers.gate);
            return logits;
        }
        checkPositions(batch, caches);  // the whole batch, before any pass writes a cache
        // the final rows of every pass, then the output head once over all of them, as in one pass
        float[] normalized = new float[batch.logitRows() * hidden];
        int passes = (rows + rowsPerPass - 1) / rowsPerPass, filled = 0;
        for (int p = 0; p < passes; p++) {
            int n = pass(batch.slice((int) ((long) p * rows / passes), (int) ((long) (p + 1) * rows / passes)), caches, hooks);
            System.arraycopy(buffers.xn, 0, normalized, filled * hidden, n * hidden);
            filled += n;
        }
        weights.output().matmul(normalized, filled, logits, buffers.gate);
        return logits;
    }

    /** One pass through the layers; leaves the final-normalized rows that want logits at the front of {@code buffers.xn} and returns how many. */
    private int pass(Batch batch, KvCache[] caches, Hooks hooks) {
        final int rows = batch.rows();
        final int hidden = config.hiddenSize();
        final int ffn = config.intermediateSize();
        if (buffers.rows < rows) buffers = new Buffers(rows, config);
        final Buffers b = buffers;
        checkPositions(batch, caches);

        embed(batch, b.x);
        ropeTables(batch, b.cos, b.sin);

        List<LayerWeights> layers = weights.layers();
        for (int l = 0; l < layers.size(); l++) {
            LayerWeights w = layers.get(l);
            run(hooks, HookPoint.Kind.RESID_PRE, l, batch, b.x, hidden);

            rmsNorm(b.x, w.attnNorm(), b.xn, rows, hidden);
            // each product may use as scratch a buffer that is dead at that point (Tensor.matmul's spare)
            w.wq().matmul(b.xn, rows, b.q, b.gate);
            w.wk().matmul(b.xn, rows, b.k, b.gate);
            w.wv().matmul(b.xn, rows, b.v, b.gate);
            if (w.bq() != null) {
                addBias(b.q, w.bq(), rows);
                addBias(b.k, w.bk(), rows);
                addBias(b.v, w.bv(), rows);
            }
            applyRope(b.q, config.numHeads(), rows, b.cos, b.sin);
            applyRope(b.k, config.numKvHeads(), rows, b.cos, b.sin);
            storeKv(batch, caches, l, b.k, b.v);
            attention(batch, caches, l, b.q);
            w.wo().matmul(b.q, rows, b.xn, b.gate);
            run(hooks, HookPoint.Kind.ATTN_OUT, l, batch, b.xn, hidden);
            add(b.x, b.xn, rows * hidden);
            run(hooks, HookPoint.Kind.RESID_MID, l, batch, b.x, hidden);

            rmsNorm(b.x, w.ffnNorm(), b.xn, rows, hidden);
            w.gate().matmul(b.xn, rows, b.gate, b.up);
            w.up().matmul(b.xn, rows, b.up, b.q);
            run(hooks, HookPoint.Kind.MLP_PRE, l, batch, b.gate, ffn);
            run(hooks, HookPoint.Kind.MLP_PRE_LINEAR, l, batch, b.up, ffn);
            swiglu(b.gate, b.up, rows * ffn);
            run(hooks, HookPoint.Kind.MLP_POST, l, batch, b.gate, ffn);
            w.down().matmul(b.gate, rows, b.xn, b.up);
            run(hooks, HookPoint.Kind.MLP_OUT, l, batch, b.xn, hidden);
            add(b.x, b.xn, rows * hidden);
            run(hooks, HookPoint.Kind.RESID_POST, l, batch, b.x, hidden);
        }
        for (int r = 0; r < rows; r++) {
            KvCache c = caches[batch.sequence(r)];
            c.advanceTo(batch.position(r) + 1);
        }

        rmsNorm(b.x, weights.finalNorm(), b.xn, rows, hidden);
        run(hooks, HookPoint.Kind.FINAL_NORMALIZED, -1, batch, b.xn, hidden);
        int n = 0;  // the rows that want logits, moved to the front of xn (never to a later row)
        for (int r = 0; r < rows; r++)
            if (batch.wantsLogits(r)) System.arraycopy(b.xn, r * hidden, b.xn, (n++) * hidden, hidden);
        return n;
    }

    private void checkPositions(Batch batch, KvCache[] caches) {
        int[] next = new int[caches.length];
        for (int s = 0; s < caches.length; s++) next[s] = caches[s] == null ? -1 : caches[s].length();
        for (int r = 0; r < batch.rows(); r++) {
            int s = batch.sequence(r);
            if (s < 0 || s >= caches.length || caches[s] == null) throw new IllegalArgumentException("row " + r + ": no cache for sequence " + s);
            int p = batch.position(r);
            if (p != next[s])
                throw new IllegalArgumentException("row " + r + ": sequence " + s + " expects position " + next[s] + ", got " + p);
            if (p >= config.maxPositions())
                throw new IllegalArgumentException("sequence " + s + " reaches position " + p + " but the model's context is "
                        + config.maxPositions() + " tokens");
            int tok = batch.tokens()[r];
            if (tok < 0 || tok >= config.vocabSize())
                throw new IllegalArgumentException("row " + r + ": token id " + tok + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
            next[s] = p + 1;
        }
        for (int s = 0; s < caches.length; s++) if (caches[s] != null && next[s] > caches[s].length()) caches[s].ensureCapacity(next[s]);
    }

    private static void run(Hooks hooks, HookPoint.Kind kind, int layer, Batch batch, float[] values, int width) {
        Hook[] at = hooks.at(kind, layer);
        if (at == null) return;
        HookPoint point = new HookPoint(kind, layer);
        for (Hook h : at) h.apply(point, batch, values, width);
    }

    private void embed(Batch batch, float[] x) {
        int hidden = config.hiddenSize();
        Tensor emb = weights.tokenEmbedding();
        for (int r = 0; r < batch.rows(); r++) emb.dequantize((long) batch.tokens()[r] * hidden, x, r * hidden, hidden);
    }

    private void ropeTables(Batch batch, float[] cos, float[] sin) {
        int half = config.headDim() / 2;
        for (int r = 0; r < batch.rows(); r++) {
            int p = batch.position(r);
            for (int i = 0; i < half; i++) {
                double angle = p * inverseFrequencies[i];
                cos[r * half + i] = (float) Math.cos(angle);
                sin[r * half + i] = (float) Math.sin(angle);
            }
        }
    }

    private void applyRope(float[] v, int heads, int rows, float[] cos, float[] sin) {
        int hd = config.headDim(), half = hd / 2;
        boolean interleaved = config.ropeStyle() == ModelConfig.RopeStyle.INTERLEAVED;
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < heads; h++) {
                int base = (r * heads + h) * hd;
                for (int i = 0; i < half; i++) {
                    float c = cos[r * half + i], s = sin[r * half + i];
                    int i0 = interleaved ? base + 2 * i : base + i;
                    int i1 = interleaved ? i0 + 1 : base + i + half;
                    float x0 = v[i0], x1 = v[i1];
                    v[i0] = x0 * c - x1 * s;
                    v[i1] = x1 * c + x0 * s;
                }
            }
        }
    }

    private void storeKv(Batch batch, KvCache[] caches, int layer, float[] k, float[] v) {
        int kvDim = config.kvDim();
        for (int r = 0; r < batch.rows(); r++) {
            caches[batch.sequence(r)].store(layer, batch.position(r), k, r * kvDim, v, r * kvDim);
        }
    }

    /**
     * Causal attention of every row and head, written over q. A job is one row and one key/value head
     * with the query heads that share it (grouped-query attention): each key and value is read once for
     * all of them, and their dot products and value sums run side by side, each in the order of
     * {@link #dot} and {@link #weightedValues} (so the result does not depend on the grouping). A job
     * reads its heads' slices of q in full (the scores) before it writes them (the weighted values),
     * and no other job reads them.
     */
    private void attention(Batch batch, KvCache[] caches, int layer, float[] q) {
        final int hd = config.headDim(), kvDim = config.kvDim(), qDim = config.qDim(), group = kvGroup;
        final int kvHeads = config.numKvHeads(), window = config.slidingWindow(), rows = batch.rows();
        final ConvertedHalves converted = convertHalfCaches(batch, caches, layer);
        Parallel.forRange(rows * kvHeads, 1, (start, end) -> {
            // sized once for the chunk's longest row (growing it row by row made ~200 MB of garbage a 512-token prefill)
            int longest = 0;
            for (int r = start / kvHeads; r <= (end - 1) / kvHeads; r++) {
                int p = batch.position(r);
                longest = Math.max(longest, p - (window > 0 ? Math.max(0, p - window + 1) : 0) + 1);
            }
            float[] scores = new float[Math.max(group * longest, 64)], inverseSums = new float[group], headKeys = null, headValues = null;
            for (int job = start; job < end; job++) {
                int r = job / kvHeads, kvHead = job % kvHeads;
                int p = batch.position(r);
                int from = window > 0 ? Math.max(0, p - window + 1) : 0;
                int len = p - from + 1;
                int seq = batch.sequence(r);
                KvCache c = caches[seq];
                int qOff = r * qDim + kvHead * group * hd;
                // keys and values as floats: the cache's own arrays, or (halves) this head's slice converted once for the group
                float[] keys, values;
                int kvOff, stride;
                if (c.precision() == KvCache.Precision.F32) {
                    keys = c.keys(layer);
                    values = c.values(layer);
                    kvOff = from * kvDim + kvHead * hd;
                    stride = kvDim;
                } else if (converted != null && converted.slotOf()[seq] >= 0) {
                    int slot = converted.slotOf()[seq];
                    keys = halfKeysAsFloats[slot];
                    values = halfValuesAsFloats[slot];
                    kvOff = (from - converted.firstPosition()[slot]) * kvDim + kvHead * hd;
                    stride = kvDim;
                } else {
                    if (headKeys == null || headKeys.length < len * hd) {
                        headKeys = new float[Math.max(len, 64) * hd];
                        headValues = new float[headKeys.length];
                    }
                    c.readHead(true, layer, from, len, kvHead * hd, hd, headKeys);
                    c.readHead(false, layer, from, len, kvHead * hd, hd, headValues);
                    keys = headKeys;
                    values = headValues;
                    kvOff = 0;
                    stride = hd;
                }
                groupScores(q, qOff, group, hd, keys, kvOff, stride, len, attentionScale, scores);
                for (int g = 0; g < group; g++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int t = g * len; t < (g + 1) * len; t++) if (scores[t] > max) max = scores[t];
                    inverseSums[g] = 1f / softmaxNumerators(scores, g * len, len, max);
                }
                int g = 0;
                for (; g + 2 <= group; g += 2)
                    weightedValuesOfTwo(scores, g * len, (g + 1) * len, len, inverseSums[g], inverseSums[g + 1], values, kvOff, stride,
                            q, qOff + g * hd, qOff + (g + 1) * hd, hd);
                if (g < group) weightedValues(scores, g * len, len, inverseSums[g], values, kvOff, stride, q, qOff + g * hd, 0, hd);
            }
        });
    }

    /** Half caches converted for one layer: per sequence its slot in the float arrays (-1: not converted), per slot the first position. */
    private record ConvertedHalves(int[] slotOf, int[] firstPosition) {}

    /**
     * For every half cache with more than {@link #ROWS_TO_CONVERT_ONCE} rows in this batch (a prefill or a
     * teacher-forced pass), its keys and values over the positions those rows attend to, converted to
     * floats once for the layer rather than once per row, into slots reused from layer to layer and pass
     * to pass; null when no cache qualifies. A decode row converts its own.
     */
    private ConvertedHalves convertHalfCaches(Batch batch, KvCache[] caches, int layer) {
        int[] rowsOf = null, lowest = null, highest = null;
        int window = config.slidingWindow();
        for (int r = 0; r < batch.rows(); r++) {
            int s = batch.sequence(r);
            if (caches[s].precision() == KvCache.Precision.F32) continue;
            if (rowsOf == null) {
                rowsOf = new int[caches.length];
                lowest = new int[caches.length];
                highest = new int[caches.length];
                java.util.Arrays.fill(lowest, Integer.MAX_VALUE);
            }
            int p = batch.position(r);
            rowsOf[s]++;
            lowest[s] = Math.min(lowest[s], window > 0 ? Math.max(0, p - window + 1) : 0);
            highest[s] = Math.max(highest[s], p);
        }
        if (rowsOf == null) return null;
        int[] slotOf = new int[caches.length], sequenceOf = new int[caches.length], first = new int[caches.length];
        java.util.Arrays.fill(slotOf, -1);
        int slots = 0, kvDim = config.kvDim();
        for (int s = 0; s < caches.length; s++) {
            if (rowsOf[s] <= ROWS_TO_CONVERT_ONCE) continue;
            int slot = slots++;
            if (halfKeysAsFloats.length <= slot) {
                halfKeysAsFloats = java.util.Arrays.copyOf(halfKeysAsFloats, slot + 1);
                halfValuesAsFloats = java.util.Arrays.copyOf(halfValuesAsFloats, slot + 1);
            }
            int need = (highest[s] - lowest[s] + 1) * kvDim;
            if (halfKeysAsFloats[slot] == null || halfKeysAsFloats[slot].length < need) {
                halfKeysAsFloats[slot] = new float[need];
                halfValuesAsFloats[slot] = new float[need];
            }
            slotOf[s] = slot;
            sequenceOf[slot] = s;
            first[slot] = lowest[s];
        }
        if (slots == 0) return null;
        final int chunk = 64;  // positions per job
        final int[] jobStarts = new int[slots + 1], count = new int[slots];
        for (int slot = 0; slot < slots; slot++) {
            count[slot] = highest[sequenceOf[slot]] - first[slot] + 1;
            jobStarts[slot + 1] = jobStarts[slot] + (count[slot] + chunk - 1) / chunk;
        }
        Parallel.forRange(jobStarts[slots], 1, (start, end) -> {
            for (int job = start; job < end; job++) {
                int slot = 0;
                while (jobStarts[slot + 1] <= job) slot++;
                int at = (job - jobStarts[slot]) * chunk, n = Math.min(chunk, count[slot] - at);
                KvCache c = caches[sequenceOf[slot]];
                c.readPositions(true, layer, first[slot] + at, n, halfKeysAsFloats[slot], at * kvDim);
                c.readPositions(false, layer, first[slot] + at, n, halfValuesAsFloats[slot], at * kvDim);
            }
        });
        return new ConvertedHalves(slotOf, java.util.Arrays.copyOf(first, slots));
    }

    /** Rows of one sequence in a batch above which its half cache is converted once a layer (see {@link #convertHalfCaches}). */
    static final int ROWS_TO_CONVERT_ONCE = 4;

    /**
     * {@code scores[g·len + t] = scale · dot(q_g, k_t)} for the {@code group} heads whose queries lie
     * one after another from {@code qOff}, against the {@code len} keys from {@code kOff}, {@code stride}
     * apart. Four heads at a time take each key once and keep four independent sums in flight.
     */
    static void groupScores(float[] q, int qOff, int group, int hd, float[] keys, int kOff, int stride, int len, float scale,
                            float[] scores) {
        int g = 0;
        if (Kernels.VECTORIZE && hd >= F.length())
            for (; g + 4 <= group; g += 4) fourHeadScores(q, qOff + g * hd, hd, keys, kOff, stride, len, scale, scores, g * len);
        for (; g < group; g++)
            for (int t = 0; t < len; t++) scores[g * len + t] = dot(q, qOff + g * hd, keys, kOff + t * stride, hd) * scale;
    }

    /** {@link #groupScores} of four heads, each dot product in exactly the order of {@link #dot}. */
    private static void fourHeadScores(float[] q, int q0, int hd, float[] keys, int kOff, int stride, int len, float scale,
                                       float[] scores, int s0) {
        int q1 = q0 + hd, q2 = q1 + hd, q3 = q2 + hd, upper = F.loopBound(hd);
        for (int t = 0, k = kOff; t < len; t++, k += stride) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int i = 0; i < upper; i += F.length()) {
                FloatVector key = FloatVector.fromArray(F, keys, k + i);
                a0 = FloatVector.fromArray(F, q, q0 + i).fma(key, a0);
                a1 = FloatVector.fromArray(F, q, q1 + i).fma(key, a1);
                a2 = FloatVector.fromArray(F, q, q2 + i).fma(key, a2);
                a3 = FloatVector.fromArray(F, q, q3 + i).fma(key, a3);
            }
            float d0 = Lanes.sum(a0), d1 = Lanes.sum(a1), d2 = Lanes.sum(a2), d3 = Lanes.sum(a3);
            for (int i = upper; i < hd; i++) {
                d0 += q[q0 + i] * keys[k + i];
                d1 += q[q1 + i] * keys[k + i];
                d2 += q[q2 + i] * keys[k + i];
                d3 += q[q3 + i] * keys[k + i];
            }
            scores[s0 + t] = d0 * scale;
            scores[s0 + len + t] = d1 * scale;
            scores[s0 + 2 * len + t] = d2 * scale;
            scores[s0 + 3 * len + t] = d3 * scale;
        }
    }

    /** {@code scores[t] = exp(scores[t] - max)} for {@code t} in {@code [from, from + len)}; returns their sum. */
    private static float softmaxNumerators(float[] scores, int from, int len, float max) {
        int t = from, end = from + len;
        float sum = 0;
        if (Kernels.VECTORIZE && len >= F.length()) {
            FloatVector acc = FloatVector.zero(F);
            for (int upper = from + F.loopBound(len); t < upper; t += F.length()) {
                FloatVector e = Lanes.exp(FloatVector.fromArray(F, scores, t).sub(max));
                e.intoArray(scores, t);
                acc = acc.add(e);
            }
            sum = Lanes.sum(acc);
        }
        for (; t < end; t++) {
            float e = (float) Math.exp(scores[t] - max);
            scores[t] = e;
            sum += e;
        }
        return sum;
    }

    private void rmsNorm(float[] x, float[] weight, float[] out, int rows, int dim) {
        float eps = config.rmsNormEps();
        for (int r = 0; r < rows; r++) {
            int off = r * dim;
            double ss = 0;
            for (int i = 0; i < dim; i++) ss += (double) x[off + i] * x[off + i];
            float scale = (float) (1.0 / Math.sqrt(ss / dim + eps));
            int i = 0;
            if (Kernels.VECTORIZE) {
                for (int upper = F.loopBound(dim); i < upper; i += F.length()) {
                    FloatVector v = FloatVector.fromArray(F, x, off + i).mul(scale);
                    FloatVector.fromArray(F, weight, i).mul(v).intoArray(out, off + i);
                }
            }
            for (; i < dim; i++) out[off + i] = weight[i] * (x[off + i] * scale);
        }
    }

    /** {@code sum a[ao + i] * b[bo + i]} over {@code i < n}. */
    static float dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        float sum = 0;
        if (Kernels.VECTORIZE && n >= F.length()) {
            FloatVector acc = FloatVector.zero(F);
            for (int upper = F.loopBound(n); i < upper; i += F.length())
                acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
            sum = Lanes.sum(acc);
        }
        for (; i < n; i++) sum += a[ao + i] * b[bo + i];
        return sum;
    }

    /**
     * {@code out[oOff + i] = scale · Σ_t weights[wOff + t] · values[vOff + t·stride + i]} for
     * {@code from <= i < n}: the attention output of one head. Four 8-lane slices of the head stay in
     * registers while every position is added, instead of a load and store of the output per position.
     */
    static void weightedValues(float[] weights, int wOff, int len, float scale, float[] values, int vOff, int stride,
                               float[] out, int oOff, int from, int n) {
        int i = from;
        if (Kernels.VECTORIZE) {
            int lanes = F.length();
            for (; i + 4 * lanes <= n; i += 4 * lanes) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
                for (int t = 0, v = vOff + i; t < len; t++, v += stride) {
                    FloatVector w = FloatVector.broadcast(F, weights[wOff + t]);
                    a0 = FloatVector.fromArray(F, values, v).fma(w, a0);
                    a1 = FloatVector.fromArray(F, values, v + lanes).fma(w, a1);
                    a2 = FloatVector.fromArray(F, values, v + 2 * lanes).fma(w, a2);
                    a3 = FloatVector.fromArray(F, values, v + 3 * lanes).fma(w, a3);
                }
                a0.mul(scale).intoArray(out, oOff + i);
                a1.mul(scale).intoArray(out, oOff + i + lanes);
                a2.mul(scale).intoArray(out, oOff + i + 2 * lanes);
                a3.mul(scale).intoArray(out, oOff + i + 3 * lanes);
            }
            for (; i + lanes <= n; i += lanes) {
                FloatVector a = FloatVector.zero(F);
                for (int t = 0, v = vOff + i; t < len; t++, v += stride)
                    a = FloatVector.fromArray(F, values, v).fma(FloatVector.broadcast(F, weights[wOff + t]), a);
                a.mul(scale).intoArray(out, oOff + i);
            }
        }
        for (; i < n; i++) {
            float a = 0;
            for (int t = 0, v = vOff + i; t < len; t++, v += stride) a += weights[wOff + t] * values[v];
            out[oOff + i] = a * scale;
        }
    }

    /**
     * {@link #weightedValues} of two heads that share their values (weights from {@code wA} and
     * {@code wB}, outputs at {@code oA} and {@code oB}): each value slice is loaded once for both,
     * and every output gets exactly the arithmetic of {@link #weightedValues}.
     */
    static void weightedValuesOfTwo(float[] weights, int wA, int wB, int len, float scaleA, float scaleB, float[] values, int vOff,
                                    int stride, float[] out, int oA, int oB, int n) {
        int i = 0;
        if (Kernels.VECTORIZE) {
            int lanes = F.length();
            for (; i + 4 * lanes <= n; i += 4 * lanes) {
                FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (int t = 0, v = vOff + i; t < len; t++, v += stride) {
                    FloatVector wa = FloatVector.broadcast(F, weights[wA + t]), wb = FloatVector.broadcast(F, weights[wB + t]);
                    FloatVector v0 = FloatVector.fromArray(F, values, v), v1 = FloatVector.fromArray(F, values, v + lanes);
                    FloatVector v2 = FloatVector.fromArray(F, values, v + 2 * lanes), v3 = FloatVector.fromArray(F, values, v + 3 * lanes);
                    a0 = v0.fma(wa, a0);
                    a1 = v1.fma(wa, a1);
                    a2 = v2.fma(wa, a2);
                    a3 = v3.fma(wa, a3);
                    b0 = v0.fma(wb, b0);
                    b1 = v1.fma(wb, b1);
                    b2 = v2.fma(wb, b2);
                    b3 = v3.fma(wb, b3);
                }
                a0.mul(scaleA).intoArray(out, oA + i);
                a1.mul(scaleA).intoArray(out, oA + i + lanes);
                a2.mul(scaleA).intoArray(out, oA + i + 2 * lanes);
                a3.mul(scaleA).intoArray(out, oA + i + 3 * lanes);
                b0.mul(scaleB).intoArray(out, oB + i);
                b1.mul(scaleB).intoArray(out, oB + i + lanes);
                b2.mul(scaleB).intoArray(out, oB + i + 2 * lanes);
                b3.mul(scaleB).intoArray(out, oB + i + 3 * lanes);
            }
        }
        weightedValues(weights, wA, len, scaleA, values, vOff, stride, out, oA, i, n);
        weightedValues(weights, wB, len, scaleB, values, vOff, stride, out, oB, i, n);
    }

    private static void addBias(float[] x, float[] bias, int rows) {
        int d = bias.length;
        for (int r = 0; r < rows; r++) for (int i = 0; i < d; i++) x[r * d + i] += bias[i];
    }

    private static void add(float[] x, float[] y, int n) {
        int i = 0;
        if (Kernels.VECTORIZE) {
            for (int upper = F.loopBound(n); i < upper; i += F.length())
                FloatVector.fromArray(F, x, i).add(FloatVector.fromArray(F, y, i)).intoArray(x, i);
        }
        for (; i < n; i++) x[i] += y[i];
    }

    /**
     * {@code gate = silu(gate) * up}, in parallel over groups of 8 elements: every whole group takes the
     * vector path and only the final partial group the scalar one, so no element's value depends on
     * how the work was split between threads.
     */
    private static void swiglu(float[] gate, float[] up, int n) {
        int lanes = F.length(), groups = (n + lanes - 1) / lanes;
        Parallel.forRange(groups, 2048, (startGroup, endGroup) -> {
            int i = startGroup * lanes, end = Math.min(n, endGroup * lanes);
            if (Kernels.VECTORIZE) {
                for (; i + lanes <= end; i += lanes) {
                    FloatVector g = FloatVector.fromArray(F, gate, i);
                    FloatVector sig = Lanes.exp(g.neg()).add(1f);
                    g.div(sig).mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
                }
            }
            for (; i < end; i++) {
                float g = gate[i];
                gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
            }
        });
    }
}
