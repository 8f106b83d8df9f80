package neurosteer.engine.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import neurosteer.engine.Model;
import neurosteer.engine.format.gguf.GgufModelWriter;
import neurosteer.engine.format.hf.HfCheckpointWriter;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.hooks.HookPoint;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.random.ModelShapes;
import neurosteer.engine.random.RandomWeights;
import neurosteer.engine.tensor.GgmlType;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Our engine against llama.cpp on the same random GGUF files (llama with llama3 RoPE scaling, qwen2
 * with QKV biases, mistral), every storage type, full next-token distributions at all 64 positions;
 * and our engine on the same weights written as a Hugging Face folder against llama.cpp on the GGUF.
 */
class LlamaCppParityTest {
    @TempDir
    static Path dir;

    static final List<String> ARCHS = List.of("llama", "qwen2", "mistral");
    static final List<GgmlType> TYPES = List.of(GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K);
    static final int VOCAB = 512;
    static int[] tokens;
    static final List<Path> files = new ArrayList<>();
    static float[][][] reference;

    static ModelConfig config(String arch) {
        return ModelShapes.config(arch, "mini", VOCAB);
    }

    @BeforeAll
    static void writeModelsAndRunLlamaCpp() throws Exception {
        if (!LlamaCpp.available()) {
            if (System.getenv("CI") != null) fail("llama.cpp reference not installed: run reference/install.sh");
            Assumptions.assumeTrue(false, "llama.cpp reference not installed (reference/install.sh)");
        }
        SplittableRandom r = new SplittableRandom(17);
        tokens = new int[64];
        for (int i = 0; i < tokens.length; i++) tokens[i] = r.nextInt(VOCAB);
        Path tokenizer = dir.resolve("tokenizer");
        neurosteer.engine.tokenizer.TokenizerFiles.writeSmallByteLevel(tokenizer, VOCAB);
        for (String arch : ARCHS) {
            ModelConfig c = config(arch);
            RandomWeights w = new RandomWeights(c, 100 + arch.length());
            for (GgmlType t : TYPES) {
                Path f = dir.resolve(arch + "-" + t + ".gguf");
                GgufModelWriter.write(f, c, w::fill, t, tokenizer, null, Map.of());
                files.add(f);
            }
            HfCheckpointWriter.write(dir.resolve(arch + "-hf"), c, w::fill, SafetensorsWriter.DType.F32, Map.of());
        }
        reference = LlamaCpp.probabilities(files, tokens);
    }

    private static float[][] ours(Path model) {
        try (Model m = Model.load(model)) {
            int v = m.config().vocabSize();
            float[] logits = m.transformer().forward(Batch.ofSequence(0, tokens, 0, true, true), new KvCache[] {new KvCache(m.config(), 64)}, Hooks.NONE);
            float[][] p = new float[tokens.length][v];
            for (int t = 0; t < tokens.length; t++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < v; i++) max = Math.max(max, logits[t * v + i]);
                double[] e = new double[v];
                for (int i = 0; i < v; i++) sum += e[i] = Math.exp(logits[t * v + i] - max);
                for (int i = 0; i < v; i++) p[t][i] = (float) (e[i] / sum);
            }
            return p;
        }
    }

    @Test
    void unquantizedDistributionsMatchWithin1e4() {
        for (int a = 0; a < ARCHS.size(); a++)
            for (int ti = 0; ti < TYPES.size(); ti++) {
                GgmlType t = TYPES.get(ti);
                if (t.isQuantized()) continue;
                int idx = a * TYPES.size() + ti;
                float[][] ours = ours(files.get(idx)), ref = reference[idx];
                double worst = 0;
                for (int p = 0; p < ours.length; p++) for (int i = 0; i < VOCAB; i++) worst = Math.max(worst, Math.abs(ours[p][i] - ref[p][i]));
                System.out.printf("parity %s %s: max |dp| = %.3g%n", ARCHS.get(a), t, worst);
                assertTrue(worst <= 1e-4, ARCHS.get(a) + " " + t + ": max |Δp| = " + worst);
            }
    }

    @Test
    void quantizedDistributionsAgreeInKlAndArgmax() {
        for (int a = 0; a < ARCHS.size(); a++)
            for (int ti = 0; ti < TYPES.size(); ti++) {
                GgmlType t = TYPES.get(ti);
                if (!t.isQuantized()) continue;
                int idx = a * TYPES.size() + ti;
                float[][] ours = ours(files.get(idx)), ref = reference[idx];
                double kl = 0;
                int checked = 0;
                for (int p = 0; p < ours.length; p++) {
                    for (int i = 0; i < VOCAB; i++) if (ref[p][i] > 0) kl += ref[p][i] * Math.log(ref[p][i] / Math.max(ours[p][i], 1e-30));
                    int first = argmax(ref[p]), second = secondArgmax(ref[p], first);
                    if (ref[p][first] - ref[p][second] > 1e-3) {
                        assertEquals(first, argmax(ours[p]), ARCHS.get(a) + " " + t + " position " + p + ": argmax differs");
                        checked++;
                    }
                }
                kl /= ours.length;
                System.out.printf("parity %s %s: mean KL = %.3g, argmax compared at %d positions%n", ARCHS.get(a), t, kl, checked);
                assertTrue(kl <= 1e-3, ARCHS.get(a) + " " + t + ": mean KL(llama.cpp || ours) = " + kl);
                assertTrue(checked > 10, "too few positions with a clear argmax to compare: " + checked);
            }
    }

    @Test
    void huggingFaceFolderMatchesLlamaCppOnTheSameWeights() {
        for (int a = 0; a < ARCHS.size(); a++) {
            float[][] ours = ours(dir.resolve(ARCHS.get(a) + "-hf")), ref = reference[a * TYPES.size()];
            double worst = 0;
            for (int p = 0; p < ours.length; p++) for (int i = 0; i < VOCAB; i++) worst = Math.max(worst, Math.abs(ours[p][i] - ref[p][i]));
            System.out.printf("parity %s HF folder vs llama.cpp GGUF F32: max |dp| = %.3g%n", ARCHS.get(a), worst);
            assertTrue(worst <= 1e-4, ARCHS.get(a) + " HF vs llama.cpp GGUF: max |Δp| = " + worst);
        }
    }

    @Test
    void everyLayerOfTheGgufModelMatchesTheHuggingFaceModel() {
        // llama.cpp does not expose hidden states here, so the GGUF path (permuted Q/K, interleaved RoPE,
        // rope_freqs) is checked layer by layer against the HF path, which the double-precision reference checks.
        for (String arch : ARCHS) {
            try (Model hf = Model.load(dir.resolve(arch + "-hf")); Model gguf = Model.load(files.get(ARCHS.indexOf(arch) * TYPES.size()))) {
                List<float[]> a = residuals(hf), b = residuals(gguf);
                for (int l = 0; l < a.size(); l++) {
                    double worst = 0;
                    for (int i = 0; i < a.get(l).length; i++) worst = Math.max(worst, Math.abs(a.get(l)[i] - b.get(l)[i]));
                    assertTrue(worst < 1e-3, arch + " layer " + l + " residual differs by " + worst);
                }
            }
        }
    }

    private static List<float[]> residuals(Model m) {
        List<float[]> out = new ArrayList<>();
        Hooks.Builder h = Hooks.builder(m.config().numLayers());
        for (int l = 0; l < m.config().numLayers(); l++) h.add(HookPoint.residPost(l), (p, b, v, w) -> out.add(v.clone()));
        m.transformer().forward(Batch.ofSequence(0, tokens, 0, true, false), new KvCache[] {new KvCache(m.config(), 64)}, h.build());
        return out;
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    private static int secondArgmax(float[] p, int first) {
        int best = first == 0 ? 1 : 0;
        for (int i = 0; i < p.length; i++) if (i != first && p[i] > p[best]) best = i;
        return best;
    }
}
