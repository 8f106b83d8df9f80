package neurosteer.cli;

import java.io.IOException;
import java.nio.file.NoSuchFileException;

/** Turns exceptions into the one-line messages users see. */
final class Errors {
    private Errors() {}

    static String describe(Throwable ex) {
        Throwable t = ex;
        while (t.getCause() != null && (t.getMessage() == null || t instanceof java.io.UncheckedIOException)) t = t.getCause();
        if (t instanceof NoSuchFileException nsf) return "file not found: " + nsf.getFile();
        if (t instanceof IOException io && io.getMessage() != null) return io.getMessage();
        String msg = t.getMessage();
        return msg != null ? msg : t.getClass().getSimpleName();
    }
}
