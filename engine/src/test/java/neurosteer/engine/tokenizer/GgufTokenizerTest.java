package neurosteer.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import neurosteer.engine.format.CheckpointException;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GGUF-metadata tokenizers, with metadata made from the real tokenizer.json files as llama.cpp's converter does. */
class GgufTokenizerTest {
    private static final Path GGUF = Path.of("model.gguf");
    private static final java.util.regex.Pattern SPACE_RUN = java.util.regex.Pattern.compile("^ |  |> ");

    /** GGUF key/values for a Hugging Face tokenizer.json: tokens by id, control for special added tokens. */
    static Map<String, Object> metadataFrom(Path folder, String ggufModel, String pre) {
        Tokenizers.TokenizerJson json = Tokenizers.readTokenizerJson(folder.resolve("tokenizer.json"));
        JsonNode added = json.root().get("added_tokens");
        int size = json.vocab().size();
        for (JsonNode a : added) size = Math.max(size, a.get("id").asInt() + 1);
        String[] tokens = new String[size];
        int[] types = new int[size];
        float[] scores = new float[size];
        json.vocab().forEach((token, id) -> {
            tokens[id] = token;
            types[id] = PipelineTokenizer.byteOfToken(token) >= 0 && ggufModel.equals("llama") ? 6 : 1;
            scores[id] = -id;
        });
        for (JsonNode a : added) {
            int id = a.get("id").asInt();
            tokens[id] = a.get("content").asText();
            types[id] = a.get("content").asText().equals("<unk>") ? 2 : a.get("special").asBoolean() ? 3 : 4;
            scores[id] = 0;
        }
        Map<String, Object> kv = new HashMap<>();
        kv.put("tokenizer.ggml.model", ggufModel);
        kv.put("tokenizer.ggml.tokens", Arrays.asList(tokens));
        kv.put("tokenizer.ggml.token_type", types);
        if (ggufModel.equals("llama")) {
            kv.put("tokenizer.ggml.scores", scores);
            kv.put("tokenizer.ggml.bos_token_id", 1L);
            kv.put("tokenizer.ggml.eos_token_id", 2);
            kv.put("tokenizer.ggml.unknown_token_id", 0);
        } else {
            List<String> merges = new ArrayList<>();
            for (int i = 0; i < json.mergeLefts().size(); i++) merges.add(json.mergeLefts().get(i) + " " + json.mergeRights().get(i));
            kv.put("tokenizer.ggml.merges", merges.toArray(String[]::new));
            kv.put("tokenizer.ggml.pre", pre);
        }
        return kv;
    }

    @Test
    void llama3FromGgufMatchesHuggingFaceAndAddsBos() throws Exception {
        Path folder = HuggingFaceParityTest.modelFolder("llama3");
        Map<String, Object> kv = metadataFrom(folder, "gpt2", "llama-bpe");
        kv.put("tokenizer.ggml.bos_token_id", 128000);
        kv.put("tokenizer.ggml.eos_token_id", 128001);
        kv.put("tokenizer.ggml.eot_token_id", 128009);
        Tokenizer gguf = Tokenizers.fromGguf(kv, GGUF);
        assertEquals(128000, gguf.bosId().getAsInt());
        assertTrue(gguf.eosIds().containsAll(List.of(128001, 128009)));
        compareWithHuggingFace(folder, gguf, false, 600);
    }

    @Test
    void qwenFromGgufMatchesHuggingFaceOnNormalizedText() throws Exception {
        Path folder = HuggingFaceParityTest.modelFolder("qwen3");
        Tokenizer gguf = Tokenizers.fromGguf(metadataFrom(folder, "gpt2", "qwen2"), GGUF);
        assertEquals(0, gguf.encode("hi", true).length - gguf.encode("hi", false).length, "qwen2 adds no BOS by default");
        compareWithHuggingFace(folder, gguf, true, 600);
    }

    private static void compareWithHuggingFace(Path folder, Tokenizer gguf, boolean onlyNfcStable, int count) throws Exception {
        List<String> specials = new ArrayList<>();
        for (int id : gguf.specialIds()) if (specials.size() < 30) specials.add(gguf.token(id));
        int compared = 0;
        HuggingFaceTokenizer hf = HuggingFaceParityTest.djl(folder);
        {
            for (String text : TextSamples.generate(11, count, specials)) {
                if (onlyNfcStable && !Normalizer.isNormalized(text, Normalizer.Form.NFC)) continue;
                long[] expected = hf.encode(text, false, false).getIds();
                int[] ids = gguf.encode(text, false);
                assertArrayEquals(HuggingFaceParityTest.toInts(expected), ids, () -> "text=" + HuggingFaceParityTest.quote(text));
                assertEquals(hf.decode(expected, true), gguf.decode(ids, true));
                int[] withSpecial = gguf.encode(text, true);
                int extra = withSpecial.length - ids.length;
                assertEquals(gguf.bosId().isPresent() && extra == 1 ? gguf.bosId().getAsInt() : -1, extra == 1 ? withSpecial[0] : -1);
                compared++;
            }
        }
        assertTrue(compared > count / 2, "too few comparable samples: " + compared);
    }

    @Test
    void sentencePieceFromGgufRoundTripsAndFallsBackToBytes() throws Exception {
        Path folder = HuggingFaceParityTest.modelFolder("llama2");
        Map<String, Object> kv = metadataFrom(folder, "llama", null);
        Tokenizer gguf = Tokenizers.fromGguf(kv, GGUF);
        Tokenizer hf = HuggingFaceParityTest.ours(folder);
        int[] hello = gguf.encode("Hello world", true);
        assertEquals(1, hello[0], "BOS first");
        assertEquals(gguf.id("\u2581Hello").getAsInt(), hello[1], "a leading space prefix is added");
        int[] rare = gguf.encode("\uD83E\uDD16", false);
        for (int i = 1; i < rare.length; i++) assertTrue(PipelineTokenizer.byteOfToken(gguf.token(rare[i])) >= 0, "byte fallback tokens");
        int same = 0, total = 0;
        for (String text : TextSamples.generate(13, 1000, List.of("<s>", "</s>"))) {
            int[] ids = gguf.encode(text, true);
            assertEquals(hf.decode(ids, true), gguf.decode(ids, true));
            if (!text.contains("<s>") && !text.contains("</s>") && !text.contains("<unk>") && !text.startsWith(" "))
                assertEquals(text, gguf.decode(ids, true), () -> "round trip of " + HuggingFaceParityTest.quote(text));
            // Synthetic scores (-id) favour "▁▁" over "▁word"; real GGUF scores do not, so space runs are left out.
            if (SPACE_RUN.matcher(text).find()) continue;
            total++;
            if (Arrays.equals(ids, hf.encode(text, true))) same++;
        }
        System.out.printf("SentencePiece by score (-id) equals HF merges on %d of %d samples%n", same, total);
        assertTrue(total > 300 && same > total * 95 / 100, "score-based SentencePiece should mostly agree with rank-based merges: " + same + "/" + total);
    }

    @Test
    void valuesAcceptArraysAndListsAndBadValuesNameTheKey() {
        Map<String, Object> kv = new HashMap<>();
        kv.put("tokenizer.ggml.model", "gpt2");
        kv.put("tokenizer.ggml.tokens", List.of("a", "b", "ab", "<eos>"));
        kv.put("tokenizer.ggml.token_type", List.of(1, 1, 1, 3));
        kv.put("tokenizer.ggml.merges", List.of("a b"));
        kv.put("tokenizer.ggml.eos_token_id", 3L);
        kv.put("tokenizer.ggml.add_bos_token", Boolean.FALSE);
        Tokenizer t = Tokenizers.fromGguf(kv, GGUF);
        assertArrayEquals(new int[] {2, 0, 3}, t.encode("aba<eos>", false));
        assertEquals("aba", t.decode(new int[] {2, 0, 3}, true));
        assertEquals("aba<eos>", t.decode(new int[] {2, 0, 3}, false));

        kv.put("tokenizer.ggml.pre", "no-such-family");
        var e = assertThrows(CheckpointException.class, () -> Tokenizers.fromGguf(kv, GGUF));
        assertEquals("tokenizer.ggml.pre", e.key());
        kv.remove("tokenizer.ggml.pre");
        kv.put("tokenizer.ggml.merges", List.of("a c"));
        e = assertThrows(CheckpointException.class, () -> Tokenizers.fromGguf(kv, GGUF));
        assertEquals("tokenizer.ggml.merges[0]", e.key());
        kv.put("tokenizer.ggml.merges", List.of("a b"));
        kv.put("tokenizer.ggml.token_type", "not an array");
        e = assertThrows(CheckpointException.class, () -> Tokenizers.fromGguf(kv, GGUF));
        assertEquals("tokenizer.ggml.token_type", e.key());
        assertTrue(e.getMessage().startsWith(GGUF.toString()), e.getMessage());
        kv.remove("tokenizer.ggml.token_type");
        kv.put("tokenizer.ggml.model", "bert");
        e = assertThrows(CheckpointException.class, () -> Tokenizers.fromGguf(kv, GGUF));
        assertEquals("tokenizer.ggml.model", e.key());
        kv.remove("tokenizer.ggml.tokens");
        kv.put("tokenizer.ggml.model", "gpt2");
        e = assertThrows(CheckpointException.class, () -> Tokenizers.fromGguf(kv, GGUF));
        assertEquals("tokenizer.ggml.tokens", e.key());
    }
}
