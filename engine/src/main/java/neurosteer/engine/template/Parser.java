package neurosteer.engine.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import neurosteer.engine.template.Node.Expr;
import neurosteer.engine.template.Token.Kind;

/** Recursive-descent parser following Jinja2's grammar and operator precedence. */
final class Parser {
    private static final Set<String> COMPARE_OPS = Set.of("==", "!=", "<", "<=", ">", ">=");

    private final List<Token> tokens;
    private int index;

    private Parser(List<Token> tokens) {
        this.tokens = tokens;
    }

    static List<Node> parse(String source) {
        Parser parser = new Parser(Lexer.tokenize(source));
        List<Node> body = parser.subparse(Set.of());
        if (parser.current().kind() != Kind.EOF) throw parser.error("unexpected " + parser.current().describe());
        return body;
    }

    private Token current() { return tokens.get(index); }
    private Token peek() { return tokens.get(Math.min(index + 1, tokens.size() - 1)); }
    private Token next() { return tokens.get(index++); }

    private TemplateException error(String message) {
        return error(message, current());
    }

    private static TemplateException error(String message, Token at) {
        return new TemplateException(message, at.line(), at.column());
    }

    private Token expectOperator(String op) {
        if (!current().isOperator(op)) throw error("expected '" + op + "' but found " + current().describe());
        return next();
    }

    private Token expectKind(Kind kind, String what) {
        if (current().kind() != kind) throw error("expected " + what + " but found " + current().describe());
        return next();
    }

    private String expectName() {
        return expectKind(Kind.NAME, "a name").text();
    }

    private void expectName(String name) {
        if (!current().isName(name)) throw error("expected '" + name + "' but found " + current().describe());
        next();
    }

    private boolean skipOperator(String op) {
        if (current().isOperator(op)) { index++; return true; }
        return false;
    }

    private boolean skipName(String name) {
        if (current().isName(name)) { index++; return true; }
        return false;
    }

    /** Parses nodes until a block tag whose name is in {@code endTags}; leaves the stream at that name. */
    private List<Node> subparse(Set<String> endTags) {
        List<Node> body = new ArrayList<>();
        while (true) {
            Token token = current();
            switch (token.kind()) {
                case EOF -> {
                    if (!endTags.isEmpty())
                        throw error("unexpected end of template, expected one of " + String.join(", ", endTags.stream().sorted().toList()));
                    return body;
                }
                case DATA -> { next(); body.add(new Node.Text(token.line(), token.text())); }
                case VARIABLE_BEGIN -> {
                    next();
                    Expr value = parseTuple(true, Set.of(), false);
                    expectKind(Kind.VARIABLE_END, "'}}'");
                    body.add(new Node.Print(token.line(), value));
                }
                case BLOCK_BEGIN -> {
                    next();
                    Token name = current();
                    if (name.kind() == Kind.NAME && endTags.contains(name.text())) return body;
                    body.add(parseStatement());
                }
                default -> throw error("unexpected " + token.describe());
            }
        }
    }

    private Node parseStatement() {
        Token tag = current();
        if (tag.kind() != Kind.NAME) throw error("expected a statement name after '{%' but found " + tag.describe());
        next();
        return switch (tag.text()) {
            case "if" -> parseIf(tag);
            case "for" -> parseFor(tag);
            case "set" -> parseSet(tag);
            case "macro" -> parseMacro(tag);
            case "call" -> parseCallBlock(tag);
            case "filter" -> parseFilterBlock(tag);
            case "generation" -> parseGeneration(tag);
            case "break" -> { expectKind(Kind.BLOCK_END, "'%}'"); yield new Node.Break(tag.line()); }
            case "continue" -> { expectKind(Kind.BLOCK_END, "'%}'"); yield new Node.Continue(tag.line()); }
            default -> throw error(tag.text().startsWith("end") || tag.text().equals("else") || tag.text().equals("elif")
                    ? "unexpected '" + tag.text() + "': no open block here ends with it" : "unknown statement '" + tag.text() + "'", tag);
        };
    }

    private Node parseGeneration(Token tag) {
        expectKind(Kind.BLOCK_END, "'%}'");
        List<Node> body = subparse(Set.of("endgeneration"));
        closeBlock();
        return new Node.If(tag.line(), List.of(new Expr.Literal(tag.line(), Boolean.TRUE)), List.of(body), List.of());
    }

    /** Consumes the end tag name the stream stopped at and the closing '%}'. */
    private void closeBlock() {
        next();
        expectKind(Kind.BLOCK_END, "'%}'");
    }

    private Node parseIf(Token tag) {
        List<Expr> conditions = new ArrayList<>();
        List<List<Node>> bodies = new ArrayList<>();
        conditions.add(parseTuple(false, Set.of(), false));
        expectKind(Kind.BLOCK_END, "'%}'");
        while (true) {
            bodies.add(subparse(Set.of("elif", "else", "endif")));
            String end = next().text();
            if (end.equals("elif")) {
                conditions.add(parseTuple(false, Set.of(), false));
                expectKind(Kind.BLOCK_END, "'%}'");
            } else if (end.equals("else")) {
                expectKind(Kind.BLOCK_END, "'%}'");
                List<Node> elseBody = subparse(Set.of("endif"));
                closeBlock();
                return new Node.If(tag.line(), conditions, bodies, elseBody);
            } else {
                expectKind(Kind.BLOCK_END, "'%}'");
                return new Node.If(tag.line(), conditions, bodies, List.of());
            }
        }
    }

    private Node parseFor(Token tag) {
        Expr target = parseAssignTarget(Set.of("in"), false);
        expectName("in");
        Expr iterable = parseTuple(false, Set.of("recursive"), false);
        Expr condition = skipName("if") ? parseExpression(true) : null;
        boolean recursive = skipName("recursive");
        expectKind(Kind.BLOCK_END, "'%}'");
        List<Node> body = subparse(Set.of("endfor", "else"));
        List<Node> elseBody = List.of();
        if (next().text().equals("else")) {
            expectKind(Kind.BLOCK_END, "'%}'");
            elseBody = subparse(Set.of("endfor"));
            next();
        }
        expectKind(Kind.BLOCK_END, "'%}'");
        return new Node.For(tag.line(), target, iterable, condition, body, elseBody, recursive);
    }

    private Node parseSet(Token tag) {
        Expr target = parseAssignTarget(Set.of(), true);
        if (skipOperator("=")) {
            Expr value = parseTuple(true, Set.of(), false);
            expectKind(Kind.BLOCK_END, "'%}'");
            return new Node.Set(tag.line(), target, value, null, List.of());
        }
        List<Expr.Filter> filters = new ArrayList<>();
        while (current().isOperator("|")) filters.add((Expr.Filter) parseFilter(null));
        expectKind(Kind.BLOCK_END, "'%}'");
        List<Node> body = subparse(Set.of("endset"));
        closeBlock();
        return new Node.Set(tag.line(), target, null, body, filters);
    }

    private Expr parseAssignTarget(Set<String> extraEnd, boolean withNamespace) {
        Token start = current();
        if (withNamespace && start.kind() == Kind.NAME && peek().isOperator(".")) {
            String name = next().text();
            next();
            String attr = expectName();
            return new Expr.Attribute(start.line(), new Expr.Name(start.line(), name), attr);
        }
        List<Expr> names = new ArrayList<>();
        boolean isTuple = false;
        boolean parenthesised = skipOperator("(");
        while (true) {
            if (!names.isEmpty()) {
                if (!skipOperator(",")) break;
                isTuple = true;
            }
            Token t = current();
            if (t.kind() != Kind.NAME || extraEnd.contains(t.text())) break;
            names.add(new Expr.Name(t.line(), next().text()));
        }
        if (parenthesised) expectOperator(")");
        if (names.isEmpty()) throw error("expected a variable name to assign to but found " + current().describe());
        return isTuple || parenthesised && names.size() > 1 ? new Expr.TupleLiteral(start.line(), names) : names.get(0);
    }

    private void parseSignature(List<String> params, List<Expr> defaults) {
        expectOperator("(");
        while (!current().isOperator(")")) {
            if (!params.isEmpty()) expectOperator(",");
            if (current().isOperator(")")) break;
            params.add(expectName());
            defaults.add(skipOperator("=") ? parseExpression(true) : null);
        }
        expectOperator(")");
    }

    private Node parseMacro(Token tag) {
        String name = expectName();
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        parseSignature(params, defaults);
        expectKind(Kind.BLOCK_END, "'%}'");
        List<Node> body = subparse(Set.of("endmacro"));
        closeBlock();
        return new Node.Macro(tag.line(), name, params, defaults, body);
    }

    private Node parseCallBlock(Token tag) {
        List<String> params = new ArrayList<>();
        List<Expr> defaults = new ArrayList<>();
        if (current().isOperator("(")) parseSignature(params, defaults);
        Expr call = parseExpression(true);
        if (!(call instanceof Expr.Call c)) throw error("expected a macro call after 'call'", tag);
        expectKind(Kind.BLOCK_END, "'%}'");
        List<Node> body = subparse(Set.of("endcall"));
        closeBlock();
        return new Node.CallBlock(tag.line(), c, params, defaults, body);
    }

    private Node parseFilterBlock(Token tag) {
        List<Expr.Filter> filters = new ArrayList<>();
        filters.add((Expr.Filter) parseFilterBody(null, tag));
        while (current().isOperator("|")) filters.add((Expr.Filter) parseFilter(null));
        expectKind(Kind.BLOCK_END, "'%}'");
        List<Node> body = subparse(Set.of("endfilter"));
        closeBlock();
        return new Node.FilterBlock(tag.line(), filters, body);
    }

    // ---------------------------------------------------------------- expressions

    private boolean isTupleEnd(Set<String> extraEnd) {
        Token t = current();
        return t.kind() == Kind.VARIABLE_END || t.kind() == Kind.BLOCK_END || t.isOperator(")")
                || t.kind() == Kind.EOF || (t.kind() == Kind.NAME && extraEnd.contains(t.text()));
    }

    private Expr parseTuple(boolean withCondExpr, Set<String> extraEnd, boolean explicitParentheses) {
        int line = current().line();
        List<Expr> items = new ArrayList<>();
        boolean isTuple = false;
        while (true) {
            if (!items.isEmpty()) expectOperator(",");
            if (isTupleEnd(extraEnd)) break;
            items.add(parseExpression(withCondExpr));
            if (current().isOperator(",")) isTuple = true;
            else break;
        }
        if (!isTuple) {
            if (!items.isEmpty()) return items.get(0);
            if (!explicitParentheses) throw error("expected an expression but found " + current().describe());
        }
        return new Expr.TupleLiteral(line, items);
    }

    Expr parseExpression(boolean withCondExpr) {
        return withCondExpr ? parseConditional() : parseOr();
    }

    private Expr parseConditional() {
        Expr expr = parseOr();
        while (current().isName("if")) {
            int line = next().line();
            Expr condition = parseOr();
            Expr otherwise = skipName("else") ? parseConditional() : null;
            expr = new Expr.Conditional(line, condition, expr, otherwise);
        }
        return expr;
    }

    private Expr parseOr() {
        Expr left = parseAnd();
        while (current().isName("or")) {
            int line = next().line();
            left = new Expr.Binary(line, "or", left, parseAnd());
        }
        return left;
    }

    private Expr parseAnd() {
        Expr left = parseNot();
        while (current().isName("and")) {
            int line = next().line();
            left = new Expr.Binary(line, "and", left, parseNot());
        }
        return left;
    }

    private Expr parseNot() {
        if (current().isName("not")) {
            int line = next().line();
            return new Expr.Unary(line, "not", parseNot());
        }
        return parseCompare();
    }

    private Expr parseCompare() {
        int line = current().line();
        Expr first = parseMath1();
        List<String> ops = new ArrayList<>();
        List<Expr> operands = new ArrayList<>();
        while (true) {
            Token t = current();
            if (t.kind() == Kind.OPERATOR && COMPARE_OPS.contains(t.text())) {
                next();
                ops.add(t.text());
            } else if (t.isName("in")) {
                next();
                ops.add("in");
            } else if (t.isName("not") && peek().isName("in")) {
                next();
                next();
                ops.add("not in");
            } else {
                break;
            }
            operands.add(parseMath1());
        }
        return ops.isEmpty() ? first : new Expr.Compare(line, first, ops, operands);
    }

    private Expr parseMath1() {
        Expr left = parseConcat();
        while (current().isOperator("+") || current().isOperator("-")) {
            Token op = next();
            left = new Expr.Binary(op.line(), op.text(), left, parseConcat());
        }
        return left;
    }

    private Expr parseConcat() {
        Expr left = parseMath2();
        while (current().isOperator("~")) {
            Token op = next();
            left = new Expr.Binary(op.line(), "~", left, parseMath2());
        }
        return left;
    }

    private Expr parseMath2() {
        Expr left = parsePow();
        while (current().kind() == Kind.OPERATOR && Set.of("*", "/", "//", "%").contains(current().text())) {
            Token op = next();
            left = new Expr.Binary(op.line(), op.text(), left, parsePow());
        }
        return left;
    }

    private Expr parsePow() {
        Expr left = parseUnary(true);
        while (current().isOperator("**")) {
            Token op = next();
            left = new Expr.Binary(op.line(), "**", left, parseUnary(true));
        }
        return left;
    }

    private Expr parseUnary(boolean withFilter) {
        Token t = current();
        Expr node;
        if (t.isOperator("-") || t.isOperator("+")) {
            next();
            node = new Expr.Unary(t.line(), t.text(), parseUnary(false));
        } else {
            node = parsePrimary();
        }
        node = parsePostfix(node);
        if (withFilter) node = parseFilterExpression(node);
        return node;
    }

    private Expr parsePrimary() {
        Token t = current();
        switch (t.kind()) {
            case NAME -> {
                next();
                return switch (t.text()) {
                    case "true", "True" -> new Expr.Literal(t.line(), Boolean.TRUE);
                    case "false", "False" -> new Expr.Literal(t.line(), Boolean.FALSE);
                    case "none", "None" -> new Expr.Literal(t.line(), null);
                    default -> new Expr.Name(t.line(), t.text());
                };
            }
            case STRING -> {
                StringBuilder sb = new StringBuilder();
                while (current().kind() == Kind.STRING) sb.append((String) next().value());
                return new Expr.Literal(t.line(), sb.toString());
            }
            case INTEGER, FLOAT -> {
                next();
                return new Expr.Literal(t.line(), t.value());
            }
            case OPERATOR -> {
                switch (t.text()) {
                    case "(" -> {
                        next();
                        Expr inner = parseTuple(true, Set.of(), true);
                        expectOperator(")");
                        return inner;
                    }
                    case "[" -> {
                        next();
                        List<Expr> items = new ArrayList<>();
                        while (!current().isOperator("]")) {
                            if (!items.isEmpty()) expectOperator(",");
                            if (current().isOperator("]")) break;
                            items.add(parseExpression(true));
                        }
                        expectOperator("]");
                        return new Expr.ListLiteral(t.line(), items);
                    }
                    case "{" -> {
                        next();
                        List<Expr> keys = new ArrayList<>();
                        List<Expr> values = new ArrayList<>();
                        while (!current().isOperator("}")) {
                            if (!keys.isEmpty()) expectOperator(",");
                            if (current().isOperator("}")) break;
                            keys.add(parseExpression(true));
                            expectOperator(":");
                            values.add(parseExpression(true));
                        }
                        expectOperator("}");
                        return new Expr.DictLiteral(t.line(), keys, values);
                    }
                    default -> { }
                }
            }
            default -> { }
        }
        throw error("unexpected " + t.describe() + " in expression");
    }

    private Expr parsePostfix(Expr node) {
        while (true) {
            Token t = current();
            if (t.isOperator(".")) {
                next();
                Token attr = current();
                if (attr.kind() == Kind.NAME) {
                    next();
                    node = new Expr.Attribute(t.line(), node, attr.text());
                } else if (attr.kind() == Kind.INTEGER) {
                    next();
                    node = new Expr.Item(t.line(), node, new Expr.Literal(t.line(), attr.value()));
                } else {
                    throw error("expected an attribute name after '.' but found " + attr.describe());
                }
            } else if (t.isOperator("[")) {
                next();
                node = parseSubscript(node, t);
            } else if (t.isOperator("(")) {
                node = parseCall(node);
            } else {
                return node;
            }
        }
    }

    private Expr parseSubscript(Expr object, Token open) {
        Expr start = null;
        Expr stop = null;
        Expr step = null;
        boolean slice = false;
        if (!current().isOperator(":")) start = parseExpression(true);
        if (skipOperator(":")) {
            slice = true;
            if (!current().isOperator("]") && !current().isOperator(":")) stop = parseExpression(true);
            if (skipOperator(":") && !current().isOperator("]")) step = parseExpression(true);
        } else if (current().isOperator(",")) {
            List<Expr> items = new ArrayList<>(List.of(start));
            while (skipOperator(",")) if (!current().isOperator("]")) items.add(parseExpression(true));
            start = new Expr.TupleLiteral(open.line(), items);
        }
        expectOperator("]");
        return slice ? new Expr.Slice(open.line(), object, start, stop, step) : new Expr.Item(open.line(), object, start);
    }

    private record Arguments(List<Expr> args, List<String> kwargNames, List<Expr> kwargValues) { }

    private Arguments parseArguments() {
        expectOperator("(");
        List<Expr> args = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Expr> values = new ArrayList<>();
        while (!current().isOperator(")")) {
            if (!args.isEmpty() || !names.isEmpty()) expectOperator(",");
            if (current().isOperator(")")) break;
            if (current().kind() == Kind.NAME && peek().isOperator("=")) {
                names.add(next().text());
                next();
                values.add(parseExpression(true));
            } else {
                if (!names.isEmpty()) throw error("positional argument after keyword argument");
                args.add(parseExpression(true));
            }
        }
        expectOperator(")");
        return new Arguments(args, names, values);
    }

    private Expr parseCall(Expr callee) {
        int line = current().line();
        Arguments a = parseArguments();
        return new Expr.Call(line, callee, a.args(), a.kwargNames(), a.kwargValues());
    }

    private Expr parseFilterExpression(Expr node) {
        while (true) {
            if (current().isOperator("|")) node = parseFilter(node);
            else if (current().isName("is")) node = parseTest(node);
            else if (current().isOperator("(")) node = parseCall(node);
            else return node;
        }
    }

    private Expr parseFilter(Expr operand) {
        Token bar = expectOperator("|");
        return parseFilterBody(operand, bar);
    }

    private Expr parseFilterBody(Expr operand, Token at) {
        StringBuilder name = new StringBuilder(expectName());
        while (current().isOperator(".")) {
            next();
            name.append('.').append(expectName());
        }
        if (current().isOperator("(")) {
            Arguments a = parseArguments();
            return new Expr.Filter(at.line(), operand, name.toString(), a.args(), a.kwargNames(), a.kwargValues());
        }
        return new Expr.Filter(at.line(), operand, name.toString(), List.of(), List.of(), List.of());
    }

    private Expr parseTest(Expr operand) {
        Token is = next();
        boolean negated = skipName("not");
        Token nameToken = current();
        if (nameToken.kind() != Kind.NAME) throw error("expected a test name after 'is' but found " + nameToken.describe());
        next();
        String name = nameToken.text();
        List<Expr> args = new ArrayList<>();
        Token t = current();
        if (t.isOperator("(")) {
            args.addAll(parseArguments().args());
        } else if ((t.kind() == Kind.NAME || t.kind() == Kind.STRING || t.kind() == Kind.INTEGER || t.kind() == Kind.FLOAT
                || t.isOperator("[") || t.isOperator("{")) && !t.isName("else") && !t.isName("or") && !t.isName("and")
                && !t.isName("if") && !t.isName("is") && !t.isName("in") && !t.isName("not")) {
            args.add(parsePostfix(parsePrimary()));
        }
        return new Expr.Test(is.line(), operand, name, args, negated);
    }
}
