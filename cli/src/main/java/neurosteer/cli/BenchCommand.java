package neurosteer.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import neurosteer.engine.Model;
import neurosteer.engine.generate.Generator;
import neurosteer.engine.generate.SamplingConfig;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.util.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "bench", description = "Time prefill (one batch) and greedy decode; prints one JSON line with tokens/s and peak resident memory.")
final class BenchCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Option(names = "--prompt-tokens", defaultValue = "512")
    int promptTokens;

    @Option(names = "--gen-tokens", defaultValue = "64")
    int genTokens;

    @Option(names = "--threads", description = "Threads (default: all cores)")
    Integer threads;

    @Option(names = "--repeat", defaultValue = "1", description = "Timed repetitions after one warm-up (best is reported)")
    int repeat;

    @Override
    public void run() {
        if (threads != null) Parallel.setThreads(threads);
        try (Model m = Model.load(model)) {
            int vocab = m.config().vocabSize();
            SplittableRandom r = new SplittableRandom(1);
            int[] prompt = new int[promptTokens];
            for (int i = 0; i < prompt.length; i++) prompt[i] = r.nextInt(Math.min(vocab, 1000));
            double bestPrefill = 0, bestDecode = 0;
            for (int rep = 0; rep <= repeat; rep++) {
                KvCache cache = new KvCache(m.config(), promptTokens);
                long t0 = System.nanoTime();
                m.transformer().forward(Batch.ofSequence(0, prompt, 0, true, false), new KvCache[] {cache}, Hooks.NONE);
                double prefill = promptTokens / ((System.nanoTime() - t0) / 1e9);
                int[] shortPrompt = java.util.Arrays.copyOf(prompt, Math.min(8, prompt.length));
                Generator g = new Generator(m.transformer(), null);
                long t1 = System.nanoTime();
                List<Generator.Completion> c = g.generate(List.of(shortPrompt), SamplingConfig.greedy(genTokens, java.util.Set.of()), Hooks.NONE, null);
                double seconds = (System.nanoTime() - t1) / 1e9;
                // the generate call includes the short prompt's prefill; count only generated tokens
                double decode = c.get(0).tokens().length / seconds;
                if (rep > 0 || repeat == 0) {
                    bestPrefill = Math.max(bestPrefill, prefill);
                    bestDecode = Math.max(bestDecode, decode);
                }
            }
            long weightBytes = 0;
            for (String name : m.source().names()) {
                Tensor t = m.source().tensor(name);
                weightBytes += t.byteSize();
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("model", m.location().toString());
            out.put("threads", Parallel.threads());
            out.put("prompt_tokens", promptTokens);
            out.put("gen_tokens", genTokens);
            out.put("prefill_tokens_per_s", bestPrefill);
            out.put("decode_tokens_per_s", bestDecode);
            out.put("weight_bytes", weightBytes);
            out.put("peak_rss_bytes", peakRss());
            out.put("peak_rss_over_weights", weightBytes == 0 ? null : (double) peakRss() / weightBytes);
            Json.print(spec.commandLine().getOut(), out, false);
        }
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
