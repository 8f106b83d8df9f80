package neurosteer.grade;

import java.util.List;
import java.util.Set;

/** Expression tree produced by {@link LatexParser}. */
sealed interface Expr {

    /** A literal number; {@code decimal} marks literals written with a decimal point (approximations). */
    record Num(Rational value, boolean decimal) implements Expr {}

    record Var(String name) implements Expr {}

    enum Constant { PI, E, I, INFINITY }

    record Const(Constant which) implements Expr {}

    record Add(List<Expr> terms) implements Expr {}

    record Mul(List<Expr> factors) implements Expr {}

    record Div(Expr numerator, Expr denominator) implements Expr {}

    record Neg(Expr operand) implements Expr {}

    record Pow(Expr base, Expr exponent) implements Expr {}

    /** index-th root; index 2 for a square root. */
    record Root(Expr index, Expr radicand) implements Expr {}

    /** A named one-argument function: sin, cos, ln, abs, floor, ... */
    record Fn(String name, Expr argument) implements Expr {}

    record Log(Expr base, Expr argument) implements Expr {}

    record Binom(Expr n, Expr k) implements Expr {}

    record Factorial(Expr operand) implements Expr {}

    /** left ± right (left is null for a leading ±); {@code minusFirst} for ∓. */
    record PlusMinus(Expr left, Expr right, boolean minusFirst) implements Expr {}

    static int countPlusMinus(Expr e) {
        return switch (e) {
            case Num n -> 0;
            case Var v -> 0;
            case Const c -> 0;
            case Add a -> a.terms().stream().mapToInt(Expr::countPlusMinus).sum();
            case Mul m -> m.factors().stream().mapToInt(Expr::countPlusMinus).sum();
            case Div d -> countPlusMinus(d.numerator()) + countPlusMinus(d.denominator());
            case Neg n -> countPlusMinus(n.operand());
            case Pow p -> countPlusMinus(p.base()) + countPlusMinus(p.exponent());
            case Root r -> countPlusMinus(r.index()) + countPlusMinus(r.radicand());
            case Fn f -> countPlusMinus(f.argument());
            case Log l -> (l.base() == null ? 0 : countPlusMinus(l.base())) + countPlusMinus(l.argument());
            case Binom b -> countPlusMinus(b.n()) + countPlusMinus(b.k());
            case Factorial f -> countPlusMinus(f.operand());
            case PlusMinus pm -> 1 + (pm.left() == null ? 0 : countPlusMinus(pm.left())) + countPlusMinus(pm.right());
        };
    }

    static boolean hasDecimal(Expr e) {
        return switch (e) {
            case Num n -> n.decimal();
            case Var v -> false;
            case Const c -> false;
            case Add a -> a.terms().stream().anyMatch(Expr::hasDecimal);
            case Mul m -> m.factors().stream().anyMatch(Expr::hasDecimal);
            case Div d -> hasDecimal(d.numerator()) || hasDecimal(d.denominator());
            case Neg n -> hasDecimal(n.operand());
            case Pow p -> hasDecimal(p.base()) || hasDecimal(p.exponent());
            case Root r -> hasDecimal(r.index()) || hasDecimal(r.radicand());
            case Fn f -> hasDecimal(f.argument());
            case Log l -> (l.base() != null && hasDecimal(l.base())) || hasDecimal(l.argument());
            case Binom b -> hasDecimal(b.n()) || hasDecimal(b.k());
            case Factorial f -> hasDecimal(f.operand());
            case PlusMinus pm -> (pm.left() != null && hasDecimal(pm.left())) || hasDecimal(pm.right());
        };
    }

    static void collectVariables(Expr e, Set<String> into) {
        switch (e) {
            case Num n -> { }
            case Var v -> into.add(v.name());
            case Const c -> { }
            case Add a -> a.terms().forEach(t -> collectVariables(t, into));
            case Mul m -> m.factors().forEach(t -> collectVariables(t, into));
            case Div d -> { collectVariables(d.numerator(), into); collectVariables(d.denominator(), into); }
            case Neg n -> collectVariables(n.operand(), into);
            case Pow p -> { collectVariables(p.base(), into); collectVariables(p.exponent(), into); }
            case Root r -> { collectVariables(r.index(), into); collectVariables(r.radicand(), into); }
            case Fn f -> collectVariables(f.argument(), into);
            case Log l -> { if (l.base() != null) collectVariables(l.base(), into); collectVariables(l.argument(), into); }
            case Binom b -> { collectVariables(b.n(), into); collectVariables(b.k(), into); }
            case Factorial f -> collectVariables(f.operand(), into);
            case PlusMinus pm -> { if (pm.left() != null) collectVariables(pm.left(), into); collectVariables(pm.right(), into); }
        }
    }
}
