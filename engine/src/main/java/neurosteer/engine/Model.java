package neurosteer.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.format.TensorNames;
import neurosteer.engine.format.TensorSource;
import neurosteer.engine.format.WeightsLoader;
import neurosteer.engine.format.hf.HfCache;
import neurosteer.engine.format.hf.HfConfig;
import neurosteer.engine.format.hf.SafetensorsSource;
import neurosteer.engine.model.ModelConfig;
import neurosteer.engine.model.ModelWeights;
import neurosteer.engine.model.Transformer;

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

    private Model(Path location, Format format, ModelConfig config, ModelWeights weights, TensorSource source) {
        this.location = location;
        this.format = format;
        this.config = config;
        this.weights = weights;
        this.source = source;
        this.transformer = new Transformer(config, weights);
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
        if (Files.isDirectory(path)) return loadHuggingFace(path);
        if (path.getFileName().toString().endsWith(".gguf") || isGguf(path)) return loadGguf(path);
        throw new CheckpointException(path, null, "not a Hugging Face folder (with config.json) or a GGUF file");
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
            return new Model(folder, Format.HUGGING_FACE, config, weights, source);
        } catch (RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private static Model loadGguf(Path file) {
        throw new CheckpointException(file, null, "GGUF loading is not available in this build");
    }

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
