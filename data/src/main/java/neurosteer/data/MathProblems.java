package neurosteer.data;

import com.fasterxml.jackson.databind.JsonNode;
import neurosteer.data.Records.BadRecord;
import neurosteer.data.Records.Record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * MATH (Hendrycks et al.) in its three layouts: the original folder {@code ROOT/{train,test}/<subject>/<n>.json};
 * JSONL with {@code problem}, {@code solution}, optional {@code answer}, {@code type} or {@code subject}, {@code level},
 * {@code unique_id} (PRM800K / MATH-500 style, and the toy data); and Parquet as the Hugging Face hub serves it.
 */
public final class MathProblems {
    private MathProblems() {}

    private static final Pattern LEVEL = Pattern.compile("(?i)\\s*(?:level\\s*)?(\\d+)\\s*");
    private static final Pattern UNKNOWN_LEVEL = Pattern.compile("(?i)\\s*(?:level\\s*)?\\?\\s*");

    public static List<Problem> load(Path path) {
        return load(path, LoadOptions.STRICT).problems();
    }

    /** A MATH folder, or a JSONL/JSON/Parquet file. */
    public static LoadResult load(Path path, LoadOptions options) {
        Records.checkReadable(path);
        BadRecords bad = new BadRecords(options);
        List<Problem> problems = Files.isDirectory(path) ? loadFolder(path, bad) : loadFile(path, bad);
        return bad.result(problems);
    }

    static List<Problem> loadFile(Path file, BadRecords bad) {
        List<Record> records = Records.read(file, bad);
        return RecordConverter.convertAll(file, "math", records, (node, id) -> fromRecord(node, id, null), bad);
    }

    /**
     * The original layout. {@code root} may be the folder holding {@code train}/{@code test}, one split folder, or one
     * subject folder; every {@code .json} file below it whose folder is a MATH subject is a problem, its id the path
     * from the split folder on, as in MATH-500's {@code unique_id} ("test/algebra/1.json").
     */
    static List<Problem> loadFolder(Path root, BadRecords bad) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().endsWith(".json"))
                    .sorted(Comparator.comparing(Path::toString, MathProblems::compareNaturally))
                    .toList();
        } catch (IOException e) {
            throw new DataException(root, null, "cannot list folder: " + e, e);
        }
        List<Problem> problems = new ArrayList<>();
        for (Path file : files) {
            Path folder = file.getParent();
            String subject = Subjects.mathSubject(folder.getFileName().toString());
            if (subject == null) {
                bad.report(file, null, "folder '" + folder.getFileName() + "' is not one of MATH's subjects "
                        + "(expected ROOT/{train,test}/<subject>/<n>.json with subject one of algebra, "
                        + "counting_and_probability, geometry, intermediate_algebra, number_theory, prealgebra, precalculus)");
                continue;
            }
            Path split = folder.getParent();
            String id = (split == null ? "" : split.getFileName() + "/") + folder.getFileName() + "/" + file.getFileName();
            List<Record> records = Records.readJson(file, bad);
            for (Record record : records) {
                try {
                    problems.add(fromRecord(record.node(), id, subject));
                } catch (BadRecord e) {
                    bad.report(file, record.location(), e.getMessage());
                }
            }
        }
        if (files.isEmpty()) {
            throw new DataException(root, null, "no .json problem files found (expected ROOT/{train,test}/<subject>/<n>.json)");
        }
        return problems;
    }

    /** Orders "2.json" before "10.json" so that folder problems come in their numeric order. */
    static int compareNaturally(String a, String b) {
        int i = 0, j = 0;
        while (i < a.length() && j < b.length()) {
            char x = a.charAt(i), y = b.charAt(j);
            if (Character.isDigit(x) && Character.isDigit(y)) {
                int endI = i, endJ = j;
                while (endI < a.length() && Character.isDigit(a.charAt(endI))) endI++;
                while (endJ < b.length() && Character.isDigit(b.charAt(endJ))) endJ++;
                String numberA = a.substring(i, endI).replaceFirst("^0+(?=.)", "");
                String numberB = b.substring(j, endJ).replaceFirst("^0+(?=.)", "");
                int byLength = Integer.compare(numberA.length(), numberB.length());
                if (byLength != 0) return byLength;
                int byDigits = numberA.compareTo(numberB);
                if (byDigits != 0) return byDigits;
                i = endI;
                j = endJ;
            } else {
                if (x != y) return Character.compare(x, y);
                i++;
                j++;
            }
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static Problem fromRecord(JsonNode node, String defaultId, String folderSubject) {
        String question = Records.requiredText(node, "problem");
        String solution = Records.text(node, "solution");
        String answer = Records.text(node, "answer");
        if (answer == null) {
            if (solution == null) throw new BadRecord("no gold answer: neither 'answer' nor 'solution'");
            answer = neurosteer.grade.AnswerExtractor.lastBoxed(solution);
            if (answer == null || answer.isBlank()) {
                throw new BadRecord("no gold answer: no 'answer' and no \\boxed{...} in 'solution'");
            }
        }
        String subject = folderSubject;
        if (subject == null) {
            String given = Records.text(node, "subject");
            if (given == null) given = Records.text(node, "type");
            subject = Subjects.mathSubjectOrAsGiven(given);
        }
        String id = Records.text(node, "unique_id");
        if (id == null) id = Records.text(node, "id");
        if (id == null) id = defaultId;
        return new Problem(id, question, answer.trim(), solution, subject, level(node.get("level")),
                Problem.Kind.MATH, List.of());
    }

    /** "Level 3", 3 or "3" → 3; "Level ?" or absent → null. */
    static Integer level(JsonNode value) {
        if (value == null || value.isNull()) return null;
        if (value.isIntegralNumber()) return value.intValue();
        String text = value.asText();
        if (text.isBlank() || UNKNOWN_LEVEL.matcher(text).matches()) return null;
        Matcher matcher = LEVEL.matcher(text);
        if (!matcher.matches()) throw new BadRecord("'level' is '" + text + "', expected 'Level N' or a number");
        return Integer.parseInt(matcher.group(1));
    }
}
