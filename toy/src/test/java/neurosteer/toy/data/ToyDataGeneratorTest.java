package neurosteer.toy.data;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ToyDataGeneratorTest {
    private static final ToyDataGenerator.Splits SPLITS = ToyDataGenerator.generate(7L, 40, 10, ToyDataGenerator.Options.DEFAULT_SLIP_RATE);

    @Test
    void sameSeedGivesIdenticalBytesAndOtherSeedDiffers(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("a"), b = dir.resolve("b"), c = dir.resolve("c");
        ToyDataGenerator.run(new ToyDataGenerator.Options(a, 11L, 20, 5, ToyDataGenerator.Options.DEFAULT_SLIP_RATE), s -> {});
        ToyDataGenerator.run(new ToyDataGenerator.Options(b, 11L, 20, 5, ToyDataGenerator.Options.DEFAULT_SLIP_RATE), s -> {});
        ToyDataGenerator.run(new ToyDataGenerator.Options(c, 12L, 20, 5, ToyDataGenerator.Options.DEFAULT_SLIP_RATE), s -> {});
        for (String f : List.of(ToyDataGenerator.TRAIN_FILE, ToyDataGenerator.TEST_FILE, ToyDataGenerator.CORPUS_FILE)) {
            assertArrayEquals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(b.resolve(f)), f);
            assertFalse(java.util.Arrays.equals(Files.readAllBytes(a.resolve(f)), Files.readAllBytes(c.resolve(f))), f);
        }
        assertEquals(ToyDataGenerator.generate(11L, 20, 5, ToyDataGenerator.Options.DEFAULT_SLIP_RATE).train(), ToyDataGenerator.read(a.resolve(ToyDataGenerator.TRAIN_FILE)));
    }

    @Test
    void splitsAreDisjointAndTestHasNoDuplicates() {
        Set<String> test = new HashSet<>();
        for (Problem p : SPLITS.test()) assertTrue(test.add(p.problem()), "duplicate test problem " + p.problem());
        for (Problem p : SPLITS.train()) assertFalse(test.contains(p.problem()), "in both splits: " + p.problem());
        Set<String> ids = new HashSet<>();
        for (Problem p : SPLITS.train()) assertTrue(ids.add(p.unique_id()));
        for (Problem p : SPLITS.test()) assertTrue(ids.add(p.unique_id()));
    }

    @Test
    void everySubjectAndLevelIsInBothSplitsWithMathStyleFields() {
        for (List<Problem> split : List.of(SPLITS.train(), SPLITS.test())) {
            Set<String> cells = new HashSet<>();
            for (Problem p : split) {
                cells.add(p.subject() + "/" + p.level());
                Subject s = Subject.byDisplayName(p.subject());
                assertTrue(p.unique_id().matches("toy/(train|test)/" + s.slug + "/\\d+\\.json"), p.unique_id());
                assertTrue(p.level().matches("Level [1-5]"), p.level());
            }
            assertEquals(35, cells.size(), cells.toString());
        }
    }

    @Test
    void boxedAnswerMatchesAnswerAndTextsAreShort() {
        Pattern boxed = Pattern.compile("\\\\boxed\\{([^}]*)}");
        for (Problem p : all()) {
            Matcher m = boxed.matcher(p.solution());
            String last = null;
            while (m.find()) last = m.group(1);
            assertEquals(p.answer(), last, p.toString());
            assertTrue(p.problem().length() + p.solution().length() <= 240, "too long: " + p);
        }
    }

    @Test
    void everyAnswerIsMathematicallyRight() {
        for (Problem p : all()) assertEquals(Long.toString(solve(p)), p.answer(), p.toString());
    }

    @Test
    void corpusIsTheTrainingProblemsInTheSameOrderWithTheirOwnBoxedAnswers() {
        assertEquals(SPLITS.train().size(), SPLITS.corpus().size());
        int slipped = 0;
        Pattern boxed = Pattern.compile("\\\\boxed\\{([^}]*)}");
        for (int i = 0; i < SPLITS.train().size(); i++) {
            Problem clean = SPLITS.train().get(i), text = SPLITS.corpus().get(i);
            assertEquals(List.of(clean.problem(), clean.subject(), clean.level(), clean.unique_id()),
                    List.of(text.problem(), text.subject(), text.level(), text.unique_id()));
            Matcher m = boxed.matcher(text.solution());
            String last = null;
            while (m.find()) last = m.group(1);
            assertEquals(text.answer(), last, text.toString());
            if (!clean.solution().equals(text.solution())) slipped++;
        }
        assertEquals(ToyDataGenerator.slippedTexts(SPLITS.train(), SPLITS.corpus()), slipped);
        // a fifth of the steps slip and most problems have several steps
        assertTrue(slipped > SPLITS.train().size() / 4 && slipped < SPLITS.train().size() * 3 / 4, slipped + " of " + SPLITS.train().size());
    }

    @Test
    void withoutSlipsTheCorpusIsTheTrainingSplitAndSlipsNeverChangeTheSplits() {
        ToyDataGenerator.Splits none = ToyDataGenerator.generate(7L, 40, 10, 0.0);
        assertEquals(none.train(), none.corpus());
        assertEquals(0, ToyDataGenerator.slippedTexts(none.train(), none.corpus()));
        assertEquals(none.train(), SPLITS.train());
        assertEquals(none.test(), SPLITS.test());
    }

    /**
     * Every binary step "a op b = c" of a training text is right or off by at most two, and a slip
     * carries on: the answer of a text with a slip is (almost always) not the correct answer.
     */
    @Test
    void slipsAreNeighboursAndTheRestOfTheChainFollowsThem() {
        // at the start of a line or right after "= ", so that "4 * 4 + 3 = 19" is not read as "4 + 3 = 19"
        Pattern step = Pattern.compile("(?m)(?:^|(?<== ))(\\(?-?\\d+\\)?) ([-+*]) (\\(?-?\\d+\\)?) = (-?\\d+)(?=[.,])");
        int steps = 0, off = 0, slippedTexts = 0, wrongAnswers = 0;
        for (int i = 0; i < SPLITS.train().size(); i++) {
            Problem clean = SPLITS.train().get(i), text = SPLITS.corpus().get(i);
            Matcher m = step.matcher(text.solution());
            while (m.find()) {
                long a = Long.parseLong(m.group(1).replaceAll("[()]", "")), b = Long.parseLong(m.group(3).replaceAll("[()]", ""));
                long exact = switch (m.group(2)) {
                    case "+" -> a + b;
                    case "-" -> a - b;
                    default -> a * b;
                };
                long c = Long.parseLong(m.group(4));
                assertTrue(Math.abs(c - exact) <= 2, "not a neighbour: " + m.group() + " in " + text.solution());
                steps++;
                if (c != exact) off++;
            }
            if (!clean.solution().equals(text.solution())) {
                slippedTexts++;
                if (!clean.answer().equals(text.answer())) wrongAnswers++;
            }
        }
        assertTrue(steps > SPLITS.train().size(), "too few binary steps recognised: " + steps);
        double rate = (double) off / steps;
        double q = ToyDataGenerator.Options.DEFAULT_SLIP_RATE;
        assertTrue(rate > 0.6 * q && rate < 1.4 * q, "off-by-one rate " + rate + " for a slip rate of " + q);
        assertTrue(wrongAnswers > slippedTexts * 0.8, wrongAnswers + " wrong answers among " + slippedTexts + " texts with a slip");
    }

    @Test
    void rerunWithoutSlipsRemovesTheOldCorpusSoTheTrainerUsesTheCorrectSolutions(@TempDir Path dir) throws Exception {
        ToyDataGenerator.run(new ToyDataGenerator.Options(dir, 3L, 5, 2, 0.5), s -> {});
        assertTrue(Files.exists(dir.resolve(ToyDataGenerator.CORPUS_FILE)));
        ToyDataGenerator.run(new ToyDataGenerator.Options(dir, 3L, 5, 2, 0.0), s -> {});
        assertFalse(Files.exists(dir.resolve(ToyDataGenerator.CORPUS_FILE)));
        assertTrue(Files.exists(dir.resolve(ToyDataGenerator.TRAIN_FILE)));
    }

    @Test
    void slipRateOutsideZeroToOneIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ToyDataGenerator.Options(Path.of("x"), 1L, 1, 1, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new ToyDataGenerator.Options(Path.of("x"), 1L, 1, 1, Double.NaN));
    }

    private static List<Problem> all() {
        List<Problem> all = new ArrayList<>(SPLITS.train());
        all.addAll(SPLITS.test());
        return all;
    }

    /** Solves the problem from its text alone, independently of the generator. */
    private static long solve(Problem p) {
        String t = p.problem();
        long[] n = numbers(t);
        int level = p.levelNumber();
        switch (Subject.byDisplayName(p.subject())) {
            case ALGEBRA -> {
                return switch (level) {
                    case 1 -> n[1] - n[0];
                    case 2 -> n[1] - n[2] + n[0];
                    case 3 -> exactDiv(n[2] - n[1], n[0]);
                    case 4 -> {
                        Matcher m = match("(\\d+)x \\+ (\\d+) = (\\d+)x ([+-]) (\\d+)\\.", t);
                        long d = Long.parseLong(m.group(5)) * (m.group(4).equals("-") ? -1 : 1);
                        yield exactDiv(d - Long.parseLong(m.group(2)), Long.parseLong(m.group(1)) - Long.parseLong(m.group(3)));
                    }
                    default -> { long x = n[1] - n[2], y = n[2] - x; assertEquals(n[1], 2 * x + y); yield x * y; }
                };
            }
            case COUNTING_AND_PROBABILITY -> {
                return switch (level) {
                    case 1 -> n[0] * n[1];
                    case 2 -> n[0] * n[1] * n[2];
                    case 3 -> permutations(n[0], 2) + permutations(n[1], 2);
                    case 4 -> n[0] * n[1] + n[1] * n[2] + n[2] * n[0];
                    default -> binomial(n[0], 2) - binomial(n[0] - n[1], 2);
                };
            }
            case GEOMETRY -> {
                return switch (level) {
                    case 1 -> 2 * (n[0] + n[1]);
                    case 2 -> n[0] * n[1] - n[2] * n[3];
                    case 3 -> exactDiv((n[0] + n[1]) * n[2], 2);
                    case 4 -> t.contains("legs") ? exactSqrt(n[0] * n[0] + n[1] * n[1]) : exactSqrt(n[1] * n[1] - n[0] * n[0]);
                    default -> 2 * (n[0] * n[1] + n[1] * n[2] + n[0] * n[2]);
                };
            }
            case INTERMEDIATE_ALGEBRA -> {
                switch (level) {
                    case 1 -> { return n[2] * n[2] - n[1]; }
                    case 2 -> {
                        Matcher m = match("Let f\\(x\\) = (\\d+)x ([+-]) (\\d+)\\. Find f\\(f\\((-?\\d+)\\)\\)\\.", t);
                        long a = Long.parseLong(m.group(1)), b = Long.parseLong(m.group(3)) * (m.group(2).equals("-") ? -1 : 1);
                        long c = Long.parseLong(m.group(4));
                        return a * (a * c + b) + b;
                    }
                    case 3 -> {
                        long first = n[0], step = n[1] - n[0], sum = 0;
                        for (long k = 0; k < n[2]; k++) sum += first + k * step;
                        return sum;
                    }
                    default -> {
                        long[] pq = quadratic(t);
                        long disc = pq[0] * pq[0] - 4 * pq[1];
                        if (level == 4) return exactDiv(-pq[0] + exactSqrt(disc), 2);
                        long r1 = exactDiv(-pq[0] + exactSqrt(disc), 2), r2 = exactDiv(-pq[0] - exactSqrt(disc), 2);
                        return r1 * r1 + r2 * r2;
                    }
                }
            }
            case NUMBER_THEORY -> {
                return switch (level) {
                    case 1 -> n[0] % n[1];
                    case 2 -> BigInteger.valueOf(n[0]).gcd(BigInteger.valueOf(n[1])).longValueExact();
                    case 3 -> n[0] * n[1] / BigInteger.valueOf(n[0]).gcd(BigInteger.valueOf(n[1])).longValueExact();
                    case 4 -> n[0] * n[1] % n[2];
                    default -> BigInteger.valueOf(n[0]).pow((int) n[1]).mod(BigInteger.TEN).longValueExact();
                };
            }
            case PREALGEBRA -> {
                return switch (level) {
                    case 1 -> n[0] - n[1];
                    case 2 -> n[0] - n[1] + n[2];
                    case 3 -> n[0] * n[1];
                    case 4 -> n[0] * n[1] + n[2] * n[3];
                    default -> exactDiv(n[0] + n[1] + n[2] + n[3], 4);
                };
            }
            case PRECALCULUS -> {
                return switch (level) {
                    case 1 -> n[0] * n[2] + n[1] * n[3];
                    case 2 -> n[0] * n[3] - n[1] * n[2];
                    case 3 -> n[0] * n[3] + n[1] * n[4] + n[2] * n[5];
                    case 4 -> n[4] * n[4] * (n[0] * n[3] - n[1] * n[2]);
                    default -> n[0] * (n[2] + n[4]) + n[1] * (n[3] + n[5]);
                };
            }
        }
        throw new AssertionError("unreachable");
    }

    private static long[] numbers(String text) {
        Matcher m = Pattern.compile("-?\\d+").matcher(text);
        List<Long> list = new ArrayList<>();
        while (m.find()) list.add(Long.parseLong(m.group()));
        return list.stream().mapToLong(Long::longValue).toArray();
    }

    private static Matcher match(String regex, String text) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertTrue(m.find(), "unexpected text: " + text);
        return m;
    }

    /** p and q of {@code x^2 + px + q} as written in the text. */
    private static long[] quadratic(String text) {
        Matcher m = match("x\\^2(?: ([+-]) (\\d*)x)?(?: ([+-]) (\\d+))? = 0", text);
        long p = 0, q = 0;
        if (m.group(1) != null) p = (m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2))) * (m.group(1).equals("-") ? -1 : 1);
        if (m.group(3) != null) q = Long.parseLong(m.group(4)) * (m.group(3).equals("-") ? -1 : 1);
        return new long[] {p, q};
    }

    private static long permutations(long n, long k) {
        long r = 1;
        for (long i = 0; i < k; i++) r *= n - i;
        return r;
    }

    private static long binomial(long n, long k) {
        long r = 1;
        for (long i = 0; i < k; i++) r = r * (n - i) / (i + 1);
        return r;
    }

    private static long exactDiv(long a, long b) {
        assertEquals(0, a % b, a + " / " + b);
        return a / b;
    }

    private static long exactSqrt(long v) {
        long s = Math.round(Math.sqrt(v));
        assertEquals(v, s * s, "not a square: " + v);
        return s;
    }
}
