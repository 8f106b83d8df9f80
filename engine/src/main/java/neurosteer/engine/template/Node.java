package neurosteer.engine.template;

import java.util.List;

/** The syntax tree of a template: statements render text, expressions compute values. */
sealed interface Node {
    int line();

    record Text(int line, String text) implements Node { }
    record Print(int line, Expr value) implements Node { }
    record If(int line, List<Expr> conditions, List<List<Node>> bodies, List<Node> elseBody) implements Node { }
    record For(int line, Expr target, Expr iterable, Expr condition, List<Node> body, List<Node> elseBody,
               boolean recursive) implements Node { }
    record Set(int line, Expr target, Expr value, List<Node> body, List<Expr.Filter> filters) implements Node { }
    record Macro(int line, String name, List<String> params, List<Expr> defaults, List<Node> body) implements Node { }
    record CallBlock(int line, Expr.Call call, List<String> params, List<Expr> defaults, List<Node> body) implements Node { }
    record FilterBlock(int line, List<Expr.Filter> filters, List<Node> body) implements Node { }
    record Break(int line) implements Node { }
    record Continue(int line) implements Node { }

    /** Expressions; filters in {@code FilterBlock} / {@code Set} use {@link Filter} with a null operand. */
    sealed interface Expr {
        int line();

        record Literal(int line, Object value) implements Expr { }
        record Name(int line, String name) implements Expr { }
        record ListLiteral(int line, List<Expr> items) implements Expr { }
        record TupleLiteral(int line, List<Expr> items) implements Expr { }
        record DictLiteral(int line, List<Expr> keys, List<Expr> values) implements Expr { }
        record Attribute(int line, Expr object, String name) implements Expr { }
        record Item(int line, Expr object, Expr key) implements Expr { }
        record Slice(int line, Expr object, Expr start, Expr stop, Expr step) implements Expr { }
        record Call(int line, Expr callee, List<Expr> args, List<String> kwargNames, List<Expr> kwargValues) implements Expr { }
        record Filter(int line, Expr operand, String name, List<Expr> args, List<String> kwargNames,
                      List<Expr> kwargValues) implements Expr { }
        record Test(int line, Expr operand, String name, List<Expr> args, boolean negated) implements Expr { }
        record Unary(int line, String op, Expr operand) implements Expr { }
        record Binary(int line, String op, Expr left, Expr right) implements Expr { }
        record Compare(int line, Expr first, List<String> ops, List<Expr> operands) implements Expr { }
        record Conditional(int line, Expr condition, Expr whenTrue, Expr whenFalse) implements Expr { }
    }
}
