package neurosteer.engine.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Tokenizers#fromGguf} against llama.cpp itself (node-llama-cpp, vocab-only GGUF files written by
 * reference/gguf-vocab-tokenize.mjs from the same tokenizer.json files and the same conversion).
 */
class LlamaCppParityTest {
    private static final int SAMPLES = 500;

    @TempDir
    Path work;

    private record Job(String name, String model, String pre) {}

    @Test
    void ggufTokenizersMatchLlamaCpp() throws Exception {
        Path repo = Path.of(System.getProperty("neurosteer.repo", ".."));
        Path script = repo.resolve("reference/gguf-vocab-tokenize.mjs");
        Assumptions.assumeTrue(Files.isDirectory(repo.resolve("reference/node_modules/node-llama-cpp")),
                "reference/node_modules/node-llama-cpp not installed; run reference/install.sh");
        List<Job> jobs = List.of(new Job("llama3", "gpt2", "llama-bpe"), new Job("qwen3", "gpt2", "qwen2"), new Job("llama2", "llama", ""));
        ObjectMapper json = new ObjectMapper();
        ArrayNode jobsNode = json.createArrayNode();
        List<List<String>> samplesPerJob = new ArrayList<>();
        for (Job job : jobs) {
            Path folder = HuggingFaceParityTest.modelFolder(job.name);
            Tokenizer hf = HuggingFaceParityTest.ours(folder);
            List<String> specials = new ArrayList<>();
            for (int id : hf.specialIds()) if (specials.size() < 30) specials.add(hf.token(id));
            List<String> samples = TextSamples.generate(job.name.hashCode() + 2, SAMPLES, specials);
            samplesPerJob.add(samples);
            json.writeValue(work.resolve(job.name + "-samples.json").toFile(), samples);
            jobsNode.addObject().put("tokenizer", folder.resolve("tokenizer.json").toString()).put("model", job.model).put("pre", job.pre)
                    .put("samples", work.resolve(job.name + "-samples.json").toString())
                    .put("out", work.resolve(job.name + "-ids.json").toString())
                    .put("gguf", work.resolve(job.name + ".gguf").toString());
        }
        json.writeValue(work.resolve("jobs.json").toFile(), jobsNode);
        Process node;
        try {
            node = new ProcessBuilder("node", script.toString(), work.resolve("jobs.json").toString())
                    .directory(repo.resolve("reference").toFile()).redirectErrorStream(true)
                    .redirectOutput(work.resolve("node.log").toFile()).start();
        } catch (java.io.IOException e) {
            Assumptions.abort("node is not on PATH: " + e.getMessage());
            return;
        }
        if (!node.waitFor(170, TimeUnit.SECONDS)) {
            node.destroyForcibly();
            throw new AssertionError("node-llama-cpp did not finish in time; log: " + Files.readString(work.resolve("node.log")));
        }
        assertEquals(0, node.exitValue(), () -> "node failed: " + readLog());

        for (int j = 0; j < jobs.size(); j++) {
            Job job = jobs.get(j);
            Path folder = HuggingFaceParityTest.modelFolder(job.name);
            Tokenizer gguf = Tokenizers.fromGguf(GgufTokenizerTest.metadataFrom(folder, job.model, job.pre), Path.of(job.name + ".gguf"));
            JsonNode expectedAll = json.readTree(work.resolve(job.name + "-ids.json").toFile());
            List<String> samples = samplesPerJob.get(j);
            assertEquals(samples.size(), expectedAll.size());
            for (int i = 0; i < samples.size(); i++) {
                String text = samples.get(i);
                int[] expected = new int[expectedAll.get(i).size()];
                for (int k = 0; k < expected.length; k++) expected[k] = expectedAll.get(i).get(k).asInt();
                int[] actual = gguf.encode(text, false);
                assertArrayEquals(expected, actual, () -> job.name + " text=" + HuggingFaceParityTest.quote(text)
                        + "\nllama.cpp " + HuggingFaceParityTest.tokens(gguf, expected) + "\nours      " + HuggingFaceParityTest.tokens(gguf, actual));
            }
        }
    }

    private String readLog() {
        try {
            return Files.readString(work.resolve("node.log"));
        } catch (java.io.IOException e) {
            return "(no log)";
        }
    }
}
