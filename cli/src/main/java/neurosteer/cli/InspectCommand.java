package neurosteer.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import neurosteer.engine.Model;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "inspect", description = "Architecture, shapes, dtypes, tokenizer, chat template and memory of a model.")
final class InspectCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL", description = "Hugging Face folder, model id in the HF cache, or .gguf file")
    String model;

    @Option(names = "--tensors", description = "List every tensor with its shape and type")
    boolean tensors;

    @Override
    public void run() {
        try (Model m = Model.load(model)) {
            ModelConfig c = m.config();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("path", m.location().toAbsolutePath().toString());
            out.put("format", m.format().name());
            out.put("architecture", c.architecture());
            Map<String, Object> arch = new LinkedHashMap<>();
            arch.put("hidden_size", c.hiddenSize());
            arch.put("intermediate_size", c.intermediateSize());
            arch.put("layers", c.numLayers());
            arch.put("heads", c.numHeads());
            arch.put("kv_heads", c.numKvHeads());
            arch.put("head_dim", c.headDim());
            arch.put("vocab_size", c.vocabSize());
            arch.put("context", c.maxPositions());
            arch.put("rms_norm_eps", c.rmsNormEps());
            arch.put("rope_theta", c.ropeTheta());
            arch.put("rope_scaling", c.ropeScaling());
            arch.put("rope_style", c.ropeStyle().name());
            arch.put("rope_freq_factors", c.ropeFreqFactors() != null);
            arch.put("qkv_bias", c.attentionBias());
            arch.put("tied_embeddings", c.tieWordEmbeddings());
            arch.put("sliding_window", c.slidingWindow());
            arch.put("parameters", c.parameterCount());
            arch.put("neurons", (long) c.numLayers() * c.intermediateSize());
            out.put("config", arch);
            Map<String, Integer> types = new TreeMap<>();
            long bytes = 0;
            List<Map<String, Object>> list = new ArrayList<>();
            for (String name : m.source().names()) {
                Tensor t = m.source().tensor(name);
                types.merge(t.type().name(), 1, Integer::sum);
                bytes += t.byteSize();
                if (tensors) list.add(Map.of("name", name, "type", t.type().name(), "shape", t.shape()));
            }
            out.put("tensor_types", types);
            out.put("weight_bytes", bytes);
            out.put("kv_cache_bytes_per_token", 2L * c.numLayers() * c.kvDim() * 4);
            ModelExtras.describe(m, out);
            if (tensors) out.put("tensors", list);
            Json.print(spec.commandLine().getOut(), out, true);
        }
    }
}
