package neurosteer.grade;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * MATH-style answer grading: extraction of the final answer, normalisation, and comparison of numbers, expressions,
 * tuples, intervals, sets, matrices, equations and text.
 */
public final class Grader {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private static final ObjectMapper JSON = new ObjectMapper();

    private Grader() {}

    /** Grades a prediction (a bare answer or a whole completion) against gold (a bare answer or a MATH solution). */
    public static GradeResult grade(String gold, String prediction) {
        return grade(gold, prediction, DEFAULT_TIMEOUT);
    }

    public static GradeResult grade(String gold, String prediction, Duration timeout) {
        String goldAnswer = goldAnswer(gold);
        String predicted = AnswerExtractor.extract(prediction);
        return compare(goldAnswer, predicted, timeout);
    }

    /** Compares two already extracted answers. */
    public static boolean isEquivalent(String goldAnswer, String predictedAnswer) {
        return compare(goldAnswer, predictedAnswer, DEFAULT_TIMEOUT).equal();
    }

    /** The answer inside a gold field: its last \boxed when it has one, else the text itself (or, for a long solution, its stated answer). */
    public static String goldAnswer(String gold) {
        if (gold == null) return null;
        String boxed = AnswerExtractor.lastBoxed(gold);
        if (boxed != null) return boxed;
        if (gold.length() > 200 || gold.contains("\n")) {
            String extracted = AnswerExtractor.extract(gold);
            if (extracted != null) return extracted;
        }
        return gold.strip();
    }

    private static GradeResult compare(String goldAnswer, String predicted, Duration timeout) {
        if (goldAnswer == null || predicted == null) {
            return new GradeResult(false, goldAnswer, predicted, goldAnswer == null ? null : Normalizer.normalize(goldAnswer),
                    predicted == null ? null : Normalizer.normalize(predicted), false);
        }
        String normalizedGold = Normalizer.normalize(goldAnswer);
        String normalizedPrediction = Normalizer.normalize(predicted);
        if (normalizedPrediction.isEmpty() || normalizedGold.isEmpty()) {
            return new GradeResult(false, goldAnswer, predicted, normalizedGold, normalizedPrediction, false);
        }
        if (Normalizer.canonical(normalizedGold).equals(Normalizer.canonical(normalizedPrediction))) {
            return new GradeResult(true, goldAnswer, predicted, normalizedGold, normalizedPrediction, false);
        }
        boolean equal = false, timedOut = false;
        try {
            Deadline deadline = new Deadline(timeout.toNanos());
            Equivalence equivalence = new Equivalence(deadline);
            search:
            for (String g : alternatives(normalizedGold)) {
                for (String p : alternatives(normalizedPrediction)) {
                    try {
                        if (Normalizer.canonical(g).equals(Normalizer.canonical(p))
                                || equivalence.equal(equivalence.parse(g), equivalence.parse(p))) {
                            equal = true;
                            break search;
                        }
                    } catch (LatexParser.ParseError | ArithmeticException e) {
                        // try the next reading
                    }
                }
            }
        } catch (Deadline.Expired e) {
            timedOut = true;
        } catch (RuntimeException | StackOverflowError e) {
            equal = false;
        }
        return new GradeResult(equal, goldAnswer, predicted, normalizedGold, normalizedPrediction, timedOut);
    }

    private static final java.util.regex.Pattern CHOICE_WITH_VALUE =
            java.util.regex.Pattern.compile("^\\(([A-Ea-e])\\)\\s*(.+)$");

    /** "(D) 12" may be answered by the letter or by the value. */
    private static List<String> alternatives(String normalized) {
        var m = CHOICE_WITH_VALUE.matcher(normalized);
        if (m.matches()) return List.of(normalized, m.group(1), m.group(2));
        return List.of(normalized);
    }

    /** Counts of a {@link #gradeJsonl} run; {@code skippedLines} are the 1-based numbers of the lines skipped as bad. */
    public record JsonlSummary(int graded, int equal, int timedOut, List<Long> skippedLines) {}

    public static JsonlSummary gradeJsonl(Path in, Path out) throws IOException {
        return gradeJsonl(in, out, false);
    }

    /**
     * Reads {@code {"gold": ..., "pred": ...}} lines and writes each back with every original field plus
     * {@code "extracted"} (the predicted answer or null) and {@code "equal"}. The output appears atomically once the
     * whole file is graded, so an existing output is never left half written. A malformed line throws a
     * {@link GradeInputException} naming the file and line, unless {@code skipBad}, which skips and counts it.
     * Blank lines are ignored.
     */
    public static JsonlSummary gradeJsonl(Path in, Path out, boolean skipBad) throws IOException {
        Path target = out.toAbsolutePath();
        Path directory = target.getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, target.getFileName().toString(), ".part");
        int graded = 0, equal = 0, timedOut = 0;
        List<Long> skipped = new ArrayList<>();
        boolean done = false;
        try (BufferedReader reader = Files.newBufferedReader(in, StandardCharsets.UTF_8);
             BufferedWriter writer = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) continue;
                ObjectNode record;
                try {
                    record = parseCase(in, number, line);
                } catch (GradeInputException e) {
                    if (!skipBad) throw e;
                    skipped.add(number);
                    continue;
                }
                GradeResult result = grade(record.get("gold").asText(), record.get("pred").asText());
                record.put("extracted", result.predictedAnswer());
                record.put("equal", result.equal());
                writer.write(JSON.writeValueAsString(record));
                writer.write('\n');
                graded++;
                if (result.equal()) equal++;
                if (result.timedOut()) timedOut++;
            }
            done = true;
        } finally {
            if (!done) Files.deleteIfExists(temporary);
        }
        try {
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return new JsonlSummary(graded, equal, timedOut, List.copyOf(skipped));
    }

    private static ObjectNode parseCase(Path file, long number, String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new GradeInputException(file, number, "malformed JSON: " + e.getOriginalMessage());
        }
        if (!(node instanceof ObjectNode object)) throw new GradeInputException(file, number, "expected a JSON object");
        for (String key : new String[] {"gold", "pred"}) {
            JsonNode value = object.get(key);
            if (value == null || value.isNull()) throw new GradeInputException(file, number, "missing \"" + key + "\"");
            if (!value.isValueNode()) throw new GradeInputException(file, number, "\"" + key + "\" must be a string or number");
        }
        return object;
    }
}
