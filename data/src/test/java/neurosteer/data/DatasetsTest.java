package neurosteer.data;

import neurosteer.data.Datasets.Format;
import neurosteer.data.parquet.ParquetFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

class DatasetsTest {
    @TempDir
    Path dir;

    @Test
    void detectsEveryFormat() throws Exception {
        Path math = Files.writeString(dir.resolve("math.jsonl"), "{\"problem\": \"1+1\", \"answer\": \"2\"}\n");
        Path gsm = Files.writeString(dir.resolve("gsm.jsonl"), "{\"question\": \"1+1\", \"answer\": \"1+1=2\\n#### 2\"}\n");
        Path csqa = Files.writeString(dir.resolve("csqa.jsonl"),
                "{\"question\": \"q\", \"choices\": {\"label\": [\"A\"], \"text\": [\"a\"]}, \"answerKey\": \"A\"}\n");
        Path strategy = Files.writeString(dir.resolve("sqa.json"), "[{\"question\": \"q?\", \"answer\": false}]");
        Path mmluJson = Files.writeString(dir.resolve("mmlu.jsonl"), "{\"question\": \"q\", \"choices\": [\"a\", \"b\"], \"answer\": 0}\n");
        Path mmluCsv = Files.writeString(dir.resolve("virology_test.csv"), "q,a,b,c,d,A\n");
        Path folder = Files.createDirectories(dir.resolve("MATH/train/prealgebra"));
        Files.writeString(folder.resolve("1.json"), "{\"problem\": \"p\", \"solution\": \"\\\\boxed{1}\", \"level\": \"Level 1\", \"type\": \"Prealgebra\"}");
        Path parquet = ParquetFixtures.mathParquet(dir.resolve("math.parquet"));

        assertEquals(Format.MATH, Datasets.detect(math));
        assertEquals(Format.GSM8K, Datasets.detect(gsm));
        assertEquals(Format.COMMONSENSE_QA, Datasets.detect(csqa));
        assertEquals(Format.STRATEGY_QA, Datasets.detect(strategy));
        assertEquals(Format.MMLU, Datasets.detect(mmluJson));
        assertEquals(Format.MMLU, Datasets.detect(mmluCsv));
        assertEquals(Format.MATH, Datasets.detect(dir.resolve("MATH")));
        assertEquals(Format.MATH, Datasets.detect(parquet));

        assertEquals("2", Datasets.load(gsm, Optional.empty()).getFirst().goldAnswer());
        assertEquals("no", Datasets.load(strategy, Optional.empty()).getFirst().goldAnswer());
        assertEquals("Prealgebra", Datasets.load(dir.resolve("MATH"), Optional.empty()).getFirst().subject());
        assertEquals(ParquetFixtures.MATH_ROWS, Datasets.load(parquet, Optional.empty()).size());
        assertEquals("A", Datasets.load(mmluCsv, Optional.of("mmlu")).getFirst().goldAnswer());
    }

    @Test
    void namedFormatOverridesDetection() throws Exception {
        // a GSM8K-looking record read as MATH: no 'problem' field
        Path gsm = Files.writeString(dir.resolve("gsm.jsonl"), "{\"question\": \"1+1\", \"answer\": \"#### 2\"}\n");
        DataException e = assertThrows(DataException.class, () -> Datasets.load(gsm, Optional.of("toy")));
        assertEquals(gsm + ":1: no 'problem'", e.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Datasets.load(gsm, Optional.of("squad")));
        assertTrue(unknown.getMessage().contains("unknown data format 'squad'"));
        assertEquals(Format.COMMONSENSE_QA, Format.parse("Commonsense-QA"));
    }

    @Test
    void undetectableDataNamesFileAndFields() throws Exception {
        Path file = Files.writeString(dir.resolve("other.jsonl"), "{\"text\": \"hello\", \"label\": 1}\n");
        DataException e = assertThrows(DataException.class, () -> Datasets.load(file, Optional.empty()));
        assertTrue(e.getMessage().startsWith(file + ": cannot tell the data format from the fields [text, label]"), e.getMessage());
    }

    @Test
    void malformedLineFailsWithFileAndLineOrIsSkippedAndCounted() throws Exception {
        Path file = Files.writeString(dir.resolve("toy.jsonl"), String.join("\n",
                "{\"problem\": \"What is 2+2?\", \"solution\": \"\\\\boxed{4}\", \"subject\": \"Algebra\", \"level\": \"Level 1\"}",
                "{\"problem\": \"What is 3+3?\", \"solution\": \"\\\\boxed{6}\"",
                "[1, 2]",
                "{\"problem\": \"What is 5-1?\", \"solution\": \"The answer is four.\"}",
                "{\"problem\": \"What is 9/3?\", \"answer\": \"3\"}",
                ""));
        DataException strict = assertThrows(DataException.class, () -> Datasets.load(file, Optional.empty()));
        assertTrue(strict.getMessage().startsWith(file + ":2: not valid JSON"), strict.getMessage());
        assertEquals("2", strict.location());

        LoadResult result = Datasets.load(file, Optional.empty(), LoadOptions.SKIP_BAD);
        assertEquals(List.of("4", "3"), result.problems().stream().map(Problem::goldAnswer).toList());
        assertEquals(3, result.skipped());
        assertEquals(3, result.firstReasons().size());
        assertTrue(result.firstReasons().get(0).startsWith(file + ":2: not valid JSON"));
        assertEquals(file + ":3: expected a JSON object, found an array", result.firstReasons().get(1));
        assertEquals(file + ":4: no gold answer: no 'answer' and no \\boxed{...} in 'solution'", result.firstReasons().get(2));
        assertTrue(result.summary().startsWith("2 problems (3 bad records skipped; first: "), result.summary());
    }

    @Test
    void skippingKeepsOnlyTheFirstFewReasons() throws Exception {
        StringBuilder text = new StringBuilder("{\"problem\": \"ok\", \"answer\": \"1\"}\n");
        for (int i = 0; i < 12; i++) text.append("not json\n");
        Path file = Files.writeString(dir.resolve("many.jsonl"), text);
        LoadResult result = Datasets.load(file, Optional.of("math"), LoadOptions.SKIP_BAD);
        assertEquals(12, result.skipped());
        assertEquals(BadRecords.REASONS_KEPT, result.firstReasons().size());
        assertTrue(result.firstReasons().getLast().startsWith(file + ":" + (1 + BadRecords.REASONS_KEPT) + ":"));
    }

    @Test
    void noUsableProblemsIsAnError() throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.jsonl"), "\n\n");
        DataException e = assertThrows(DataException.class, () -> Datasets.load(empty, Optional.of("gsm8k")));
        assertEquals(empty + ": no problems in this gsm8k data", e.getMessage());
        Path allBad = Files.writeString(dir.resolve("bad.jsonl"), "{\"problem\": \"x\"}\n");
        DataException skipped = assertThrows(DataException.class,
                () -> Datasets.load(allBad, Optional.of("math"), LoadOptions.SKIP_BAD));
        assertTrue(skipped.getMessage().contains("all 1 records were bad"), skipped.getMessage());
        DataException missing = assertThrows(DataException.class, () -> Datasets.load(dir.resolve("nope.jsonl"), Optional.empty()));
        assertTrue(missing.getMessage().endsWith("nope.jsonl: no such file or folder"), missing.getMessage());
    }

    @Test
    void hashIsSha256OfFileBytesAndCoversEveryFileOfAFolder() throws Exception {
        Path file = Files.writeString(dir.resolve("a.jsonl"), "{\"problem\": \"1+1\", \"answer\": \"2\"}\n");
        String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        assertEquals(expected, Datasets.hash(file));

        Path folder = Files.createDirectories(dir.resolve("set/test/algebra"));
        Files.writeString(folder.resolve("1.json"), "{\"problem\": \"p\"}");
        Files.writeString(folder.resolve("2.json"), "{\"problem\": \"q\"}");
        String before = Datasets.hash(dir.resolve("set"));
        assertEquals(64, before.length());
        assertEquals(before, Datasets.hash(dir.resolve("set")));
        Files.writeString(folder.resolve("2.json"), "{\"problem\": \"r\"}");
        assertNotEquals(before, Datasets.hash(dir.resolve("set")));
        Files.writeString(folder.resolve("2.json"), "{\"problem\": \"q\"}");
        assertEquals(before, Datasets.hash(dir.resolve("set")));
        Files.move(folder.resolve("2.json"), folder.resolve("3.json"));
        assertNotEquals(before, Datasets.hash(dir.resolve("set")), "renaming a file changes the hash");
    }
}
