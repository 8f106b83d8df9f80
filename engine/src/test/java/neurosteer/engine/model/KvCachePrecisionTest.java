package neurosteer.engine.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import neurosteer.engine.Model;
import neurosteer.engine.format.hf.HfCheckpointWriter;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.random.ModelShapes;
import neurosteer.engine.random.RandomWeights;
import neurosteer.engine.tensor.F16Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvCachePrecisionTest {
    @TempDir
    Path dir;

    @Test
    void halvesToFloatsEqualsTheScalarConversionForEveryBitPattern() {
        short[] all = new short[65536 + 13];
        for (int i = 0; i < all.length; i++) all[i] = (short) (i * 40503 + 7);  // every pattern, then a few more, in a scrambled order
        for (int n : new int[] {all.length, 1, 7, 8, 9, 63}) {
            int offset = n < 64 ? 5 : 0;
            float[] out = new float[n + 3];
            F16Tensor.halvesToFloats(all, offset, out, 3, n);
            for (int i = 0; i < n; i++) {
                float expected = Float.float16ToFloat(all[offset + i]);
                if (Float.isNaN(expected)) {  // which NaN (quiet or signalling payload) is not promised
                    assertTrue(Float.isNaN(out[3 + i]), "half 0x" + Integer.toHexString(all[offset + i] & 0xFFFF));
                    continue;
                }
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[3 + i]),
                        "half 0x" + Integer.toHexString(all[offset + i] & 0xFFFF) + " at " + i + " of " + n);
            }
        }
    }

    @Test
    void aHalfCacheStoresEachValueRoundedOnceAndReadsItsHeadsBack() {
        ModelConfig config = ModelShapes.config("llama", "tiny", 50);
        int kvDim = config.kvDim(), hd = config.headDim();
        KvCache half = new KvCache(config, 2, KvCache.Precision.F16), full = new KvCache(config, 2);
        SplittableRandom r = new SplittableRandom(3);
        int positions = 40;  // past the first capacity (16), so the arrays grow with their contents
        float[][] k = new float[positions][kvDim], v = new float[positions][kvDim];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < kvDim; i++) {
                k[p][i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-6, 4)));
                v[p][i] = (float) r.nextGaussian();
            }
            half.ensureCapacity(p + 1);
            full.ensureCapacity(p + 1);
            half.store(1, p, k[p], 0, v[p], 0);
            full.store(1, p, k[p], 0, v[p], 0);
        }
        int from = 9, len = 23;
        for (int head = 0; head < config.numKvHeads(); head++) {
            float[] keys = new float[len * hd], values = new float[len * hd], exactKeys = new float[len * hd];
            half.readHead(true, 1, from, len, head * hd, hd, keys);
            half.readHead(false, 1, from, len, head * hd, hd, values);
            full.readHead(true, 1, from, len, head * hd, hd, exactKeys);
            for (int t = 0; t < len; t++)
                for (int i = 0; i < hd; i++) {
                    float key = k[from + t][head * hd + i], value = v[from + t][head * hd + i];
                    assertEquals(Float.float16ToFloat(Float.floatToFloat16(key)), keys[t * hd + i], "key " + t + "," + i);
                    assertEquals(Float.float16ToFloat(Float.floatToFloat16(value)), values[t * hd + i], "value " + t + "," + i);
                    assertEquals(key, exactKeys[t * hd + i]);
                }
        }
        assertEquals(full.bytes(), 2 * half.bytes());
        KvCache copy = new KvCache(config, 1, KvCache.Precision.F16);
        half.advanceTo(positions);
        copy.copyFrom(half);
        float[] a = new float[positions * hd], b = new float[positions * hd];
        half.readHead(false, 1, 0, positions, hd, hd, a);
        copy.readHead(false, 1, 0, positions, hd, hd, b);
        assertArrayEquals(a, b);
        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> full.copyFrom(half));
        assertTrue(mixed.getMessage().contains("F16") && mixed.getMessage().contains("F32"), mixed.getMessage());
        float[] huge = new float[kvDim];
        huge[3] = 70_000f;
        IllegalStateException overflow = assertThrows(IllegalStateException.class, () -> half.store(0, 0, huge, 0, v[0], 0));
        assertTrue(overflow.getMessage().contains("layer 0, position 0") && overflow.getMessage().contains("key element 3")
                && overflow.getMessage().contains("--kv-cache f32"), overflow.getMessage());
        huge[3] = 65_504f;  // the largest half is stored as it is
        half.store(0, 0, huge, 0, v[0], 0);
        float[] back = new float[hd];
        half.readHead(true, 0, 0, 1, 0, hd, back);
        assertEquals(65_504f, back[3]);
        assertEquals(KvCache.Precision.F16, KvCache.Precision.parse("f16"));
        assertThrows(IllegalArgumentException.class, () -> KvCache.Precision.parse("q8_0"));
    }

    /**
     * A half cache changes the logits by about what rounding keys and values to 11 bits does (close to
     * the float cache's, but not equal: the halves are really used), and within half caches a batch of
     * two sequences decoded step by step gives what each prefilled alone gives.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 5})
    void halfCacheLogitsAreCloseToTheFloatCachesAndConsistentAcrossBatching(int window) throws Exception {
        ModelConfig shape = ModelShapes.config(window > 0 ? "mistral" : "qwen2", "tiny", 97);
        ModelConfig config = new ModelConfig(shape.architecture(), shape.hiddenSize(), shape.intermediateSize(), shape.numLayers(),
                shape.numHeads(), shape.numKvHeads(), shape.headDim(), shape.vocabSize(), shape.maxPositions(), shape.rmsNormEps(),
                shape.ropeTheta(), shape.ropeScaling(), shape.ropeFreqFactors(), shape.ropeStyle(), shape.attentionBias(),
                shape.tieWordEmbeddings(), window, shape.bosTokenId(), shape.eosTokenIds());
        Path folder = dir.resolve("m" + window);
        HfCheckpointWriter.write(folder, config, new RandomWeights(config, 21)::fill, SafetensorsWriter.DType.F32, Map.of());
        try (Model m = Model.load(folder)) {
            assertEquals(window, m.config().slidingWindow());
            Transformer t = m.transformer();
            int v = config.vocabSize();
            SplittableRandom r = new SplittableRandom(5);
            int[] a = r.ints(13, 0, v).toArray(), b = r.ints(9, 0, v).toArray();
            float[] exactA = t.forward(Batch.ofSequence(0, a, 0, true, true), new KvCache[] {new KvCache(config, a.length)}, Hooks.NONE);
            float[] halfA = prefill(t, a, config), halfB = prefill(t, b, config);
            double worst = 0, spread = 0;
            for (int i = 0; i < exactA.length; i++) {
                worst = Math.max(worst, Math.abs(exactA[i] - halfA[i]));
                spread = Math.max(spread, Math.abs(exactA[i]));
            }
            assertTrue(worst > 0, "a half cache gave the float cache's logits bit for bit: it was not used");
            assertTrue(worst < 2e-3 * spread, "half cache logits off by " + worst + " (largest logit " + spread + ")");

            // one batch: 2 rows of a (converted row by row) and 6 of b (its cache converted once for the layer, into the first slot)
            KvCache[] mixed = {new KvCache(config, 4, KvCache.Precision.F16), new KvCache(config, 4, KvCache.Precision.F16)};
            int[] mTok = new int[8], mSeq = new int[8], mPos = new int[8];
            for (int i = 0; i < 8; i++) {
                boolean ofA = i < 2;
                mTok[i] = ofA ? a[i] : b[i - 2];
                mSeq[i] = ofA ? 0 : 1;
                mPos[i] = ofA ? i : i - 2;
            }
            float[] both = t.forward(new Batch(mTok, mSeq, mPos, new boolean[8], null), mixed, Hooks.NONE);
            for (int i = 0; i < 8; i++)
                TransformerTest.assertClose(TransformerTest.slice(i < 2 ? halfA : halfB, mPos[i], v), TransformerTest.slice(both, i, v), 1e-5,
                        "mixed batch row " + i);

            t.kvCachePrecision(KvCache.Precision.F16);
            assertEquals(KvCache.Precision.F16, t.cachePool().take(4).precision());
            t.kvCachePrecision(KvCache.Precision.F32);
            KvCache[] caches = {new KvCache(config, 4, KvCache.Precision.F16), new KvCache(config, 4, KvCache.Precision.F16)};
            for (int p = 0; p < a.length; p++) {
                boolean withB = p < b.length;
                int[] tok = withB ? new int[] {a[p], b[p]} : new int[] {a[p]};
                int[] seq = withB ? new int[] {0, 1} : new int[] {0};
                int[] pos = withB ? new int[] {p, p} : new int[] {p};
                float[] step = t.forward(new Batch(tok, seq, pos, new boolean[tok.length], null), caches, Hooks.NONE);
                TransformerTest.assertClose(TransformerTest.slice(halfA, p, v), TransformerTest.slice(step, 0, v), 1e-5, "a " + p);
                if (withB) TransformerTest.assertClose(TransformerTest.slice(halfB, p, v), TransformerTest.slice(step, 1, v), 1e-5, "b " + p);
            }
        }
    }

    private static float[] prefill(Transformer t, int[] tokens, ModelConfig config) {
        KvCache cache = new KvCache(config, tokens.length, KvCache.Precision.F16);
        return t.forward(Batch.ofSequence(0, tokens, 0, true, true), new KvCache[] {cache}, Hooks.NONE);
    }
}
