package neurosteer.engine.format.hf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a model id such as {@code meta-llama/Llama-3.2-1B-Instruct} in the local Hugging Face hub
 * cache ({@code HF_HUB_CACHE}, else {@code HF_HOME/hub}, else {@code ~/.cache/huggingface/hub}), laid
 * out as {@code models--ORG--NAME/snapshots/REV/}, so files Python tools downloaded are reused.
 */
public final class HfCache {
    private HfCache() {}

    public static Path hubDirectory(Map<String, String> env) {
        String hub = env.get("HF_HUB_CACHE");
        if (hub != null && !hub.isBlank()) return Path.of(hub);
        String home = env.get("HF_HOME");
        if (home != null && !home.isBlank()) return Path.of(home, "hub");
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) return Path.of(xdg, "huggingface", "hub");
        return Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub");
    }

    public static boolean looksLikeModelId(String ref) {
        return ref.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*(@[A-Za-z0-9._/-]+)?") && !Files.exists(Path.of(ref));
    }

    /** The snapshot folder of {@code modelId} (optionally {@code id@revision}), if cached. */
    public static Optional<Path> resolve(String modelId, Map<String, String> env) {
        String revision = "main";
        int at = modelId.indexOf('@');
        if (at >= 0) {
            revision = modelId.substring(at + 1);
            modelId = modelId.substring(0, at);
        }
        Path repo = hubDirectory(env).resolve("models--" + modelId.replace("/", "--"));
        Path snapshots = repo.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) return Optional.empty();
        try {
            Path ref = repo.resolve("refs").resolve(revision);
            if (Files.isRegularFile(ref)) {
                Path snap = snapshots.resolve(Files.readString(ref).trim());
                if (Files.isDirectory(snap)) return Optional.of(snap);
            }
            Path direct = snapshots.resolve(revision);
            if (Files.isDirectory(direct)) return Optional.of(direct);
            try (Stream<Path> s = Files.list(snapshots)) {
                return s.filter(Files::isDirectory).max(Comparator.comparing(p -> {
                    try {
                        return Files.getLastModifiedTime(p);
                    } catch (IOException e) {
                        return java.nio.file.attribute.FileTime.fromMillis(0);
                    }
                }));
            }
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
