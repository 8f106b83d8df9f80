package neurosteer.cli;

import java.io.PrintWriter;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neurosteer.engine.Model;
import neurosteer.engine.generate.Generator;
import neurosteer.engine.generate.SamplingConfig;
import neurosteer.engine.hooks.Hooks;
import neurosteer.engine.model.KvCache;
import neurosteer.engine.tokenizer.StreamDecoder;
import neurosteer.engine.util.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "generate", description = "Generate a completion, streaming it to standard output.")
final class GenerateCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL")
    String model;

    @Option(names = "--prompt", required = true, description = "The prompt (a user message with --chat)")
    String prompt;

    @Option(names = "--system", description = "A system message (with --chat)")
    String system;

    @Option(names = "--chat", description = "Format the prompt with the model's chat template")
    boolean chat;

    @Option(names = "--max-tokens", defaultValue = "256")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 is greedy (default)")
    double temperature;

    @Option(names = "--top-p", defaultValue = "1.0")
    double topP;

    @Option(names = "--top-k", defaultValue = "0")
    int topK;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--stop", description = "Stop when the completion contains this string (repeatable)")
    List<String> stops = List.of();

    @Option(names = "--neurons", description = "A neurons file (from select) to steer with")
    java.nio.file.Path neurons;

    @Option(names = "--alpha", defaultValue = "1.1", description = "Scale of the selected neurons (default ${DEFAULT-VALUE})")
    double alpha;

    @Option(names = "--json", description = "Print one JSON object instead of streaming text")
    boolean json;

    @Option(names = "--threads", description = "Threads (default: all cores)")
    Integer threads;

    @Option(names = "--kv-cache", defaultValue = "f32", description = "Keys and values kept as f32 or f16 (half the memory, each rounded once) (default ${DEFAULT-VALUE})")
    String kvCache;

    @Override
    public void run() {
        KvCache.Precision kvPrecision = KvCacheOption.parse(spec, kvCache);
        if (threads != null) Parallel.setThreads(threads);
        try (Model m = Model.load(model)) {
            m.transformer().kvCachePrecision(kvPrecision);
            int[] ids;
            if (chat) {
                List<Map<String, String>> messages = system == null ? List.of(Map.of("role", "user", "content", prompt))
                        : List.of(Map.of("role", "system", "content", system), Map.of("role", "user", "content", prompt));
                ids = m.encodeChat(messages, true);
            } else ids = m.tokenizer().encode(prompt, true);
            Set<Integer> stopIds = new HashSet<>(m.tokenizer().eosIds());
            stopIds.addAll(m.config().eosTokenIds());
            SamplingConfig cfg = new SamplingConfig(maxTokens, temperature, topP, topK, seed, stopIds, stops);
            Hooks hooks = Steer.hooks(m, neurons, alpha);
            PrintWriter out = spec.commandLine().getOut();
            StreamDecoder decoder = m.tokenizer().streamDecoder(true);
            long start = System.nanoTime();
            Generator.Completion c = new Generator(m.transformer(), t -> m.tokenizer().decode(t, true))
                    .generate(List.of(ids), cfg, hooks, json ? null : (seq, token) -> {
                        out.print(decoder.next(token));
                        out.flush();
                    }).get(0);
            double seconds = (System.nanoTime() - start) / 1e9;
            if (json) {
                Map<String, Object> o = new LinkedHashMap<>();
                o.put("prompt_tokens", ids.length);
                o.put("completion", m.tokenizer().decode(c.tokens(), true));
                o.put("tokens", c.tokens());
                o.put("finish", c.finish().name().toLowerCase());
                o.put("seconds", seconds);
                Json.print(out, o, false);
            } else {
                out.println(decoder.flush());
                spec.commandLine().getErr().printf("[%d prompt + %d generated tokens, %.1f tokens/s, finish: %s]%n", ids.length, c.tokens().length,
                        c.tokens().length / seconds, c.finish().name().toLowerCase());
            }
        }
    }
}
