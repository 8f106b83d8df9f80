package neurosteer.grade;

import java.nio.file.Path;

/** A case file line that cannot be graded: names the file and the 1-based line number. */
public final class GradeInputException extends RuntimeException {

    private final Path file;
    private final long line;

    public GradeInputException(Path file, long line, String message) {
        super(file + " line " + line + ": " + message);
        this.file = file;
        this.line = line;
    }

    public Path file() { return file; }

    public long line() { return line; }
}
