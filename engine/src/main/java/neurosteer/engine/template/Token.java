package neurosteer.engine.template;

/** One lexical token of a template; {@code value} is the decoded literal for strings and numbers. */
record Token(Kind kind, String text, Object value, int line, int column) {
    enum Kind { DATA, BLOCK_BEGIN, BLOCK_END, VARIABLE_BEGIN, VARIABLE_END, NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF }

    boolean is(Kind k, String t) { return kind == k && text.equals(t); }
    boolean isOperator(String t) { return kind == Kind.OPERATOR && text.equals(t); }
    boolean isName(String t) { return kind == Kind.NAME && text.equals(t); }

    String describe() {
        return switch (kind) {
            case EOF -> "end of template";
            case DATA -> "template text";
            case STRING -> "string '" + text + "'";
            default -> "'" + text + "'";
        };
    }
}
