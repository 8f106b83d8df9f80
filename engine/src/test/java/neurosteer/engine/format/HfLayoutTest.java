package neurosteer.engine.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.engine.format.hf.HfCache;
import neurosteer.engine.format.hf.HfCheckpointWriter;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.random.ModelShapes;
import neurosteer.engine.random.RandomWeights;
import neurosteer.engine.tokenizer.TokenizerFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfLayoutTest {
    @TempDir
    Path dir;

    private float[] logits(Path folder, int[] tokens) {
        try (Model m = Model.load(folder)) {
            return m.transformer().forward(Batch.ofSequence(0, tokens, 0, true, true), new KvCache[] {new KvCache(m.config(), 8)}, Hooks.NONE);
        }
    }

    @Test
    void shardedCheckpointWithIndexLoadsLikeOneFile() throws Exception {
        ModelConfig c = ModelShapes.config("llama", "tiny", 300);
        RandomWeights w = new RandomWeights(c, 2);
        Path single = dir.resolve("single");
        HfCheckpointWriter.write(single, c, w::fill, SafetensorsWriter.DType.BF16, Map.of());
        Path sharded = dir.resolve("sharded");
        Files.createDirectories(sharded);
        Files.copy(single.resolve("config.json"), sharded.resolve("config.json"));
        SafetensorsWriter a = new SafetensorsWriter(), b = new SafetensorsWriter();
        Map<String, String> weightMap = new LinkedHashMap<>();
        int i = 0;
        for (ModelTensors.Spec s : ModelTensors.of(c)) {
            boolean first = i++ % 2 == 0;
            long[] shape = s.vector() ? new long[] {s.cols()} : new long[] {s.rows(), s.cols()};
            (first ? a : b).add(s.name(), SafetensorsWriter.DType.BF16, w.all(s.name(), s.rows(), s.cols()), shape);
            weightMap.put(s.name(), first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
        }
        a.write(sharded.resolve("model-00001-of-00002.safetensors"));
        b.write(sharded.resolve("model-00002-of-00002.safetensors"));
        new ObjectMapper().writeValue(sharded.resolve("model.safetensors.index.json").toFile(),
                Map.of("metadata", Map.of("total_size", 0), "weight_map", weightMap));
        try (Model a1 = Model.load(single); Model b1 = Model.load(sharded)) {
            for (ModelTensors.Spec s : ModelTensors.of(c))
                assertArrayEquals(a1.source().tensor(s.name()).toFloatArray(), b1.source().tensor(s.name()).toFloatArray(), s.name());
        }
        int[] tokens = {1, 5, 9, 200, 17};
        float[] x = logits(single, tokens), y = logits(sharded, tokens);
        for (int j = 0; j < x.length; j++) assertEquals(x[j], y[j], 1e-5f * Math.max(1, Math.abs(x[j])));

        weightMap.put("model.norm.weight", "model-00003-of-00002.safetensors");
        new ObjectMapper().writeValue(sharded.resolve("model.safetensors.index.json").toFile(), Map.of("weight_map", weightMap));
        CheckpointException e = assertThrows(CheckpointException.class, () -> Model.load(sharded));
        assertTrue(e.getMessage().contains("model.norm.weight") && e.getMessage().contains("model-00003-of-00002"), e.getMessage());
    }

    @Test
    void modelIdResolvesInTheHubCache() throws Exception {
        Path hub = dir.resolve("hub");
        Path snap = hub.resolve("models--acme--Tiny-Instruct/snapshots/abc123");
        Files.createDirectories(snap);
        Files.createDirectories(hub.resolve("models--acme--Tiny-Instruct/refs"));
        Files.writeString(hub.resolve("models--acme--Tiny-Instruct/refs/main"), "abc123\n");
        assertEquals(snap, HfCache.resolve("acme/Tiny-Instruct", Map.of("HF_HUB_CACHE", hub.toString())).orElseThrow());
        assertEquals(snap, HfCache.resolve("acme/Tiny-Instruct", Map.of("HF_HOME", dir.toString())).orElseThrow());
        assertEquals(snap, HfCache.resolve("acme/Tiny-Instruct@abc123", Map.of("HF_HUB_CACHE", hub.toString())).orElseThrow());
        assertTrue(HfCache.resolve("acme/Other", Map.of("HF_HUB_CACHE", hub.toString())).isEmpty());
        assertEquals(Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub"), HfCache.hubDirectory(Map.of()));
    }

    @Test
    void tokenizerLargerThanTheEmbeddingIsRejected() throws Exception {
        ModelConfig c = ModelShapes.config("llama", "tiny", 300);
        Path folder = dir.resolve("m");
        HfCheckpointWriter.write(folder, c, new RandomWeights(c, 2)::fill, SafetensorsWriter.DType.F32, Map.of());
        TokenizerFiles.writeSmallByteLevel(folder, 400);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Model.load(folder));
        assertTrue(e.getMessage().contains("400") && e.getMessage().contains("300") && e.getMessage().contains(folder.toString()), e.getMessage());
        TokenizerFiles.writeSmallByteLevel(folder, 300);
        try (Model m = Model.load(folder)) {
            assertEquals(300, m.tokenizer().vocabSize());
            int[] ids = m.encodeChat(List.of(Map.of("role", "user", "content", "hi")), true);
            assertTrue(ids.length > 3);
        }
    }
}
