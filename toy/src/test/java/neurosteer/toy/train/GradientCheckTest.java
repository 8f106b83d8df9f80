package neurosteer.toy.train;

import static org.junit.jupiter.api.Assertions.*;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Every backward function against central finite differences of a scalar objective
 * {@code sum(output * R)} with a fixed random R, evaluated in double.
 */
class GradientCheckTest {
    private static final float EPS = 1e-2f;
    private final SplittableRandom rng = new SplittableRandom(42);

    interface Objective { double value(); }

    private float[] random(int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) ((rng.nextDouble() * 2 - 1) * scale);
        return a;
    }

    private static double weighted(float[] out, float[] r, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) out[i] * r[i];
        return s;
    }

    /** Compares analytic gradient {@code analytic} of {@code x} with central differences at every index. */
    private static void check(String what, float[] x, float[] analytic, Objective f) {
        check(what, x, analytic, f, 0, x.length, 1);
    }

    private static void check(String what, float[] x, float[] analytic, Objective f, int from, int to, int stride) {
        double worst = 0;
        int checked = 0;
        for (int i = from; i < to; i += stride) {
            float saved = x[i];
            x[i] = saved + EPS;
            double plus = f.value();
            x[i] = saved - EPS;
            double minus = f.value();
            x[i] = saved;
            double numeric = (plus - minus) / (2 * EPS);
            double error = Math.abs(numeric - analytic[i]) / (1e-3 + 1e-2 * Math.max(Math.abs(numeric), Math.abs(analytic[i])));
            worst = Math.max(worst, error);
            assertTrue(error <= 1, what + "[" + i + "]: analytic " + analytic[i] + " vs numeric " + numeric);
            checked++;
        }
        assertTrue(checked > 0);
        assertTrue(Double.isFinite(worst));
    }

    @Test
    void linear() {
        int rows = 5, in = 16, out = 7;
        float[] x = random(rows * in, 1), w = random(out * in, 1), r = random(rows * out, 1), y = new float[rows * out];
        Objective f = () -> { ToyOps.linear(x, 0, w, 0, y, 0, rows, in, out); return weighted(y, r, y.length); };
        float[] dx = new float[x.length], dw = new float[w.length];
        ToyOps.linearBackward(x, 0, w, 0, r, 0, dx, 0, dw, 0, rows, in, out);
        check("linear dx", x, dx, f);
        check("linear dw", w, dw, f);
    }

    @Test
    void linearWithVectorWidthShapesAndOffsets() {
        int rows = 6, in = 32, out = 9, off = 3;
        float[] x = random(off + rows * in, 1), w = random(off + out * in, 1), r = random(off + rows * out, 1), y = new float[off + rows * out];
        Objective f = () -> {
            ToyOps.linear(x, off, w, off, y, off, rows, in, out);
            double s = 0;
            for (int i = 0; i < rows * out; i++) s += (double) y[off + i] * r[off + i];
            return s;
        };
        float[] dx = new float[x.length], dw = new float[w.length];
        ToyOps.linearBackward(x, off, w, off, r, off, dx, off, dw, off, rows, in, out);
        check("linear dx", x, dx, f, off, x.length, 1);
        check("linear dw", w, dw, f, off, w.length, 1);
    }

    @Test
    void rmsNorm() {
        int rows = 3, dim = 16;
        float[] x = random(rows * dim, 1.5), w = random(dim, 1), r = random(rows * dim, 1), y = new float[rows * dim], inv = new float[rows];
        Objective f = () -> { ToyOps.rmsNorm(x, w, 0, y, inv, rows, dim, 1e-5f); return weighted(y, r, y.length); };
        f.value();
        float[] dx = new float[x.length], dw = new float[w.length];
        ToyOps.rmsNormBackward(x, w, 0, inv, r, dx, dw, 0, rows, dim);
        check("rmsnorm dx", x, dx, f);
        check("rmsnorm dw", w, dw, f);
    }

    @Test
    void rope() {
        int rows = 4, heads = 3, headDim = 8;
        ToyOps.Rope rope = ToyOps.Rope.of(16, headDim, 10000.0);
        float[] x = random(rows * heads * headDim, 1), r = random(x.length, 1), y = new float[x.length];
        Objective f = () -> { System.arraycopy(x, 0, y, 0, x.length); ToyOps.rope(rope, y, rows, heads, 5); return weighted(y, r, y.length); };
        float[] dx = r.clone();
        ToyOps.ropeBackward(rope, dx, rows, heads, 5);
        check("rope dx", x, dx, f);
    }

    @Test
    void ropeIsRotateHalfConvention() {
        ToyOps.Rope rope = ToyOps.Rope.of(8, 4, 100.0);
        float[] x = {1, 2, 3, 4};
        ToyOps.rope(rope, x, 1, 1, 3);
        double a0 = 3 * 1.0, a1 = 3 * Math.pow(100.0, -0.5);
        assertEquals(1 * Math.cos(a0) - 3 * Math.sin(a0), x[0], 1e-5);
        assertEquals(2 * Math.cos(a1) - 4 * Math.sin(a1), x[1], 1e-5);
        assertEquals(3 * Math.cos(a0) + 1 * Math.sin(a0), x[2], 1e-5);
        assertEquals(4 * Math.cos(a1) + 2 * Math.sin(a1), x[3], 1e-5);
    }

    @Test
    void causalGroupedQueryAttention() {
        int rows = 5, heads = 4, kvHeads = 2, headDim = 8;
        float[] q = random(rows * heads * headDim, 1), k = random(rows * kvHeads * headDim, 1), v = random(rows * kvHeads * headDim, 1);
        float[] r = random(rows * heads * headDim, 1), p = new float[heads * rows * rows], out = new float[q.length];
        Objective f = () -> { ToyOps.attention(q, k, v, p, out, rows, heads, kvHeads, headDim); return weighted(out, r, out.length); };
        f.value();
        float[] dq = new float[q.length], dk = new float[k.length], dv = new float[v.length];
        ToyOps.attentionBackward(q, k, v, p, r, dq, dk, dv, new float[rows], rows, heads, kvHeads, headDim);
        check("attention dq", q, dq, f);
        check("attention dk", k, dk, f);
        check("attention dv", v, dv, f);
        // causality: the first position's output depends only on the first key/value
        float[] before = out.clone();
        k[(rows - 1) * kvHeads * headDim] += 5;
        v[(rows - 1) * kvHeads * headDim] += 5;
        f.value();
        for (int i = 0; i < heads * headDim; i++) assertEquals(before[i], out[i], 0f);
    }

    @Test
    void swiglu() {
        int n = 40;
        float[] g = random(n, 3), u = random(n, 2), r = random(n, 1), a = new float[n];
        Objective f = () -> { ToyOps.swiglu(g, u, a, n); return weighted(a, r, n); };
        float[] dg = new float[n], du = new float[n];
        ToyOps.swigluBackward(g, u, r, dg, du, n);
        check("swiglu dg", g, dg, f);
        check("swiglu du", u, du, f);
    }

    @Test
    void crossEntropy() {
        int vocab = 12, target = 5;
        float[] logits = random(vocab, 3);
        float weight = 0.7f;
        Objective f = () -> weight * ToyOps.crossEntropyInPlace(logits.clone(), 0, vocab, target, 1f);
        float[] grad = logits.clone();
        double loss = ToyOps.crossEntropyInPlace(grad, 0, vocab, target, weight);
        double logZ = 0;
        for (float l : logits) logZ += Math.exp(l);
        assertEquals(Math.log(logZ) - logits[target], loss, 1e-5);
        check("cross-entropy dlogits", logits, grad, f);
    }

    @Test
    void wholeModelIncludingEmbeddingTiedHeadAndLossMask() {
        ToyModelConfig c = new ToyModelConfig(11, 16, 2, 4, 2, 4, 24, 16, 1e-5f, 10000.0);
        float[] params = ToyParameters.initialise(c, 5);
        for (int i = 0; i < params.length; i++) params[i] += (float) ((rng.nextDouble() - 0.5) * 0.6);
        ToyModel model = new ToyModel(c, params);
        int[] tokens = {1, 4, 7, 2, 9, 3, 4};
        boolean[] mask = {false, false, false, true, true, false, true};
        ToyModel.Workspace ws = new ToyModel.Workspace(c, 8);
        float[] grad = new float[params.length];
        double loss = model.forwardBackward(tokens, mask, tokens.length, 0.25f, ws, grad);
        assertTrue(loss > 0);
        Objective f = () -> 0.25 * model.forwardBackward(tokens, mask, tokens.length, 0.25f, ws, new float[params.length]);
        ToyParameters.Layout layout = model.layout;
        for (ToyParameters.Slot s : layout.all()) {
            int stride = Math.max(1, s.size() / 23);
            check(s.name(), params, grad, f, s.offset(), s.offset() + s.size(), stride);
        }
        // an unused token's embedding row only gets gradient through the tied head
        int unused = 10;
        double headOnly = 0;
        for (int i = 0; i < c.dim(); i++) headOnly += Math.abs(grad[layout.embed().offset() + unused * c.dim() + i]);
        assertTrue(headOnly > 0);
    }

    @Test
    void kvCacheStepMatchesFullForward() {
        ToyModelConfig c = new ToyModelConfig(13, 16, 2, 4, 2, 4, 24, 16, 1e-5f, 10000.0);
        float[] params = ToyParameters.initialise(c, 9);
        for (int i = 0; i < params.length; i++) params[i] += (float) ((rng.nextDouble() - 0.5) * 0.6);
        ToyModel model = new ToyModel(c, params);
        int[] tokens = {2, 5, 11, 0, 7, 7};
        ToyModel.Workspace ws = new ToyModel.Workspace(c, 8);
        model.forward(tokens, tokens.length, ws);
        ToyModel.KvCache cache = model.new KvCache();
        for (int t = 0; t < tokens.length; t++) {
            float[] logits = model.step(tokens[t], cache);
            for (int i = 0; i < c.vocabSize(); i++) assertEquals(ws.logits[t * c.vocabSize() + i], logits[i], 1e-4, "position " + t);
        }
    }
}
