package neurosteer.data;

import com.fasterxml.jackson.databind.JsonNode;
import neurosteer.data.Records.Record;
import neurosteer.data.parquet.ParquetReader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/** Loads any supported problem set, telling the format from the file's extension and contents unless it is named. */
public final class Datasets {
    private Datasets() {}

    /** The supported problem sets; the toy data uses MATH's JSONL layout. */
    public enum Format {
        MATH, GSM8K, COMMONSENSE_QA, STRATEGY_QA, MMLU;

        /** "math", "toy", "gsm8k", "commonsenseqa"/"csqa", "strategyqa", "mmlu", any case, '-' and '_' ignored. */
        public static Format parse(String name) {
            String key = name.strip().toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
            return switch (key) {
                case "math", "toy", "math500", "prm800k", "competitionmath" -> MATH;
                case "gsm8k" -> GSM8K;
                case "commonsenseqa", "csqa" -> COMMONSENSE_QA;
                case "strategyqa" -> STRATEGY_QA;
                case "mmlu" -> MMLU;
                default -> throw new IllegalArgumentException("unknown data format '" + name
                        + "' (known: math, toy, gsm8k, commonsenseqa, strategyqa, mmlu)");
            };
        }
    }

    /** Loads strictly: the first bad record is an error "FILE:LINE: reason". */
    public static List<Problem> load(Path path, Optional<String> format) {
        return load(path, format, LoadOptions.STRICT).problems();
    }

    public static LoadResult load(Path path, Optional<String> format, LoadOptions options) {
        Records.checkReadable(path);
        Format chosen = format.map(Format::parse).orElseGet(() -> detect(path));
        LoadResult result = switch (chosen) {
            case MATH -> MathProblems.load(path, options);
            case GSM8K -> Gsm8k.load(path, options);
            case COMMONSENSE_QA -> CommonsenseQa.load(path, options);
            case STRATEGY_QA -> StrategyQa.load(path, options);
            case MMLU -> Mmlu.load(path, options);
        };
        if (result.problems().isEmpty()) {
            String why = result.skipped() > 0 ? " (all " + result.skipped() + " records were bad; first: "
                    + String.join("; ", result.firstReasons()) + ")" : "";
            throw new DataException(path, null, "no problems in this " + chosen.name().toLowerCase(Locale.ROOT) + " data" + why);
        }
        return result;
    }

    /** Tells the format of a file or folder from its extension and the fields of its first record. */
    public static Format detect(Path path) {
        Records.checkReadable(path);
        if (Files.isDirectory(path)) return detectFolder(path);
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) return Format.MMLU;
        JsonNode sample = firstRecord(path);
        if (sample == null) throw new DataException(path, null, "cannot tell the format: no record could be read");
        Format format = detectFromRecord(sample);
        if (format == null) {
            List<String> fields = new ArrayList<>();
            sample.fieldNames().forEachRemaining(fields::add);
            throw new DataException(path, null, "cannot tell the data format from the fields " + fields
                    + " (expected MATH's problem/solution, GSM8K's question/answer with '####', CommonsenseQA's "
                    + "question/choices/answerKey, StrategyQA's question/answer true|false, or MMLU's question/choices/answer);"
                    + " name the format explicitly");
        }
        return format;
    }

    static Format detectFromRecord(JsonNode record) {
        if (record.has("problem")) return Format.MATH;
        JsonNode question = record.get("question");
        if (question == null) return null;
        if (record.has("answerKey") || (question.isObject() && question.has("stem"))) return Format.COMMONSENSE_QA;
        JsonNode choices = record.get("choices");
        if (choices != null && choices.isObject()) return Format.COMMONSENSE_QA;
        if (choices != null && choices.isArray()) return Format.MMLU;
        JsonNode answer = record.get("answer");
        if (answer == null) return null;
        if (answer.isBoolean()) return Format.STRATEGY_QA;
        String text = answer.asText().strip().toLowerCase(Locale.ROOT);
        if (text.equals("true") || text.equals("false")) return Format.STRATEGY_QA;
        if (text.contains("####")) return Format.GSM8K;
        return null;
    }

    private static Format detectFolder(Path folder) {
        boolean json = false, csv = false;
        try (Stream<Path> walk = Files.walk(folder)) {
            for (Path file : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.endsWith(".json") && Subjects.mathSubject(file.getParent().getFileName().toString()) != null) json = true;
                if (name.endsWith(".csv")) csv = true;
            }
        } catch (IOException e) {
            throw new DataException(folder, null, "cannot list folder: " + e, e);
        }
        if (json) return Format.MATH;
        if (csv) return Format.MMLU;
        throw new DataException(folder, null, "cannot tell the data format of this folder: expected MATH's "
                + "{train,test}/<subject>/<n>.json files or MMLU's <subject>_test.csv files");
    }

    /** The first readable record of a file, bad lines passed over. */
    private static JsonNode firstRecord(Path file) {
        List<Record> records = Records.read(file, new BadRecords(LoadOptions.SKIP_BAD));
        return records.isEmpty() ? null : records.getFirst().node();
    }

    /**
     * SHA-256 in hex of a file's bytes (what {@code sha256sum} prints), or of a folder: for every regular file below it
     * in sorted order of relative path, that path ('/'-separated), a zero byte, the file's length and bytes.
     */
    public static String hash(Path path) {
        Records.checkReadable(path);
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try {
            if (Files.isDirectory(path)) {
                List<Path> files;
                try (Stream<Path> walk = Files.walk(path)) {
                    files = walk.filter(Files::isRegularFile).toList();
                }
                List<String> relative = new ArrayList<>();
                for (Path file : files) relative.add(path.relativize(file).toString().replace('\\', '/'));
                relative.sort(null);
                for (String name : relative) {
                    Path file = path.resolve(name);
                    digest.update(name.getBytes(StandardCharsets.UTF_8));
                    digest.update((byte) 0);
                    digest.update(Long.toString(Files.size(file)).getBytes(StandardCharsets.US_ASCII));
                    digest.update((byte) 0);
                    update(digest, file);
                }
            } else {
                update(digest, path);
            }
        } catch (IOException e) {
            throw new DataException(path, null, "cannot read for hashing: " + e, e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, Path file) throws IOException {
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) digest.update(buffer, 0, n);
        }
    }

    /** Column names of a Parquet file (for tools that want to show them). */
    public static List<String> parquetColumns(Path file) {
        return ParquetReader.columnNames(file);
    }
}
