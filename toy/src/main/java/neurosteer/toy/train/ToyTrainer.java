package neurosteer.toy.train;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.format.safetensors.SafetensorsFile;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.util.Parallel;
import neurosteer.toy.data.Problem;
import neurosteer.toy.data.ToyDataGenerator;
import neurosteer.toy.data.ToyPrompt;
import neurosteer.toy.data.ToyTokenizer;

/**
 * Trains the toy model on the toy data: cross-entropy on the solution tokens of chat-formatted
 * examples, AdamW, linear warm-up then cosine decay, global gradient-norm clipping, batches split
 * over the threads of {@link Parallel} (the
 * result does not depend on their number). Seeded; resumable from {@code checkpoint.safetensors}.
 *
 * <p>Entry point for {@code neurosteer toy train}: {@link #run(Options, Consumer)}. Output folder:
 * {@code model/} (the Hugging Face folder), {@code checkpoint.safetensors}, {@code loss.csv},
 * {@code loss.png}, {@code eval.md}.
 */
public final class ToyTrainer {
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String MODEL_DIR = "model";
    public static final String LOSS_CSV = "loss.csv";
    public static final String LOSS_PNG = "loss.png";
    public static final String EVAL_REPORT = "eval.md";
    /**
     * Sequence b of a batch adds its gradient to shard b mod 8 and the shards are summed in order,
     * so the weights do not depend on the number of threads that computed them.
     */
    static final int GRADIENT_SHARDS = 8;

    /**
     * @param dataDir folder with {@code train.jsonl} and {@code test.jsonl}, and optionally {@code corpus.jsonl}
     *     (the texts to train on, line by line the problems of {@code train.jsonl}; without it, their solutions)
     * @param outDir output folder (checkpoint, loss curve, model)
     * @param steps optimizer steps in total
     * @param batchSize sequences per step
     * @param threads worker threads (sequences of a batch are split over them)
     * @param checkpointEvery steps between checkpoints
     * @param evalEvery steps between quick greedy checks on {@code evalProblems} test problems (0: never)
     * @param finalEvalProblems test problems for the greedy evaluation at the end (0: none)
     * @param mixedProblems training problems for the 8-sample check at the end (0: none)
     * @param shape the model's shape; its vocabulary size is replaced by the tokenizer's
     */
    public record Options(Path dataDir, Path outDir, long seed, int steps, int batchSize, double peakLr, double minLrRatio,
                          int warmupSteps, double weightDecay, double clipNorm, int threads, int mergeCount,
                          int checkpointEvery, int logEvery, int evalEvery, int evalProblems, int finalEvalProblems,
                          int mixedProblems, boolean resume, ToyModelConfig shape) {
        public Options {
            if (steps < 1 || batchSize < 1 || threads < 1 || checkpointEvery < 1 || logEvery < 1)
                throw new IllegalArgumentException("steps, batch size, threads, checkpoint and log intervals must be positive");
        }

        public static Options defaults(Path dataDir, Path outDir) {
            return new Options(dataDir, outDir, 1234L, 4000, 32, 2e-3, 0.1, 100, 0.1, 1.0, 2, 400, 200, 10, 500, 70,
                    700, 200, true, ToyModelConfig.standard(0));
        }

        public Options withShape(ToyModelConfig shape, int batchSize, int mergeCount) {
            return new Options(dataDir, outDir, seed, steps, batchSize, peakLr, minLrRatio, warmupSteps, weightDecay, clipNorm, threads,
                    mergeCount, checkpointEvery, logEvery, evalEvery, evalProblems, finalEvalProblems, mixedProblems, resume, shape);
        }

        public Options withCheckpointEvery(int checkpointEvery, boolean resume) {
            return new Options(dataDir, outDir, seed, steps, batchSize, peakLr, minLrRatio, warmupSteps, weightDecay, clipNorm, threads,
                    mergeCount, checkpointEvery, logEvery, evalEvery, evalProblems, finalEvalProblems, mixedProblems, resume, shape);
        }

        public Options withSteps(int steps) {
            return new Options(dataDir, outDir, seed, steps, batchSize, peakLr, minLrRatio, Math.min(warmupSteps, Math.max(1, steps / 10)),
                    weightDecay, clipNorm, threads, mergeCount, checkpointEvery, logEvery, evalEvery, evalProblems, finalEvalProblems,
                    mixedProblems, resume, shape);
        }

        public Options withThreads(int threads) {
            return new Options(dataDir, outDir, seed, steps, batchSize, peakLr, minLrRatio, warmupSteps, weightDecay, clipNorm, threads,
                    mergeCount, checkpointEvery, logEvery, evalEvery, evalProblems, finalEvalProblems, mixedProblems, resume, shape);
        }

        public Options withEvaluation(int evalEvery, int evalProblems, int finalEvalProblems, int mixedProblems) {
            return new Options(dataDir, outDir, seed, steps, batchSize, peakLr, minLrRatio, warmupSteps, weightDecay, clipNorm, threads,
                    mergeCount, checkpointEvery, logEvery, evalEvery, evalProblems, finalEvalProblems, mixedProblems, resume, shape);
        }
    }

    /** What a finished run produced. */
    public record Result(Path modelDir, double finalLoss, ToyEvaluator.Accuracy accuracy, ToyEvaluator.Mixed mixed) {}

    private record Example(int[] tokens, boolean[] targets) {}

    private ToyTrainer() {}

    public static Result run(Options o, Consumer<String> progress) throws IOException {
        Parallel.setThreads(o.threads());
        Files.createDirectories(o.outDir());
        List<Problem> train = ToyDataGenerator.read(o.dataDir().resolve(ToyDataGenerator.TRAIN_FILE));
        List<Problem> test = ToyDataGenerator.read(o.dataDir().resolve(ToyDataGenerator.TEST_FILE));
        if (train.isEmpty()) throw new IOException(o.dataDir().resolve(ToyDataGenerator.TRAIN_FILE) + ": no training problems");
        Path corpusFile = o.dataDir().resolve(ToyDataGenerator.CORPUS_FILE);
        List<Problem> texts = Files.exists(corpusFile) ? ToyDataGenerator.read(corpusFile) : train;
        Path textsFile = texts == train ? o.dataDir().resolve(ToyDataGenerator.TRAIN_FILE) : corpusFile;
        for (int i = 0; i < texts.size(); i++) {
            Problem p = texts.get(i);
            String missing = p.problem() == null ? "problem" : p.solution() == null ? "solution" : null;
            if (missing != null) throw new IOException(textsFile + " line " + (i + 1) + ": no \"" + missing + "\" to train on");
        }
        if (texts != train) {
            if (texts.size() != train.size())
                throw new IOException(corpusFile + " has " + texts.size() + " training texts but " + ToyDataGenerator.TRAIN_FILE + " has " + train.size()
                        + " problems; regenerate both with `neurosteer toy data`");
            for (int i = 0; i < texts.size(); i++) {
                Problem text = texts.get(i), problem = train.get(i);
                if (!java.util.Objects.equals(text.unique_id(), problem.unique_id()) || !java.util.Objects.equals(text.problem(), problem.problem()))
                    throw new IOException(corpusFile + " line " + (i + 1) + ": " + text.unique_id() + " is not the problem on the same line of "
                            + ToyDataGenerator.TRAIN_FILE + " (" + problem.unique_id() + "); regenerate both with `neurosteer toy data`");
            }
            progress.accept("training texts: " + corpusFile + " (" + ToyDataGenerator.slippedTexts(train, texts) + " of " + texts.size()
                    + " solutions with a slip)");
        } else {
            progress.accept("training texts: the solutions of " + o.dataDir().resolve(ToyDataGenerator.TRAIN_FILE) + " (no " + ToyDataGenerator.CORPUS_FILE + ")");
        }

        Path modelDir = o.outDir().resolve(MODEL_DIR);
        Path tokenizerFile = modelDir.resolve("tokenizer.json");
        ToyTokenizer tokenizer;
        if (o.resume() && Files.exists(tokenizerFile)) {
            tokenizer = ToyTokenizer.read(tokenizerFile);
        } else {
            List<String> sample = new ArrayList<>();
            for (Problem p : ToyEvaluator.everyKth(texts, 5000)) sample.add(exampleText(p));
            tokenizer = ToyTokenizer.train(sample, o.mergeCount());
            tokenizer.save(modelDir, o.shape().maxPositions());
            progress.accept("tokenizer: " + tokenizer.vocabSize() + " tokens (" + o.mergeCount() + " merges)");
        }
        ToyModelConfig shape = o.shape();
        ToyModelConfig config = new ToyModelConfig(tokenizer.vocabSize(), shape.dim(), shape.layers(), shape.heads(), shape.kvHeads(), shape.headDim(), shape.ffnDim(),
                shape.maxPositions(), shape.rmsEps(), shape.ropeTheta());
        List<Example> examples = new ArrayList<>();
        long targetTokens = 0, allTokens = 0;
        for (Problem p : texts) {
            int[] prompt = tokenizer.encode(ToyPrompt.chat(p.problem()));
            int[] completion = tokenizer.encode(p.solution() + ToyTokenizer.EOT);
            if (prompt.length + completion.length > config.maxPositions()) continue;
            int[] tokens = new int[prompt.length + completion.length];
            boolean[] targets = new boolean[tokens.length];
            System.arraycopy(prompt, 0, tokens, 0, prompt.length);
            System.arraycopy(completion, 0, tokens, prompt.length, completion.length);
            for (int i = prompt.length; i < tokens.length; i++) targets[i] = true;
            examples.add(new Example(tokens, targets));
            targetTokens += completion.length;
            allTokens += tokens.length;
        }
        int maxLen = examples.stream().mapToInt(e -> e.tokens().length).max().orElse(1);
        progress.accept(String.format("data: %d examples, %.1f tokens each (%.1f targets), longest %d; model: %,d parameters",
                examples.size(), (double) allTokens / examples.size(), (double) targetTokens / examples.size(), maxLen, config.parameterCount()));

        int total = (int) config.parameterCount();
        float[] params, m = new float[total], v = new float[total];
        int startStep = 0;
        Path checkpoint = o.outDir().resolve(CHECKPOINT);
        if (o.resume() && Files.exists(checkpoint)) {
            params = new float[total];
            startStep = readCheckpoint(checkpoint, o, params, m, v);
            progress.accept("resumed from " + checkpoint + " at step " + startStep);
        } else {
            params = ToyParameters.initialise(config, o.seed());
            Files.deleteIfExists(o.outDir().resolve(LOSS_CSV));
        }
        ToyModel model = new ToyModel(config, params);
        boolean[] decay = new boolean[total];
        for (ToyParameters.Slot s : model.layout.all()) if (!s.isNorm()) java.util.Arrays.fill(decay, s.offset(), s.offset() + s.size(), true);

        int shards = GRADIENT_SHARDS;
        ToyModel.Workspace[] spaces = new ToyModel.Workspace[shards];
        float[][] grads = new float[shards][];
        for (int w = 0; w < shards; w++) {
            spaces[w] = new ToyModel.Workspace(config, maxLen);
            grads[w] = new float[total];
        }
        double[] shardLoss = new double[shards];
        Path csv = o.outDir().resolve(LOSS_CSV);
        if (!Files.exists(csv)) Files.writeString(csv, "step,lr,loss,grad_norm,tokens_per_s\n");
        int[] order = null;
        int orderEpoch = -1;
        long started = System.nanoTime(), tokensSinceStart = 0;
        double emaLoss = Double.NaN, lastLoss = Double.NaN;
        Example[] batch = new Example[o.batchSize()];
        for (int step = startStep; step < o.steps(); step++) {
            int batchTargets = 0, batchTokens = 0;
            for (int b = 0; b < o.batchSize(); b++) {
                long sample = (long) step * o.batchSize() + b;
                int epoch = (int) (sample / examples.size());
                if (epoch != orderEpoch) {
                    order = permutation(examples.size(), o.seed() * 1_000_003L + epoch);
                    orderEpoch = epoch;
                }
                batch[b] = examples.get(order[(int) (sample % examples.size())]);
                for (boolean t : batch[b].targets()) if (t) batchTargets++;
                batchTokens += batch[b].tokens().length;
            }
            float weight = 1f / Math.max(1, batchTargets);
            Parallel.forRange(shards, 1, (start, end) -> {
                for (int w = start; w < end; w++) {
                    java.util.Arrays.fill(grads[w], 0f);
                    double loss = 0;
                    for (int b = w; b < batch.length; b += shards)
                        loss += model.forwardBackward(batch[b].tokens(), batch[b].targets(), batch[b].tokens().length, weight, spaces[w], grads[w]);
                    shardLoss[w] = loss;
                }
            });
            float[] grad = grads[0];
            double lossSum = shardLoss[0];
            for (int w = 1; w < shards; w++) {
                lossSum += shardLoss[w];
                float[] gw = grads[w];
                for (int i = 0; i < total; i++) grad[i] += gw[i];
            }
            double loss = lossSum / Math.max(1, batchTargets);
            double norm = 0;
            for (float g : grad) norm += (double) g * g;
            norm = Math.sqrt(norm);
            float clip = norm > o.clipNorm() ? (float) (o.clipNorm() / norm) : 1f;
            double lr = learningRate(o, step);
            adamW(params, grad, m, v, decay, step + 1, lr, o.weightDecay(), clip);
            tokensSinceStart += batchTokens;
            lastLoss = loss;
            emaLoss = Double.isNaN(emaLoss) ? loss : 0.9 * emaLoss + 0.1 * loss;
            double seconds = (System.nanoTime() - started) / 1e9;
            double tokensPerSecond = tokensSinceStart / Math.max(1e-9, seconds);
            Files.writeString(csv, String.format("%d,%.6g,%.5f,%.4f,%.0f%n", step + 1, lr, loss, norm, tokensPerSecond),
                    StandardOpenOption.APPEND);
            if ((step + 1) % o.checkpointEvery() == 0 || step + 1 == o.steps()) {
                writeCheckpoint(checkpoint, o, config, params, m, v, step + 1);
                progress.accept("checkpoint: step " + (step + 1));
            }
            if ((step + 1) % o.logEvery() == 0 || step + 1 == o.steps()) {
                double eta = seconds / (step + 1 - startStep) * (o.steps() - step - 1);
                progress.accept(String.format("step %d/%d  loss %.4f (avg %.4f)  lr %.2e  |g| %.2f  %.0f tok/s  ETA %s",
                        step + 1, o.steps(), loss, emaLoss, lr, norm, tokensPerSecond, duration(eta)));
            }
            if (o.evalEvery() > 0 && (step + 1) % o.evalEvery() == 0 && step + 1 < o.steps()) {
                ToyEvaluator.Accuracy acc = ToyEvaluator.greedy(model, tokenizer, ToyEvaluator.everyKth(test, o.evalProblems()), s -> {});
                progress.accept(String.format("step %d: greedy accuracy on %d test problems %.1f%%", step + 1, acc.total(), 100 * acc.overall()));
            }
        }
        HfFolder.write(modelDir, model, tokenizer);
        progress.accept("model written to " + modelDir);
        LossPlot.write(csv, o.outDir().resolve(LOSS_PNG));

        ToyEvaluator.Accuracy accuracy = null;
        ToyEvaluator.Mixed mixed = null;
        StringBuilder report = new StringBuilder("# Toy model evaluation\n\n");
        if (o.finalEvalProblems() > 0) {
            ToyModel exported = HfFolder.read(modelDir);
            accuracy = ToyEvaluator.greedy(exported, tokenizer, ToyEvaluator.everyKth(test, o.finalEvalProblems()), progress);
            progress.accept(String.format("greedy accuracy on %d test problems: %.1f%%", accuracy.total(), 100 * accuracy.overall()));
            report.append("Greedy, exact match of the last \\boxed{} on the test split:\n\n").append(accuracy.table()).append('\n');
        }
        if (o.mixedProblems() > 0) {
            ToyModel exported = HfFolder.read(modelDir);
            mixed = ToyEvaluator.sampling(exported, tokenizer, ToyEvaluator.everyKth(train, o.mixedProblems()), 8, 0.7, 0.95, o.seed());
            progress.accept(String.format("8 samples at T=0.7 on %d training problems: %d mixed (%.1f%%), %d all right, %d all wrong",
                    mixed.problems(), mixed.mixed(), 100 * mixed.mixedFraction(), mixed.allRight(), mixed.allWrong()));
            report.append(String.format("8 samples at temperature 0.7 (top-p 0.95) on %d training problems: %d with both right and wrong "
                    + "answers (%.1f%%), %d all right, %d all wrong.%n", mixed.problems(), mixed.mixed(), 100 * mixed.mixedFraction(),
                    mixed.allRight(), mixed.allWrong()));
        }
        Files.writeString(o.outDir().resolve(EVAL_REPORT), report.toString());
        return new Result(modelDir, lastLoss, accuracy, mixed);
    }

    static String exampleText(Problem p) {
        return ToyPrompt.chat(p.problem()) + p.solution() + ToyTokenizer.EOT;
    }

    static double learningRate(Options o, int step) {
        if (step < o.warmupSteps()) return o.peakLr() * (step + 1) / o.warmupSteps();
        double progress = (double) (step - o.warmupSteps()) / Math.max(1, o.steps() - o.warmupSteps());
        double min = o.peakLr() * o.minLrRatio();
        return min + 0.5 * (o.peakLr() - min) * (1 + Math.cos(Math.PI * Math.min(1, progress)));
    }

    /** AdamW (beta1 0.9, beta2 0.95), decoupled weight decay where {@code decay} is set; the gradient is scaled by {@code clip}. */
    static void adamW(float[] p, float[] g, float[] m, float[] v, boolean[] decay, int t, double lr, double weightDecay, float clip) {
        final double b1 = 0.9, b2 = 0.95, eps = 1e-8;
        double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
        Parallel.forRange(p.length, 1 << 15, (start, end) -> {
            for (int i = start; i < end; i++) {
                float gi = g[i] * clip;
                m[i] = (float) (b1 * m[i] + (1 - b1) * gi);
                v[i] = (float) (b2 * v[i] + (1 - b2) * gi * gi);
                double update = (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
                if (decay[i]) update += weightDecay * p[i];
                p[i] -= (float) (lr * update);
            }
        });
    }

    static int[] permutation(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static void writeCheckpoint(Path file, Options o, ToyModelConfig c, float[] params, float[] m, float[] v, int step) throws IOException {
        new SafetensorsWriter()
                .metadata("step", Integer.toString(step))
                .metadata("seed", Long.toString(o.seed()))
                .metadata("batch_size", Integer.toString(o.batchSize()))
                .metadata("config", c.toString())
                .add("params", SafetensorsWriter.DType.F32, params, params.length)
                .add("adam_m", SafetensorsWriter.DType.F32, m, m.length)
                .add("adam_v", SafetensorsWriter.DType.F32, v, v.length)
                .write(file);
    }

    /** Fills params and moments; returns the step to continue from. The data order follows from seed and step. */
    private static int readCheckpoint(Path file, Options o, float[] params, float[] m, float[] v) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            Map<String, String> meta = f.metadata();
            for (String key : List.of("step", "seed", "batch_size"))
                if (!meta.containsKey(key)) throw new CheckpointException(file, key, "metadata entry missing");
            if (Long.parseLong(meta.get("seed")) != o.seed())
                throw new CheckpointException(file, "seed", "checkpoint seed " + meta.get("seed") + " differs from the requested " + o.seed());
            if (Integer.parseInt(meta.get("batch_size")) != o.batchSize())
                throw new CheckpointException(file, "batch_size", "checkpoint batch size " + meta.get("batch_size") + " differs from " + o.batchSize());
            for (var entry : Map.of("params", params, "adam_m", m, "adam_v", v).entrySet()) {
                if (!f.has(entry.getKey())) throw new CheckpointException(file, entry.getKey(), "tensor missing");
                float[] values = f.tensor(entry.getKey()).toFloatArray();
                if (values.length != entry.getValue().length)
                    throw new CheckpointException(file, entry.getKey(), "holds " + values.length + " values, the model has " + entry.getValue().length);
                System.arraycopy(values, 0, entry.getValue(), 0, values.length);
            }
            return Integer.parseInt(meta.get("step"));
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    }

    /** Appends one line to a writer, for callers that want the progress in a log. */
    public static Consumer<String> to(Writer out) {
        return line -> {
            try {
                out.write(line + "\n");
                out.flush();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }
}
