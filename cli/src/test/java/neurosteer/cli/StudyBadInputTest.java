package neurosteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyBadInputTest {
    @TempDir
    static Path dir;
    static Path model, train;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void setUp() throws Exception {
        model = dir.resolve("model");
        assertEquals(0, CommandsTest.run("random-model", "--shape", "tiny", "--vocab", "300", model.toString()).code());
        train = dir.resolve("train.jsonl");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++)
            lines.add(JSON.writeValueAsString(Map.of("problem", "p" + i, "solution", "\\boxed{123456789" + i + "}", "subject", "Algebra",
                    "level", "Level 1", "unique_id", "u" + i)));
        Files.write(train, lines);
    }

    private static void assertError(CommandsTest.Run r, String... parts) {
        assertEquals(1, r.code(), r.out() + r.err());
        assertTrue(r.err().startsWith("error: "), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
        for (String p : parts) assertTrue(r.err().contains(p), "'" + r.err() + "' should mention '" + p + "'");
    }

    @Test
    void emptyContrastiveSetSaysWhichProblemsLackedAClassAndWhatToChange() {
        Path run = dir.resolve("empty");
        assertEquals(0, CommandsTest.run("sample", "--model", model.toString(), "--train", train.toString(), "--run", run.toString(),
                "--samples", "2", "--max-new-tokens", "4").code());
        assertError(CommandsTest.run("contrast", "--model", model.toString(), "--train", train.toString(), "--run", run.toString()),
                "contrastive set is empty", "only wrong", "u0", "--samples", "--keep-all");
    }

    @Test
    void malformedLinesNameFileAndLineAndSkipBadCounts() throws Exception {
        Path bad = dir.resolve("bad.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(train));
        lines.add(1, "{\"problem\": \"broken");
        Files.write(bad, lines);
        assertError(CommandsTest.run("sample", "--model", model.toString(), "--train", bad.toString(), "--run", dir.resolve("b").toString(),
                "--samples", "1", "--max-new-tokens", "2"), "bad.jsonl", "2");
        CommandsTest.Run skipped = CommandsTest.run("sample", "--model", model.toString(), "--train", bad.toString(), "--run",
                dir.resolve("b2").toString(), "--samples", "1", "--max-new-tokens", "2", "--skip-bad");
        assertEquals(0, skipped.code(), skipped.err());
        assertEquals(3, Files.readAllLines(dir.resolve("b2/samples.jsonl")).size());

        Path noGold = dir.resolve("nogold.jsonl");
        Files.write(noGold, List.of(JSON.writeValueAsString(Map.of("problem", "what?", "subject", "Algebra", "unique_id", "x"))));
        assertError(CommandsTest.run("sample", "--model", model.toString(), "--train", noGold.toString(), "--run", dir.resolve("c").toString()),
                "nogold.jsonl");

        Path run = dir.resolve("d");
        assertEquals(0, CommandsTest.run("sample", "--model", model.toString(), "--train", train.toString(), "--run", run.toString(),
                "--samples", "1", "--max-new-tokens", "2").code());
        List<String> s = new ArrayList<>(Files.readAllLines(run.resolve("samples.jsonl")));
        s.add(1, "not json at all");
        Files.write(run.resolve("samples.jsonl"), s);
        assertError(CommandsTest.run("contrast", "--model", model.toString(), "--train", train.toString(), "--run", run.toString()),
                "samples.jsonl:2");
    }

    @Test
    void neuronsForAnotherShapeAndBadAlphaAreRejected() throws Exception {
        Path neurons = dir.resolve("n.json");
        Files.writeString(neurons, "{\"method\":\"ours\",\"model_shape\":{\"layers\":16,\"intermediate_size\":8192},\"neurons\":[{\"layer\":3,\"index\":7}]}");
        assertError(CommandsTest.run("generate", model.toString(), "--prompt", "hi", "--neurons", neurons.toString(), "--max-tokens", "2"),
                "n.json", "16 layers", "8192");
        assertError(CommandsTest.run("eval", "--model", model.toString(), "--test", train.toString(), "--run", dir.resolve("e").toString(),
                "--neurons", neurons.toString(), "--alpha", "-1"), "alpha", "-1");
        assertError(CommandsTest.run("eval", "--model", model.toString(), "--test", train.toString(), "--run", dir.resolve("e").toString(),
                "--neurons", neurons.toString(), "--alpha", "abc"), "alpha", "abc");
        assertError(CommandsTest.run("export", "--model", model.toString(), "--neurons", neurons.toString(), dir.resolve("x").toString()),
                "16 layers");
        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"neurons\": 5}");
        assertError(CommandsTest.run("generate", model.toString(), "--prompt", "hi", "--neurons", broken.toString()), "broken.json");
    }
}
