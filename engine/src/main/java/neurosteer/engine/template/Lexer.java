package neurosteer.engine.template;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import neurosteer.engine.template.Token.Kind;

/**
 * Splits a template into tokens the way Jinja2 does with {@code trim_blocks=True, lstrip_blocks=True}
 * and {@code keep_trailing_newline=False}: newlines are normalised to {@code \n}, one trailing newline
 * is dropped, {@code -} / {@code +} whitespace modifiers are honoured and {@code raw} blocks are copied verbatim.
 */
final class Lexer {
    private static final String[] OPERATORS = {
        "**", "//", "==", "!=", ">=", "<=", "+", "-", "*", "/", "%", "~", "[", "]", "(", ")", "{", "}",
        ">", "<", "=", ".", ":", "|", ",", ";"
    };
    private static final Pattern RAW_BEGIN = Pattern.compile("\\G\\s*raw\\s*(-?)%}");
    private static final Pattern RAW_END = Pattern.compile("\\{%([-+]?)\\s*endraw\\s*(?:(\\+)%}|(-)%}|%})");

    private final String src;
    private final int[] lineStarts;
    private final List<Token> tokens = new ArrayList<>();
    private int pos;
    private boolean lineStarting = true;

    private Lexer(String source) {
        String s = source.replace("\r\n", "\n").replace('\r', '\n');
        if (s.endsWith("\n")) s = s.substring(0, s.length() - 1);
        this.src = s;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < s.length(); i++) if (s.charAt(i) == '\n') starts.add(i + 1);
        this.lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    static List<Token> tokenize(String source) {
        Lexer lexer = new Lexer(source);
        lexer.run();
        return lexer.tokens;
    }

    private int lineOf(int offset) {
        int i = Arrays.binarySearch(lineStarts, offset);
        return (i >= 0 ? i : -i - 2) + 1;
    }

    private int columnOf(int offset) {
        return offset - lineStarts[lineOf(offset) - 1] + 1;
    }

    private TemplateException error(String message, int offset) {
        return new TemplateException(message, lineOf(offset), columnOf(offset));
    }

    private void add(Kind kind, String text, Object value, int offset) {
        tokens.add(new Token(kind, text, value, lineOf(offset), columnOf(offset)));
    }

    private void run() {
        while (pos < src.length()) {
            int tagStart = nextTagStart(pos);
            String text = src.substring(pos, tagStart < 0 ? src.length() : tagStart);
            if (tagStart < 0) {
                if (!text.isEmpty()) add(Kind.DATA, text, text, pos);
                pos = src.length();
                break;
            }
            char kindChar = src.charAt(tagStart + 1);
            char sign = tagStart + 2 < src.length() ? src.charAt(tagStart + 2) : ' ';
            boolean hasSign = sign == '-' || sign == '+';
            text = applyLeftWhitespaceControl(text, hasSign ? sign : ' ', kindChar != '{');
            if (!text.isEmpty()) add(Kind.DATA, text, text, pos);
            int inner = tagStart + 2 + (hasSign ? 1 : 0);
            switch (kindChar) {
                case '#' -> lexComment(tagStart, inner);
                case '%' -> {
                    Matcher raw = RAW_BEGIN.matcher(src);
                    if (raw.find(inner) && raw.start() == inner) lexRaw(raw);
                    else lexTag(tagStart, inner, Kind.BLOCK_BEGIN, Kind.BLOCK_END, "%}");
                }
                default -> lexTag(tagStart, inner, Kind.VARIABLE_BEGIN, Kind.VARIABLE_END, "}}");
            }
        }
        add(Kind.EOF, "", null, src.length());
    }

    private int nextTagStart(int from) {
        for (int i = src.indexOf('{', from); i >= 0 && i + 1 < src.length(); i = src.indexOf('{', i + 1)) {
            char c = src.charAt(i + 1);
            if (c == '{' || c == '%' || c == '#') return i;
        }
        return -1;
    }

    private String applyLeftWhitespaceControl(String text, char sign, boolean isBlockOrComment) {
        if (sign == '-') return rstripWhitespace(text);
        if (sign != '+' && isBlockOrComment) {
            int lineStart = text.lastIndexOf('\n') + 1;
            if ((lineStart > 0 || lineStarting) && isBlank(text, lineStart)) return text.substring(0, lineStart);
        }
        return text;
    }

    private static String rstripWhitespace(String s) {
        int end = s.length();
        while (end > 0 && isPythonWhitespace(s.charAt(end - 1))) end--;
        return s.substring(0, end);
    }

    private static boolean isBlank(String s, int from) {
        for (int i = from; i < s.length(); i++) if (!isPythonWhitespace(s.charAt(i))) return false;
        return true;
    }

    static boolean isPythonWhitespace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\u000b' || c == '\f'
                || (c >= '\u001c' && c <= '\u001f') || c == '\u0085' || Character.isSpaceChar(c);
    }

    private void skipWhitespace() {
        while (pos < src.length() && isPythonWhitespace(src.charAt(pos))) pos++;
    }

    /** Consumes the text after a closing tag as trim_blocks / '-' require and records whether a line starts. */
    private void afterTagEnd(boolean stripAll, boolean trimNewline) {
        int before = pos;
        if (stripAll) skipWhitespace();
        else if (trimNewline && pos < src.length() && src.charAt(pos) == '\n') pos++;
        lineStarting = pos > before && src.charAt(pos - 1) == '\n';
    }

    private void lexComment(int tagStart, int inner) {
        int end = src.indexOf("#}", inner);
        if (end < 0) throw error("unclosed comment: '{#' has no matching '#}'", tagStart);
        char before = end > inner ? src.charAt(end - 1) : ' ';
        pos = end + 2;
        afterTagEnd(before == '-', before != '+');
    }

    private void lexRaw(Matcher rawBegin) {
        pos = rawBegin.end();
        if (!rawBegin.group(1).isEmpty()) skipWhitespace();
        Matcher end = RAW_END.matcher(src);
        if (!end.find(pos)) throw error("unclosed raw block: '{% raw %}' has no matching '{% endraw %}'", pos);
        String text = applyLeftWhitespaceControl(src.substring(pos, end.start()),
                end.group(1).isEmpty() ? ' ' : end.group(1).charAt(0), true);
        if (!text.isEmpty()) add(Kind.DATA, text, text, pos);
        pos = end.end();
        afterTagEnd(end.group(3) != null, end.group(2) == null);
    }

    private void lexTag(int tagStart, int inner, Kind begin, Kind endKind, String closer) {
        add(begin, src.substring(tagStart, tagStart + 2), null, tagStart);
        pos = inner;
        int depth = 0;
        while (true) {
            skipWhitespace();
            if (pos >= src.length()) throw error("unclosed tag: expected '" + closer + "'", tagStart);
            if (depth == 0) {
                if (src.startsWith("-" + closer, pos)) {
                    add(endKind, closer, null, pos);
                    pos += 3;
                    afterTagEnd(true, false);
                    return;
                }
                if (src.startsWith("+" + closer, pos) && endKind == Kind.BLOCK_END) {
                    add(endKind, closer, null, pos);
                    pos += 3;
                    lineStarting = false;
                    return;
                }
                if (src.startsWith(closer, pos)) {
                    add(endKind, closer, null, pos);
                    pos += 2;
                    afterTagEnd(false, endKind == Kind.BLOCK_END);
                    return;
                }
            }
            char c = src.charAt(pos);
            if (c == '\'' || c == '"') {
                lexString(c);
            } else if (Character.isDigit(c)) {
                lexNumber();
            } else if (Character.isLetter(c) || c == '_') {
                int start = pos;
                while (pos < src.length() && (Character.isLetterOrDigit(src.charAt(pos)) || src.charAt(pos) == '_')) pos++;
                add(Kind.NAME, src.substring(start, pos), null, start);
            } else {
                String op = null;
                for (String candidate : OPERATORS) {
                    if (src.startsWith(candidate, pos)) { op = candidate; break; }
                }
                if (op == null) throw error("unexpected character '" + c + "'", pos);
                if (op.equals("(") || op.equals("[") || op.equals("{")) depth++;
                if (op.equals(")") || op.equals("]") || op.equals("}")) {
                    if (depth == 0) throw error("unexpected '" + op + "'", pos);
                    depth--;
                }
                add(Kind.OPERATOR, op, null, pos);
                pos += op.length();
            }
            lineStarting = false;
        }
    }

    private void lexNumber() {
        int start = pos;
        boolean isFloat = false;
        digits();
        boolean afterDot = start > 0 && src.charAt(start - 1) == '.';
        if (!afterDot && pos + 1 < src.length() && src.charAt(pos) == '.' && Character.isDigit(src.charAt(pos + 1))) {
            pos++;
            digits();
            isFloat = true;
        }
        if (!afterDot && pos < src.length() && (src.charAt(pos) == 'e' || src.charAt(pos) == 'E')) {
            int save = pos;
            pos++;
            if (pos < src.length() && (src.charAt(pos) == '+' || src.charAt(pos) == '-')) pos++;
            if (pos < src.length() && Character.isDigit(src.charAt(pos))) {
                digits();
                isFloat = true;
            } else {
                pos = save;
            }
        }
        String text = src.substring(start, pos);
        String clean = text.replace("_", "");
        if (isFloat) add(Kind.FLOAT, text, Double.parseDouble(clean), start);
        else add(Kind.INTEGER, text, Long.parseLong(clean), start);
    }

    private void digits() {
        while (pos < src.length() && (Character.isDigit(src.charAt(pos))
                || (src.charAt(pos) == '_' && pos + 1 < src.length() && Character.isDigit(src.charAt(pos + 1))))) pos++;
    }

    private void lexString(char quote) {
        int start = pos;
        pos++;
        StringBuilder raw = new StringBuilder();
        while (true) {
            if (pos >= src.length()) throw error("unterminated string literal", start);
            char c = src.charAt(pos);
            if (c == '\\' && pos + 1 < src.length()) {
                raw.append(c).append(src.charAt(pos + 1));
                pos += 2;
                continue;
            }
            pos++;
            if (c == quote) break;
            raw.append(c);
        }
        add(Kind.STRING, src.substring(start, pos), unescape(raw.toString(), start), start);
    }

    /** Python's "unicode-escape" decoding as Jinja2 applies it: unknown escapes stay as written. */
    private String unescape(String s, int offset) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\\' || i + 1 >= s.length()) { out.append(c); continue; }
            char e = s.charAt(++i);
            switch (e) {
                case '\n' -> { }
                case '\\' -> out.append('\\');
                case '\'' -> out.append('\'');
                case '"' -> out.append('"');
                case 'a' -> out.append('\u0007');
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'v' -> out.append('\u000b');
                case 'x', 'u', 'U' -> {
                    int len = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                    String hex = s.substring(i + 1, Math.min(s.length(), i + 1 + len));
                    if (hex.length() != len || !hex.chars().allMatch(ch -> Character.digit(ch, 16) >= 0))
                        throw error("truncated \\" + e + " escape in string literal", offset);
                    out.appendCodePoint(Integer.parseInt(hex, 16));
                    i += len;
                }
                default -> {
                    if (e >= '0' && e <= '7') {
                        int end = i;
                        while (end < s.length() && end < i + 3 && s.charAt(end) >= '0' && s.charAt(end) <= '7') end++;
                        out.append((char) Integer.parseInt(s.substring(i, end), 8));
                        i = end - 1;
                    } else {
                        out.append('\\').append(e);
                    }
                }
            }
        }
        return out.toString();
    }
}
