package neurosteer.grade;

import java.math.BigDecimal;
import java.math.BigInteger;

/** An exact fraction num/den with den > 0 and gcd(num, den) = 1. */
record Rational(BigInteger num, BigInteger den) implements Comparable<Rational> {

    static final Rational ZERO = new Rational(BigInteger.ZERO, BigInteger.ONE);
    static final Rational ONE = new Rational(BigInteger.ONE, BigInteger.ONE);
    /** Results bigger than this many bits are not computed exactly (guards against 10^{10^{10}}). */
    static final int MAX_BITS = 20_000;

    static Rational of(BigInteger num, BigInteger den) {
        if (den.signum() == 0) throw new ArithmeticException("division by zero");
        if (den.signum() < 0) { num = num.negate(); den = den.negate(); }
        BigInteger g = num.gcd(den);
        if (!g.equals(BigInteger.ONE) && g.signum() != 0) { num = num.divide(g); den = den.divide(g); }
        if (num.signum() == 0) den = BigInteger.ONE;
        return new Rational(num, den);
    }

    static Rational of(long n) { return new Rational(BigInteger.valueOf(n), BigInteger.ONE); }

    /** Parses "123", "-1.25", ".5" exactly. */
    static Rational parseDecimal(String text) {
        BigDecimal d = new BigDecimal(text);
        if (d.scale() <= 0) return new Rational(d.toBigIntegerExact(), BigInteger.ONE);
        return of(d.unscaledValue(), BigInteger.TEN.pow(d.scale()));
    }

    Rational add(Rational o) { return of(num.multiply(o.den).add(o.num.multiply(den)), den.multiply(o.den)); }
    Rational subtract(Rational o) { return add(o.negate()); }
    Rational multiply(Rational o) { return of(num.multiply(o.num), den.multiply(o.den)); }
    Rational divide(Rational o) { return of(num.multiply(o.den), den.multiply(o.num)); }
    Rational negate() { return new Rational(num.negate(), den); }
    boolean isInteger() { return den.equals(BigInteger.ONE); }
    int signum() { return num.signum(); }
    int bits() { return Math.max(num.bitLength(), den.bitLength()); }

    /** this^exponent, or null when the result would be too large to hold exactly. */
    Rational pow(BigInteger exponent) {
        if (exponent.signum() == 0) return ONE;
        if (num.signum() == 0) return exponent.signum() > 0 ? ZERO : null;
        if (num.abs().equals(BigInteger.ONE) && den.equals(BigInteger.ONE)) {
            return exponent.testBit(0) ? this : ONE;
        }
        if (exponent.bitLength() > 31) return null;
        long e = exponent.abs().longValue();
        if ((long) bits() * e > MAX_BITS) return null;
        Rational r = of(num.pow((int) e), den.pow((int) e));
        return exponent.signum() < 0 ? ONE.divide(r) : r;
    }

    /** The exact q-th root when it is rational (q > 0), else null. */
    Rational root(int q) {
        if (q == 1) return this;
        if (num.signum() < 0 && q % 2 == 0) return null;
        BigInteger n = integerRoot(num.abs(), q), d = integerRoot(den, q);
        if (n == null || d == null) return null;
        return of(num.signum() < 0 ? n.negate() : n, d);
    }

    private static BigInteger integerRoot(BigInteger x, int q) {
        if (x.signum() == 0) return x;
        if (q == 2) {
            BigInteger r = x.sqrt();
            return r.multiply(r).equals(x) ? r : null;
        }
        double guess = Math.round(Math.pow(x.doubleValue(), 1.0 / q));
        if (Double.isInfinite(guess) || x.bitLength() > 1000) return null;
        for (long c = (long) guess - 1; c <= (long) guess + 1; c++) {
            if (c >= 0 && BigInteger.valueOf(c).pow(q).equals(x)) return BigInteger.valueOf(c);
        }
        return null;
    }

    double toDouble() {
        if (num.bitLength() < 900 && den.bitLength() < 900) return num.doubleValue() / den.doubleValue();
        return new BigDecimal(num).divide(new BigDecimal(den), java.math.MathContext.DECIMAL64).doubleValue();
    }

    @Override public int compareTo(Rational o) { return num.multiply(o.den).compareTo(o.num.multiply(den)); }

    @Override public String toString() { return isInteger() ? num.toString() : num + "/" + den; }
}
