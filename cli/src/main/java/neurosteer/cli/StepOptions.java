package neurosteer.cli;

import java.nio.file.Path;
import java.util.List;
import neurosteer.engine.model.KvCache;
import neurosteer.method.collect.CollectStep;
import neurosteer.method.run.RunFolder;
import neurosteer.method.sample.SampleStep;
import neurosteer.method.select.Selector;
import neurosteer.method.steer.Steering;
import picocli.CommandLine.Option;

/** Options shared by the study and its steps (picocli mixins). */
final class StepOptions {
    private StepOptions() {}

    static final class ModelAndRun {
        @Option(names = "--model", description = "Hugging Face folder, model id in the HF cache, or .gguf file (default: the bundled toy model)")
        String model;

        @Option(names = "--run", defaultValue = "runs/default", description = "Run folder (default ${DEFAULT-VALUE})")
        Path run;

        @Option(names = "--threads", description = "Threads (default: all cores)")
        Integer threads;

        @Option(names = "--seed", defaultValue = "1", description = "Seed of every random choice (default ${DEFAULT-VALUE})")
        long seed;

        @Option(names = "--kv-cache", defaultValue = "f32", description = "Keys and values kept as f32 or f16 (half the memory of"
                + " the sequences sampled together, each key and value rounded once; recorded in study.json) (default ${DEFAULT-VALUE})")
        String kvCache;

        KvCache.Precision kvPrecision() {
            try {
                return KvCache.Precision.parse(kvCache);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--kv-cache: " + e.getMessage());
            }
        }

        /** Sets the model's KV cache precision from {@code --kv-cache}. */
        void applyTo(neurosteer.engine.Model m) { m.transformer().kvCachePrecision(kvPrecision()); }

        RunFolder folder() { return new RunFolder(run); }

        String modelRef() { return Defaults.model(model); }

        void applyThreads() { if (threads != null) neurosteer.engine.util.Parallel.setThreads(threads); }
    }

    static final class Data {
        @Option(names = "--train", description = "Problems to sample from: MATH (folder, JSONL or Parquet), GSM8K, CommonsenseQA, StrategyQA, MMLU, toy JSONL (default: the toy train split)")
        Path train;

        @Option(names = "--test", description = "Problems to evaluate on (default: the toy test split)")
        Path test;

        @Option(names = "--train-format", description = "Force the train format: math, toy, gsm8k, commonsenseqa, strategyqa, mmlu")
        String trainFormat;

        @Option(names = "--test-format", description = "Force the test format")
        String testFormat;

        @Option(names = "--train-limit", defaultValue = "0", description = "Use at most N train problems, spread over the file (0: all)")
        int trainLimit;

        @Option(names = "--test-limit", defaultValue = "0", description = "Use at most N test problems (0: all)")
        int testLimit;

        @Option(names = "--skip-bad", description = "Skip malformed records (counted and reported) instead of stopping")
        boolean skipBad;

        @Option(names = "--prompt-template", description = "User message template with {question} (and optionally {instruction})")
        String promptTemplate;

        @Option(names = "--system", description = "System message (\"\" for none)")
        String system;

        Path train() { return Defaults.data(train, "train"); }

        Path test() { return Defaults.data(test, "test"); }
    }

    static final class Sampling {
        @Option(names = "--samples", defaultValue = "8", description = "Completions per problem (default ${DEFAULT-VALUE})")
        int samples;

        @Option(names = "--temperature", defaultValue = "0.7")
        double temperature;

        @Option(names = "--top-p", defaultValue = "0.95")
        double topP;

        @Option(names = "--top-k", defaultValue = "0")
        int topK;

        @Option(names = "--max-new-tokens", defaultValue = "512", description = "Longest completion (default ${DEFAULT-VALUE})")
        int maxNewTokens;

        @Option(names = "--batch", defaultValue = "8", description = "Problems generated together (default ${DEFAULT-VALUE})")
        int batch;

        SampleStep.Settings settings(long seed) {
            return new SampleStep.Settings(samples, temperature, topP, topK, maxNewTokens, seed, Math.max(1, batch));
        }
    }

    static final class Collect {
        @Option(names = "--include-prompt", description = "Count prompt tokens too (default: completion tokens only)")
        boolean includePrompt;

        @Option(names = "--rows", defaultValue = "2048", description = "Token rows per teacher-forced batch (default ${DEFAULT-VALUE})")
        int rows;

        @Option(names = "--shard", defaultValue = "0/1", description = "i/n: process every n-th trajectory starting at i (default ${DEFAULT-VALUE})")
        String shard;

        CollectStep.Settings settings(long seed) {
            String[] p = shard.split("/");
            int i, n;
            try {
                i = Integer.parseInt(p[0]);
                n = Integer.parseInt(p[1]);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("--shard must look like 0/4, got '" + shard + "'");
            }
            if (n < 1 || i < 0 || i >= n) throw new IllegalArgumentException("--shard " + shard + ": need 0 <= i < n");
            return new CollectStep.Settings(includePrompt, rows, seed, i, n, 64);
        }
    }

    static final class Select {
        @Option(names = "--theta", defaultValue = "1.15", description = "Minimum r = (m+ + eps)/(m- + eps) (default ${DEFAULT-VALUE})")
        double theta;

        @Option(names = "--top-fraction", defaultValue = "0.10", description = "Candidates: this top fraction of r over all neurons (default ${DEFAULT-VALUE})")
        double topFraction;

        @Option(names = "--epsilon", defaultValue = "0", description = "eps in r (default 0: 1e-3 x the median m)")
        double epsilon;

        @Option(names = "--norm", defaultValue = "rms", description = "Per-trajectory activation: rms (AvgL2Norm) or abs (mean |a|)")
        String norm;

        Selector.Norm norm() {
            return switch (norm) {
                case "rms" -> Selector.Norm.RMS;
                case "abs" -> Selector.Norm.MEAN_ABS;
                default -> throw new IllegalArgumentException("--norm must be rms or abs, got " + norm);
            };
        }
    }

    static final class Steer {
        @Option(names = "--alpha", defaultValue = "1.1", description = "Scale of the selected neurons (default ${DEFAULT-VALUE}; 0 suppresses)")
        String alpha;

        @Option(names = "--positions", defaultValue = "all", description = "all (prompt and generated) or generated")
        String positions;

        double alpha() {
            double a;
            try {
                a = Double.parseDouble(alpha);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--alpha must be a number >= 0, got '" + alpha + "'");
            }
            neurosteer.method.steer.Steering.checkAlpha(a);
            return a;
        }

        Steering.Positions positions() {
            return switch (positions) {
                case "all" -> Steering.Positions.ALL;
                case "generated" -> Steering.Positions.GENERATED;
                default -> throw new IllegalArgumentException("--positions must be all or generated, got " + positions);
            };
        }
    }

    static List<Integer> seeds(String csv) {
        return java.util.Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }
}
