package neurosteer.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import neurosteer.data.parquet.ParquetReader;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Reads the records of a JSONL, JSON or Parquet file as JSON objects, each with where it came from. */
final class Records {
    private Records() {}

    static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One record.
     *
     * @param node     the record (a JSON object)
     * @param location where it is in its file: a line number for JSON text, "row N" for Parquet
     * @param index    0-based position among the file's records
     */
    record Record(JsonNode node, String location, int index) {}

    /** Thrown by a record's converter: the record is bad for this reason. */
    static final class BadRecord extends RuntimeException {
        BadRecord(String reason) {
            super(reason, null, false, false);
        }
    }

    static List<Record> read(Path file, BadRecords bad) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".parquet")) return readParquet(file);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson")) return readJsonLines(file, bad);
        return readJson(file, bad);
    }

    static List<Record> readParquet(Path file) {
        List<Record> records = new ArrayList<>();
        int index = 0;
        for (JsonNode row : ParquetReader.readRows(file)) {
            records.add(new Record(row, "row " + index, index));
            index++;
        }
        return records;
    }

    static List<Record> readJsonLines(Path file, BadRecords bad) {
        List<Record> records = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int lineNumber = 0;
            int index = 0;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (lineNumber == 1 && line.startsWith("\uFEFF")) line = line.substring(1);
                if (line.isBlank()) continue;
                String location = Integer.toString(lineNumber);
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (JsonProcessingException e) {
                    bad.report(file, location, "not valid JSON: " + e.getOriginalMessage());
                    continue;
                }
                if (node == null || !node.isObject()) {
                    bad.report(file, location, "expected a JSON object, found " + describe(node));
                    continue;
                }
                records.add(new Record(node, location, index++));
            }
        } catch (CharacterCodingException e) {
            throw new DataException(file, null, "not UTF-8 text", e);
        } catch (IOException e) {
            throw new DataException(file, null, "cannot read: " + e, e);
        }
        return records;
    }

    /**
     * A .json file: an array of objects (each located by the line it starts on), a single object, or, when the text
     * holds several values one after another, JSON lines.
     */
    static List<Record> readJson(Path file, BadRecords bad) {
        String text = readText(file);
        if (text.startsWith("\uFEFF")) text = text.substring(1);
        String trimmed = text.stripLeading();
        if (trimmed.startsWith("[")) return readJsonArray(file, text, bad);
        try {
            JsonNode single = JSON.readTree(trimmed);
            if (single != null && single.isObject()) {
                return List.of(new Record(single, "1", 0));
            }
        } catch (JsonProcessingException e) {
            // several values, one a line, or a malformed line: read line by line for precise messages
        }
        return readJsonLines(file, bad);
    }

    private static List<Record> readJsonArray(Path file, String text, BadRecords bad) {
        List<Record> records = new ArrayList<>();
        JsonFactory factory = JSON.getFactory();
        try (JsonParser parser = factory.createParser(text)) {
            parser.nextToken(); // START_ARRAY
            int index = 0;
            while (true) {
                JsonToken token;
                try {
                    token = parser.nextToken();
                } catch (JsonProcessingException e) {
                    // a syntax error ends the array: nothing after it can be located reliably
                    bad.report(file, Long.toString(e.getLocation() == null ? 0 : e.getLocation().getLineNr()),
                            "not valid JSON: " + e.getOriginalMessage());
                    break;
                }
                if (token == null) {
                    bad.report(file, null, "JSON array is not closed");
                    break;
                }
                if (token == JsonToken.END_ARRAY) break;
                String location = Integer.toString(parser.currentTokenLocation().getLineNr());
                JsonNode node;
                try {
                    node = parser.readValueAsTree();
                } catch (JsonProcessingException e) {
                    bad.report(file, location, "not valid JSON: " + e.getOriginalMessage());
                    break;
                }
                if (node == null || !node.isObject()) {
                    bad.report(file, location, "expected a JSON object, found " + describe(node));
                    index++;
                    continue;
                }
                records.add(new Record(node, location, index++));
            }
        } catch (IOException e) {
            throw new DataException(file, null, "cannot read: " + e, e);
        }
        return records;
    }

    static String readText(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            return StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new DataException(file, null, "not UTF-8 text", e);
        } catch (IOException e) {
            throw new DataException(file, null, "cannot read: " + e, e);
        }
    }

    static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) return "nothing";
        if (node.isArray()) return "an array";
        if (node.isTextual()) return "a string";
        if (node.isNumber()) return "a number";
        if (node.isBoolean()) return "a boolean";
        if (node.isNull()) return "null";
        return node.getNodeType().toString().toLowerCase(Locale.ROOT);
    }

    /** The field as text (numbers and booleans as written), or null when absent, null or blank. */
    static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.isContainerNode()) return null;
        String text = value.asText();
        return text.isBlank() ? null : text;
    }

    /** The field as text; a bad record when absent, blank or not a string/number. */
    static String requiredText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) throw new BadRecord("no '" + field + "'");
        if (value.isContainerNode()) throw new BadRecord("'" + field + "' is " + describe(value) + ", expected text");
        String text = value.asText();
        if (text.isBlank()) throw new BadRecord("'" + field + "' is empty");
        return text;
    }

    static void checkReadable(Path file) {
        if (!Files.exists(file)) throw new DataException(file, null, "no such file or folder");
        if (!Files.isReadable(file)) throw new DataException(file, null, "not readable");
    }
}
