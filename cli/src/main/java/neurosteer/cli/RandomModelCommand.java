package neurosteer.cli;

import java.nio.file.Path;
import java.util.List;
import neurosteer.engine.format.gguf.GgufModelWriter;
import neurosteer.engine.template.ChatTemplate;
import neurosteer.engine.format.gguf.MatrixTypes;
import java.util.Map;
import neurosteer.engine.tokenizer.Tokenizer;
import neurosteer.engine.tokenizer.TokenizerFiles;
import neurosteer.engine.tokenizer.Tokenizers;
import neurosteer.engine.format.hf.HfCheckpointWriter;
import neurosteer.engine.format.safetensors.SafetensorsWriter;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.random.ModelShapes;
import neurosteer.engine.random.RandomWeights;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "random-model", description = "Write a random-weight checkpoint in the exact Hugging Face or GGUF layout.")
final class RandomModelCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", defaultValue = "llama", description = "llama, qwen2 or mistral (default ${DEFAULT-VALUE})")
    String arch;

    @Option(names = "--shape", defaultValue = "tiny", description = "tiny, small, llama-3.2-1b, llama-3.2-3b, llama-3.1-8b, mistral-7b, qwen2.5-0.5b, qwen2.5-1.5b, qwen2.5-math-1.5b, qwen2.5-7b (default ${DEFAULT-VALUE})")
    String shape;

    @Option(names = "--format", defaultValue = "hf", description = "hf or gguf (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--dtype", defaultValue = "f32", description = "hf: f32, f16, bf16; gguf: also q8_0, q4_0, q4_k, q6_k, and q4_k_m (llama.cpp's Q4_K/Q6_K mix) (default ${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--vocab", defaultValue = "0", description = "Vocabulary size (default: the real shape's, or 512 for the test shapes tiny, mini and small)")
    int vocab;

    @Option(names = "--seed", defaultValue = "0")
    long seed;

    @Option(names = "--tokenizer", description = "A folder with tokenizer.json (and tokenizer_config.json) to ship with the model; default: a small byte-level tokenizer written for it")
    Path tokenizer;

    @Parameters(index = "0", paramLabel = "OUT", description = "Output folder (hf) or file (gguf)")
    Path out;

    @Override
    public void run() {
        try {
            Path tokDir = java.nio.file.Files.createTempDirectory("neurosteer-tokenizer");
            Tokenizer tok;
            if (tokenizer != null) {
                for (String f : List.of("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "chat_template.jinja")) {
                    Path src = tokenizer.resolve(f);
                    if (java.nio.file.Files.isRegularFile(src)) java.nio.file.Files.copy(src, tokDir.resolve(f));
                }
                tok = Tokenizers.fromHuggingFace(tokDir);
            } else {
                int shapeVocab = ModelShapes.defaultVocab(shape);
                int v = vocab > 0 ? vocab : shapeVocab > 0 ? shapeVocab : 512;
                TokenizerFiles.writeSmallByteLevel(tokDir, v);
                tok = Tokenizers.fromHuggingFace(tokDir);
            }
            int v = Math.max(Math.max(vocab, tok.vocabSize()), ModelShapes.defaultVocab(shape));
            ModelConfig base = ModelShapes.config(arch, shape, v);
            List<Integer> eos = List.copyOf(new java.util.TreeSet<>(tok.eosIds()));
            ModelConfig config = new ModelConfig(base.architecture(), base.hiddenSize(), base.intermediateSize(), base.numLayers(), base.numHeads(),
                    base.numKvHeads(), base.headDim(), base.vocabSize(), base.maxPositions(), base.rmsNormEps(), base.ropeTheta(), base.ropeScaling(),
                    base.ropeFreqFactors(), base.ropeStyle(), base.attentionBias(), base.tieWordEmbeddings(), base.slidingWindow(),
                    tok.bosId().orElse(-1), eos);
            RandomWeights weights = new RandomWeights(config, seed);
            writeModel(config, weights, tokDir);
            spec.commandLine().getErr().printf("wrote %s %s model (%s, %,d parameters, vocabulary %d) to %s%n", arch, shape, dtype,
                    config.parameterCount(), config.vocabSize(), out);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void writeModel(ModelConfig config, RandomWeights weights, Path tokDir) throws java.io.IOException {
        {
            switch (format) {
                case "hf" -> {
                    SafetensorsWriter.DType dt = SafetensorsWriter.DType.parseWeight(dtype);
                    HfCheckpointWriter.write(out, config, weights::fill, dt, Map.of("neurosteer.random_seed", Long.toString(seed),
                            "neurosteer.shape", shape));
                    try (var files = java.nio.file.Files.list(tokDir)) {
                        for (Path f : files.toList()) java.nio.file.Files.copy(f, out.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                }
                case "gguf" -> {
                    MatrixTypes types = MatrixTypes.parse(dtype, config);
                    Path chat = tokDir.resolve("tokenizer_config.json");
                    ChatTemplate template = java.nio.file.Files.isRegularFile(chat) && java.nio.file.Files.readString(chat).contains("chat_template")
                            ? ChatTemplate.fromTokenizerConfig(chat) : null;
                    if (out.getParent() != null) java.nio.file.Files.createDirectories(out.getParent());
                    GgufModelWriter.write(out, config, weights::fill, types, tokDir, template,
                            Map.of("general.name", "random-" + arch + "-" + shape, "neurosteer.random_seed", Long.toString(seed)));
                }
                default -> throw new IllegalArgumentException("--format " + format + " is not supported (hf, gguf)");
            }
        }
    }
}
