package neurosteer.engine.format;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.engine.format.hf.HfCheckpointWriter;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.random.ModelShapes;
import neurosteer.engine.random.RandomWeights;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BadCheckpointTest {
    @TempDir
    Path dir;
    Path good;
    ModelConfig config;

    @BeforeEach
    void write() throws IOException {
        config = ModelShapes.config("llama", "tiny", 50);
        good = dir.resolve("good");
        HfCheckpointWriter.write(good, config, new RandomWeights(config, 1)::fill, SafetensorsWriter.DType.BF16, Map.of());
    }

    private Path copy(String name) throws IOException {
        Path to = dir.resolve(name);
        Files.createDirectories(to);
        try (var s = Files.list(good)) {
            for (Path p : s.toList()) Files.copy(p, to.resolve(p.getFileName()));
        }
        return to;
    }

    private static void assertMessage(Throwable t, String... parts) {
        for (String p : parts) assertTrue(t.getMessage().contains(p), "message '" + t.getMessage() + "' should mention '" + p + "'");
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path m = copy("trunc");
        Path st = m.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(st);
        Files.write(st, Arrays.copyOf(all, all.length - 100));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Model.load(m));
        assertMessage(e, "model.safetensors", "truncated", "lm_head.weight");
    }

    @Test
    void corruptHeader() throws IOException {
        Path m = copy("corrupt");
        Path st = m.resolve("model.safetensors");
        byte[] all = Files.readAllBytes(st);
        all[8] = '#';
        Files.write(st, all);
        assertMessage(assertThrows(CheckpointException.class, () -> Model.load(m)), "model.safetensors", "invalid JSON");
        Files.write(st, new byte[] {1, 2, 3});
        assertMessage(assertThrows(CheckpointException.class, () -> Model.load(m)), "model.safetensors", "8");
        byte[] huge = Arrays.copyOf(all, 64);
        huge[0] = (byte) 0xff; huge[5] = 0x7f;
        Files.write(st, huge);
        assertMessage(assertThrows(CheckpointException.class, () -> Model.load(m)), "model.safetensors", "header length");
    }

    @Test
    void missingTensorAndShapeMismatch() throws IOException {
        Path m = copy("missing");
        String cfg = Files.readString(m.resolve("config.json"));
        Files.writeString(m.resolve("config.json"), cfg.replace("\"num_hidden_layers\" : 2", "\"num_hidden_layers\" : 3"));
        assertMessage(assertThrows(CheckpointException.class, () -> Model.load(m)), "model.layers.2.input_layernorm.weight", "not found");
        Files.writeString(m.resolve("config.json"), cfg.replace("\"intermediate_size\" : 192", "\"intermediate_size\" : 200"));
        assertMessage(assertThrows(CheckpointException.class, () -> Model.load(m)), "model.safetensors", "model.layers.0.mlp.gate_proj.weight",
                "[200, 64]");
    }

    @Test
    void unknownArchitectureAndMissingKey() throws IOException {
        Path m = copy("arch");
        String cfg = Files.readString(m.resolve("config.json"));
        Files.writeString(m.resolve("config.json"), cfg.replace("LlamaForCausalLM", "GPTNeoXForCausalLM"));
        assertMessage(assertThrows(CheckpointException.class, () -> Model.load(m)), "config.json", "GPTNeoXForCausalLM", "supported");
        Files.writeString(m.resolve("config.json"), cfg.replace("\"hidden_size\" : 64,", ""));
        assertMessage(assertThrows(CheckpointException.class, () -> Model.load(m)), "config.json", "hidden_size", "missing");
        Files.writeString(m.resolve("config.json"), "{not json");
        assertMessage(assertThrows(CheckpointException.class, () -> Model.load(m)), "config.json");
    }

    @Test
    void promptLongerThanContext() {
        try (Model m = Model.load(good)) {
            int n = config.maxPositions() + 1;
            int[] tokens = new int[n];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.transformer().forward(
                    Batch.ofSequence(0, tokens, 0, true, false), new KvCache[] {new KvCache(config, 8)}, Hooks.NONE));
            assertMessage(e, "context", String.valueOf(config.maxPositions()));
        }
    }
}
