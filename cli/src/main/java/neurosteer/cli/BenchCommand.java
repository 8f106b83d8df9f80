package neurosteer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import neurosteer.engine.Model;
import neurosteer.engine.generate.Generator;
import neurosteer.engine.generate.SamplingConfig;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.model.Transformer;
import neurosteer.method.collect.Collector;
import neurosteer.method.collect.StatsSet;
import neurosteer.method.collect.Trajectory;
import neurosteer.method.select.Neuron;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.steer.Steering;
import neurosteer.engine.tensor.Kernels;
import neurosteer.engine.tensor.MachineCeilings;
import neurosteer.engine.tensor.NativeGemm;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.util.JitSettings;
import neurosteer.engine.util.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "bench", description = {
        "Time prefill (one batch) and greedy decode of MODEL; prints one JSON line with tokens/s, the arithmetic and weight-reading rates they imply, and peak resident memory.",
        "--ceilings also measures this machine's FP32 FMA and memory-read ceilings (and the AMX BF16 tiles' where prefill runs in them) and gives each figure as a fraction of its ceiling (MODEL may then be omitted)."})
final class BenchCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", arity = "0..1")
    String model;

    @Option(names = "--ceilings", description = "Measure the machine's FP32 FMA throughput (register-tiled product, all threads), AMX BF16 tile throughput where prefill uses it, and memory read bandwidth")
    boolean ceilings;

    @Option(names = "--ceiling-seconds", defaultValue = "2", description = "Seconds spent on each ceiling (default ${DEFAULT-VALUE})")
    double ceilingSeconds;

    @Option(names = "--ceiling-mib", defaultValue = "1024", description = "Buffer read for the bandwidth ceiling, MiB; far larger than the caches (default ${DEFAULT-VALUE})")
    int ceilingMib;

    @Option(names = "--prompt-tokens", defaultValue = "512")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64")
    int genTokens;

    @Option(names = "--threads", description = "Threads (default: all cores)")
    Integer threads;

    @Option(names = "--repeat", defaultValue = "1", description = "Timed repetitions after one warm-up (best is reported)")
    int repeat;

    @Option(names = "--hook-overhead", description = "Also time the prefill with the study's statistics hooks on every mlp.hook_post"
            + " (the collect step's teacher-forced pass) and the decode with a steering set of --steer-fraction of all neurons;"
            + " each hooked pass runs next to a plain one, and the median ratio of these pairs is reported beside the ratio of the bests")
    boolean hookOverhead;

    @Option(names = "--steer-fraction", defaultValue = "0.1", description = "Share of all FFN neurons scaled in the steered decode (default ${DEFAULT-VALUE}: the paper's candidate pool, an upper bound on K)")
    double steerFraction;

    @Option(names = "--sequences", defaultValue = "1", description = "Also time a greedy decode of this many sequences together"
            + " (one row each per step, as the study samples its chains); 1 skips it (default ${DEFAULT-VALUE})")
    int sequences;

    @Option(names = "--rows-per-pass", description = "Most rows one forward pass runs; a longer prefill runs as even passes"
            + " (less activation memory, the weights read once more a pass; default " + Transformer.DEFAULT_ROWS_PER_PASS + ")")
    Integer rowsPerPass;

    @Option(names = "--kv-cache", defaultValue = "f32", description = "Keys and values kept as f32 or f16 (llama.cpp's default; half the"
            + " memory, each rounded once) (default ${DEFAULT-VALUE})")
    String kvCache;

    @Override
    public void run() {
        KvCache.Precision kvPrecision = KvCacheOption.parse(spec, kvCache);
        if (rowsPerPass != null && rowsPerPass < Transformer.MIN_ROWS_PER_PASS)
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--rows-per-pass must be at least " + Transformer.MIN_ROWS_PER_PASS + ", got " + rowsPerPass);
        if (sequences < 1)
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--sequences must be at least 1, got " + sequences);
        if (promptTokens < 1 || genTokens < 1 || repeat < 0)
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--prompt-tokens and --gen-tokens must be at least 1 and --repeat at least 0, got "
                            + promptTokens + ", " + genTokens + ", " + repeat);
        if (threads != null) Parallel.setThreads(threads);
        if (model == null) {
            if (!ceilings) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "give a MODEL to time, or --ceilings");
            Map<String, Object> out = new LinkedHashMap<>();
            putMachine(out);
            putCeilings(out, measureCeilings());
            Json.print(spec.commandLine().getOut(), out, false);
            return;
        }
        try (Model m = Model.load(model)) {
            if (rowsPerPass != null) m.transformer().rowsPerPass(rowsPerPass);
            m.transformer().kvCachePrecision(kvPrecision);
            int vocab = m.config().vocabSize();
            SplittableRandom r = new SplittableRandom(1);
            int[] prompt = new int[promptTokens];
            for (int i = 0; i < prompt.length; i++) prompt[i] = r.nextInt(Math.min(vocab, 1000));
            ModelConfig config = m.config();
            Hooks steer = hookOverhead ? steeringSet(config, steerFraction) : null;
            Collector collector = new Collector(m.transformer(), true, promptTokens, 1);
            double bestPrefill = 0, bestDecode = 0, bestPrefillStats = 0, bestPrefillTwin = 0, bestDecodeSteered = 0, bestBatched = 0;
            List<Double> statsRatios = new ArrayList<>(), steerRatios = new ArrayList<>();
            for (int rep = 0; rep <= repeat; rep++) {
                boolean timed = rep > 0 || repeat == 0;
                // with hooks, each plain pass runs right next to its hooked twin, in turn first, so that the two
                // meet the same state of the machine (its speed drifts by 15% over seconds) and neither always
                // follows the same work (a steered decode that always came right after the statistics pass read
                // 3-8% slower even when it scaled a single neuron); the ratio of each pair is kept. The statistics pass
                // computes no logits, so its twin is a prefill without them, not the headline prefill (which computes the
                // last row's, as llama.cpp's does)
                boolean hookedFirst = hookOverhead && rep % 2 == 1;
                double prefill = timePrefill(m, prompt, true);
                double prefillStats = hookedFirst ? timePrefillWithStats(m, prompt, collector, config) : 0;
                double prefillTwin = hookOverhead ? timePrefill(m, prompt, false) : 0;
                if (hookOverhead && !hookedFirst) prefillStats = timePrefillWithStats(m, prompt, collector, config);
                double decodeSteered = hookedFirst ? timeDecode(m, prompt, steer) : 0;
                double decode = timeDecode(m, prompt, Hooks.NONE);
                if (hookOverhead && !hookedFirst) decodeSteered = timeDecode(m, prompt, steer);
                double batched = sequences > 1 ? timeBatchedDecode(m, sequences) : 0;
                if (timed) {
                    bestPrefill = Math.max(bestPrefill, prefill);
                    bestDecode = Math.max(bestDecode, decode);
                    bestBatched = Math.max(bestBatched, batched);
                    if (hookOverhead) {
                        bestPrefillStats = Math.max(bestPrefillStats, prefillStats);
                        bestPrefillTwin = Math.max(bestPrefillTwin, prefillTwin);
                        bestDecodeSteered = Math.max(bestDecodeSteered, decodeSteered);
                        statsRatios.add(prefillTwin / prefillStats);
                        steerRatios.add(decode / decodeSteered);
                    }
                }
            }
            long weightBytes = 0;
            for (String name : m.source().names()) {
                Tensor t = m.source().tensor(name);
                weightBytes += t.byteSize();
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", m.location().toString());
            putMachine(out);
            out.put("threads", Parallel.threads());
            out.put("decode_quantized_activations", Kernels.QUANTIZE_ACTIVATIONS);
            out.put("prompt_tokens", promptTokens);
            out.put("gen_tokens", genTokens);
            out.put("rows_per_pass", m.transformer().rowsPerPass());
            out.put("kv_cache", kvPrecision.name().toLowerCase(java.util.Locale.ROOT));
            out.put("prefill_tokens_per_s", bestPrefill);
            out.put("decode_tokens_per_s", bestDecode);
            if (sequences > 1) {
                out.put("decode_sequences", sequences);
                out.put("decode_batched_tokens_per_s", bestBatched);
            }
            if (hookOverhead) {
                out.put("prefill_with_stats_tokens_per_s", bestPrefillStats);
                out.put("prefill_without_logits_tokens_per_s", bestPrefillTwin);
                out.put("stats_overhead", bestPrefillTwin / bestPrefillStats - 1);
                out.put("stats_overhead_paired_median", median(statsRatios) - 1);
                out.put("decode_steered_tokens_per_s", bestDecodeSteered);
                out.put("steer_overhead", bestDecode / bestDecodeSteered - 1);
                out.put("steer_overhead_paired_median", median(steerRatios) - 1);
                out.put("hook_pairs", statsRatios.size());
                out.put("steered_neurons", Math.round(steerFraction * config.numLayers() * config.intermediateSize()));
            }
            long matmulParams = matmulParameters(config);
            // prefill runs the output head for the last position only
            long headParams = (long) config.vocabSize() * config.hiddenSize();
            double prefillFlopsPerToken = 2.0 * (matmulParams - headParams) + 2.0 * headParams / promptTokens;
            double prefillGflops = bestPrefill * prefillFlopsPerToken / 1e9;
            double bytesPerToken = weightBytes * ((double) matmulParams / Math.max(1, config.parameterCount()));
            double decodeGbPerS = bestDecode * bytesPerToken / 1e9;
            out.put("matmul_parameters", matmulParams);
            out.put("output_head_parameters", headParams);
            out.put("prefill_gflops", prefillGflops);
            out.put("decode_weight_gb_per_s", decodeGbPerS);
            long rss = peakRss();
            MachineCeilings.Result machine = ceilings ? measureCeilings() : null;
            if (machine != null) {
                putCeilings(out, machine);
                out.put("prefill_fraction_of_fma_ceiling", prefillGflops / machine.fmaGflops());
                if (!Double.isNaN(machine.tileGflops())) out.put("prefill_fraction_of_tile_ceiling", prefillGflops / machine.tileGflops());
                out.put("decode_fraction_of_read_ceiling", decodeGbPerS / machine.readGbPerS());
            }
            out.put("weight_bytes", weightBytes);
            out.put("peak_rss_bytes", rss);
            out.put("peak_rss_over_weights", weightBytes == 0 ? null : (double) rss / weightBytes);
            Json.print(spec.commandLine().getOut(), out, false);
        }
    }

    /** Measured after the model's timings (and its peak memory), so the buffer never counts against the model. */
    private MachineCeilings.Result measureCeilings() {
        if (!(ceilingSeconds > 0) || ceilingMib < 1) throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--ceiling-seconds and --ceiling-mib must be positive");
        return MachineCeilings.measure(ceilingSeconds, (long) ceilingMib << 20);
    }

    /** The machine a figure was measured on: two CPUs of one name can still differ in what llama.cpp runs on them. */
    private static void putMachine(Map<String, Object> out) {
        MachineCeilings.Machine machine = MachineCeilings.machine();
        out.put("cpu", machine.cpu());
        out.put("cpu_avx512", machine.avx512());
        out.put("cpu_vnni", machine.vnni());
        out.put("cpu_avx512_bf16", machine.avx512bf16());
        out.put("processors", machine.processors());
        out.put("vector_bits", machine.vectorBits());
        out.put("java", machine.java());
        JitSettings.perMethodTrapLimit().ifPresent(limit -> out.put("jvm_per_method_trap_limit", limit));
        out.put("native_prefill", NativeGemm.status());
    }

    private static void putCeilings(Map<String, Object> out, MachineCeilings.Result machine) {
        out.put("ceiling_threads", machine.threads());
        out.put("ceiling_fma_gflops", machine.fmaGflops());
        out.put("ceiling_read_gb_per_s", machine.readGbPerS());
        if (!Double.isNaN(machine.tileGflops())) out.put("ceiling_amx_bf16_gflops", machine.tileGflops());
    }

    /** Weights that take part in a matrix product each token: every projection plus the output head. */
    static long matmulParameters(ModelConfig c) {
        long h = c.hiddenSize();
        long perLayer = h * c.qDim() + 2 * h * c.kvDim() + (long) c.qDim() * h + 3 * h * c.intermediateSize();
        return perLayer * c.numLayers() + (long) c.vocabSize() * h;
    }

    /** The prefill with statistics of every mlp.hook_post, as the study's teacher-forced pass records them. */
    private static double timePrefillWithStats(Model m, int[] prompt, Collector collector, ModelConfig config) {
        long t0 = System.nanoTime();
        collector.collect(List.of(new Trajectory("bench", prompt, 0, true, null)), new StatsSet(config.numLayers(), config.intermediateSize()), n -> {});
        return prompt.length / ((System.nanoTime() - t0) / 1e9);
    }

    /** The median of {@code values}, NaN when there are none. */
    static double median(List<Double> values) {
        if (values.isEmpty()) return Double.NaN;
        List<Double> sorted = new ArrayList<>(values);
        java.util.Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    /** One prefill cache for every run, rewound each time, as a server reuses its cache: no run's garbage counts in another's memory. */
    private KvCache prefillCache;

    /** The prompt in one batch, with the last row's logits or with none (as the statistics pass runs it). */
    private double timePrefill(Model m, int[] prompt, boolean lastLogits) {
        if (prefillCache == null) prefillCache = new KvCache(m.config(), prompt.length, m.transformer().kvCachePrecision());
        KvCache cache = prefillCache;
        cache.truncate(0);
        Batch batch = Batch.ofSequence(0, prompt, 0, true, false);
        if (!lastLogits) batch = new Batch(batch.tokens(), batch.sequences(), batch.positions(), batch.prompt(), new boolean[prompt.length]);
        long t0 = System.nanoTime();
        m.transformer().forward(batch, new KvCache[] {cache}, Hooks.NONE);
        return prompt.length / ((System.nanoTime() - t0) / 1e9);
    }

    /** Greedy decode of genTokens after an 8-token prompt; tokens/s counts generated tokens only. */
    private double timeDecode(Model m, int[] prompt, Hooks hooks) {
        int[] shortPrompt = Arrays.copyOf(prompt, Math.min(8, prompt.length));
        Generator g = new Generator(m.transformer(), null);
        long t0 = System.nanoTime();
        List<Generator.Completion> c = g.generate(List.of(shortPrompt), SamplingConfig.greedy(genTokens, Set.of()), hooks, null);
        return c.get(0).tokens().length / ((System.nanoTime() - t0) / 1e9);
    }

    /**
     * Greedy decode of genTokens for each of {@code n} sequences together, each after a seeded 8-token
     * prompt of its own; tokens/s counts the generated tokens of all sequences.
     */
    private double timeBatchedDecode(Model m, int n) {
        int vocab = m.config().vocabSize();
        List<int[]> prompts = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            SplittableRandom r = new SplittableRandom(100 + s);
            int[] p = new int[8];
            for (int i = 0; i < p.length; i++) p[i] = r.nextInt(Math.min(vocab, 1000));
            prompts.add(p);
        }
        Generator g = new Generator(m.transformer(), null);
        long t0 = System.nanoTime();
        List<Generator.Completion> c = g.generate(prompts, SamplingConfig.greedy(genTokens, Set.of()), Hooks.NONE, null);
        long tokens = 0;
        for (Generator.Completion completion : c) tokens += completion.tokens().length;
        return tokens / ((System.nanoTime() - t0) / 1e9);
    }

    /** Steering hooks on a seeded random {@code fraction} of all neurons, α = 1.5 at every position. */
    static Hooks steeringSet(ModelConfig config, double fraction) {
        if (!(fraction > 0 && fraction <= 1)) throw new IllegalArgumentException("--steer-fraction must be in (0, 1], got " + fraction);
        int layers = config.numLayers(), width = config.intermediateSize();
        SplittableRandom r = new SplittableRandom(7);
        List<Neuron> neurons = new ArrayList<>();
        for (int l = 0; l < layers; l++)
            for (int j = 0; j < width; j++)
                if (r.nextDouble() < fraction) neurons.add(new Neuron(l, j, 0, 0, 0, 0));
        return Steering.hooks(new NeuronSet("bench-random", layers, width, neurons, Map.of()), 1.5, Steering.Positions.ALL);
    }

    /** VmHWM of this process (Linux), -1 where unavailable. */
    static long peakRss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}
