package neurosteer.engine.format.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.random.ModelShapes;
import neurosteer.engine.random.RandomWeights;
import neurosteer.engine.tensor.GgmlType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MatrixTypes}: llama.cpp's Q4_K_M mix by tensor name, and a file written with it. */
class MatrixTypesTest {
    @TempDir
    Path dir;

    /** Layers whose attn_v and ffn_down get Q6_K, worked out by hand from llama.cpp's rule for n layers. */
    private static final Map<Integer, Set<Integer>> MORE_BITS = Map.of(
            16, Set.of(0, 1, 4, 7, 10, 13, 14, 15),
            28, Set.of(0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 24, 25, 26, 27),
            2, Set.of(1));

    @Test
    void q4KMediumPutsQ6KOnTheHeadAndOnAttnVAndFfnDownOfTheSameLayersAsLlamaCpp() {
        for (var entry : MORE_BITS.entrySet()) {
            int layers = entry.getKey();
            for (boolean tied : new boolean[] {true, false}) {
                MatrixTypes types = MatrixTypes.q4KMedium(config(layers, tied));
                Set<Integer> q6 = new TreeSet<>();
                for (int l = 0; l < layers; l++) {
                    GgmlType v = types.of("blk." + l + ".attn_v.weight"), down = types.of("blk." + l + ".ffn_down.weight");
                    assertEquals(v, down, "layer " + l);
                    if (v == GgmlType.Q6_K) q6.add(l);
                    for (String other : List.of("attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"))
                        assertEquals(GgmlType.Q4_K, types.of("blk." + l + "." + other + ".weight"), other + " of layer " + l);
                }
                assertEquals(entry.getValue(), q6, layers + " layers");
                assertEquals(tied ? GgmlType.Q6_K : GgmlType.Q4_K, types.of("token_embd.weight"), "tied " + tied);
                assertEquals(GgmlType.Q6_K, types.of("output.weight"));
            }
        }
        assertEquals(GgmlType.Q8_0, MatrixTypes.parse("Q8_0", config(2, true)).of("blk.0.attn_v.weight"));
        assertEquals(GgmlType.Q6_K, MatrixTypes.parse("q4_k_m", config(2, true)).of("blk.1.ffn_down.weight"));
        assertThrows(IllegalArgumentException.class, () -> MatrixTypes.parse("q5_k_m", config(2, true)));
    }

    @Test
    void aQ4KMediumFileHoldsEachTensorInItsType() throws Exception {
        ModelConfig c = ModelShapes.config("llama", "mini", 512);
        MatrixTypes types = MatrixTypes.q4KMedium(c);
        Path file = dir.resolve("q4_k_m.gguf");
        GgufModelWriter.write(file, c, new RandomWeights(c, 3)::fill, types, w -> {}, Map.of());
        try (GgufFile g = GgufFile.open(file)) {
            int matrices = 0;
            for (GgufTensorInfo info : g.tensorInfos()) {
                GgmlType want = info.shape().length == 1 ? GgmlType.F32 : types.of(info.name()); // norms, rope_freqs
                assertEquals(want, g.tensor(info.name()).type(), info.name());
                if (want != GgmlType.F32) matrices++;
            }
            assertEquals(2 + 7 * c.numLayers() - (c.tieWordEmbeddings() ? 1 : 0), matrices);
        }
    }

    private static ModelConfig config(int layers, boolean tied) {
        ModelConfig b = ModelShapes.config("llama", "mini", 512);
        return new ModelConfig(b.architecture(), b.hiddenSize(), b.intermediateSize(), layers, b.numHeads(), b.numKvHeads(),
                b.headDim(), b.vocabSize(), b.maxPositions(), b.rmsNormEps(), b.ropeTheta(), b.ropeScaling(), b.ropeFreqFactors(),
                b.ropeStyle(), b.attentionBias(), tied, b.slidingWindow(), b.bosTokenId(), b.eosTokenIds());
    }
}
