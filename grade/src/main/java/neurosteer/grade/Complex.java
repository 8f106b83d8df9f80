package neurosteer.grade;

/** Minimal complex arithmetic for evaluating expressions at sample points. */
record Complex(double re, double im) {

    static final Complex NaN = new Complex(Double.NaN, Double.NaN);
    static final Complex I = new Complex(0, 1);

    static Complex real(double re) { return new Complex(re, 0); }

    boolean isReal() { return im == 0 || Math.abs(im) <= 1e-12 * Math.max(1, Math.abs(re)); }
    boolean isNaN() { return Double.isNaN(re) || Double.isNaN(im); }
    boolean isInfinite() { return Double.isInfinite(re) || Double.isInfinite(im); }
    double abs() { return Math.hypot(re, im); }

    Complex add(Complex o) { return new Complex(re + o.re, im + o.im); }
    Complex subtract(Complex o) { return new Complex(re - o.re, im - o.im); }
    Complex negate() { return new Complex(-re, -im); }

    Complex multiply(Complex o) {
        if (im == 0 && o.im == 0) return new Complex(re * o.re, 0);
        return new Complex(re * o.re - im * o.im, re * o.im + im * o.re);
    }

    Complex divide(Complex o) {
        if (im == 0 && o.im == 0) return new Complex(re / o.re, 0);
        double d = o.re * o.re + o.im * o.im;
        if (d == 0) return NaN;
        return new Complex((re * o.re + im * o.im) / d, (im * o.re - re * o.im) / d);
    }

    Complex exp() {
        double m = Math.exp(re);
        return im == 0 ? new Complex(m, 0) : new Complex(m * Math.cos(im), m * Math.sin(im));
    }

    Complex log() {
        if (im == 0 && re > 0) return new Complex(Math.log(re), 0);
        return new Complex(Math.log(abs()), Math.atan2(im, re));
    }

    Complex sqrt() {
        if (im == 0) return re >= 0 ? new Complex(Math.sqrt(re), 0) : new Complex(0, Math.sqrt(-re));
        double m = abs();
        double r = Math.sqrt((m + re) / 2), i = Math.copySign(Math.sqrt((m - re) / 2), im);
        return new Complex(r, i);
    }

    Complex pow(Complex e) {
        if (e.im == 0 && e.re == Math.rint(e.re) && Math.abs(e.re) <= 64) return powInt((int) e.re);
        if (im == 0 && e.im == 0 && re >= 0) return new Complex(Math.pow(re, e.re), 0);
        if (re == 0 && im == 0) return e.re > 0 ? new Complex(0, 0) : NaN;
        return log().multiply(e).exp();
    }

    Complex powInt(int n) {
        if (im == 0) return new Complex(Math.pow(re, n), 0);
        Complex result = real(1), base = this;
        int k = Math.abs(n);
        while (k > 0) {
            if ((k & 1) == 1) result = result.multiply(base);
            base = base.multiply(base);
            k >>= 1;
        }
        return n < 0 ? real(1).divide(result) : result;
    }

    Complex sin() {
        return im == 0 ? real(Math.sin(re)) : new Complex(Math.sin(re) * Math.cosh(im), Math.cos(re) * Math.sinh(im));
    }

    Complex cos() {
        return im == 0 ? real(Math.cos(re)) : new Complex(Math.cos(re) * Math.cosh(im), -Math.sin(re) * Math.sinh(im));
    }

    /** Tolerant equality: relative 1e-6 with a small absolute floor; infinities must match exactly. */
    boolean closeTo(Complex o) {
        if (isNaN() || o.isNaN()) return false;
        if (isInfinite() || o.isInfinite()) return re == o.re && Math.abs(im - o.im) < 1e-9;
        double scale = Math.max(abs(), o.abs());
        return subtract(o).abs() <= 1e-6 * scale + 1e-9;
    }
}
