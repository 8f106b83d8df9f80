package neurosteer.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import neurosteer.toy.BundledModel;
import neurosteer.toy.data.ToyDataGenerator;

/** The bundled default: the toy model and its data, unpacked into the user's cache on first use. */
final class Defaults {
    private Defaults() {}

    static Path cache() {
        String env = System.getenv("NEUROSTEER_CACHE");
        if (env != null && !env.isBlank()) return Path.of(env);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("neurosteer");
    }

    static String model(String given) {
        if (given != null) return given;
        try {
            return BundledModel.materialize(cache().resolve("toy-model")).toString();
        } catch (IOException e) {
            throw new IllegalArgumentException("no --model given and " + e.getMessage() + "; pass --model (a Hugging Face folder, model id or .gguf file)");
        }
    }

    /** The toy train/test split, generated (deterministically) on first use, one folder per generator version. */
    static Path toyData(String split) {
        Path dir = cache().resolve("toy-data").resolve("v" + ToyDataGenerator.VERSION);
        Path file = dir.resolve(split.equals("train") ? ToyDataGenerator.TRAIN_FILE : ToyDataGenerator.TEST_FILE);
        if (!Files.exists(file)) {
            try {
                ToyDataGenerator.Options d = ToyDataGenerator.Options.defaults(dir);
                // the study needs the problems only, not the training texts
                ToyDataGenerator.run(new ToyDataGenerator.Options(dir, d.seed(), d.trainPerCell(), d.testPerCell(), 0.0), msg -> {});
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the toy data to " + dir + ": " + e.getMessage(), e);
            }
        }
        return file;
    }

    static Path data(Path given, String split) {
        return given != null ? given : toyData(split);
    }
}
