package neurosteer.engine.format;

import java.nio.file.Path;

/** A checkpoint file that cannot be used, with the file and the tensor or key that is wrong. */
public class CheckpointException extends RuntimeException {
    private final Path file;
    private final String key;

    public CheckpointException(Path file, String key, String message) {
        this(file, key, message, null);
    }

    public CheckpointException(Path file, String key, String message, Throwable cause) {
        super(format(file, key, message), cause);
        this.file = file;
        this.key = key;
    }

    private static String format(Path file, String key, String message) {
        StringBuilder sb = new StringBuilder();
        if (file != null) sb.append(file);
        if (key != null) sb.append(sb.isEmpty() ? "" : ": ").append('\'').append(key).append('\'');
        if (!sb.isEmpty()) sb.append(": ");
        return sb.append(message).toString();
    }

    public Path file() { return file; }

    public String key() { return key; }
}
