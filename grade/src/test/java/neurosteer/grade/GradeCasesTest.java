package neurosteer.grade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs every (gold, pred, expected) case of grade-cases.jsonl, both ways round. */
class GradeCasesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    record Case(int line, String gold, String pred, boolean expected) {}

    static List<Case> cases() throws Exception {
        List<Case> cases = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(
                Objects.requireNonNull(GradeCasesTest.class.getResourceAsStream("/grade-cases.jsonl")), StandardCharsets.UTF_8))) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                if (line.isBlank()) continue;
                JsonNode node = JSON.readTree(line);
                cases.add(new Case(number, node.get("gold").asText(), node.get("pred").asText(), node.get("expected").asBoolean()));
            }
        }
        return cases;
    }

    @Test
    void everyCaseAgrees() throws Exception {
        List<Case> cases = cases();
        assertTrue(cases.size() >= 250, "suite has " + cases.size() + " cases");
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            GradeResult result = Grader.grade(c.gold(), c.pred());
            if (result.equal() != c.expected()) {
                failures.add("line " + c.line() + ": gold=" + c.gold() + " pred=" + c.pred() + " expected=" + c.expected()
                        + " got=" + result.equal() + " [" + result.normalizedGold() + " | " + result.normalizedPrediction() + "]");
            }
        }
        assertEquals(List.of(), failures, failures.size() + " of " + cases.size() + " cases disagree:\n" + String.join("\n", failures));
    }

    @Test
    void equivalenceIsSymmetric() throws Exception {
        List<String> failures = new ArrayList<>();
        for (Case c : cases()) {
            boolean forward = Grader.isEquivalent(c.gold(), c.pred());
            boolean backward = Grader.isEquivalent(c.pred(), c.gold());
            if (forward != backward) failures.add("line " + c.line() + ": " + c.gold() + " vs " + c.pred());
        }
        assertEquals(List.of(), failures, String.join("\n", failures));
    }
}
