package neurosteer.toy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;

/**
 * The toy model shipped inside the toy jar (a Hugging Face Llama folder under
 * {@code neurosteer/toy/model/}). Checkpoint readers memory-map files, so {@link #materialize}
 * copies it to a real folder first.
 */
public final class BundledModel {
    public static final String RESOURCE_DIR = "neurosteer/toy/model/";
    public static final List<String> FILES = List.of(
            "config.json", "generation_config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json");

    private BundledModel() {}

    /** Whether the jar carries the model (every file present). */
    public static boolean available() {
        ClassLoader loader = BundledModel.class.getClassLoader();
        for (String f : FILES) if (loader.getResource(RESOURCE_DIR + f) == null) return false;
        return true;
    }

    /**
     * Copies the bundled folder into {@code dir} (created if needed; files already there with the
     * same bytes are left alone, any other file of that name is replaced, so a newer build never runs
     * an older cached model) and returns {@code dir}.
     */
    public static Path materialize(Path dir) throws IOException {
        if (!available()) throw new IOException("this build carries no bundled toy model (resources " + RESOURCE_DIR + " missing)");
        Files.createDirectories(dir);
        ClassLoader loader = BundledModel.class.getClassLoader();
        for (String f : FILES) {
            Path target = dir.resolve(f);
            var url = loader.getResource(RESOURCE_DIR + f);
            byte[] bundled;
            try (InputStream in = url.openStream()) {
                bundled = in.readAllBytes();
            }
            if (Files.exists(target) && Files.size(target) == bundled.length && Arrays.equals(Files.readAllBytes(target), bundled)) continue;
            Path tmp = Files.createTempFile(dir, f, ".tmp");
            Files.write(tmp, bundled);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return dir;
    }
}
