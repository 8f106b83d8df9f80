package neurosteer.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.format.TensorNames;
import neurosteer.engine.format.TensorSource;
import neurosteer.engine.format.WeightsLoader;
import neurosteer.engine.format.gguf.GgufConfig;
import neurosteer.engine.format.gguf.GgufFile;
import neurosteer.engine.format.gguf.GgufSource;
import neurosteer.engine.format.hf.HfCache;
import neurosteer.engine.format.hf.HfConfig;
import neurosteer.engine.format.hf.SafetensorsSource;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.model.ModelWeights;
import neurosteer.engine.model.Transformer;
import neurosteer.engine.template.ChatTemplate;
import neurosteer.engine.template.TemplateException;
import neurosteer.engine.tokenizer.Tokenizer;
import neurosteer.engine.tokenizer.Tokenizers;

/**
 * A checkpoint ready to run: a Hugging Face folder, a model id in the local hub cache, or a GGUF file.
 * Weights stay memory-mapped until {@link #close()}.
 */
public final class Model implements AutoCloseable {
    public enum Format { HUGGING_FACE, GGUF }

    private final Path location;
    private final Format format;
    private final ModelConfig config;
    private final ModelWeights weights;
    private final Transformer transformer;
    private final TensorSource source;
    private final Tokenizer tokenizer;
    private final ChatTemplate chatTemplate;

    private Model(Path location, Format format, ModelConfig config, ModelWeights weights, TensorSource source, Tokenizer tokenizer,
                  ChatTemplate chatTemplate) {
        this.location = location;
        this.format = format;
        this.config = config;
        this.weights = weights;
        this.source = source;
        this.tokenizer = tokenizer;
        this.chatTemplate = chatTemplate;
        this.transformer = new Transformer(config, weights);
        if (tokenizer != null && tokenizer.vocabSize() > config.vocabSize())
            throw new CheckpointException(location, "vocab_size", "the tokenizer has " + tokenizer.vocabSize()
                    + " tokens but the model's embedding has only " + config.vocabSize() + " rows");
    }

    /** Resolves {@code ref}: a folder, a {@code .gguf} file, or a Hugging Face model id found in the hub cache. */
    public static Path resolve(String ref) {
        Path p = Path.of(ref);
        if (Files.exists(p)) return p;
        if (HfCache.looksLikeModelId(ref)) {
            return HfCache.resolve(ref, System.getenv()).orElseThrow(() -> new CheckpointException(null, null,
                    "model '" + ref + "' is neither a path nor in the Hugging Face cache at " + HfCache.hubDirectory(System.getenv())
                            + " (download it there, or pass a folder or .gguf file)"));
        }
        throw new CheckpointException(p, null, "no such file or folder");
    }

    public static Model load(String ref) {
        return load(resolve(ref));
    }

    public static Model load(Path path) {
        Model model;
        if (Files.isDirectory(path)) model = loadHuggingFace(path);
        else if (path.getFileName().toString().endsWith(".gguf") || isGguf(path)) model = loadGguf(path);
        else throw new CheckpointException(path, null, "not a Hugging Face folder (with config.json) or a GGUF file");
        collectLoadingGarbage();
        return model;
    }

    /**
     * Loading leaves garbage the young collections promoted (a vocabulary read as strings, JSON trees): without a full
     * collection it stays in the old generation, and the first forward pass's buffers land above it, on pages never
     * touched before. Collected here, those buffers reuse its pages (docs/BENCHMARKS.md, thirty-eighth run).
     */
    private static void collectLoadingGarbage() {
        System.gc();
    }

    private static boolean isGguf(Path path) {
        try (var in = Files.newInputStream(path)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    private static Model loadHuggingFace(Path folder) {
        Path configJson = folder.resolve("config.json");
        if (!Files.isRegularFile(configJson)) throw new CheckpointException(folder, null, "no config.json: not a Hugging Face model folder");
        ModelConfig config = HfConfig.read(configJson);
        SafetensorsSource source = new SafetensorsSource(folder);
        try {
            ModelWeights weights = WeightsLoader.load(config, source, TensorNames.HUGGING_FACE);
            Tokenizer tokenizer = Files.isRegularFile(folder.resolve("tokenizer.json")) ? Tokenizers.fromHuggingFace(folder) : null;
            return new Model(folder, Format.HUGGING_FACE, config, weights, source, tokenizer, huggingFaceTemplate(folder));
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** {@code chat_template.jinja} if present (newer transformers), else {@code tokenizer_config.json}'s template. */
    static ChatTemplate huggingFaceTemplate(Path folder) {
        try {
            Path jinja = folder.resolve("chat_template.jinja");
            Path config = folder.resolve("tokenizer_config.json");
            ChatTemplate fromConfig = null;
            if (Files.isRegularFile(config) && Files.readString(config).contains("\"chat_template\"")) fromConfig = ChatTemplate.fromTokenizerConfig(config);
            if (Files.isRegularFile(jinja)) {
                ChatTemplate t = ChatTemplate.parse(Files.readString(jinja));
                return fromConfig == null ? t : t.withSpecialTokens(fromConfig.specialTokens());
            }
            return fromConfig;
        } catch (IOException e) {
            throw new CheckpointException(folder, "chat_template", "cannot read: " + e.getMessage(), e);
        } catch (TemplateException e) {
            throw new CheckpointException(folder, "chat_template", e.getMessage(), e);
        }
    }

    private static Model loadGguf(Path file) {
        GgufFile gguf = GgufFile.open(file);
        GgufSource source = new GgufSource(gguf);
        try {
            ModelConfig config = GgufConfig.read(gguf);
            ModelWeights weights = WeightsLoader.load(config, source, TensorNames.GGUF);
            Tokenizer tokenizer = gguf.has("tokenizer.ggml.tokens") ? Tokenizers.fromGguf(gguf.metadata(), file) : null;
            ChatTemplate template = null;
            if (gguf.has("tokenizer.chat_template")) {
                try {
                    template = ChatTemplate.parse(gguf.getString("tokenizer.chat_template"));
                } catch (TemplateException e) {
                    throw new CheckpointException(file, "tokenizer.chat_template", e.getMessage(), e);
                }
                if (tokenizer != null) {
                    java.util.Map<String, Object> special = new java.util.LinkedHashMap<>();
                    tokenizer.bosId().ifPresent(id -> special.put("bos_token", tokenizer.decode(new int[] {id}, false)));
                    if (gguf.has("tokenizer.ggml.eos_token_id"))
                        special.put("eos_token", tokenizer.decode(new int[] {gguf.getInt("tokenizer.ggml.eos_token_id")}, false));
                    template = template.withSpecialTokens(special);
                }
            }
            gguf.unloadPages();
            return new Model(file, Format.GGUF, config, weights, source, tokenizer, template);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** Just the tokenizer of a model folder (which may hold only the tokenizer files) or GGUF file. */
    public static Tokenizer loadTokenizer(String ref) {
        Path path = resolve(ref);
        if (Files.isDirectory(path)) {
            if (!Files.isRegularFile(path.resolve("tokenizer.json"))) throw new CheckpointException(path, "tokenizer.json", "file not found");
            return Tokenizers.fromHuggingFace(path);
        }
        try (GgufFile gguf = GgufFile.open(path)) {
            if (!gguf.has("tokenizer.ggml.tokens")) throw new CheckpointException(path, "tokenizer.ggml.tokens", "this GGUF file has no tokenizer");
            return Tokenizers.fromGguf(gguf.metadata(), path);
        }
    }

    /** Renders {@code messages} with the chat template and tokenizes the result as Hugging Face's apply_chat_template does. */
    public int[] encodeChat(java.util.List<? extends Map<String, ?>> messages, boolean addGenerationPrompt) {
        String text = chatTemplate().render(messages, addGenerationPrompt, Map.of());
        return tokenizer().encode(text, false);
    }

    /** The model's tokenizer, or an error naming what is missing. */
    public Tokenizer tokenizer() {
        if (tokenizer == null)
            throw new CheckpointException(location, format == Format.GGUF ? "tokenizer.ggml.tokens" : "tokenizer.json", "this model has no tokenizer");
        return tokenizer;
    }

    public boolean hasTokenizer() { return tokenizer != null; }

    /** The model's chat template, or an error naming what is missing. */
    public ChatTemplate chatTemplate() {
        if (chatTemplate == null)
            throw new CheckpointException(location, format == Format.GGUF ? "tokenizer.chat_template" : "chat_template",
                    "this model has no chat template");
        return chatTemplate;
    }

    public boolean hasChatTemplate() { return chatTemplate != null; }

    public Path location() { return location; }

    public Format format() { return format; }

    public ModelConfig config() { return config; }

    public ModelWeights weights() { return weights; }

    public Transformer transformer() { return transformer; }

    public TensorSource source() { return source; }

    /** Metadata describing this model for provenance records. */
    public Map<String, Object> describe() {
        return Map.of("path", location.toAbsolutePath().toString(), "format", format.name(), "architecture", config.architecture(),
                "parameters", config.parameterCount());
    }

    @Override
    public void close() {
        source.close();
    }
}
