package neurosteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import neurosteer.engine.Model;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.steer.Steering;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study's plumbing on a random-weight model: problems whose gold answer is one digit, so random
 * completions are sometimes right (the last number of a completion is graded), which is enough for
 * both quality classes to exist.
 */
class StudyPipelineTest {
    @TempDir
    static Path dir;
    static Path model, train, test;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void setUp() throws Exception {
        DigitStudyFixture f = DigitStudyFixture.write(dir, 12, 12);
        model = f.model();
        train = f.train();
        test = f.test();
    }

    static String[] study(Path run, String... extra) {
        List<String> a = new ArrayList<>(List.of("study", "--model", model.toString(), "--train", train.toString(), "--test", test.toString(),
                "--run", run.toString(), "--samples", "8", "--max-new-tokens", "24", "--temperature", "1.0", "--theta", "1.01",
                "--random-seeds", "1,2"));
        a.addAll(List.of(extra));
        return a.toArray(String[]::new);
    }

    @Test
    void studyWritesEveryFileAndRerunningDoesNothing() throws Exception {
        Path run = dir.resolve("run");
        CommandsTest.Run r = CommandsTest.run(study(run));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("| greedy |") && r.out().contains("| ours |") && r.out().contains("| random-2 |"), r.out());
        for (String f : List.of("study.json", "samples.jsonl", "contrast.jsonl", "contrast.summary.json", "stats.safetensors", "table1.csv", "table1.md",
                "neurons/ours.json", "neurons/wanda.json", "neurons/mathneuro.json", "neurons/top-activation.json", "neurons/random-1.json",
                "eval/greedy.jsonl", "eval/ours.jsonl", "eval/ours.summary.json"))
            assertTrue(Files.exists(run.resolve(f)), f);
        assertEquals(96, Files.readAllLines(run.resolve("samples.jsonl")).size());
        JsonNode summary = JSON.readTree(run.resolve("eval/ours.summary.json").toFile());
        assertEquals(12, summary.path("problems").asInt());
        assertTrue(summary.has("vs_baseline") && summary.path("vs_baseline").has("mcnemar_p"));
        JsonNode study = JSON.readTree(run.resolve("study.json").toFile());
        assertFalse(study.path("model_fingerprint").asText().isEmpty());
        assertFalse(study.path("train_hash").asText().isEmpty());
        NeuronSet ours = NeuronSet.load(run.resolve("neurons/ours.json"));
        assertEquals(ours.size(), NeuronSet.load(run.resolve("neurons/wanda.json")).size());

        long before = Files.getLastModifiedTime(run.resolve("eval/ours.jsonl")).toMillis();
        List<String> samples = Files.readAllLines(run.resolve("samples.jsonl"));
        CommandsTest.Run again = CommandsTest.run(study(run));
        assertEquals(0, again.code(), again.err());
        assertEquals(samples, Files.readAllLines(run.resolve("samples.jsonl")), "rerun must not sample again");
        assertEquals(before, Files.getLastModifiedTime(run.resolve("eval/ours.jsonl")).toMillis(), "rerun must not evaluate again");

        CommandsTest.Run other = CommandsTest.run(study(run, "--train-limit", "5"));
        assertEquals(1, other.code());
        assertTrue(other.err().contains("train_limit"), other.err());

        assertEquals("F32", study.path("kv_cache").asText(), study.toString());
        CommandsTest.Run half = CommandsTest.run(study(run, "--kv-cache", "f16"));
        assertEquals(1, half.code());
        assertTrue(half.err().contains("F32 KV cache") && half.err().contains("--kv-cache"), half.err());
        // a study.json from before the option: its caches were floats, so the default resumes it
        ((com.fasterxml.jackson.databind.node.ObjectNode) study).remove("kv_cache");
        JSON.writeValue(run.resolve("study.json").toFile(), study);
        CommandsTest.Run old = CommandsTest.run(study(run));
        assertEquals(0, old.code(), old.err());
        assertEquals(samples, Files.readAllLines(run.resolve("samples.jsonl")), "resuming an older run must not sample again");
    }

    @Test
    void aStudyWithHalfCachesRunsAndRecordsIt() throws Exception {
        Path run = dir.resolve("half");
        CommandsTest.Run r = CommandsTest.run(study(run, "--kv-cache", "f16"));
        assertEquals(0, r.code(), r.err());
        assertEquals(96, Files.readAllLines(run.resolve("samples.jsonl")).size());
        JsonNode recorded = JSON.readTree(run.resolve("study.json").toFile());
        assertEquals("F16", recorded.path("kv_cache").asText());
        // the experiment commands read it back from study.json: a broken value there is their error
        ((com.fasterxml.jackson.databind.node.ObjectNode) recorded).put("kv_cache", "Q9");
        JSON.writeValue(run.resolve("study.json").toFile(), recorded);
        CommandsTest.Run sweep = CommandsTest.run("sweep", "--run", run.toString(), "--param", "alpha", "--values", "1.0");
        assertEquals(1, sweep.code(), sweep.err());
        assertTrue(sweep.err().contains("study.json") && sweep.err().contains("kv_cache") && sweep.err().contains("'Q9'"), sweep.err());
        CommandsTest.Run bad = CommandsTest.run("sample", "--model", model.toString(), "--train", train.toString(), "--run",
                dir.resolve("bad").toString(), "--kv-cache", "f8");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--kv-cache") && bad.err().contains("'f8'"), bad.err());
    }

    @Test
    void exportedSteeredModelEqualsHookedModel() throws Exception {
        Path run = dir.resolve("run");
        if (!Files.exists(run.resolve("neurons/ours.json"))) assertEquals(0, CommandsTest.run(study(run)).code());
        Path neurons = run.resolve("neurons/random-1.json");
        Path hf = dir.resolve("steered"), gguf = dir.resolve("steered.gguf");
        assertEquals(0, CommandsTest.run("export", "--model", model.toString(), "--neurons", neurons.toString(), "--alpha", "1.5", "--dtype", "f32", hf.toString()).code());
        assertEquals(0, CommandsTest.run("export", "--model", model.toString(), "--neurons", neurons.toString(), "--alpha", "1.5", "--format", "gguf",
                "--dtype", "f32", gguf.toString()).code());
        int[] tokens = {1, 50, 60, 70, 80, 90, 100};
        try (Model m = Model.load(model); Model e = Model.load(hf); Model g = Model.load(gguf)) {
            NeuronSet set = NeuronSet.load(neurons);
            float[] hooked = m.transformer().forward(Batch.ofSequence(0, tokens, 0, true, true), new KvCache[] {new KvCache(m.config(), 8)},
                    Steering.hooks(set, 1.5, Steering.Positions.ALL));
            for (Model exported : List.of(e, g)) {
                float[] baked = exported.transformer().forward(Batch.ofSequence(0, tokens, 0, true, true), new KvCache[] {new KvCache(exported.config(), 8)}, Hooks.NONE);
                double diff = 0, scale = 0;
                for (int i = 0; i < hooked.length; i++) {
                    diff = Math.max(diff, Math.abs(hooked[i] - baked[i]));
                    scale = Math.max(scale, Math.abs(hooked[i]));
                }
                assertTrue(diff / scale < 1e-5, exported.location() + ": relative difference " + diff / scale);
            }
            assertEquals(m.tokenizer().vocabSize(), e.tokenizer().vocabSize());
            assertEquals(m.tokenizer().vocabSize(), g.tokenizer().vocabSize());
            if (neurosteer.engine.reference.LlamaCpp.available()) {
                // llama.cpp loads the exported GGUF and agrees with our hooked model
                float[][] ref = neurosteer.engine.reference.LlamaCpp.probabilities(gguf, tokens);
                int v = m.config().vocabSize();
                double worst = 0;
                for (int t = 0; t < tokens.length; t++) {
                    double max = Double.NEGATIVE_INFINITY, sum = 0;
                    for (int i = 0; i < v; i++) max = Math.max(max, hooked[t * v + i]);
                    for (int i = 0; i < v; i++) sum += Math.exp(hooked[t * v + i] - max);
                    for (int i = 0; i < v; i++) worst = Math.max(worst, Math.abs(Math.exp(hooked[t * v + i] - max) / sum - ref[t][i]));
                }
                assertTrue(worst <= 1e-4, "llama.cpp on the exported GGUF vs our hooked model: max |dp| = " + worst);
            } else if (System.getenv("CI") != null) {
                throw new AssertionError("llama.cpp reference not installed");
            }
        }
    }

    @Test
    void killedSampleStepResumesWithoutDuplicates() throws Exception {
        Path run = dir.resolve("killed");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), "neurosteer.cli.Main", "sample",
                "--model", model.toString(), "--train", train.toString(), "--run", run.toString(), "--samples", "8", "--max-new-tokens", "24",
                "--temperature", "1.0", "--batch", "1", "--threads", "1"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("killed.log").toFile()).start();
        Path samples = run.resolve("samples.jsonl");
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline && (!Files.exists(samples) || Files.readAllLines(samples).size() < 16)) Thread.sleep(50);
        p.destroyForcibly().waitFor();
        int partial = Files.readAllLines(samples).size();
        assertTrue(partial >= 16 && partial < 96, "killed after " + partial + " of 96 completions");
        CommandsTest.Run r = CommandsTest.run("sample", "--model", model.toString(), "--train", train.toString(), "--run", run.toString(),
                "--samples", "8", "--max-new-tokens", "24", "--temperature", "1.0");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(samples);
        assertEquals(96, lines.size());
        Set<String> keys = new HashSet<>();
        for (String l : lines) {
            JsonNode n = JSON.readTree(l);
            assertTrue(keys.add(n.path("problem_id").asText() + "#" + n.path("sample").asInt()), "duplicate " + l);
        }
        // the resumed completions are the ones an uninterrupted run writes
        Path clean = dir.resolve("clean");
        assertEquals(0, CommandsTest.run("sample", "--model", model.toString(), "--train", train.toString(), "--run", clean.toString(),
                "--samples", "8", "--max-new-tokens", "24", "--temperature", "1.0").code());
        Set<String> a = new HashSet<>(lines), b = new HashSet<>(Files.readAllLines(clean.resolve("samples.jsonl")));
        assertEquals(b, a);
    }
}
