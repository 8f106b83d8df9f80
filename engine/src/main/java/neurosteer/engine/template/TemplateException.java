package neurosteer.engine.template;

/**
 * A chat template failed to parse or render. {@link #line()} and {@link #column()} locate the problem in
 * the template source (1-based; 0 when unknown). {@link #raisedByTemplate()} is true when the template
 * itself called {@code raise_exception(message)}; then {@link #templateMessage()} is exactly that message.
 */
public final class TemplateException extends RuntimeException {
    private final String templateMessage;
    private final int line;
    private final int column;
    private final boolean raisedByTemplate;

    TemplateException(String message, int line, int column, boolean raisedByTemplate, Throwable cause) {
        super(describe(message, line, column, raisedByTemplate), cause);
        this.templateMessage = message;
        this.line = line;
        this.column = column;
        this.raisedByTemplate = raisedByTemplate;
    }

    public TemplateException(String message, int line, int column) {
        this(message, line, column, false, null);
    }

    public TemplateException(String message) {
        this(message, 0, 0, false, null);
    }

    public TemplateException(String message, Throwable cause) {
        this(message, 0, 0, false, cause);
    }

    static TemplateException raised(String message, int line) {
        return new TemplateException(message, line, 0, true, null);
    }

    /** Returns a copy located at {@code line} if this one carries no position yet. */
    TemplateException atLine(int newLine) {
        if (line > 0 || newLine <= 0) return this;
        return new TemplateException(templateMessage, newLine, 0, raisedByTemplate, getCause());
    }

    private static String describe(String message, int line, int column, boolean raised) {
        String where = line <= 0 ? "" : column <= 0 ? " (template line " + line + ")"
                : " (template line " + line + ", column " + column + ")";
        return (raised ? "chat template raised an exception: " : "") + message + where;
    }

    public String templateMessage() { return templateMessage; }
    public int line() { return line; }
    public int column() { return column; }
    public boolean raisedByTemplate() { return raisedByTemplate; }
}
