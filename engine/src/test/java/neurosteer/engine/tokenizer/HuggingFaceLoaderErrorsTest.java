package neurosteer.engine.tokenizer;

import neurosteer.engine.format.CheckpointException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HuggingFaceLoaderErrorsTest {
    @TempDir
    Path folder;

    private CheckpointException loadFails(String tokenizerJson) throws Exception {
        Files.writeString(folder.resolve("tokenizer.json"), tokenizerJson);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Tokenizers.fromHuggingFace(folder));
        assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
        return e;
    }

    private static String bpe(String vocab, String merges, String extra) {
        return "{\"added_tokens\": [], " + extra + "\"model\": {\"type\": \"BPE\", \"vocab\": " + vocab + ", \"merges\": " + merges + "}}";
    }

    @Test
    void missingAndMalformedFilesNameTheFileAndKey() throws Exception {
        var missing = assertThrows(CheckpointException.class, () -> Tokenizers.fromHuggingFace(folder));
        assertEquals(folder.resolve("tokenizer.json"), missing.file());
        loadFails("{\"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": 0,");
        assertEquals("model", loadFails("{\"added_tokens\": []}").key());
        assertEquals("model.vocab", loadFails("{\"model\": {\"type\": \"BPE\", \"merges\": []}}").key());
        assertEquals("model.vocab.a", loadFails(bpe("{\"a\": \"zero\"}", "[]", "")).key());
        assertEquals("model.merges[1]", loadFails(bpe("{\"a\": 0, \"b\": 1, \"ab\": 2}", "[\"a b\", \"b a\"]", "")).key());
        assertEquals("model.merges[0]", loadFails(bpe("{\"a\": 0}", "[\"a\"]", "")).key());
        assertEquals("model.type", loadFails("{\"model\": {\"type\": \"Unigram\", \"vocab\": {}}}").key());
        assertEquals("pre_tokenizer.type", loadFails(bpe("{\"a\": 0}", "[]", "\"pre_tokenizer\": {\"type\": \"Whatever\"}, ")).key());
        assertEquals("normalizer.normalizers[0].type",
                loadFails(bpe("{\"a\": 0}", "[]", "\"normalizer\": {\"type\": \"Sequence\", \"normalizers\": [{\"type\": \"Odd\"}]}, ")).key());
    }

    @Test
    void minimalTokenizerWithPairMergesWorks() throws Exception {
        Files.writeString(folder.resolve("tokenizer.json"), bpe("{\"a\": 0, \"b\": 1, \"ab\": 2}", "[[\"a\", \"b\"]]", ""));
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"eos_token\": {\"content\": \"b\"}}");
        Tokenizer t = Tokenizers.fromHuggingFace(folder);
        assertArrayEquals(new int[] {2, 0}, t.encode("aba", true));
        assertTrue(t.eosIds().contains(1));
        Files.writeString(folder.resolve("tokenizer_config.json"), "{\"bos_token\": \"<nope>\"}");
        var e = assertThrows(CheckpointException.class, () -> Tokenizers.fromHuggingFace(folder));
        assertEquals("bos_token", e.key());
        assertEquals(folder.resolve("tokenizer_config.json"), e.file());
    }
}
