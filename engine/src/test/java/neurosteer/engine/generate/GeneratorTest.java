package neurosteer.engine.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neurosteer.engine.Model;
import neurosteer.engine.format.hf.HfCheckpointWriter;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.random.ModelShapes;
import neurosteer.engine.random.RandomWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GeneratorTest {
    @TempDir
    static Path dir;
    static Path folder;

    @BeforeAll
    static void writeModel() throws Exception {
        ModelConfig config = ModelShapes.config("llama", "tiny", 61);
        folder = dir.resolve("m");
        HfCheckpointWriter.write(folder, config, new RandomWeights(config, 5)::fill, SafetensorsWriter.DType.F32, Map.of());
    }

    private static final List<int[]> PROMPTS = List.of(new int[] {1, 2, 3, 4, 5}, new int[] {9, 8}, new int[] {40, 41, 42, 43, 44, 45, 46});

    @Test
    void batchedGenerationEqualsOneAtATime() {
        try (Model m = Model.load(folder)) {
            Generator g = new Generator(m.transformer(), null);
            for (SamplingConfig cfg : List.of(SamplingConfig.greedy(12, Set.of()),
                    new SamplingConfig(12, 0.9, 0.95, 20, 42, Set.of(), List.of()))) {
                List<Generator.Completion> together = g.generate(PROMPTS, cfg, Hooks.NONE, null);
                for (int i = 0; i < PROMPTS.size(); i++) {
                    // alone, the prompt is sequence 0, so give it the same per-sequence seed stream by padding the list
                    List<int[]> padded = new java.util.ArrayList<>(PROMPTS.subList(0, i + 1));
                    List<Generator.Completion> alone = g.generate(padded, cfg, Hooks.NONE, null);
                    assertArrayEquals(together.get(i).tokens(), alone.get(i).tokens(), "sequence " + i + " at T=" + cfg.temperature());
                    assertEquals(12, together.get(i).tokens().length);
                }
            }
        }
    }

    /**
     * Each call hands its caches back to the transformer's pool and the next takes them, stale keys and
     * all: completions (with a repeated prompt, whose cache is a copy) equal those of a fresh model.
     */
    @Test
    void reusedCachesGiveWhatFreshOnesGive() {
        List<int[]> prompts = List.of(PROMPTS.get(2), PROMPTS.get(0), PROMPTS.get(2), PROMPTS.get(1));
        SamplingConfig cfg = new SamplingConfig(10, 0.9, 0.95, 0, 7, Set.of(), List.of());
        List<Generator.Completion> fresh;
        try (Model m = Model.load(folder)) {
            fresh = new Generator(m.transformer(), null).generate(prompts, cfg, Hooks.NONE, null);
        }
        try (Model m = Model.load(folder)) {
            Generator g = new Generator(m.transformer(), null);
            assertEquals(0, m.transformer().cachePool().size());
            g.generate(List.of(new int[] {7, 7, 7, 7, 7, 7, 7, 7, 7}, new int[] {3}), SamplingConfig.greedy(20, Set.of()), Hooks.NONE, null);
            assertEquals(2, m.transformer().cachePool().size(), "the first call's caches are back in the pool");
            List<Generator.Completion> reused = g.generate(prompts, cfg, Hooks.NONE, null);
            assertEquals(prompts.size(), m.transformer().cachePool().size(), "two reused, two new");
            for (int i = 0; i < prompts.size(); i++) assertArrayEquals(fresh.get(i).tokens(), reused.get(i).tokens(), "sequence " + i);
        }
    }

    @Test
    void seedsReproduceAndDiffer() {
        try (Model m = Model.load(folder)) {
            Generator g = new Generator(m.transformer(), null);
            SamplingConfig a = new SamplingConfig(16, 1.5, 1.0, 0, 1, Set.of(), List.of());
            SamplingConfig b = new SamplingConfig(16, 1.5, 1.0, 0, 2, Set.of(), List.of());
            int[] first = g.generate(PROMPTS, a, Hooks.NONE, null).get(0).tokens();
            assertArrayEquals(first, g.generate(PROMPTS, a, Hooks.NONE, null).get(0).tokens());
            assertNotEquals(java.util.Arrays.toString(first), java.util.Arrays.toString(g.generate(PROMPTS, b, Hooks.NONE, null).get(0).tokens()));
        }
    }

    @Test
    void stopsAtStopTokenAndTopKOneIsGreedy() {
        try (Model m = Model.load(folder)) {
            Generator g = new Generator(m.transformer(), null);
            int[] greedy = g.generate(PROMPTS, SamplingConfig.greedy(10, Set.of()), Hooks.NONE, null).get(0).tokens();
            int[] topOne = g.generate(PROMPTS, new SamplingConfig(10, 1.0, 1.0, 1, 9, Set.of(), List.of()), Hooks.NONE, null).get(0).tokens();
            assertArrayEquals(greedy, topOne);
            int[] nucleusOfOne = g.generate(PROMPTS, new SamplingConfig(10, 1.0, 1e-9, 0, 9, Set.of(), List.of()), Hooks.NONE, null).get(0).tokens();
            assertArrayEquals(greedy, nucleusOfOne, "top-p keeping only the most likely token is greedy");
            int stop = greedy[3];
            Generator.Completion c = g.generate(PROMPTS, SamplingConfig.greedy(10, Set.of(stop)), Hooks.NONE, null).get(0);
            int firstStop = 0;
            while (greedy[firstStop] != stop) firstStop++;
            assertEquals(firstStop + 1, c.tokens().length);
            assertEquals(Generator.Finish.STOP_TOKEN, c.finish());
            assertTrue(c.tokens()[c.tokens().length - 1] == stop);
        }
    }
}
