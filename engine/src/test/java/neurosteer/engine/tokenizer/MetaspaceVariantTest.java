package neurosteer.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Newer SentencePiece-style tokenizer.json files use a Metaspace pre-tokenizer and decoder instead of
 * normalizers; the Mistral vocabulary is rewritten that way and compared with Hugging Face.
 */
class MetaspaceVariantTest {
    @TempDir
    Path folder;

    @ParameterizedTest
    @CsvSource({"first,false", "always,true", "always,false"})
    void metaspaceVariantsMatchHuggingFace(String prependScheme, boolean split) throws Exception {
        Path source = HuggingFaceParityTest.modelFolder("llama2");
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = (ObjectNode) json.readTree(source.resolve("tokenizer.json").toFile());
        root.putNull("normalizer");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Metaspace");
        pre.put("replacement", "\u2581");
        pre.put("prepend_scheme", prependScheme);
        pre.put("split", split);
        ObjectNode decoder = root.putObject("decoder");
        decoder.put("type", "Metaspace");
        decoder.put("replacement", "\u2581");
        decoder.put("prepend_scheme", prependScheme);
        decoder.put("split", split);
        json.writeValue(folder.resolve("tokenizer.json").toFile(), root);

        Tokenizer ours = Tokenizers.fromHuggingFace(folder);
        try (HuggingFaceTokenizer hf = HuggingFaceTokenizer.newInstance(folder.resolve("tokenizer.json"),
                Map.of("truncation", "false", "padding", "false"))) {
            for (String text : TextSamples.generate(17, 400, List.of("<s>", "</s>", "<unk>"))) {
                for (boolean addSpecial : new boolean[] {false, true}) {
                    long[] expected = hf.encode(text, addSpecial, false).getIds();
                    int[] actual = ours.encode(text, addSpecial);
                    assertArrayEquals(HuggingFaceParityTest.toInts(expected), actual, () -> prependScheme + "/" + split + " text="
                            + HuggingFaceParityTest.quote(text) + "\nexpected " + HuggingFaceParityTest.tokens(ours, HuggingFaceParityTest.toInts(expected))
                            + "\nactual   " + HuggingFaceParityTest.tokens(ours, actual));
                    for (boolean skip : new boolean[] {false, true}) {
                        String hfText = hf.decode(expected, skip);
                        assertEquals(hfText, ours.decode(actual, skip), () -> "decode of " + HuggingFaceParityTest.quote(text));
                        StreamDecoder stream = ours.streamDecoder(skip);
                        StringBuilder streamed = new StringBuilder();
                        for (int id : actual) streamed.append(stream.next(id));
                        assertEquals(hfText, streamed.append(stream.flush()).toString(), () -> "stream of " + HuggingFaceParityTest.quote(text));
                    }
                }
            }
        }
    }
}
