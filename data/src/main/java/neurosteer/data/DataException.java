package neurosteer.data;

import java.nio.file.Path;

/** Bad input in a problem set: names the file and the line, record or column at fault. */
public class DataException extends RuntimeException {
    private final Path file;
    private final String location;
    private final String reason;

    /**
     * @param file     the file (or folder) being read
     * @param location where in it, e.g. "12" for line 12, "row 7", "column 'problem'"; null when the whole file is at fault
     * @param reason   what is wrong
     */
    public DataException(Path file, String location, String reason) {
        this(file, location, reason, null);
    }

    public DataException(Path file, String location, String reason, Throwable cause) {
        super(format(file, location, reason), cause);
        this.file = file;
        this.location = location;
        this.reason = reason;
    }

    static String format(Path file, String location, String reason) {
        String where = file == null ? "" : file.toString();
        if (location != null && !location.isEmpty()) where = where.isEmpty() ? location : where + ":" + location;
        return where.isEmpty() ? reason : where + ": " + reason;
    }

    public Path file() { return file; }

    public String location() { return location; }

    public String reason() { return reason; }
}
