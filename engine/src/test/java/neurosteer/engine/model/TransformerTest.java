package neurosteer.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import neurosteer.engine.Model;
import neurosteer.engine.format.TensorNames;
import neurosteer.engine.format.hf.HfCheckpointWriter;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.hooks.HookPoint;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.random.ModelShapes;
import neurosteer.engine.random.RandomWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransformerTest {
    @TempDir
    Path dir;

    private Model writeAndLoad(String arch, String name, neurosteer.engine.format.WeightProvider provider, ModelConfig config) throws Exception {
        Path folder = dir.resolve(name);
        HfCheckpointWriter.write(folder, config, provider, SafetensorsWriter.DType.F32, Map.of());
        return Model.load(folder);
    }

    private static int[] randomTokens(int n, int vocab, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) t[i] = r.nextInt(vocab);
        return t;
    }

    private static float[] prefill(Model m, int[] tokens, Hooks hooks) {
        KvCache cache = new KvCache(m.config(), tokens.length);
        return m.transformer().forward(Batch.ofSequence(0, tokens, 0, true, true), new KvCache[] {cache}, hooks);
    }

    @Test
    void matchesIndependentReferenceAtEveryLayer() throws Exception {
        for (String arch : List.of("llama", "qwen2", "mistral")) {
            ModelConfig config = ModelShapes.config(arch, "tiny", 97);
            RandomWeights weights = new RandomWeights(config, 7);
            try (Model m = writeAndLoad(arch, arch, weights::fill, config)) {
                int[] tokens = randomTokens(19, 97, 3);
                List<float[]> resid = new ArrayList<>();
                Hooks.Builder hb = Hooks.builder(config.numLayers());
                for (int l = 0; l < config.numLayers(); l++)
                    hb.add(HookPoint.residPost(l), (p, b, v, w) -> resid.add(v.clone()));
                float[] logits = prefill(m, tokens, hb.build());
                ReferenceLlama ref = new ReferenceLlama(config, weights);
                double[][][] expected = ref.run(tokens);
                for (int l = 0; l < config.numLayers(); l++)
                    assertClose(expected[l], resid.get(l), 1e-4, arch + " layer " + l + " resid_post");
                assertClose(expected[config.numLayers()], logits, 1e-4, arch + " logits");
            }
        }
    }

    @Test
    void scalingANeuronEqualsScalingItsDownProjectionColumn() throws Exception {
        ModelConfig config = ModelShapes.config("llama", "tiny", 97);
        RandomWeights weights = new RandomWeights(config, 11);
        int layer = 1, neuron = 37;
        float alpha = 1.7f;
        String down = TensorNames.HUGGING_FACE.down(layer);
        try (Model plain = writeAndLoad("llama", "plain", weights::fill, config);
             Model folded = writeAndLoad("llama", "folded", (name, rows, cols, start, out) -> {
                 weights.fill(name, rows, cols, start, out);
                 if (name.equals(down)) for (int r = 0; r < out.length / cols; r++) out[r * cols + neuron] *= alpha;
             }, config)) {
            int[] tokens = randomTokens(23, 97, 5);
            Hooks hooks = Hooks.builder(config.numLayers()).add(HookPoint.mlpPost(layer), (p, b, v, w) -> {
                for (int r = 0; r < b.rows(); r++) v[r * w + neuron] *= alpha;
            }).build();
            float[] hooked = prefill(plain, tokens, hooks);
            float[] baked = prefill(folded, tokens, Hooks.NONE);
            float[] untouched = prefill(plain, tokens, Hooks.NONE);
            double maxDiff = 0, maxEffect = 0, scale = 0;
            for (int i = 0; i < hooked.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(hooked[i] - baked[i]));
                maxEffect = Math.max(maxEffect, Math.abs(untouched[i] - baked[i]));
                scale = Math.max(scale, Math.abs(baked[i]));
            }
            maxDiff /= scale; // relative to the largest logit, so near-zero logits do not divide by ~0
            assertTrue(maxEffect > 1e-4, "the intervention must change the logits, changed by " + maxEffect);
            assertTrue(maxDiff <= 1e-5, "hook and folded weights differ by relative " + maxDiff);
        }
    }

    @Test
    void batchedSequencesAndIncrementalDecodingEqualSeparatePrefill() throws Exception {
        ModelConfig config = ModelShapes.config("qwen2", "tiny", 97);
        RandomWeights weights = new RandomWeights(config, 13);
        try (Model m = writeAndLoad("qwen2", "q", weights::fill, config)) {
            int[] a = randomTokens(11, 97, 1), b = randomTokens(7, 97, 2);
            float[] fullA = prefill(m, a, Hooks.NONE), fullB = prefill(m, b, Hooks.NONE);
            int v = config.vocabSize();
            // both sequences in one batch: first 5 tokens of each, then the rest one token at a time
            KvCache[] caches = {new KvCache(config, 4), new KvCache(config, 4)};
            int[] tok = new int[10], seq = new int[10], pos = new int[10];
            boolean[] prompt = new boolean[10];
            for (int i = 0; i < 5; i++) {
                tok[i] = a[i]; seq[i] = 0; pos[i] = i; prompt[i] = true;
                tok[5 + i] = b[i]; seq[5 + i] = 1; pos[5 + i] = i; prompt[5 + i] = true;
            }
            float[] logits = m.transformer().forward(new Batch(tok, seq, pos, prompt, null), caches, Hooks.NONE);
            for (int i = 0; i < 5; i++) {
                assertClose(slice(fullA, i, v), slice(logits, i, v), 1e-5, "seq a row " + i);
                assertClose(slice(fullB, i, v), slice(logits, 5 + i, v), 1e-5, "seq b row " + i);
            }
            for (int p = 5; p < 11; p++) {
                boolean withB = p < 7;
                int[] t = withB ? new int[] {a[p], b[p]} : new int[] {a[p]};
                int[] s = withB ? new int[] {0, 1} : new int[] {0};
                int[] ps = withB ? new int[] {p, p} : new int[] {p};
                float[] step = m.transformer().forward(new Batch(t, s, ps, new boolean[t.length], null), caches, Hooks.NONE);
                assertClose(slice(fullA, p, v), slice(step, 0, v), 1e-5, "decode a " + p);
                if (withB) assertClose(slice(fullB, p, v), slice(step, 1, v), 1e-5, "decode b " + p);
            }
        }
    }

    /**
     * The residual stream is the sum of what the hooks see: at every layer resid_mid = resid_pre +
     * hook_attn_out and resid_post = resid_mid + hook_mlp_out, exactly (the engine adds those very
     * arrays), and both outputs are neither zero nor each other. Then logits asked for a scattered
     * subset of rows equal those rows of the full pass.
     */
    @Test
    void hookedOutputsAreWhatTheResidualAddsAndLogitsOfSomeRowsMatchTheFullPass() throws Exception {
        ModelConfig config = ModelShapes.config("llama", "tiny", 97);
        RandomWeights weights = new RandomWeights(config, 17);
        try (Model m = writeAndLoad("llama", "sum", weights::fill, config)) {
            int[] tokens = randomTokens(13, 97, 9);
            int layers = config.numLayers();
            Map<HookPoint.Kind, List<float[]>> seen = new java.util.EnumMap<>(HookPoint.Kind.class);
            List<HookPoint.Kind> kinds = List.of(HookPoint.Kind.RESID_PRE, HookPoint.Kind.ATTN_OUT, HookPoint.Kind.RESID_MID,
                    HookPoint.Kind.MLP_OUT, HookPoint.Kind.RESID_POST);
            Hooks.Builder hb = Hooks.builder(layers);
            for (HookPoint.Kind kind : kinds) {
                seen.put(kind, new ArrayList<>());
                for (int l = 0; l < layers; l++) hb.add(new HookPoint(kind, l), (p, b, v, w) -> seen.get(p.kind()).add(v.clone()));
            }
            float[] all = prefill(m, tokens, hb.build());
            int n = tokens.length * config.hiddenSize();
            for (int l = 0; l < layers; l++) {
                float[] pre = seen.get(HookPoint.Kind.RESID_PRE).get(l), attn = seen.get(HookPoint.Kind.ATTN_OUT).get(l),
                        mid = seen.get(HookPoint.Kind.RESID_MID).get(l), mlp = seen.get(HookPoint.Kind.MLP_OUT).get(l),
                        post = seen.get(HookPoint.Kind.RESID_POST).get(l);
                double attnSize = 0, mlpSize = 0, apart = 0;
                for (int i = 0; i < n; i++) {
                    assertEquals(pre[i] + attn[i], mid[i], 0f, "layer " + l + " resid_mid at " + i);
                    assertEquals(mid[i] + mlp[i], post[i], 0f, "layer " + l + " resid_post at " + i);
                    attnSize += Math.abs(attn[i]);
                    mlpSize += Math.abs(mlp[i]);
                    apart += Math.abs(attn[i] - mlp[i]);
                }
                assertTrue(attnSize > 0 && mlpSize > 0 && apart > 0, "layer " + l + ": attention and MLP outputs must be real and distinct");
            }
            int v = config.vocabSize();
            boolean[] want = new boolean[tokens.length];
            int[] rows = {1, 4, 5, 11};
            for (int r : rows) want[r] = true;
            int[] seq = new int[tokens.length], pos = new int[tokens.length];
            for (int i = 0; i < tokens.length; i++) pos[i] = i;
            float[] some = m.transformer().forward(new Batch(tokens, seq, pos, new boolean[tokens.length], want),
                    new KvCache[] {new KvCache(config, tokens.length)}, Hooks.NONE);
            assertEquals(rows.length * v, some.length, "one row of logits per row that asked");
            for (int k = 0; k < rows.length; k++) assertClose(slice(all, rows[k], v), slice(some, k, v), 0, "row " + rows[k]);
        }
    }

    /**
     * A batch longer than {@link Transformer#rowsPerPass()} runs as several passes: two sequences whose
     * rows are mixed and cut across pass boundaries, some rows asking for logits, give exactly the
     * logits, hook values and cache lengths of the same batch in one pass.
     */
    @Test
    void aBatchSplitIntoPassesEqualsOnePass() throws Exception {
        ModelConfig config = ModelShapes.config("llama", "tiny", 97);
        RandomWeights weights = new RandomWeights(config, 19);
        try (Model m = writeAndLoad("llama", "split", weights::fill, config)) {
            int[] a = randomTokens(90, 97, 21), b = randomTokens(61, 97, 22);
            int rows = a.length + b.length;
            int[] tok = new int[rows], seq = new int[rows], pos = new int[rows];
            boolean[] prompt = new boolean[rows], want = new boolean[rows];
            int r = 0;
            for (int i = 0; i < 40; i++, r++) { tok[r] = a[i]; seq[r] = 0; pos[r] = i; }
            for (int i = 0; i < b.length; i++, r++) { tok[r] = b[i]; seq[r] = 1; pos[r] = i; prompt[r] = i < 30; }
            for (int i = 40; i < a.length; i++, r++) { tok[r] = a[i]; seq[r] = 0; pos[r] = i; }
            SplittableRandom pick = new SplittableRandom(23);
            for (int i = 0; i < rows; i++) want[i] = pick.nextInt(4) == 0;
            Batch batch = new Batch(tok, seq, pos, prompt, want);

            Transformer t = m.transformer();
            int layer = 1, width = config.intermediateSize();
            List<Object[]> once = new ArrayList<>(), split = new ArrayList<>();
            t.rowsPerPass(1024);
            KvCache[] onceCaches = {new KvCache(config, 8), new KvCache(config, 8)};
            float[] whole = t.forward(batch, onceCaches, recordingMlpPost(config, layer, once));
            t.rowsPerPass(64);
            KvCache[] splitCaches = {new KvCache(config, 8), new KvCache(config, 8)};
            List<Integer> passRows = new ArrayList<>();
            Hooks.Builder hb = Hooks.builder(config.numLayers());
            hb.add(HookPoint.residPre(0), (p, v, values, w) -> passRows.add(v.rows()));
            hb.add(HookPoint.mlpPost(layer), (p, v, values, w) -> record(v, values, w, split));
            float[] parts = t.forward(batch, splitCaches, hb.build());

            assertEquals(List.of(50, 50, 51), passRows, "151 rows at most 64 a pass: three even passes");
            assertEquals(batch.logitRows() * config.vocabSize(), parts.length);
            assertClose(whole, parts, 0, "logits");
            assertEquals(rows, once.size());
            assertEquals(once.size(), split.size());
            for (int i = 0; i < once.size(); i++) {
                assertEquals((String) once.get(i)[0], (String) split.get(i)[0], "row " + i + " of the hook");
                assertClose((float[]) once.get(i)[1], (float[]) split.get(i)[1], 0, "mlp.hook_post row " + once.get(i)[0]);
            }
            for (int s = 0; s < 2; s++) assertEquals(onceCaches[s].length(), splitCaches[s].length(), "cache " + s);
            assertEquals(a.length, splitCaches[0].length());
            assertThrows(IllegalArgumentException.class, () -> t.rowsPerPass(63));
        }
    }

    private static Hooks recordingMlpPost(ModelConfig config, int layer, List<Object[]> into) {
        return Hooks.builder(config.numLayers()).add(HookPoint.mlpPost(layer), (p, v, values, w) -> record(v, values, w, into)).build();
    }

    private static void record(neurosteer.engine.hooks.BatchView v, float[] values, int width, List<Object[]> into) {
        for (int row = 0; row < v.rows(); row++) {
            float[] copy = new float[width];
            System.arraycopy(values, row * width, copy, 0, width);
            into.add(new Object[] {v.sequence(row) + "@" + v.position(row) + (v.isPrompt(row) ? "p" : ""), copy});
        }
    }

    static float[] slice(float[] all, int row, int width) {
        float[] out = new float[width];
        System.arraycopy(all, row * width, out, 0, width);
        return out;
    }

    static void assertClose(double[][] expected, float[] actual, double tol, String what) {
        int w = expected[0].length;
        assertEquals(expected.length * w, actual.length, what + ": size");
        double worst = 0;
        for (int r = 0; r < expected.length; r++)
            for (int i = 0; i < w; i++) worst = Math.max(worst, Math.abs(expected[r][i] - actual[r * w + i]) / Math.max(1.0, Math.abs(expected[r][i])));
        assertTrue(worst <= tol, what + ": max difference " + worst + " > " + tol);
    }

    static void assertClose(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + ": size");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        assertTrue(worst <= tol, what + ": max difference " + worst + " > " + tol);
    }

    /** The attention's value sum against a plain double-precision sum, for head sizes that take every path. */
    @Test
    void weightedValuesMatchesAPlainSumForEveryHeadSize() {
        SplittableRandom r = new SplittableRandom(11);
        for (int n : new int[] {3, 8, 13, 32, 64, 72, 128, 133}) {
            for (int len : new int[] {1, 7, 40}) {
                int stride = n + 5, vOff = 3, oOff = 2;
                float[] weights = new float[len], values = new float[vOff + len * stride], out = new float[oOff + n + 4];
                for (int t = 0; t < len; t++) weights[t] = (float) r.nextDouble();
                for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian();
                java.util.Arrays.fill(out, Float.NaN);
                float scale = 0.37f;
                Transformer.weightedValues(weights, 0, len, scale, values, vOff, stride, out, oOff, 0, n);
                for (int i = 0; i < n; i++) {
                    double expected = 0, magnitude = 0;
                    for (int t = 0; t < len; t++) {
                        expected += (double) weights[t] * values[vOff + t * stride + i];
                        magnitude += Math.abs((double) weights[t] * values[vOff + t * stride + i]);
                    }
                    assertTrue(magnitude > 0, "test data must not be zero");
                    assertEquals(expected * scale, out[oOff + i], 1e-5 * magnitude, "n " + n + " len " + len + " i " + i);
                }
                for (int i = 0; i < out.length; i++)
                    if (i < oOff || i >= oOff + n) assertTrue(Float.isNaN(out[i]), "n " + n + ": wrote outside the head at " + i);
            }
        }
    }

    /** Grouped-query scores: every head's score is exactly {@code dot · scale}, whatever the group size or head size. */
    @Test
    void groupScoresEqualOneDotProductPerHeadBitForBit() {
        SplittableRandom r = new SplittableRandom(12);
        for (int group : new int[] {1, 2, 3, 4, 5, 7, 8})
            for (int hd : new int[] {4, 8, 13, 64, 72}) {
                int len = 9, stride = hd * 2 + 3, kOff = 5, qOff = 2;
                float[] q = new float[qOff + group * hd], keys = new float[kOff + len * stride], scores = new float[group * len];
                for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
                for (int i = 0; i < keys.length; i++) keys[i] = (float) r.nextGaussian();
                float scale = 0.125f;
                Transformer.groupScores(q, qOff, group, hd, keys, kOff, stride, len, scale, scores);
                for (int g = 0; g < group; g++)
                    for (int t = 0; t < len; t++) {
                        float expected = Transformer.dot(q, qOff + g * hd, keys, kOff + t * stride, hd) * scale;
                        assertTrue(expected != 0, "test data must not be zero");
                        assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(scores[g * len + t]),
                                "group " + group + " hd " + hd + " head " + g + " key " + t);
                    }
            }
    }

    /** Two heads' value sums taken together equal each taken alone, bit for bit, for head sizes that take every path. */
    @Test
    void weightedValuesOfTwoHeadsEqualEachHeadAlone() {
        SplittableRandom r = new SplittableRandom(13);
        for (int n : new int[] {3, 8, 13, 32, 64, 72, 133})
            for (int len : new int[] {1, 7, 40}) {
                int stride = n + 5, vOff = 3, wA = 1, wB = wA + len, oA = 2, oB = oA + n + 1;
                float[] weights = new float[wB + len], values = new float[vOff + len * stride];
                for (int i = 0; i < weights.length; i++) weights[i] = (float) r.nextDouble();
                for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian();
                float[] together = new float[oB + n + 2], alone = new float[together.length];
                java.util.Arrays.fill(together, Float.NaN);
                java.util.Arrays.fill(alone, Float.NaN);
                Transformer.weightedValuesOfTwo(weights, wA, wB, len, 0.3f, 0.7f, values, vOff, stride, together, oA, oB, n);
                Transformer.weightedValues(weights, wA, len, 0.3f, values, vOff, stride, alone, oA, 0, n);
                Transformer.weightedValues(weights, wB, len, 0.7f, values, vOff, stride, alone, oB, 0, n);
                for (int i = 0; i < together.length; i++)
                    assertEquals(Float.floatToIntBits(alone[i]), Float.floatToIntBits(together[i]), "n " + n + " len " + len + " at " + i);
                assertTrue(!Float.isNaN(together[oA]) && !Float.isNaN(together[oB + n - 1]), "both heads written");
            }
    }
}
