package neurosteer.grade;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Recursive-descent parser from (normalised) LaTeX math to an {@link Expr} tree. */
final class LatexParser {

    /** The text is not a math expression this parser understands. */
    static final class ParseError extends RuntimeException {
        ParseError(String message) { super(message, null, false, false); }
    }

    private static final int MAX_DEPTH = 150;
    private static final Set<String> GREEK = Set.of("alpha", "beta", "gamma", "delta", "epsilon", "varepsilon",
            "zeta", "eta", "theta", "vartheta", "iota", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau",
            "upsilon", "phi", "varphi", "chi", "psi", "omega", "Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi",
            "Sigma", "Phi", "Psi", "Omega", "ell");
    private static final Set<String> FUNCTION_COMMANDS = Set.of("sin", "cos", "tan", "cot", "sec", "csc",
            "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "ln", "exp", "log");
    private static final Set<String> VALUE_COMMANDS = Set.of("frac", "dfrac", "tfrac", "cfrac", "sqrt", "binom",
            "dbinom", "tbinom", "pi", "infty", "lfloor", "lceil", "lvert", "vert", "operatorname", "text",
            "mathrm", "mathit", "mathbf", "textbf", "mbox", "left", "lbrace");

    private final String s;
    private final Deadline deadline;
    private int pos;
    private int depth;
    private int absDepth;

    private LatexParser(String s, Deadline deadline) {
        this.s = s;
        this.deadline = deadline;
    }

    static Expr parse(String text, Deadline deadline) {
        LatexParser p = new LatexParser(text, deadline);
        Expr e = p.expression();
        p.skipSpaces();
        if (p.pos != p.s.length()) throw new ParseError("unexpected '" + p.s.charAt(p.pos) + "' at " + p.pos);
        return e;
    }

    private void skipSpaces() {
        while (pos < s.length()) {
            char c = s.charAt(pos);
            if (Character.isWhitespace(c)) pos++;
            else if (c == '\\' && pos + 1 < s.length() && ",;:! ".indexOf(s.charAt(pos + 1)) >= 0) pos += 2;
            else if (s.startsWith("\\left", pos) && !isLetterAt(pos + 5)) pos += 5;
            else if (s.startsWith("\\right", pos) && !isLetterAt(pos + 6)) pos += 6;
            else break;
        }
    }

    private boolean isLetterAt(int i) { return i < s.length() && Character.isLetter(s.charAt(i)); }

    private char peek() {
        skipSpaces();
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void expect(char c) {
        if (peek() != c) throw new ParseError("expected '" + c + "' at " + pos);
        pos++;
    }

    /** The command name at pos (after the backslash) without consuming it, or "" if none. */
    private String peekCommand() {
        if (peek() != '\\') return "";
        int i = pos + 1;
        while (i < s.length() && Character.isLetter(s.charAt(i))) i++;
        if (i == pos + 1 && i < s.length()) return String.valueOf(s.charAt(i));
        return s.substring(pos + 1, i);
    }

    private String readCommand() {
        String name = peekCommand();
        pos += 1 + name.length();
        return name;
    }

    private Expr expression() {
        if (++depth > MAX_DEPTH) throw new ParseError("nested too deeply");
        deadline.check();
        List<Expr> terms = new ArrayList<>();
        String command = peekCommand();
        if (command.equals("pm") || command.equals("mp")) {
            readCommand();
            terms.add(new Expr.PlusMinus(null, term(), command.equals("mp")));
        } else {
            terms.add(term());
        }
        while (true) {
            char c = peek();
            if (c == '+') { pos++; terms.add(term()); }
            else if (c == '-' || c == '\u2212') { pos++; terms.add(new Expr.Neg(term())); }
            else if (c == '\u00b1' || peekCommand().equals("pm") || peekCommand().equals("mp")) {
                boolean minusFirst = c != '\u00b1' && peekCommand().equals("mp");
                if (c == '\u00b1') pos++; else readCommand();
                Expr left = terms.size() == 1 ? terms.getFirst() : new Expr.Add(terms);
                terms = new ArrayList<>();
                terms.add(new Expr.PlusMinus(left, term(), minusFirst));
            } else break;
        }
        depth--;
        return terms.size() == 1 ? terms.getFirst() : new Expr.Add(terms);
    }

    private Expr term() {
        List<Expr> factors = new ArrayList<>();
        factors.add(unary());
        while (true) {
            char c = peek();
            String command = peekCommand();
            if (c == '*' || c == '\u00d7' || c == '\u00b7' || command.equals("cdot") || command.equals("times")
                    || command.equals("ast")) {
                if (c == '\\') readCommand(); else pos++;
                factors.add(unary());
            } else if (c == '/' || c == '\u00f7' || command.equals("div")) {
                if (c == '\\') readCommand(); else pos++;
                Expr numerator = factors.size() == 1 ? factors.getFirst() : new Expr.Mul(factors);
                factors = new ArrayList<>();
                factors.add(new Expr.Div(numerator, unary()));
            } else if (startsPrimary()) {
                factors.add(power());
            } else break;
        }
        return factors.size() == 1 ? factors.getFirst() : new Expr.Mul(factors);
    }

    private Expr unary() {
        char c = peek();
        if (c == '-' || c == '\u2212') { pos++; return new Expr.Neg(unary()); }
        if (c == '+') { pos++; return unary(); }
        String command = peekCommand();
        if (command.equals("pm") || command.equals("mp")) {
            readCommand();
            return new Expr.PlusMinus(null, unary(), command.equals("mp"));
        }
        return power();
    }

    private boolean startsPrimary() {
        char c = peek();
        if (Character.isDigit(c) || Character.isLetter(c) && c < 128 || c == '(' || c == '{' || c == '\u03c0'
                || c == '\u221a' || c == '\u221e') return true;
        if (c == '.') return pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1));
        if (c == '|') return absDepth == 0;
        if (c == '\\') {
            String command = peekCommand();
            return VALUE_COMMANDS.contains(command) || FUNCTION_COMMANDS.contains(command) || GREEK.contains(command)
                    || (command.equals("|") && absDepth == 0);
        }
        return false;
    }

    private Expr power() {
        Expr base = postfix();
        if (peek() == '^') {
            pos++;
            Expr exponent = exponentArgument();
            base = new Expr.Pow(base, exponent);
            while (peek() == '!') { pos++; base = new Expr.Factorial(base); }
        }
        return base;
    }

    private Expr postfix() {
        Expr e = primary();
        while (peek() == '!' && !(pos + 1 < s.length() && s.charAt(pos + 1) == '=')) {
            pos++;
            e = new Expr.Factorial(e);
        }
        return e;
    }

    private Expr exponentArgument() {
        char c = peek();
        if (c == '-' || c == '\u2212') { pos++; return new Expr.Neg(exponentArgument()); }
        if (c == '+') { pos++; return exponentArgument(); }
        if (c == '{') return group();
        if (Character.isDigit(c)) return number();
        if (Character.isLetter(c)) return letter(true);
        return primary();
    }

    private Expr group() {
        expect('{');
        Expr e = expression();
        expect('}');
        return e;
    }

    /** A command argument: a braced group or a single token, as in \frac12 or \sqrt2. */
    private Expr argument() {
        char c = peek();
        if (c == '{') return group();
        if (Character.isDigit(c)) {
            pos++;
            return new Expr.Num(Rational.of(c - '0'), false);
        }
        if (Character.isLetter(c)) return letter(true);
        if (c == '\\') return primary();
        throw new ParseError("missing argument at " + pos);
    }

    private Expr number() {
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        boolean decimal = false;
        if (pos + 1 < s.length() && s.charAt(pos) == '.' && Character.isDigit(s.charAt(pos + 1))) {
            decimal = true;
            pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        }
        if (pos - start > 5000) throw new ParseError("number too long");
        return new Expr.Num(Rational.parseDecimal(s.substring(start, pos)), decimal);
    }

    private Expr primary() {
        deadline.check();
        char c = peek();
        if (Character.isDigit(c) || c == '.') {
            Expr.Num n = (Expr.Num) number();
            return n.decimal() ? n : mixedNumber(n);
        }
        if (c == '(' || c == '[') {
            pos++;
            Expr e = expression();
            char close = peek();
            if (close != ')' && close != ']') throw new ParseError("unbalanced bracket at " + pos);
            pos++;
            return e;
        }
        if (c == '{') return group();
        if (c == '|') {
            pos++;
            absDepth++;
            Expr e = expression();
            absDepth--;
            expect('|');
            return new Expr.Fn("abs", e);
        }
        if (c == '\u03c0') { pos++; return new Expr.Const(Expr.Constant.PI); }
        if (c == '\u221e') { pos++; return new Expr.Const(Expr.Constant.INFINITY); }
        if (c == '\u221a') { pos++; return new Expr.Root(new Expr.Num(Rational.of(2), false), argument()); }
        if (c == '\\') return command();
        if (Character.isLetter(c) && c < 128) return letter(false);
        throw new ParseError(c == '\0' ? "unexpected end" : "unexpected '" + c + "' at " + pos);
    }

    /** "2\frac{1}{2}" is the mixed number 2 + 1/2 when both parts are integer literals. */
    private Expr mixedNumber(Expr.Num whole) {
        if (!whole.value().isInteger()) return whole;
        int save = pos;
        String command = peekCommand();
        if (command.equals("frac") || command.equals("dfrac") || command.equals("tfrac")) {
            readCommand();
            try {
                Expr a = argument(), b = argument();
                if (a instanceof Expr.Num na && !na.decimal() && b instanceof Expr.Num nb && !nb.decimal()
                        && nb.value().signum() > 0 && na.value().compareTo(nb.value()) < 0) {
                    return new Expr.Add(List.of(whole, new Expr.Div(a, b)));
                }
            } catch (ParseError ignored) {
                // not a mixed number; re-read as a product
            }
        }
        pos = save;
        return whole;
    }

    private int letterRun() {
        int i = pos;
        while (i < s.length() && s.charAt(i) < 128 && Character.isLetter(s.charAt(i))) i++;
        return i - pos;
    }

    private Expr letter(boolean single) {
        int run = letterRun();
        if (!single && run >= 2) {
            String word = s.substring(pos, pos + run);
            for (String name : List.of("arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "sin", "cos", "tan",
                    "cot", "sec", "csc", "sqrt", "log", "ln", "exp", "pi", "infty", "infinity", "inf")) {
                if (word.startsWith(name) && (run == name.length() || !name.equals("pi") && !name.equals("ln"))) {
                    pos += name.length();
                    return named(name);
                }
            }
            if (run >= 3) throw new ParseError("word '" + word + "'");
        }
        char c = s.charAt(pos++);
        String subscript = subscript();
        if (subscript == null && c == 'e') return new Expr.Const(Expr.Constant.E);
        if (subscript == null && c == 'i') return new Expr.Const(Expr.Constant.I);
        return new Expr.Var(subscript == null ? String.valueOf(c) : c + "_" + subscript);
    }

    private String subscript() {
        if (pos >= s.length() || s.charAt(pos) != '_') return null;
        pos++;
        skipSpaces();
        if (pos >= s.length()) throw new ParseError("empty subscript");
        if (s.charAt(pos) == '{') {
            int close = matchingBrace(pos);
            String text = s.substring(pos + 1, close).replaceAll("\\s+", "");
            pos = close + 1;
            return text;
        }
        if (s.charAt(pos) == '\\') return readCommand();
        return String.valueOf(s.charAt(pos++));
    }

    private int matchingBrace(int open) {
        int level = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') { i++; continue; }
            if (c == '{') level++;
            else if (c == '}' && --level == 0) return i;
        }
        throw new ParseError("unbalanced braces");
    }

    private Expr named(String name) {
        return switch (name) {
            case "pi" -> new Expr.Const(Expr.Constant.PI);
            case "infty", "infinity", "inf" -> new Expr.Const(Expr.Constant.INFINITY);
            case "sqrt" -> new Expr.Root(new Expr.Num(Rational.of(2), false), argument());
            default -> function(name);
        };
    }

    private Expr command() {
        String name = readCommand();
        switch (name) {
            case "frac", "dfrac", "tfrac", "cfrac": {
                Expr a = argument();
                return new Expr.Div(a, argument());
            }
            case "sqrt": {
                Expr index = new Expr.Num(Rational.of(2), false);
                if (peek() == '[') {
                    pos++;
                    index = expression();
                    expect(']');
                }
                return new Expr.Root(index, argument());
            }
            case "binom", "dbinom", "tbinom": {
                Expr n = argument();
                return new Expr.Binom(n, argument());
            }
            case "pi": return new Expr.Const(Expr.Constant.PI);
            case "infty": return new Expr.Const(Expr.Constant.INFINITY);
            case "lfloor", "lceil": {
                Expr e = expression();
                String close = readCommand();
                if (!close.equals(name.equals("lfloor") ? "rfloor" : "rceil")) throw new ParseError("unclosed " + name);
                return new Expr.Fn(name.equals("lfloor") ? "floor" : "ceil", e);
            }
            case "lvert", "vert", "|": {
                absDepth++;
                Expr e = expression();
                absDepth--;
                String close = readCommand();
                if (!close.equals("rvert") && !close.equals("vert") && !close.equals("|")) throw new ParseError("unclosed |");
                return new Expr.Fn("abs", e);
            }
            case "operatorname": {
                expect('{');
                int close = matchingBrace(pos - 1);
                String fn = s.substring(pos, close).trim();
                pos = close + 1;
                if (!FUNCTION_COMMANDS.contains(fn)) throw new ParseError("unknown operator " + fn);
                return function(fn);
            }
            case "text", "mathrm", "mathit", "mathbf", "textbf", "mbox": return group();
            case "left": return primary();
            default: break;
        }
        if (GREEK.contains(name)) {
            String subscript = subscript();
            return new Expr.Var(subscript == null ? name : name + "_" + subscript);
        }
        if (FUNCTION_COMMANDS.contains(name)) return function(name);
        throw new ParseError("unsupported \\" + name);
    }

    /** sin x, \sin^2 x, \log_2 8, \ln(x+1). */
    private Expr function(String name) {
        Expr exponent = null;
        Expr base = null;
        if (name.equals("log") && peek() == '_') {
            pos++;
            base = argument();
        }
        if (peek() == '^') {
            pos++;
            exponent = exponentArgument();
        }
        if (name.equals("log") && base == null && peek() == '_') {
            pos++;
            base = argument();
        }
        Expr argument;
        char c = peek();
        if (c == '(' || c == '{' || c == '[') {
            argument = primary();
        } else {
            List<Expr> factors = new ArrayList<>();
            factors.add(power());
            while (startsPrimary() && !FUNCTION_COMMANDS.contains(peekCommand()) && peek() != '(') factors.add(power());
            argument = factors.size() == 1 ? factors.getFirst() : new Expr.Mul(factors);
        }
        Expr applied = switch (name) {
            case "log" -> new Expr.Log(base, argument);
            default -> new Expr.Fn(name, argument);
        };
        if (exponent != null) {
            if (exponent instanceof Expr.Neg n && n.operand() instanceof Expr.Num one && one.value().equals(Rational.ONE)) {
                return new Expr.Fn("arc" + name, argument);
            }
            return new Expr.Pow(applied, exponent);
        }
        return applied;
    }
}
