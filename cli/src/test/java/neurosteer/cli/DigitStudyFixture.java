package neurosteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A random-weight model and problems whose gold answer is one digit: random completions are sometimes
 * right (the last number is graded), so both quality classes exist and a whole study runs in seconds.
 */
record DigitStudyFixture(Path model, Path train, Path test) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static DigitStudyFixture write(Path dir, int trainProblems, int testProblems) throws IOException {
        Path model = dir.resolve("model");
        assertEquals(0, CommandsTest.run("random-model", "--arch", "llama", "--shape", "tiny", "--vocab", "300", "--seed", "5", model.toString()).code());
        Path train = dir.resolve("train.jsonl"), test = dir.resolve("test.jsonl");
        List<String> tr = new ArrayList<>(), te = new ArrayList<>();
        String[] subjects = {"Algebra", "Prealgebra"};
        for (int i = 0; i < Math.max(trainProblems, testProblems); i++) {
            String s = subjects[i % 2];
            if (i < trainProblems)
                tr.add(JSON.writeValueAsString(Map.of("problem", "What is " + i + " plus 3, minus " + i + "?", "solution", "It is \\boxed{" + (i % 10) + "}.",
                        "answer", Integer.toString(i % 10), "subject", s, "level", "Level 1", "unique_id", "train/" + i)));
            if (i < testProblems)
                te.add(JSON.writeValueAsString(Map.of("problem", "Compute " + i + " times 1.", "solution", "\\boxed{" + (i % 10) + "}",
                        "answer", Integer.toString(i % 10), "subject", s, "level", "Level 2", "unique_id", "test/" + i)));
        }
        Files.write(train, tr);
        Files.write(test, te);
        return new DigitStudyFixture(model, train, test);
    }
}
