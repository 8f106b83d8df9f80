package neurosteer.toy.data;

import static org.junit.jupiter.api.Assertions.*;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToyTokenizerTest {
    static ToyDataGenerator.Splits splits;
    static ToyTokenizer tokenizer;
    @TempDir static Path dir;

    @BeforeAll
    static void trainTokenizer() throws Exception {
        splits = ToyDataGenerator.generate(3L, 30, 4, ToyDataGenerator.Options.DEFAULT_SLIP_RATE);
        List<String> texts = new ArrayList<>();
        for (Problem p : splits.train()) texts.add(ToyTokenizer.chatPrompt(p.problem()) + p.solution() + ToyTokenizer.EOT);
        tokenizer = ToyTokenizer.train(texts, 200);
        tokenizer.save(dir, 512);
    }

    @Test
    void huggingFaceTokenizersGiveTheSameIds() throws Exception {
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"), Map.of("addSpecialTokens", "false"))) {
            int checked = 0;
            for (Problem p : splits.test()) {
                String text = ToyTokenizer.chatPrompt(p.problem()) + p.solution() + ToyTokenizer.EOT;
                long[] expected = hf.encode(text).getIds();
                int[] ours = tokenizer.encode(text);
                assertArrayEquals(expected, java.util.Arrays.stream(ours).asLongStream().toArray(), text);
                assertEquals(text, tokenizer.decode(ours, false));
                checked++;
            }
            assertEquals(splits.test().size(), checked);
            String odd = "Ünïcode ✓ and  double  spaces\n\n\tand 'll 123456";
            assertArrayEquals(hf.encode(odd).getIds(), java.util.Arrays.stream(tokenizer.encode(odd)).asLongStream().toArray());
            assertEquals(odd, tokenizer.decode(tokenizer.encode(odd), false));
        }
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(dir.resolve("tokenizer.json"))) {
            Encoding withBos = hf.encode("Solve for x.");
            assertEquals(tokenizer.bosId(), withBos.getIds()[0], "post-processor must prepend BOS");
        }
    }

    @Test
    void digitsStayOneTokenEachAndMergesShortenText() {
        String text = "12345 + 678 = 13023";
        int[] ids = tokenizer.encode(text);
        int digits = 0;
        for (int id : ids) {
            String piece = tokenizer.decode(new int[] {id}, false);
            if (piece.chars().anyMatch(Character::isDigit)) {
                assertEquals(1, piece.length(), "digit merged into '" + piece + "'");
                digits++;
            }
        }
        assertEquals(13, digits);
        Problem p = splits.test().get(0);
        assertTrue(tokenizer.encode(p.solution()).length < p.solution().length() * 0.8, "merges should shorten the text");
    }

    @Test
    void writtenFilesReadBackAndCarryTheChatTemplate() throws Exception {
        ToyTokenizer back = ToyTokenizer.read(dir.resolve("tokenizer.json"));
        assertEquals(tokenizer.vocabSize(), back.vocabSize());
        String text = ToyTokenizer.chatPrompt(splits.test().get(1).problem());
        assertArrayEquals(tokenizer.encode(text), back.encode(text));
        JsonNode config = new ObjectMapper().readTree(dir.resolve("tokenizer_config.json").toFile());
        assertEquals(ToyTokenizer.CHAT_TEMPLATE, config.get("chat_template").asText());
        assertEquals(ToyTokenizer.EOT, config.get("eos_token").asText());
        assertEquals(ToyTokenizer.BOS, config.get("bos_token").asText());
        JsonNode added = new ObjectMapper().readTree(dir.resolve("tokenizer.json").toFile()).get("added_tokens");
        assertEquals(5, added.size());
        for (JsonNode t : added) assertTrue(t.get("special").asBoolean());
    }
}
