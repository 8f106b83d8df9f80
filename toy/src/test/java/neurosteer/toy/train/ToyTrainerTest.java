package neurosteer.toy.train;

import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.format.safetensors.SafetensorsFile;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.toy.data.ToyDataGenerator;
import neurosteer.toy.data.ToyTokenizer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToyTrainerTest {
    static final ToyModelConfig TINY = new ToyModelConfig(0, 32, 2, 4, 2, 8, 64, 128, 1e-5f, 10000.0);
    @TempDir static Path tmp;
    static Path data, straight;

    @BeforeAll
    static void writeDataAndTrainSixSteps() throws Exception {
        data = tmp.resolve("data");
        ToyDataGenerator.run(new ToyDataGenerator.Options(data, 5L, 2, 1, ToyDataGenerator.Options.DEFAULT_SLIP_RATE), s -> {});
        straight = tmp.resolve("straight");
        ToyTrainer.run(options(straight, 6), s -> {});
    }

    static ToyTrainer.Options options(Path out, int steps) {
        return ToyTrainer.Options.defaults(data, out).withSteps(steps).withThreads(2).withEvaluation(0, 0, 0, 0)
                .withShape(TINY, 6, 60);
    }

    @Test
    void lossFallsOnAShortRun() throws Exception {
        Path out = tmp.resolve("falls");
        ToyTrainer.run(options(out, 30), s -> {});
        List<String> lines = Files.readAllLines(out.resolve(ToyTrainer.LOSS_CSV));
        assertEquals(31, lines.size());
        double first = 0, last = 0;
        for (int i = 1; i <= 5; i++) first += Double.parseDouble(lines.get(i).split(",")[2]);
        for (int i = 26; i <= 30; i++) last += Double.parseDouble(lines.get(i).split(",")[2]);
        assertTrue(last < first * 0.8, "loss did not fall: first " + first / 5 + ", last " + last / 5);
        assertTrue(Files.size(out.resolve(ToyTrainer.LOSS_PNG)) > 1000);
    }

    @Test
    void resumingFromACheckpointGivesTheSameWeightsAsOneRun() throws Exception {
        Path interrupted = tmp.resolve("interrupted");
        ToyTrainer.run(options(interrupted, 6), s -> {});
        float[] full = readParams(straight.resolve(ToyTrainer.CHECKPOINT));
        assertArrayEquals(full, readParams(interrupted.resolve(ToyTrainer.CHECKPOINT)), "same options must give the same weights");

        Path resumed = tmp.resolve("resumed");
        Files.createDirectories(resumed);
        // a checkpoint from step 3 of the same run, then resume to 6
        assertThrows(Interrupted.class, () -> ToyTrainer.run(options(resumed, 6).withCheckpointEvery(3, true), new StopAfter(3)));
        assertEquals("3", meta(resumed.resolve(ToyTrainer.CHECKPOINT), "step"));
        List<String> log = new ArrayList<>();
        ToyTrainer.run(options(resumed, 6).withCheckpointEvery(3, true), log::add);
        assertTrue(log.stream().anyMatch(l -> l.startsWith("resumed from")), log.toString());
        assertArrayEquals(full, readParams(resumed.resolve(ToyTrainer.CHECKPOINT)));
    }

    @Test
    void oneThreadGivesTheSameWeightsAsTwo() throws Exception {
        Path single = tmp.resolve("single");
        ToyTrainer.run(options(single, 6).withThreads(1), s -> {});
        assertArrayEquals(readParams(straight.resolve(ToyTrainer.CHECKPOINT)), readParams(single.resolve(ToyTrainer.CHECKPOINT)));
    }

    @Test
    void checkpointFromAnotherSeedIsRefusedWithFileAndKey() throws Exception {
        ToyTrainer.Options other = options(straight, 8);
        ToyTrainer.Options otherSeed = new ToyTrainer.Options(other.dataDir(), other.outDir(), 99L, 4, other.batchSize(), other.peakLr(),
                other.minLrRatio(), other.warmupSteps(), other.weightDecay(), other.clipNorm(), other.threads(), other.mergeCount(),
                other.checkpointEvery(), other.logEvery(), 0, 0, 0, 0, true, TINY);
        CheckpointException e = assertThrows(CheckpointException.class, () -> ToyTrainer.run(otherSeed, s -> {}));
        assertEquals("seed", e.key());
        assertTrue(e.getMessage().contains(ToyTrainer.CHECKPOINT) || e.file().toString().endsWith(ToyTrainer.CHECKPOINT));
    }

    @Test
    void exportIsAStandardLlamaFolderThatReadsBackToTheSameModel() throws Exception {
        Path out = straight;
        Path dir = out.resolve(ToyTrainer.MODEL_DIR);
        for (String f : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "generation_config.json"))
            assertTrue(Files.exists(dir.resolve(f)), f);
        JsonNode cfg = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
        assertEquals("LlamaForCausalLM", cfg.get("architectures").get(0).asText());
        assertEquals("llama", cfg.get("model_type").asText());
        assertEquals(TINY.dim(), cfg.get("hidden_size").asInt());
        assertEquals(TINY.kvHeads(), cfg.get("num_key_value_heads").asInt());
        assertTrue(cfg.get("tie_word_embeddings").asBoolean());
        ToyTokenizer tokenizer = ToyTokenizer.read(dir.resolve("tokenizer.json"));
        assertEquals(tokenizer.vocabSize(), cfg.get("vocab_size").asInt());
        assertEquals(tokenizer.bosId(), cfg.get("bos_token_id").asInt());
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertArrayEquals(new long[] {TINY.ffnDim(), TINY.dim()}, f.tensorInfos().get("model.layers.1.mlp.gate_proj.weight").shape());
            assertArrayEquals(new long[] {TINY.dim(), TINY.ffnDim()}, f.tensorInfos().get("model.layers.1.mlp.down_proj.weight").shape());
            assertArrayEquals(new long[] {TINY.kvDim(), TINY.dim()}, f.tensorInfos().get("model.layers.0.self_attn.k_proj.weight").shape());
            assertArrayEquals(new long[] {TINY.dim()}, f.tensorInfos().get("model.norm.weight").shape());
            assertFalse(f.has("lm_head.weight"));
            assertEquals(2 + 9 * TINY.layers(), f.tensorInfos().size());
        }
        ToyModel back = HfFolder.read(dir);
        float[] trained = readParams(out.resolve(ToyTrainer.CHECKPOINT));
        assertArrayEquals(trained, back.params);
    }

    @Test
    void trainsOnTheCorpusOrElseTheSolutionsAndRefusesACorpusThatDoesNotMatchTheTrainingSplit() throws Exception {
        List<String> progress = new ArrayList<>();
        ToyTrainer.run(options(tmp.resolve("corpus-used"), 1), progress::add);
        assertTrue(progress.stream().anyMatch(l -> l.startsWith("training texts: ") && l.contains(ToyDataGenerator.CORPUS_FILE)), progress.toString());

        Path clean = tmp.resolve("clean-data");
        ToyDataGenerator.run(new ToyDataGenerator.Options(clean, 5L, 2, 1, 0.0), s -> {});
        List<String> cleanProgress = new ArrayList<>();
        ToyTrainer.run(ToyTrainer.Options.defaults(clean, tmp.resolve("clean-out")).withSteps(1).withEvaluation(0, 0, 0, 0).withShape(TINY, 6, 60),
                cleanProgress::add);
        assertTrue(cleanProgress.stream().anyMatch(l -> l.startsWith("training texts: the solutions of ")), cleanProgress.toString());

        Path shuffled = tmp.resolve("shuffled-data");
        Files.createDirectories(shuffled);
        for (String f : List.of(ToyDataGenerator.TRAIN_FILE, ToyDataGenerator.TEST_FILE))
            Files.copy(data.resolve(f), shuffled.resolve(f));
        List<String> corpus = new ArrayList<>(Files.readAllLines(data.resolve(ToyDataGenerator.CORPUS_FILE)));
        java.util.Collections.swap(corpus, 0, 1);
        Files.write(shuffled.resolve(ToyDataGenerator.CORPUS_FILE), corpus);
        ToyTrainer.Options o = ToyTrainer.Options.defaults(shuffled, tmp.resolve("shuffled-out")).withSteps(1).withEvaluation(0, 0, 0, 0).withShape(TINY, 6, 60);
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> ToyTrainer.run(o, s -> {}));
        assertTrue(e.getMessage().contains(ToyDataGenerator.CORPUS_FILE + " line 1"), e.getMessage());

        List<String> noSolution = new ArrayList<>(Files.readAllLines(data.resolve(ToyDataGenerator.CORPUS_FILE)));
        noSolution.set(1, noSolution.get(1).replaceFirst("\"solution\":\"(\\\\.|[^\"\\\\])*\",", ""));
        assertFalse(noSolution.get(1).contains("\"solution\""), noSolution.get(1));
        Files.write(shuffled.resolve(ToyDataGenerator.CORPUS_FILE), noSolution);
        e = assertThrows(java.io.IOException.class, () -> ToyTrainer.run(o, s -> {}));
        assertTrue(e.getMessage().contains(ToyDataGenerator.CORPUS_FILE + " line 2: no \"solution\""), e.getMessage());

        Files.write(shuffled.resolve(ToyDataGenerator.CORPUS_FILE), corpus.subList(0, corpus.size() - 1));
        e = assertThrows(java.io.IOException.class, () -> ToyTrainer.run(o, s -> {}));
        assertTrue(e.getMessage().contains("has " + (corpus.size() - 1) + " training texts"), e.getMessage());
    }

    @Test
    void learningRateWarmsUpThenDecaysToTheFloor() {
        ToyTrainer.Options o = ToyTrainer.Options.defaults(data, tmp).withSteps(1000);
        assertEquals(o.peakLr() / o.warmupSteps(), ToyTrainer.learningRate(o, 0), 1e-12);
        assertEquals(o.peakLr(), ToyTrainer.learningRate(o, o.warmupSteps() - 1), 1e-12);
        assertEquals(o.peakLr(), ToyTrainer.learningRate(o, o.warmupSteps()), 1e-12);
        assertEquals(o.peakLr() * o.minLrRatio(), ToyTrainer.learningRate(o, 1000), 1e-12);
        double mid = ToyTrainer.learningRate(o, o.warmupSteps() + (1000 - o.warmupSteps()) / 2);
        assertEquals(o.peakLr() * (o.minLrRatio() + (1 - o.minLrRatio()) / 2), mid, 1e-9);
    }

    @Test
    void adamWFirstStepMovesByLearningRateAndDecaysOnlyMatrices() {
        float[] p = {1f, 1f}, g = {0.5f, -2f}, m = new float[2], v = new float[2];
        ToyTrainer.adamW(p, g, m, v, new boolean[] {true, false}, 1, 0.1, 0.5, 1f);
        // first bias-corrected Adam step is lr * sign(g); decay adds lr * wd * p to the first only
        assertEquals(1 - 0.1 * (1 + 0.5 * 1), p[0], 1e-6);
        assertEquals(1 + 0.1, p[1], 1e-6);
    }

    @Test
    void boxedAnswerExtraction() {
        assertEquals("12", ToyGenerator.lastBoxed("a \\boxed{3} then \\boxed{ 12 }."));
        assertNull(ToyGenerator.lastBoxed("no answer"));
        assertTrue(ToyGenerator.isCorrect("so \\boxed{-4}.", "-4"));
        assertFalse(ToyGenerator.isCorrect("so \\boxed{4}.", "-4"));
    }

    private static float[] readParams(Path checkpoint) {
        try (SafetensorsFile f = SafetensorsFile.open(checkpoint)) {
            return f.tensor("params").toFloatArray();
        }
    }

    private static String meta(Path checkpoint, String key) {
        try (SafetensorsFile f = SafetensorsFile.open(checkpoint)) {
            return f.metadata().get(key);
        }
    }

    /** A progress listener that interrupts the run once the given step is logged, as a kill would. */
    static final class StopAfter implements java.util.function.Consumer<String> {
        final int step;
        StopAfter(int step) { this.step = step; }
        @Override public void accept(String line) {
            if (line.equals("checkpoint: step " + step)) throw new Interrupted();
        }
    }

    static final class Interrupted extends RuntimeException {}
}
