package neurosteer.grade;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GradeJsonlTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void roundTripKeepsEveryFieldAndAddsTheVerdict() throws Exception {
        Path in = dir.resolve("cases.jsonl");
        Files.writeString(in, String.join("\n",
                "{\"id\": 1, \"gold\": \"The sum is $\\\\boxed{\\\\frac{1}{2}}$.\", \"pred\": \"so \\\\boxed{0.5}\", \"meta\": {\"k\": [1,2]}}",
                "",
                "{\"id\": 2, \"gold\": \"(1,2)\", \"pred\": \"The answer is (2,1).\"}",
                "{\"id\": 3, \"gold\": 7, \"pred\": \"7\"}") + "\n", StandardCharsets.UTF_8);
        Path out = dir.resolve("graded.jsonl");
        Grader.JsonlSummary summary = Grader.gradeJsonl(in, out);
        assertEquals(3, summary.graded());
        assertEquals(2, summary.equal());
        assertEquals(List.of(), summary.skippedLines());
        List<String> lines = Files.readAllLines(out);
        assertEquals(3, lines.size());
        JsonNode first = JSON.readTree(lines.get(0));
        assertEquals(1, first.get("id").asInt());
        assertEquals(2, first.get("meta").get("k").get(1).asInt());
        assertEquals("0.5", first.get("extracted").asText());
        assertTrue(first.get("equal").asBoolean());
        JsonNode second = JSON.readTree(lines.get(1));
        assertEquals("(2,1)", second.get("extracted").asText());
        assertFalse(second.get("equal").asBoolean());
        assertTrue(JSON.readTree(lines.get(2)).get("equal").asBoolean());
    }

    @Test
    void malformedLineNamesFileAndLineAndLeavesOutputUntouched() throws Exception {
        Path in = dir.resolve("bad.jsonl");
        Files.writeString(in, "{\"gold\": \"1\", \"pred\": \"1\"}\n{\"gold\": \"2\", \"pred\": \n{\"gold\": \"3\", \"pred\": \"3\"}\n");
        Path out = dir.resolve("out.jsonl");
        Files.writeString(out, "previous results\n");
        GradeInputException e = assertThrows(GradeInputException.class, () -> Grader.gradeJsonl(in, out));
        assertEquals(2, e.line());
        assertTrue(e.getMessage().contains("bad.jsonl line 2"), e.getMessage());
        assertEquals("previous results\n", Files.readString(out));
        try (var files = Files.list(dir)) {
            assertEquals(2, files.count(), "no temporary file left behind");
        }
    }

    @Test
    void missingFieldIsReported() throws Exception {
        Path in = dir.resolve("missing.jsonl");
        Files.writeString(in, "{\"gold\": \"1\", \"pred\": \"1\"}\n[1, 2]\n{\"gold\": \"1\"}\n");
        GradeInputException array = assertThrows(GradeInputException.class, () -> Grader.gradeJsonl(in, dir.resolve("o.jsonl")));
        assertEquals(2, array.line());
        Files.writeString(in, "{\"gold\": \"1\", \"pred\": \"1\"}\n{\"gold\": \"1\"}\n");
        GradeInputException missing = assertThrows(GradeInputException.class, () -> Grader.gradeJsonl(in, dir.resolve("o.jsonl")));
        assertTrue(missing.getMessage().contains("line 2: missing \"pred\""), missing.getMessage());
    }

    @Test
    void skipBadSkipsAndCounts() throws Exception {
        Path in = dir.resolve("mixed.jsonl");
        Files.writeString(in, "{\"gold\": \"1\", \"pred\": \"1\"}\nnot json\n{\"gold\": \"3\", \"pred\": \"4\"}\n{\"pred\": \"4\"}\n");
        Path out = dir.resolve("out.jsonl");
        Grader.JsonlSummary summary = Grader.gradeJsonl(in, out, true);
        assertEquals(2, summary.graded());
        assertEquals(1, summary.equal());
        assertEquals(List.of(2L, 4L), summary.skippedLines());
        assertEquals(2, Files.readAllLines(out).size());
    }
}
