package neurosteer.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import neurosteer.data.parquet.ParquetFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class MathProblemsTest {
    @TempDir
    Path dir;

    static final ObjectMapper JSON = new ObjectMapper();

    static String mathJson(String problem, String level, String type, String solution) throws Exception {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("problem", problem);
        record.put("level", level);
        record.put("type", type);
        record.put("solution", solution);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(record);
    }

    @Test
    void originalFolderLayout() throws Exception {
        Path root = dir.resolve("MATH");
        Path algebra = Files.createDirectories(root.resolve("test/algebra"));
        Path counting = Files.createDirectories(root.resolve("test/counting_and_probability"));
        Path numberTheory = Files.createDirectories(root.resolve("train/number_theory"));
        Files.writeString(algebra.resolve("10.json"), mathJson("Solve $2x+3=7$.", "Level 1", "Algebra",
                "Subtract 3 and halve: $x=\\boxed{2}$."));
        Files.writeString(algebra.resolve("2.json"), mathJson("Simplify $\\frac{x^2-1}{x-1}$.", "Level 2", "Algebra",
                "It factors, so we get $\\boxed{x+1}$ for $x \\neq 1$."));
        Files.writeString(counting.resolve("5.json"), mathJson("How many ways can 3 of 5 books be chosen?", "Level ?",
                "Counting & Probability", "We want $\\binom{5}{3} = \\boxed{10}$."));
        Files.writeString(numberTheory.resolve("1.json"), mathJson("What is $7^{2} \\bmod 5$?", "Level 4", "Number Theory",
                "$49 = 9\\cdot 5 + 4$, so the answer is $\\boxed{\\frac{8}{2}}$ or 4, we box $\\boxed{4}$."));

        List<Problem> problems = MathProblems.load(root);
        assertEquals(List.of("test/algebra/2.json", "test/algebra/10.json", "test/counting_and_probability/5.json",
                "train/number_theory/1.json"), problems.stream().map(Problem::id).toList());
        Problem first = problems.getFirst();
        assertEquals("x+1", first.goldAnswer());
        assertEquals("Simplify $\\frac{x^2-1}{x-1}$.", first.question());
        assertEquals("Algebra", first.subject());
        assertEquals(2, first.level());
        assertEquals(Problem.Kind.MATH, first.kind());
        assertTrue(first.goldSolution().contains("factors"));
        assertEquals("Counting & Probability", problems.get(2).subject());
        assertNull(problems.get(2).level(), "'Level ?' has no level");
        assertEquals("4", problems.get(3).goldAnswer(), "the last box counts");
        assertEquals("Number Theory", problems.get(3).subject());

        // one split folder or one subject folder works too
        assertEquals(3, MathProblems.load(root.resolve("test")).size());
        assertEquals(List.of("train/number_theory/1.json"),
                MathProblems.load(numberTheory).stream().map(Problem::id).toList());
    }

    @Test
    void folderProblemWithoutAnswerNamesTheFile() throws Exception {
        Path geometry = Files.createDirectories(dir.resolve("test/geometry"));
        Files.writeString(geometry.resolve("3.json"), mathJson("Find the area.", "Level 2", "Geometry", "It is 12."));
        DataException e = assertThrows(DataException.class, () -> MathProblems.load(dir));
        assertTrue(e.getMessage().startsWith(geometry.resolve("3.json") + ":1: no gold answer"), e.getMessage());
    }

    @Test
    void jsonlInMath500AndPrm800kStyles() throws Exception {
        Path file = dir.resolve("test.jsonl");
        Files.writeString(file, String.join("\n",
                "{\"problem\": \"Compute $\\\\sqrt{16}$.\", \"solution\": \"$\\\\sqrt{16} = \\\\boxed{4}$.\", \"answer\": \"4\", "
                        + "\"subject\": \"Prealgebra\", \"level\": 1, \"unique_id\": \"test/prealgebra/77.json\"}",
                "",
                "{\"problem\": \"Find $\\\\cos 0$.\", \"solution\": \"It is $\\\\boxed{1}$.\", \"type\": \"Precalculus\", \"level\": \"Level 2\"}",
                "{\"problem\": \"Evaluate $\\\\sum_{k=1}^{3} k$.\", \"solution\": \"$1+2+3=\\\\boxed{6}$\", \"subject\": \"intermediate_algebra\", \"level\": \"Level 5\"}"));
        List<Problem> problems = MathProblems.load(file);
        assertEquals(3, problems.size());
        assertEquals("test/prealgebra/77.json", problems.get(0).id());
        assertEquals("4", problems.get(0).goldAnswer());
        assertEquals("Prealgebra", problems.get(0).subject());
        assertEquals(1, problems.get(0).level());
        assertEquals("math/test/1", problems.get(1).id(), "without unique_id: dataset/split/index");
        assertEquals("1", problems.get(1).goldAnswer());
        assertEquals("Precalculus", problems.get(1).subject());
        assertEquals(2, problems.get(1).level());
        assertEquals("Intermediate Algebra", problems.get(2).subject());
        assertEquals("6", problems.get(2).goldAnswer());
    }

    @Test
    void toyLayout() throws Exception {
        Path file = dir.resolve("toy-train.jsonl");
        Files.writeString(file, "{\"problem\":\"What is 3+4?\",\"solution\":\"3+4=7. \\\\boxed{7}\",\"answer\":\"7\","
                + "\"subject\":\"Algebra\",\"level\":\"Level 1\",\"unique_id\":\"toy/train/0\"}\n");
        Problem problem = MathProblems.load(file).getFirst();
        assertEquals(new Problem("toy/train/0", "What is 3+4?", "7", "3+4=7. \\boxed{7}", "Algebra", 1,
                Problem.Kind.MATH, List.of()), problem);
    }

    @Test
    void parquetAsTheHubServesIt() {
        Path file = ParquetFixtures.mathParquet(dir.resolve("train-00000-of-00001.parquet"));
        List<Problem> problems = MathProblems.load(file);
        assertEquals(ParquetFixtures.MATH_ROWS, problems.size());
        Problem first = problems.getFirst();
        assertEquals("math/train-00000-of-00001/0", first.id());
        assertEquals("\\frac{3}{4}", first.goldAnswer());
        assertEquals("Counting & Probability", first.subject());
        assertEquals(3, first.level());
        for (Problem problem : problems) assertTrue(Subjects.MATH.contains(problem.subject()), problem.subject());
    }

    @Test
    void badLevelAndMissingProblemAreBadRecords() throws Exception {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"problem\":\"1+1?\",\"answer\":\"2\",\"level\":\"hard\"}\n{\"solution\":\"\\\\boxed{2}\"}\n");
        DataException e = assertThrows(DataException.class, () -> MathProblems.load(file));
        assertEquals(file + ":1: 'level' is 'hard', expected 'Level N' or a number", e.getMessage());
        LoadResult skipped = MathProblems.load(file, LoadOptions.SKIP_BAD);
        assertEquals(0, skipped.problems().size());
        assertEquals(2, skipped.skipped());
        assertEquals(file + ":2: no 'problem'", skipped.firstReasons().get(1));
    }
}
