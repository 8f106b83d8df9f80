package neurosteer.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerFilesTest {
    @TempDir
    Path folder;

    @Test
    void smallByteLevelTokenizerLoadsInHuggingFaceAndMatchesOurs() throws Exception {
        int vocabSize = 400;
        TokenizerFiles.writeSmallByteLevel(folder, vocabSize);
        Tokenizer ours = Tokenizers.fromHuggingFace(folder);
        assertEquals(vocabSize, ours.vocabSize());
        assertEquals(ours.id(TokenizerFiles.BOS).getAsInt(), ours.bosId().getAsInt());
        assertTrue(ours.eosIds().contains(ours.id(TokenizerFiles.IM_END).getAsInt()));
        assertEquals(5, ours.specialIds().size());
        assertTrue(ours.encode(" the", false).length == 1, "the learned merges should make ' the' one token");
        var config = new ObjectMapper().readTree(folder.resolve("tokenizer_config.json").toFile());
        assertEquals(TokenizerFiles.CHAT_TEMPLATE, config.get("chat_template").asText());

        List<String> samples = TextSamples.generate(7, 1000, List.of(TokenizerFiles.BOS, TokenizerFiles.IM_START, TokenizerFiles.IM_END));
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(folder.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false"))) {
            for (String text : samples) {
                for (boolean addSpecial : new boolean[] {false, true}) {
                    long[] expected = hf.encode(text, addSpecial, false).getIds();
                    int[] actual = ours.encode(text, addSpecial);
                    assertArrayEquals(HuggingFaceParityTest.toInts(expected), actual, () -> "text=" + HuggingFaceParityTest.quote(text));
                    assertEquals(hf.decode(expected, true), ours.decode(actual, true));
                }
            }
        }
    }

    @Test
    void everyVocabularySizeFromTheMinimumIsExact() {
        for (int size : new int[] {TokenizerFiles.MIN_VOCAB_SIZE, 300, 2000}) {
            Path sub = folder.resolve("v" + size);
            TokenizerFiles.writeSmallByteLevel(sub, size);
            Tokenizer t = Tokenizers.fromHuggingFace(sub);
            assertEquals(size, t.vocabSize());
            String text = "Any text, even 中文 or emoji 🤖, round-trips.";
            assertEquals(text, t.decode(t.encode(text, true), true));
        }
        assertThrows(IllegalArgumentException.class, () -> TokenizerFiles.writeSmallByteLevel(folder, TokenizerFiles.MIN_VOCAB_SIZE - 1));
    }
}
