package neurosteer.grade;

import java.math.BigInteger;
import java.util.Map;

/** Evaluates an {@link Expr} exactly (as a {@link Rational}) when possible, otherwise numerically. */
final class Evaluator {

    private final Deadline deadline;
    private long plusMinusMask;
    private int plusMinusIndex;

    Evaluator(Deadline deadline) { this.deadline = deadline; }

    /** The exact rational value, or null when the expression is not (provably) rational. */
    Rational exact(Expr e, long plusMinusMask) {
        this.plusMinusMask = plusMinusMask;
        this.plusMinusIndex = 0;
        try {
            return exact(e);
        } catch (ArithmeticException ex) {
            return null;
        }
    }

    Complex numeric(Expr e, Map<String, Complex> variables, long plusMinusMask) {
        this.plusMinusMask = plusMinusMask;
        this.plusMinusIndex = 0;
        return numeric(e, variables);
    }

    private boolean nextPlusMinusIsMinus(Expr.PlusMinus pm) {
        boolean bit = ((plusMinusMask >>> plusMinusIndex++) & 1) == 1;
        return bit != pm.minusFirst();
    }

    private Rational exact(Expr e) {
        deadline.check();
        switch (e) {
            case Expr.Num n -> { return n.value(); }
            case Expr.Var v -> { return null; }
            case Expr.Const c -> { return null; }
            case Expr.Add a -> {
                Rational sum = Rational.ZERO;
                for (Expr t : a.terms()) {
                    Rational r = exact(t);
                    if (r == null) return null;
                    sum = sum.add(r);
                    if (sum.bits() > Rational.MAX_BITS) return null;
                }
                return sum;
            }
            case Expr.Mul m -> {
                Rational product = Rational.ONE;
                for (Expr f : m.factors()) {
                    Rational r = exact(f);
                    if (r == null) return null;
                    product = product.multiply(r);
                    if (product.bits() > Rational.MAX_BITS) return null;
                }
                return product;
            }
            case Expr.Div d -> {
                Rational a = exact(d.numerator());
                if (a == null) return null;
                Rational b = exact(d.denominator());
                if (b == null || b.signum() == 0) return null;
                return a.divide(b);
            }
            case Expr.Neg n -> {
                Rational r = exact(n.operand());
                return r == null ? null : r.negate();
            }
            case Expr.Pow p -> {
                Rational base = exact(p.base());
                if (base == null) return null;
                Rational exponent = exact(p.exponent());
                if (exponent == null) return null;
                return rationalPower(base, exponent);
            }
            case Expr.Root r -> {
                Rational index = exact(r.index());
                if (index == null || !index.isInteger() || index.num().bitLength() > 7 || index.signum() <= 0) return null;
                Rational radicand = exact(r.radicand());
                return radicand == null ? null : radicand.root(index.num().intValue());
            }
            case Expr.Fn f -> {
                if (!f.name().equals("abs") && !f.name().equals("floor") && !f.name().equals("ceil")) return null;
                Rational r = exact(f.argument());
                if (r == null) return null;
                return switch (f.name()) {
                    case "abs" -> r.signum() < 0 ? r.negate() : r;
                    case "floor" -> Rational.of(floorDiv(r), BigInteger.ONE);
                    default -> Rational.of(floorDiv(r.negate()).negate(), BigInteger.ONE);
                };
            }
            case Expr.Log l -> { return null; }
            case Expr.Binom b -> {
                Rational n = exact(b.n()), k = exact(b.k());
                if (n == null || k == null || !n.isInteger() || !k.isInteger()) return null;
                if (n.num().bitLength() > 14 || k.num().bitLength() > 14) return null;
                return binomial(n.num().intValue(), k.num().intValue());
            }
            case Expr.Factorial f -> {
                Rational n = exact(f.operand());
                if (n == null || !n.isInteger() || n.signum() < 0 || n.num().bitLength() > 11) return null;
                BigInteger product = BigInteger.ONE;
                for (int i = 2; i <= n.num().intValue(); i++) product = product.multiply(BigInteger.valueOf(i));
                return Rational.of(product, BigInteger.ONE);
            }
            case Expr.PlusMinus pm -> {
                boolean minus = nextPlusMinusIsMinus(pm);
                Rational left = pm.left() == null ? Rational.ZERO : exact(pm.left());
                Rational right = exact(pm.right());
                if (left == null || right == null) return null;
                return minus ? left.subtract(right) : left.add(right);
            }
        }
    }

    private static BigInteger floorDiv(Rational r) {
        BigInteger[] qr = r.num().divideAndRemainder(r.den());
        return qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    }

    private static Rational binomial(int n, int k) {
        if (k < 0 || n < 0 || k > n) return Rational.ZERO;
        k = Math.min(k, n - k);
        BigInteger r = BigInteger.ONE;
        for (int i = 1; i <= k; i++) r = r.multiply(BigInteger.valueOf(n - k + i)).divide(BigInteger.valueOf(i));
        return Rational.of(r, BigInteger.ONE);
    }

    private static Rational rationalPower(Rational base, Rational exponent) {
        if (exponent.isInteger()) return base.pow(exponent.num());
        if (exponent.den().bitLength() > 7) return null;
        Rational root = base.root(exponent.den().intValue());
        return root == null ? null : root.pow(exponent.num());
    }

    /** Rational value of simple literal shapes (n, -n, a/b), without touching ± state. */
    private static Rational literal(Expr e) {
        return switch (e) {
            case Expr.Num n -> n.value();
            case Expr.Neg n -> { Rational r = literal(n.operand()); yield r == null ? null : r.negate(); }
            case Expr.Div d -> {
                Rational a = literal(d.numerator()), b = literal(d.denominator());
                yield a == null || b == null || b.signum() == 0 ? null : a.divide(b);
            }
            default -> null;
        };
    }

    private Complex numeric(Expr e, Map<String, Complex> variables) {
        deadline.check();
        switch (e) {
            case Expr.Num n -> { return Complex.real(n.value().toDouble()); }
            case Expr.Var v -> { return variables.getOrDefault(v.name(), Complex.NaN); }
            case Expr.Const c -> {
                return switch (c.which()) {
                    case PI -> Complex.real(Math.PI);
                    case E -> Complex.real(Math.E);
                    case I -> Complex.I;
                    case INFINITY -> Complex.real(Double.POSITIVE_INFINITY);
                };
            }
            case Expr.Add a -> {
                Complex sum = Complex.real(0);
                for (Expr t : a.terms()) sum = sum.add(numeric(t, variables));
                return sum;
            }
            case Expr.Mul m -> {
                Complex product = Complex.real(1);
                boolean infiniteFactor = false;
                for (Expr f : m.factors()) {
                    Complex x = numeric(f, variables);
                    infiniteFactor |= x.isInfinite();
                    product = product.multiply(x);
                }
                return infiniteFactor ? product : finite(product);
            }
            case Expr.Div d -> {
                Complex a = numeric(d.numerator(), variables);
                return a.isInfinite() ? a.divide(numeric(d.denominator(), variables))
                        : finite(a.divide(numeric(d.denominator(), variables)));
            }
            case Expr.Neg n -> { return numeric(n.operand(), variables).negate(); }
            case Expr.Pow p -> {
                Complex base = numeric(p.base(), variables);
                Rational q = literal(p.exponent());
                if (q != null && !q.isInteger() && q.den().testBit(0) && base.im() == 0 && base.re() < 0) {
                    double magnitude = Math.pow(-base.re(), q.toDouble());
                    return Complex.real(q.num().testBit(0) ? -magnitude : magnitude);
                }
                Complex exponent = numeric(p.exponent(), variables);
                Complex result = base.pow(exponent);
                return base.isInfinite() || exponent.isInfinite() ? result : finite(result);
            }
            case Expr.Root r -> {
                Complex index = numeric(r.index(), variables);
                Complex radicand = numeric(r.radicand(), variables);
                if (index.im() == 0 && index.re() == 2) return radicand.sqrt();
                if (index.im() == 0 && radicand.im() == 0 && radicand.re() < 0 && Math.rint(index.re()) == index.re()
                        && ((long) index.re()) % 2 != 0) {
                    return Complex.real(-Math.pow(-radicand.re(), 1 / index.re()));
                }
                return radicand.pow(Complex.real(1).divide(index));
            }
            case Expr.Fn f -> { return function(f.name(), numeric(f.argument(), variables)); }
            case Expr.Log l -> {
                Complex argument = numeric(l.argument(), variables).log();
                return l.base() == null ? argument : argument.divide(numeric(l.base(), variables).log());
            }
            case Expr.Binom b -> {
                Complex n = numeric(b.n(), variables), k = numeric(b.k(), variables);
                if (!n.isReal() || !k.isReal() || n.re() != Math.rint(n.re()) || k.re() != Math.rint(k.re())
                        || Math.abs(n.re()) > 10_000) return Complex.NaN;
                return Complex.real(binomial((int) n.re(), (int) k.re()).toDouble());
            }
            case Expr.Factorial f -> {
                Complex n = numeric(f.operand(), variables);
                if (!n.isReal() || n.re() < 0 || n.re() != Math.rint(n.re())) return Complex.NaN;
                double product = 1;
                for (int i = 2; i <= n.re() && product < Double.POSITIVE_INFINITY; i++) product *= i;
                return finite(Complex.real(product));
            }
            case Expr.PlusMinus pm -> {
                boolean minus = nextPlusMinusIsMinus(pm);
                Complex left = pm.left() == null ? Complex.real(0) : numeric(pm.left(), variables);
                Complex right = numeric(pm.right(), variables);
                return minus ? left.subtract(right) : left.add(right);
            }
        }
    }

    /** Overflow of finite operands is not a value: it must not compare equal to another overflow or to \\infty. */
    private static Complex finite(Complex x) {
        return x.isInfinite() ? Complex.NaN : x;
    }

    private static Complex function(String name, Complex x) {
        switch (name) {
            case "sin": return x.sin();
            case "cos": return x.cos();
            case "tan": return x.sin().divide(x.cos());
            case "cot": return x.cos().divide(x.sin());
            case "sec": return Complex.real(1).divide(x.cos());
            case "csc": return Complex.real(1).divide(x.sin());
            case "ln": return x.log();
            case "exp": return x.exp();
            case "abs": return Complex.real(x.abs());
            case "sinh": return x.exp().subtract(x.negate().exp()).divide(Complex.real(2));
            case "cosh": return x.exp().add(x.negate().exp()).divide(Complex.real(2));
            case "tanh": {
                Complex a = x.exp(), b = x.negate().exp();
                return a.subtract(b).divide(a.add(b));
            }
            default: break;
        }
        if (!x.isReal()) return Complex.NaN;
        double v = x.re();
        return Complex.real(switch (name) {
            case "arcsin" -> Math.asin(v);
            case "arccos" -> Math.acos(v);
            case "arctan" -> Math.atan(v);
            case "floor" -> Math.floor(v);
            case "ceil" -> Math.ceil(v);
            default -> Double.NaN;
        });
    }
}
