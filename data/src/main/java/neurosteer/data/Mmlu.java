package neurosteer.data;

import com.fasterxml.jackson.databind.JsonNode;
import neurosteer.data.Records.BadRecord;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * MMLU: the original CSV files ({@code question,A,B,C,D,answer}, with or without a header, subject from a file name
 * such as {@code abstract_algebra_test.csv}), a folder of them, or the Hugging Face layout as JSONL or Parquet
 * ({@code question}, {@code subject}, {@code choices} list, {@code answer} index or letter).
 */
public final class Mmlu {
    private Mmlu() {}

    private static final List<String> SPLIT_SUFFIXES = List.of("_test", "_dev", "_val", "_validation", "_train",
            "_auxiliary_train");

    public static List<Problem> load(Path path) {
        return load(path, LoadOptions.STRICT).problems();
    }

    public static LoadResult load(Path path, LoadOptions options) {
        Records.checkReadable(path);
        BadRecords bad = new BadRecords(options);
        List<Problem> problems = new ArrayList<>();
        if (Files.isDirectory(path)) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(path)) {
                files = walk.filter(Files::isRegularFile)
                        .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv"))
                        .sorted().toList();
            } catch (IOException e) {
                throw new DataException(path, null, "cannot list folder: " + e, e);
            }
            if (files.isEmpty()) throw new DataException(path, null, "no .csv files found");
            for (Path file : files) problems.addAll(loadCsv(file, bad));
        } else if (path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".csv")) {
            problems.addAll(loadCsv(path, bad));
        } else {
            problems.addAll(RecordConverter.convertAll(path, "mmlu", Records.read(path, bad), Mmlu::fromRecord, bad));
        }
        return bad.result(problems);
    }

    /** "abstract_algebra_test.csv" → "abstract_algebra". */
    public static String subjectFromFileName(Path file) {
        String name = file.getFileName().toString();
        if (name.toLowerCase(Locale.ROOT).endsWith(".csv")) name = name.substring(0, name.length() - 4);
        for (String suffix : SPLIT_SUFFIXES) {
            if (name.toLowerCase(Locale.ROOT).endsWith(suffix) && name.length() > suffix.length()) {
                return name.substring(0, name.length() - suffix.length());
            }
        }
        return name;
    }

    static List<Problem> loadCsv(Path file, BadRecords bad) {
        List<Csv.Row> rows = Csv.parse(Records.readText(file), file);
        String subject = subjectFromFileName(file);
        String split = RecordConverter.split(file);
        List<Problem> problems = new ArrayList<>();
        int first = !rows.isEmpty() && isHeader(rows.getFirst().fields()) ? 1 : 0;
        for (int r = first; r < rows.size(); r++) {
            Csv.Row row = rows.get(r);
            try {
                problems.add(fromCsvRow(row.fields(), "mmlu/" + split + "/" + (r - first), subject));
            } catch (BadRecord e) {
                bad.report(file, Integer.toString(row.line()), e.getMessage());
            }
        }
        return problems;
    }

    /** A header row names its columns: "question" first (or "input"/"prompt") and "answer" (or "target") last. */
    static boolean isHeader(List<String> fields) {
        if (fields.size() < 3) return false;
        String first = fields.getFirst().strip().toLowerCase(Locale.ROOT);
        String last = fields.getLast().strip().toLowerCase(Locale.ROOT);
        return (first.equals("question") || first.equals("input") || first.equals("prompt"))
                && (last.equals("answer") || last.equals("target") || last.equals("label"));
    }

    static Problem fromCsvRow(List<String> fields, String id, String subject) {
        if (fields.size() < 4) {
            throw new BadRecord(fields.size() + " fields, expected question, at least two options and answer");
        }
        String question = fields.getFirst();
        if (question.isBlank()) throw new BadRecord("the question is empty");
        List<String> options = fields.subList(1, fields.size() - 1);
        List<String> letters = Choices.letters(options.size());
        String answer = fields.getLast().strip().toUpperCase(Locale.ROOT);
        if (answer.isEmpty()) throw new BadRecord("no gold answer: the answer field is empty");
        if (!letters.contains(answer)) {
            throw new BadRecord("answer '" + fields.getLast() + "' is not one of " + String.join(", ", letters));
        }
        return new Problem(id, Choices.format(question, letters, options), answer, null, subject, null,
                Problem.Kind.CHOICE, letters);
    }

    static Problem fromRecord(JsonNode node, String defaultId) {
        String question = Records.requiredText(node, "question");
        JsonNode choices = node.get("choices");
        if (choices == null || !choices.isArray() || choices.size() < 2) {
            throw new BadRecord("'choices' is missing or not a list of at least two options");
        }
        List<String> options = new ArrayList<>();
        choices.forEach(c -> options.add(c.asText()));
        List<String> letters = Choices.letters(options.size());
        JsonNode answer = node.get("answer");
        if (answer == null || answer.isNull() || answer.asText().isBlank()) throw new BadRecord("no gold answer: no 'answer'");
        String gold;
        if (answer.isIntegralNumber() || answer.asText().strip().matches("\\d+")) {
            int index = answer.isIntegralNumber() ? answer.intValue() : Integer.parseInt(answer.asText().strip());
            if (index < 0 || index >= options.size()) {
                throw new BadRecord("'answer' " + index + " is not an index into " + options.size() + " choices");
            }
            gold = letters.get(index);
        } else {
            gold = answer.asText().strip().toUpperCase(Locale.ROOT);
            if (!letters.contains(gold)) throw new BadRecord("'answer' '" + answer.asText() + "' is not one of " + letters);
        }
        String subject = Records.text(node, "subject");
        String id = Records.text(node, "id");
        return new Problem(id == null ? defaultId : id, Choices.format(question, letters, options), gold, null,
                subject, null, Problem.Kind.CHOICE, letters);
    }
}
