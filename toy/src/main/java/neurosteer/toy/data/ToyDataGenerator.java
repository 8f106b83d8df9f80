package neurosteer.toy.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Writes the toy MATH-like data set: {@code train.jsonl} and {@code test.jsonl}, every subject and
 * level in both, no problem text in both splits, every solution correct; and {@code corpus.jsonl},
 * the texts the toy model is trained on: the training problems in the same order, each solution
 * step slipping to a neighbouring number with the slip rate's probability (later steps and the
 * answer follow the slip), so that the model learns to be an unreliable calculator and sampling
 * gives both right and wrong chains. Same options, same bytes.
 *
 * <p>Entry point for {@code neurosteer toy data}: {@link #run(Options, Consumer)}.
 */
public final class ToyDataGenerator {
    /** Bumped whenever the templates or defaults change what a given seed produces. */
    public static final int VERSION = 6;
    public static final String TRAIN_FILE = "train.jsonl";
    public static final String TEST_FILE = "test.jsonl";
    public static final String CORPUS_FILE = "corpus.jsonl";

    /**
     * @param outDir where the two files go (created if missing)
     * @param seed the random seed; the only source of variation
     * @param trainPerCell training problems per (subject, level)
     * @param testPerCell test problems per (subject, level)
     * @param slipRate probability that one step of a training text in {@code corpus.jsonl} is off by one
     */
    public record Options(Path outDir, long seed, int trainPerCell, int testPerCell, double slipRate) {
        public static final long DEFAULT_SEED = 20250101L;
        public static final int DEFAULT_TRAIN_PER_CELL = 2000;
        public static final int DEFAULT_TEST_PER_CELL = 20;
        public static final double DEFAULT_SLIP_RATE = 0.2;

        public Options {
            if (trainPerCell < 1 || testPerCell < 1) throw new IllegalArgumentException("per-cell counts must be at least 1");
            if (!(slipRate >= 0 && slipRate <= 1)) throw new IllegalArgumentException("the slip rate (--slip-rate) must be in [0, 1], got " + slipRate);
        }

        public static Options defaults(Path outDir) {
            return new Options(outDir, DEFAULT_SEED, DEFAULT_TRAIN_PER_CELL, DEFAULT_TEST_PER_CELL, DEFAULT_SLIP_RATE);
        }
    }

    /**
     * Both splits in memory, and the training texts: {@code corpus.get(i)} is {@code train.get(i)}
     * with its solution (and answer) as the model is trained on it.
     */
    public record Splits(List<Problem> train, List<Problem> test, List<Problem> corpus) {}

    private static final int MAX_TRIES_PER_ITEM = 200;

    private ToyDataGenerator() {}

    /** Generates both splits and writes them; returns them too. Progress lines go to {@code progress}. */
    public static Splits run(Options options, Consumer<String> progress) throws IOException {
        Splits splits = generate(options.seed(), options.trainPerCell(), options.testPerCell(), options.slipRate());
        Files.createDirectories(options.outDir());
        write(options.outDir().resolve(TRAIN_FILE), splits.train());
        write(options.outDir().resolve(TEST_FILE), splits.test());
        Path corpus = options.outDir().resolve(CORPUS_FILE);
        String texts;
        if (options.slipRate() > 0) {
            write(corpus, splits.corpus());
            texts = ", and the training texts (" + slippedTexts(splits.train(), splits.corpus()) + " with a slip) to " + CORPUS_FILE;
        } else {
            // without slips the training texts are train.jsonl's solutions; a corpus left from another rate must not be trained on
            Files.deleteIfExists(corpus);
            texts = " (no slips: the model trains on the solutions of " + TRAIN_FILE + ")";
        }
        progress.accept("wrote " + splits.train().size() + " training and " + splits.test().size() + " test problems to " + options.outDir() + texts);
        return splits;
    }

    /**
     * The test split is drawn first, all distinct; the training split then never repeats a test
     * problem (it may repeat its own problems where a template has few distinct texts).
     */
    public static Splits generate(long seed, int trainPerCell, int testPerCell, double slipRate) {
        Set<String> testTexts = new HashSet<>();
        List<Problem> test = new ArrayList<>();
        List<Problem> train = new ArrayList<>();
        for (Subject subject : Subject.values()) {
            for (int level = 1; level <= 5; level++) {
                SplittableRandom testRng = new SplittableRandom(mix(seed, subject.ordinal(), level, 1));
                for (int i = 0; i < testPerCell; i++) {
                    ToyTasks.Item item = null;
                    for (int tries = 0; tries < MAX_TRIES_PER_ITEM; tries++) {
                        ToyTasks.Item candidate = ToyTasks.generate(subject, level, testRng);
                        if (testTexts.add(candidate.problem())) {
                            item = candidate;
                            break;
                        }
                    }
                    if (item == null)
                        throw new IllegalStateException(subject.displayName + " level " + level + " has too few distinct problems for " + testPerCell + " test items");
                    test.add(record(item, subject, level, "test", i));
                }
            }
        }
        List<Problem> corpus = new ArrayList<>();
        for (Subject subject : Subject.values()) {
            for (int level = 1; level <= 5; level++) {
                SplittableRandom trainRng = new SplittableRandom(mix(seed, subject.ordinal(), level, 2));
                ToyTasks.Slips slips = ToyTasks.Slips.random(slipRate, new SplittableRandom(mix(seed, subject.ordinal(), level, 4)));
                for (int i = 0; i < trainPerCell; i++) {
                    ToyTasks.Item item = null;
                    ToyTasks.Draws draws = null;
                    for (int tries = 0; tries < MAX_TRIES_PER_ITEM; tries++) {
                        draws = ToyTasks.Draws.live(trainRng);
                        ToyTasks.Item candidate = ToyTasks.generate(subject, level, draws, ToyTasks.Slips.NONE);
                        if (!testTexts.contains(candidate.problem())) {
                            item = candidate;
                            break;
                        }
                    }
                    if (item == null)
                        throw new IllegalStateException(subject.displayName + " level " + level + ": no training problem outside the test split");
                    train.add(record(item, subject, level, "train", i));
                    ToyTasks.Item text = ToyTasks.generate(subject, level, draws.replay(), slips);
                    if (!text.problem().equals(item.problem())) throw new IllegalStateException("replaying a draw changed the problem: " + item.problem());
                    corpus.add(record(text, subject, level, "train", i));
                }
            }
        }
        int[] order = shuffledOrder(train.size(), new SplittableRandom(mix(seed, 99, 0, 3)));
        return new Splits(permute(train, order), test, permute(corpus, order));
    }

    /** How many training texts differ from the solution of the problem on the same line. */
    public static int slippedTexts(List<Problem> train, List<Problem> corpus) {
        int slipped = 0;
        for (int i = 0; i < Math.min(train.size(), corpus.size()); i++)
            if (!java.util.Objects.equals(train.get(i).solution(), corpus.get(i).solution())) slipped++;
        return slipped;
    }

    private static Problem record(ToyTasks.Item item, Subject subject, int level, String split, int index) {
        int number = (level - 1) * 100000 + index;
        return new Problem(item.problem(), item.solution(), item.answer(), subject.displayName, "Level " + level,
                "toy/" + split + "/" + subject.slug + "/" + number + ".json");
    }

    private static long mix(long seed, int a, int b, int c) {
        long h = seed * 0x9E3779B97F4A7C15L + a * 0xBF58476D1CE4E5B9L + b * 0x94D049BB133111EBL + c;
        h ^= h >>> 31;
        return h * 0x9E3779B97F4A7C15L;
    }

    /** The Fisher-Yates shuffle of {@code 0..n-1}, from the last position down. */
    private static int[] shuffledOrder(int n, SplittableRandom rng) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static <T> List<T> permute(List<T> list, int[] order) {
        List<T> out = new ArrayList<>(list.size());
        for (int i : order) out.add(list.get(i));
        return out;
    }

    public static void write(Path file, List<Problem> problems) throws IOException {
        ObjectMapper json = new ObjectMapper();
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (Problem p : problems) {
                out.write(json.writeValueAsString(p));
                out.write('\n');
            }
        }
    }

    /** Reads a JSONL split; a malformed line is reported with file and line number. */
    public static List<Problem> read(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Problem> problems = new ArrayList<>();
        int lineNumber = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNumber++;
            if (line.isBlank()) continue;
            try {
                problems.add(json.readValue(line, Problem.class));
            } catch (com.fasterxml.jackson.core.JacksonException e) {
                throw new IOException(file + " line " + lineNumber + ": not a problem record (" + e.getOriginalMessage() + ")", e);
            }
        }
        return problems;
    }
}
