package neurosteer.data.parquet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import neurosteer.data.DataException;
import neurosteer.data.parquet.ParquetTestWriter.ColumnSpec;
import neurosteer.data.parquet.ParquetTestWriter.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static neurosteer.data.parquet.ParquetReader.*;
import static org.junit.jupiter.api.Assertions.*;

class ParquetReaderTest {
    @TempDir
    Path dir;

    static final int ROWS = 53;

    /** Columns of every supported type and shape, with nulls, empty lists, repeats (for dictionaries and RLE runs). */
    static List<ColumnSpec> table(long seed) {
        Random random = new Random(seed);
        List<String> problems = new ArrayList<>();
        List<String> subjects = new ArrayList<>();
        List<Integer> levels = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        List<Double> scores = new ArrayList<>();
        List<Float> weights = new ArrayList<>();
        List<Boolean> flags = new ArrayList<>();
        List<List<String>> choices = new ArrayList<>();
        String[] subjectNames = {"Algebra", "Geometry", "Number Theory", "Précalcul ∫"};
        for (int i = 0; i < ROWS; i++) {
            problems.add("Problem " + i + ": compute $\\frac{" + random.nextInt(100) + "}{7}$. "
                    + "The same words repeat, the same words repeat, the same words repeat. ".repeat(1 + i % 3));
            subjects.add(i % 5 == 4 ? null : subjectNames[i < 20 ? 0 : random.nextInt(subjectNames.length)]);
            levels.add(i % 7 == 3 ? null : 1 + random.nextInt(5));
            ids.add(random.nextLong());
            scores.add(random.nextGaussian());
            weights.add(random.nextFloat());
            flags.add(i < 12 || random.nextBoolean());
            if (i % 9 == 2) {
                choices.add(null);
            } else if (i % 9 == 5) {
                choices.add(List.of());
            } else {
                List<String> options = new ArrayList<>();
                int n = 1 + random.nextInt(4);
                for (int k = 0; k < n; k++) options.add(k == 1 && i % 4 == 0 ? null : "option " + (char) ('A' + k) + random.nextInt(3));
                choices.add(options);
            }
        }
        return List.of(
                ColumnSpec.of("problem", BYTE_ARRAY, Shape.REQUIRED, problems),
                ColumnSpec.of("subject", BYTE_ARRAY, Shape.OPTIONAL, subjects),
                ColumnSpec.of("level", INT32, Shape.OPTIONAL, levels),
                ColumnSpec.of("id", INT64, Shape.REQUIRED, ids),
                ColumnSpec.of("score", DOUBLE, Shape.REQUIRED, scores),
                ColumnSpec.of("weight", FLOAT, Shape.REQUIRED, weights),
                ColumnSpec.of("flag", BOOLEAN, Shape.REQUIRED, flags),
                ColumnSpec.of("choices", BYTE_ARRAY, Shape.LIST, choices));
    }

    static Stream<Arguments> layouts() {
        List<Arguments> all = new ArrayList<>();
        for (int codec : new int[]{UNCOMPRESSED, SNAPPY, GZIP, ZSTD}) {
            for (int version : new int[]{1, 2}) {
                for (boolean dictionary : new boolean[]{false, true}) all.add(Arguments.of(codec, version, dictionary));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "codec {0}, page v{1}, dictionary {2}")
    @MethodSource("layouts")
    void roundTripsEveryTypeShapeEncodingAndCodec(int codec, int version, boolean dictionary) {
        List<ColumnSpec> table = table(codec * 10L + version + (dictionary ? 100 : 0));
        ParquetTestWriter writer = new ParquetTestWriter();
        table.forEach(writer::column);
        writer.codec = codec;
        writer.pageVersion = version;
        writer.dictionary = dictionary;
        writer.rowsPerGroup = 20;
        writer.rowsPerPage = 7;
        Path file = writer.write(dir.resolve("t.parquet"));

        List<ObjectNode> rows = ParquetReader.readRows(file);
        assertEquals(ROWS, rows.size());
        for (int r = 0; r < ROWS; r++) {
            ObjectNode row = rows.get(r);
            for (ColumnSpec column : table) {
                assertValue(column.values().get(r), row.get(column.name()), column.name() + " of row " + r);
            }
        }
        assertEquals(List.of("problem", "subject", "level", "id", "score", "weight", "flag", "choices.list.element"),
                ParquetReader.columnNames(file));
    }

    private static void assertValue(Object expected, JsonNode actual, String what) {
        assertNotNull(actual, what + " is missing");
        switch (expected) {
            case null -> assertTrue(actual.isNull(), what + " should be null: " + actual);
            case String s -> assertEquals(s, actual.textValue(), what);
            case Integer i -> assertEquals(i, actual.intValue(), what);
            case Long l -> assertEquals(l, actual.longValue(), what);
            case Double d -> assertEquals(d, actual.doubleValue(), 0.0, what);
            case Float f -> assertEquals(f, actual.floatValue(), 0.0f, what);
            case Boolean b -> assertEquals(b, actual.booleanValue(), what);
            case List<?> list -> {
                assertTrue(actual.isArray(), what + " should be a list: " + actual);
                assertEquals(list.size(), actual.size(), what);
                for (int i = 0; i < list.size(); i++) assertValue(list.get(i), actual.get(i), what + "[" + i + "]");
            }
            default -> fail("unexpected " + expected);
        }
    }

    @Test
    void structOfListsBecomesNestedObject() {
        ParquetTestWriter writer = new ParquetTestWriter()
                .column("question", BYTE_ARRAY, Shape.REQUIRED, List.of("Where do cats sleep?", "What is wet?"))
                .column(new ColumnSpec("label", BYTE_ARRAY, Shape.LIST, List.of(List.of("A", "B", "C"), List.of("A", "B")), "choices"))
                .column(new ColumnSpec("text", BYTE_ARRAY, Shape.LIST, List.of(List.of("bed", "box", "roof"), List.of("water", "sand")), "choices"))
                .column("answerKey", BYTE_ARRAY, Shape.REQUIRED, List.of("B", "A"));
        writer.codec = SNAPPY;
        List<ObjectNode> rows = ParquetReader.readRows(writer.write(dir.resolve("csqa.parquet")));
        assertEquals("[\"A\",\"B\",\"C\"]", rows.get(0).get("choices").get("label").toString());
        assertEquals("[\"water\",\"sand\"]", rows.get(1).get("choices").get("text").toString());
        assertEquals("A", rows.get(1).get("answerKey").asText());
    }

    @Test
    void singleValueDictionaryUsesZeroBitIndices() {
        ParquetTestWriter writer = new ParquetTestWriter()
                .column("type", BYTE_ARRAY, Shape.REQUIRED, List.of("Algebra", "Algebra", "Algebra"));
        writer.dictionary = true;
        List<ObjectNode> rows = ParquetReader.readRows(writer.write(dir.resolve("one.parquet")));
        assertEquals(3, rows.size());
        rows.forEach(row -> assertEquals("Algebra", row.get("type").asText()));
    }

    @Test
    void unsupportedCompressionNamesFileAndColumn() {
        ParquetTestWriter writer = new ParquetTestWriter()
                .column("problem", BYTE_ARRAY, Shape.REQUIRED, List.of("1+1?"));
        writer.codec = 5; // LZ4 (the Hadoop framing)
        Path file = writer.write(dir.resolve("lz4.parquet"));
        DataException e = assertThrows(DataException.class, () -> ParquetReader.readRows(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("column 'problem'"), e.getMessage());
        assertTrue(e.getMessage().contains("LZ4"), e.getMessage());
    }

    @Test
    void unsupportedEncodingNamesFileAndColumn() {
        ParquetTestWriter writer = new ParquetTestWriter()
                .column("problem", BYTE_ARRAY, Shape.REQUIRED, List.of("1+1?"))
                .column("level", INT32, Shape.REQUIRED, List.of(3));
        writer.forcedEncoding = 5; // DELTA_BINARY_PACKED
        Path file = writer.write(dir.resolve("delta.parquet"));
        DataException e = assertThrows(DataException.class, () -> ParquetReader.readRows(file));
        assertTrue(e.getMessage().contains("column 'problem'"), e.getMessage());
        assertTrue(e.getMessage().contains("DELTA_BINARY_PACKED"), e.getMessage());
    }

    @Test
    void notParquetAndTruncatedFilesAreRefusedClearly() throws Exception {
        Path text = Files.writeString(dir.resolve("fake.parquet"), "problem,solution\n1+1,2\n");
        DataException notParquet = assertThrows(DataException.class, () -> ParquetReader.readRows(text));
        assertTrue(notParquet.getMessage().startsWith(text.toString()), notParquet.getMessage());
        assertTrue(notParquet.getMessage().contains("not a Parquet file"), notParquet.getMessage());

        ParquetTestWriter writer = new ParquetTestWriter()
                .column("problem", BYTE_ARRAY, Shape.REQUIRED, List.of("What is 2+2?", "What is 3+3?"));
        byte[] good = writer.bytes();
        // cut bytes out of the middle of the data (keeping the footer): a page now overruns its chunk
        byte[] damaged = good.clone();
        int footerLength = readInt32(good, good.length - 8);
        int dataEnd = good.length - 8 - footerLength;
        byte[] cut = new byte[good.length - 10];
        System.arraycopy(damaged, 0, cut, 0, dataEnd - 10);
        System.arraycopy(damaged, dataEnd, cut, dataEnd - 10, good.length - dataEnd);
        Path truncated = Files.write(dir.resolve("cut.parquet"), cut);
        DataException e = assertThrows(DataException.class, () -> ParquetReader.readRows(truncated));
        assertTrue(e.getMessage().contains(truncated.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("column 'problem'"), e.getMessage());

        Path tiny = Files.write(dir.resolve("tiny.parquet"), Arrays.copyOf(good, 6));
        assertThrows(DataException.class, () -> ParquetReader.readRows(tiny));
    }
}
