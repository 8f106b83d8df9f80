package neurosteer.data;

import neurosteer.data.parquet.ParquetFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class OtherDatasetsTest {
    @TempDir
    Path dir;

    @Test
    void gsm8kTakesTheNumberAfterHashesWithoutCommas() throws Exception {
        Path file = Files.writeString(dir.resolve("test.jsonl"),
                "{\"question\": \"A farm sells 1,200 eggs a day at $2 each. How much in a day?\", "
                        + "\"answer\": \"1,200 * 2 = <<1200*2=2400>>2,400\\n#### 2,400\"}\n"
                        + "{\"question\": \"Tom has 5 apples and eats 2. How many are left?\", \"answer\": \"5 - 2 = 3\\n####3\"}\n");
        List<Problem> problems = Gsm8k.load(file);
        assertEquals(2, problems.size());
        assertEquals("2400", problems.get(0).goldAnswer());
        assertEquals("1,200 * 2 = <<1200*2=2400>>2,400", problems.get(0).goldSolution());
        assertEquals(Problem.Kind.NUMBER, problems.get(0).kind());
        assertEquals("gsm8k/test/0", problems.get(0).id());
        assertEquals("3", problems.get(1).goldAnswer());

        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"question\": \"q\", \"answer\": \"no marker here\"}\n");
        DataException e = assertThrows(DataException.class, () -> Gsm8k.load(bad));
        assertEquals(bad + ":1: no gold answer: 'answer' has no '#### <number>' line", e.getMessage());
    }

    @Test
    void commonsenseQaHubLayout() throws Exception {
        Path file = Files.writeString(dir.resolve("validation.jsonl"),
                "{\"id\": \"abc123\", \"question\": \"Where do you put a coat when you come home?\", \"question_concept\": \"coat\", "
                        + "\"choices\": {\"label\": [\"A\", \"B\", \"C\", \"D\", \"E\"], \"text\": [\"closet\", \"oven\", \"bathtub\", \"mailbox\", \"garden\"]}, "
                        + "\"answerKey\": \"A\"}\n");
        Problem problem = CommonsenseQa.load(file).getFirst();
        assertEquals("abc123", problem.id());
        assertEquals("A", problem.goldAnswer());
        assertEquals(List.of("A", "B", "C", "D", "E"), problem.choices());
        assertEquals(Problem.Kind.CHOICE, problem.kind());
        assertEquals("Where do you put a coat when you come home?\n\nAnswer choices:\n(A) closet\n(B) oven\n(C) bathtub\n"
                + "(D) mailbox\n(E) garden", problem.question());
    }

    @Test
    void commonsenseQaOriginalLayoutAndMissingKey() throws Exception {
        Path file = Files.writeString(dir.resolve("dev_rand_split.jsonl"),
                "{\"answerKey\": \"c\", \"id\": \"x1\", \"question\": {\"question_concept\": \"rain\", \"choices\": ["
                        + "{\"label\": \"A\", \"text\": \"dry\"}, {\"label\": \"B\", \"text\": \"sunny\"}, {\"label\": \"C\", \"text\": \"wet\"}], "
                        + "\"stem\": \"What does rain make the ground?\"}}\n"
                        + "{\"answerKey\": \"\", \"id\": \"x2\", \"question\": {\"choices\": [{\"label\": \"A\", \"text\": \"a\"}], \"stem\": \"Test split?\"}}\n");
        DataException e = assertThrows(DataException.class, () -> CommonsenseQa.load(file));
        assertEquals(file + ":2: no gold answer: 'answerKey' is missing or empty", e.getMessage());
        LoadResult result = CommonsenseQa.load(file, LoadOptions.SKIP_BAD);
        assertEquals(1, result.skipped());
        Problem problem = result.problems().getFirst();
        assertEquals("C", problem.goldAnswer());
        assertTrue(problem.question().startsWith("What does rain make the ground?\n\nAnswer choices:\n(A) dry"));
    }

    @Test
    void commonsenseQaFromParquet() {
        Problem problem = CommonsenseQa.load(ParquetFixtures.commonsenseQaParquet(dir.resolve("train.parquet"))).getFirst();
        assertEquals("q-001", problem.id());
        assertEquals("B", problem.goldAnswer());
        assertTrue(problem.question().contains("(B) refrigerator"), problem.question());
    }

    @Test
    void strategyQaJsonArrayAndJsonl() throws Exception {
        Path array = Files.writeString(dir.resolve("strategyqa_train.json"), """
                [
                  {"qid": "s1", "term": "Owl", "question": "Can an owl see in the dark?", "answer": true,
                   "facts": ["Owls hunt at night.", "Their eyes gather much light."]},
                  {"qid": "s2", "question": "Would a snowman last a summer day in Cairo?", "answer": false}
                ]
                """);
        List<Problem> problems = StrategyQa.load(array);
        assertEquals(List.of("yes", "no"), problems.stream().map(Problem::goldAnswer).toList());
        assertEquals("s1", problems.getFirst().id());
        assertEquals("Owls hunt at night.\nTheir eyes gather much light.", problems.getFirst().goldSolution());
        assertEquals(Problem.Kind.YES_NO, problems.getFirst().kind());

        Path lines = Files.writeString(dir.resolve("dev.jsonl"),
                "{\"question\": \"Is ice colder than steam?\", \"answer\": \"True\"}\n{\"question\": \"Q?\", \"answer\": \"maybe\"}\n");
        DataException e = assertThrows(DataException.class, () -> StrategyQa.load(lines));
        assertEquals(lines + ":2: 'answer' is 'maybe', expected true or false", e.getMessage());

        Path badArray = Files.writeString(dir.resolve("bad.json"), "[\n  {\"question\": \"A?\", \"answer\": true},\n  {\"question\": \"B?\"}\n]");
        DataException missing = assertThrows(DataException.class, () -> StrategyQa.load(badArray));
        assertEquals(badArray + ":3: no gold answer: no 'answer'", missing.getMessage());
    }

    @Test
    void mmluCsvWithoutHeaderSubjectFromFileName() throws Exception {
        Path file = Files.writeString(dir.resolve("abstract_algebra_test.csv"),
                "\"Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\",0,1,2,3,B\n"
                        + "\"Statement 1 | A factor group of a non-Abelian group is non-Abelian.\nStatement 2 | ...\","
                        + "\"True, True\",\"False, False\",\"True, False\",\"False, True\",d\n");
        List<Problem> problems = Mmlu.load(file);
        assertEquals(2, problems.size());
        Problem first = problems.getFirst();
        assertEquals("abstract_algebra", first.subject());
        assertEquals("B", first.goldAnswer());
        assertEquals(List.of("A", "B", "C", "D"), first.choices());
        assertTrue(first.question().endsWith("(A) 0\n(B) 1\n(C) 2\n(D) 3"), first.question());
        Problem second = problems.get(1);
        assertEquals("D", second.goldAnswer());
        assertTrue(second.question().contains("Statement 1 | A factor group"), second.question());
        assertTrue(second.question().contains("(A) True, True\n(B) False, False"), second.question());
        assertEquals("mmlu/abstract_algebra_test/1", second.id());
    }

    @Test
    void mmluCsvWithHeaderAndBadRow() throws Exception {
        Path file = Files.writeString(dir.resolve("college_physics_dev.csv"),
                "question,A,B,C,D,answer\nWhat is the SI unit of force?,joule,newton,watt,pascal,B\nBroken row,a,b,c,d,F\n");
        DataException e = assertThrows(DataException.class, () -> Mmlu.load(file));
        assertEquals(file + ":3: answer 'F' is not one of A, B, C, D", e.getMessage());
        LoadResult result = Mmlu.load(file, LoadOptions.SKIP_BAD);
        assertEquals(1, result.problems().size());
        assertEquals("college_physics", result.problems().getFirst().subject());
        assertEquals("B", result.problems().getFirst().goldAnswer());
    }

    @Test
    void mmluFolderOfCsvFiles() throws Exception {
        Path test = Files.createDirectories(dir.resolve("data/test"));
        Files.writeString(test.resolve("astronomy_test.csv"), "Which planet is largest?,Mars,Jupiter,Venus,Earth,B\n");
        Files.writeString(test.resolve("anatomy_test.csv"), "Which bone is in the thigh?,femur,ulna,radius,tibia,A\n");
        List<Problem> problems = Mmlu.load(dir.resolve("data"));
        assertEquals(List.of("anatomy", "astronomy"), problems.stream().map(Problem::subject).toList());
    }

    @Test
    void mmluHubLayoutJsonlAndParquet() throws Exception {
        Path file = Files.writeString(dir.resolve("test.jsonl"),
                "{\"question\": \"2+2=?\", \"subject\": \"elementary_mathematics\", \"choices\": [\"3\", \"4\", \"5\", \"6\"], \"answer\": 1}\n"
                        + "{\"question\": \"x?\", \"subject\": \"s\", \"choices\": [\"a\", \"b\"], \"answer\": 2}\n");
        DataException e = assertThrows(DataException.class, () -> Mmlu.load(file));
        assertEquals(file + ":2: 'answer' 2 is not an index into 2 choices", e.getMessage());
        Problem problem = Mmlu.load(file, LoadOptions.SKIP_BAD).problems().getFirst();
        assertEquals("B", problem.goldAnswer());
        assertEquals("elementary_mathematics", problem.subject());

        List<Problem> fromParquet = Mmlu.load(ParquetFixtures.mmluParquet(dir.resolve("test-00000-of-00001.parquet")));
        assertEquals(List.of("D", "B"), fromParquet.stream().map(Problem::goldAnswer).toList());
        assertEquals("high_school_biology", fromParquet.get(1).subject());
        assertTrue(fromParquet.get(1).question().contains("(B) Carbon dioxide"));
    }
}
