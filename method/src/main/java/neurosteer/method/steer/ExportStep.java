package neurosteer.method.steer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.engine.format.WeightProvider;
import neurosteer.engine.format.gguf.GgufModelWriter;
import neurosteer.engine.format.gguf.GgufSource;
import neurosteer.engine.format.gguf.MatrixTypes;
import neurosteer.engine.format.hf.HfCheckpointWriter;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.model.ModelConfig;
import neurosteer.method.select.NeuronSet;

/**
 * Writes a steered model: the intervention folded into {@code down_proj}, as an ordinary Hugging
 * Face folder or GGUF file that any engine serves. Weights read from a llama-arch GGUF (Q/K rows in
 * llama.cpp's interleaved order) are put back in Hugging Face order first.
 */
public final class ExportStep {
    private ExportStep() {}

    public static void run(Model model, NeuronSet set, double alpha, String format, String dtype, Path out) throws IOException {
        set.checkFits(model.config().numLayers(), model.config().intermediateSize(), "neurons file");
        ModelConfig source = model.config();
        WeightProvider folded = huggingFaceOrder(source, new FoldedWeights(model.weights(), set, alpha));
        ModelConfig hfConfig = new ModelConfig(source.architecture(), source.hiddenSize(), source.intermediateSize(), source.numLayers(),
                source.numHeads(), source.numKvHeads(), source.headDim(), source.vocabSize(), source.maxPositions(), source.rmsNormEps(),
                source.ropeTheta(), source.ropeScaling(), source.ropeFreqFactors(), ModelConfig.RopeStyle.HALF, source.attentionBias(),
                source.tieWordEmbeddings(), source.slidingWindow(), source.bosTokenId(), source.eosTokenIds());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("neurosteer.source", model.location().toAbsolutePath().toString());
        meta.put("neurosteer.neurons", Integer.toString(set.size()));
        meta.put("neurosteer.method", set.method());
        meta.put("neurosteer.alpha", Double.toString(alpha));
        switch (format) {
            case "hf" -> {
                if (model.format() == Model.Format.GGUF)
                    throw new IllegalArgumentException(model.location() + ": a GGUF model carries no tokenizer.json; export it with --format gguf");
                if (source.ropeFreqFactors() != null)
                    throw new IllegalArgumentException("this model's rope_freqs cannot be written as a Hugging Face config; export with --format gguf");
                SafetensorsWriter.DType dt = SafetensorsWriter.DType.parseWeight(dtype == null ? "bf16" : dtype);
                HfCheckpointWriter.write(out, hfConfig, folded, dt, meta);
                for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja", "generation_config.json")) {
                    Path src = model.location().resolve(f);
                    if (Files.isRegularFile(src)) Files.copy(src, out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            case "gguf" -> {
                MatrixTypes types = MatrixTypes.parse(dtype == null ? "f16" : dtype, hfConfig);
                if (out.toAbsolutePath().getParent() != null) Files.createDirectories(out.toAbsolutePath().getParent());
                meta.put("general.name", "steered-" + model.location().getFileName());
                if (model.format() == Model.Format.GGUF) {
                    GgufModelWriter.write(out, hfConfig, folded, types, GgufModelWriter.tokenizerFrom(((GgufSource) model.source()).file()), meta);
                } else {
                    GgufModelWriter.write(out, hfConfig, folded, types, model.location(), model.hasChatTemplate() ? model.chatTemplate() : null, meta);
                }
            }
            default -> throw new IllegalArgumentException("--format " + format + " is not supported (hf, gguf)");
        }
    }

    /** Undoes llama.cpp's Q/K row interleaving so the provider speaks Hugging Face's layout. */
    static WeightProvider huggingFaceOrder(ModelConfig c, WeightProvider p) {
        if (c.ropeStyle() != ModelConfig.RopeStyle.INTERLEAVED) return p;
        return (name, rows, cols, rowStart, out) -> {
            boolean q = name.contains(".q_proj."), k = name.contains(".k_proj.");
            if (!q && !k) {
                p.fill(name, rows, cols, rowStart, out);
                return;
            }
            float[] all = new float[rows * cols];
            p.fill(name, rows, cols, 0, all);
            boolean vector = rows == 1;
            int units = vector ? cols : rows, width = vector ? 1 : cols, d = c.headDim(), half = d / 2;
            int first = vector ? 0 : rowStart, n = vector ? cols : out.length / cols;
            for (int r = 0; r < n; r++) {
                int hfRow = first + r, h = hfRow / d, within = hfRow % d;
                int ggufRow = h * d + 2 * (within % half) + within / half;
                if (ggufRow >= units) throw new IllegalStateException("row " + ggufRow + " outside " + name);
                System.arraycopy(all, ggufRow * width, out, r * width, width);
            }
        };
    }
}
