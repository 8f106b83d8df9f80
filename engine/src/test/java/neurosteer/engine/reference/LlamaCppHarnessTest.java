package neurosteer.engine.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import neurosteer.engine.tensor.GgmlType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LlamaCppHarnessTest {
    @TempDir
    static Path dir;
    static TinyLlamaModel model;
    static Path f32;

    @BeforeAll
    static void writeModel() throws Exception {
        assumeTrue(LlamaCpp.available(), "node / node-llama-cpp not installed (reference/install.sh)");
        model = new TinyLlamaModel(1234);
        f32 = model.write(dir.resolve("tiny-f32.gguf"), GgmlType.F32);
    }

    @Test
    void llamaCppLoadsOurModelAndReturnsFullDistributions() {
        int[] tokens = {TinyLlamaModel.BOS, 270, 5, 99, 271, 271, 3};
        float[][] p = LlamaCpp.probabilities(f32, tokens);
        assertEquals(tokens.length, p.length);
        for (int pos = 0; pos < p.length; pos++) {
            assertEquals(model.vocabSize(), p[pos].length, "vocab size at position " + pos);
            double sum = 0;
            float max = 0;
            for (float v : p[pos]) {
                assertTrue(v >= 0 && v <= 1, "probability " + v);
                sum += v;
                max = Math.max(max, v);
            }
            assertEquals(1.0, sum, 1e-4, "sum at position " + pos);
            assertTrue(max < 0.999 && max > 2.0 / model.vocabSize(), "a real, non-degenerate distribution at " + pos + ": max " + max);
        }
        // the context matters: the same token at different positions gets a different distribution
        assertTrue(maxAbsDiff(p[4], p[5]) > 1e-4, "positions 4 and 5 differ");
        // deterministic: a prefix gives the same distributions as the start of the longer run
        float[][] prefix = LlamaCpp.probabilities(f32, new int[] {TinyLlamaModel.BOS, 270, 5});
        for (int pos = 0; pos < 3; pos++) assertTrue(maxAbsDiff(prefix[pos], p[pos]) < 1e-5, "prefix position " + pos);
    }

    @Test
    void tokenizesWithOurVocabulary() {
        int[][] ids = LlamaCpp.tokenize(f32, List.of("hello", "hello world", "<s>hello", "héllo"), false);
        assertArrayEquals(new int[] {model.id("▁hello")}, ids[0]);
        assertArrayEquals(new int[] {model.id("▁hello"), model.id("▁"), model.id("w"), model.id("o"), model.id("r"),
                model.id("l"), model.id("d")}, ids[1]);
        // without special parsing "<s>" is plain text: '<', 's' and '>' are not pieces, so they fall back to bytes
        assertEquals(TinyLlamaModel.FIRST_BYTE + '<', ids[2][1]);
        assertEquals(TinyLlamaModel.FIRST_BYTE + 's', ids[2][2]);
        // é is two UTF-8 bytes, both byte tokens
        assertArrayEquals(new int[] {model.id("▁"), model.id("h"), TinyLlamaModel.FIRST_BYTE + 0xC3,
                TinyLlamaModel.FIRST_BYTE + 0xA9, model.id("llo")}, ids[3]);
        int[][] special = LlamaCpp.tokenize(f32, List.of("<s>hello"), true);
        assertEquals(TinyLlamaModel.BOS, special[0][0]);
    }

    /**
     * Our block layouts are the ones llama.cpp reads. For each type, llama.cpp runs the model stored as
     * that type and the same model stored as F32 holding our decoding of it: they must agree far better
     * than with a control whose decoded values are scrambled within each run of 32 (what a wrong layout
     * does). llama.cpp quantizes activations for quantized matmuls, so "agree" is not bit-exact.
     */
    @Test
    void llamaCppDecodesOurQuantizedBlocksAsWeDo() throws Exception {
        int[] tokens = {TinyLlamaModel.BOS, 270, 5, 99, 200, 271};
        GgmlType[] types = {GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q4_0, GgmlType.Q8_0, GgmlType.F16, GgmlType.BF16};
        List<Path> files = new ArrayList<>(List.of(f32));
        for (GgmlType type : types) {
            files.add(model.write(dir.resolve("tiny-" + type + ".gguf"), type));
            files.add(model.write(dir.resolve("tiny-" + type + "-decoded.gguf"), type, true));
            files.add(model.write(dir.resolve("tiny-" + type + "-scrambled.gguf"), type, true, true));
        }
        float[][][] p = LlamaCpp.probabilities(files, tokens);
        float[][] original = p[0];
        for (int t = 0; t < types.length; t++) {
            float[][] stored = p[1 + 3 * t], decoded = p[2 + 3 * t], scrambled = p[3 + 3 * t];
            double same = 0, control = 0, quantizationEffect = 0;
            for (int pos = 0; pos < tokens.length; pos++) {
                same = Math.max(same, maxAbsDiff(stored[pos], decoded[pos]));
                control = Math.max(control, maxAbsDiff(stored[pos], scrambled[pos]));
                quantizationEffect = Math.max(quantizationEffect, maxAbsDiff(original[pos], decoded[pos]));
            }
            System.out.printf("%s: max |dp| llama.cpp(%s) vs F32 of our decoding %.2e, vs scrambled %.2e; our decoding vs original %.2e%n",
                    types[t], types[t], same, control, quantizationEffect);
            assertTrue(same < control / 5, types[t] + ": llama.cpp reads our blocks differently: " + same + " vs control " + control);
            if (types[t] == GgmlType.Q4_K || types[t] == GgmlType.Q4_0)
                assertTrue(same < quantizationEffect / 3, types[t] + ": " + same + " not well below the quantization effect " + quantizationEffect);
        }
    }

    @Test
    void failuresCarryLlamaCppsMessage() throws Exception {
        Path broken = java.nio.file.Files.writeString(dir.resolve("broken.gguf"), "this is not a model");
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> LlamaCpp.probabilities(broken, new int[] {1}));
        assertTrue(e.getMessage().contains("broken.gguf") && e.getMessage().contains("failed (exit"), e.getMessage());
        assertTrue(e.getMessage().contains("Invalid GGUF magic"), "node's stderr is included: " + e.getMessage());
    }

    static double maxAbsDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
        return m;
    }
}
