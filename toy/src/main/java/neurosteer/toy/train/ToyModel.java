package neurosteer.toy.train;

import java.util.Arrays;

/**
 * The toy Llama: forward and backward over one sequence for training, and a one-token step with a
 * KV cache for generation. Parameters live in one flat array laid out by {@link ToyParameters}.
 */
public final class ToyModel {
    public final ToyModelConfig config;
    public final ToyParameters.Layout layout;
    public final float[] params;
    private final ToyOps.Rope rope;

    public ToyModel(ToyModelConfig config, float[] params) {
        this.config = config;
        this.layout = ToyParameters.layout(config);
        if (params.length != layout.total())
            throw new IllegalArgumentException("expected " + layout.total() + " parameters, got " + params.length);
        this.params = params;
        this.rope = ToyOps.Rope.of(config.maxPositions(), config.headDim(), config.ropeTheta());
    }

    /** Activations of one sequence, kept for the backward pass; one per worker thread, reused. */
    public static final class Workspace {
        final int maxT;
        final float[][] xIn, xn1, rms1, q, k, v, p, att, xMid, xn2, rms2, g, u, a;
        final float[] xFinal, xnFinal, rmsFinal, logits;
        final float[] dx, dxn, dq, dk, dv, dAtt, dg, du, da, scratch;

        public Workspace(ToyModelConfig c, int maxT) {
            this.maxT = maxT;
            int n = c.layers(), d = c.dim(), f = c.ffnDim();
            xIn = new float[n][maxT * d];
            xn1 = new float[n][maxT * d];
            rms1 = new float[n][maxT];
            q = new float[n][maxT * c.qDim()];
            k = new float[n][maxT * c.kvDim()];
            v = new float[n][maxT * c.kvDim()];
            p = new float[n][c.heads() * maxT * maxT];
            att = new float[n][maxT * c.qDim()];
            xMid = new float[n][maxT * d];
            xn2 = new float[n][maxT * d];
            rms2 = new float[n][maxT];
            g = new float[n][maxT * f];
            u = new float[n][maxT * f];
            a = new float[n][maxT * f];
            xFinal = new float[maxT * d];
            xnFinal = new float[maxT * d];
            rmsFinal = new float[maxT];
            logits = new float[maxT * c.vocabSize()];
            dx = new float[maxT * d];
            dxn = new float[maxT * d];
            dq = new float[maxT * c.qDim()];
            dk = new float[maxT * c.kvDim()];
            dv = new float[maxT * c.kvDim()];
            dAtt = new float[maxT * c.qDim()];
            dg = new float[maxT * f];
            du = new float[maxT * f];
            da = new float[maxT * f];
            scratch = new float[maxT];
        }
    }

    /**
     * Forward pass over {@code tokens[0..T)}; leaves logits [T, V] in the workspace. Position t
     * predicts token t+1.
     */
    public void forward(int[] tokens, int rows, Workspace ws) {
        ToyModelConfig c = config;
        int d = c.dim(), f = c.ffnDim();
        if (rows > ws.maxT || rows > c.maxPositions()) throw new IllegalArgumentException("sequence of " + rows + " tokens is too long");
        float[] x = ws.xFinal;
        for (int t = 0; t < rows; t++) {
            int tok = tokens[t];
            if (tok < 0 || tok >= c.vocabSize()) throw new IllegalArgumentException("token id " + tok + " outside vocabulary");
            System.arraycopy(params, layout.embed().offset() + tok * d, x, t * d, d);
        }
        for (int l = 0; l < c.layers(); l++) {
            ToyParameters.Layer w = layout.layers().get(l);
            System.arraycopy(x, 0, ws.xIn[l], 0, rows * d);
            ToyOps.rmsNorm(ws.xIn[l], params, w.attnNorm().offset(), ws.xn1[l], ws.rms1[l], rows, d, c.rmsEps());
            ToyOps.linear(ws.xn1[l], 0, params, w.wq().offset(), ws.q[l], 0, rows, d, c.qDim());
            ToyOps.linear(ws.xn1[l], 0, params, w.wk().offset(), ws.k[l], 0, rows, d, c.kvDim());
            ToyOps.linear(ws.xn1[l], 0, params, w.wv().offset(), ws.v[l], 0, rows, d, c.kvDim());
            ToyOps.rope(rope, ws.q[l], rows, c.heads(), 0);
            ToyOps.rope(rope, ws.k[l], rows, c.kvHeads(), 0);
            ToyOps.attention(ws.q[l], ws.k[l], ws.v[l], ws.p[l], ws.att[l], rows, c.heads(), c.kvHeads(), c.headDim());
            ToyOps.linear(ws.att[l], 0, params, w.wo().offset(), ws.dx, 0, rows, c.qDim(), d);
            for (int i = 0; i < rows * d; i++) x[i] = ws.xIn[l][i] + ws.dx[i];
            System.arraycopy(x, 0, ws.xMid[l], 0, rows * d);
            ToyOps.rmsNorm(ws.xMid[l], params, w.ffnNorm().offset(), ws.xn2[l], ws.rms2[l], rows, d, c.rmsEps());
            ToyOps.linear(ws.xn2[l], 0, params, w.wGate().offset(), ws.g[l], 0, rows, d, f);
            ToyOps.linear(ws.xn2[l], 0, params, w.wUp().offset(), ws.u[l], 0, rows, d, f);
            ToyOps.swiglu(ws.g[l], ws.u[l], ws.a[l], rows * f);
            ToyOps.linear(ws.a[l], 0, params, w.wDown().offset(), ws.dx, 0, rows, f, d);
            for (int i = 0; i < rows * d; i++) x[i] += ws.dx[i];
        }
        ToyOps.rmsNorm(x, params, layout.finalNorm().offset(), ws.xnFinal, ws.rmsFinal, rows, d, c.rmsEps());
        ToyOps.linear(ws.xnFinal, 0, params, layout.embed().offset(), ws.logits, 0, rows, d, c.vocabSize());
    }

    /**
     * Forward and backward for one sequence. The loss counts positions t where {@code lossMask[t+1]}
     * is set (token t+1 is a target), each weighted by {@code weight}; gradients are added to
     * {@code grad}. Returns the unweighted summed loss over counted positions.
     */
    public double forwardBackward(int[] tokens, boolean[] lossMask, int rows, float weight, Workspace ws, float[] grad) {
        forward(tokens, rows, ws);
        ToyModelConfig c = config;
        int d = c.dim(), f = c.ffnDim(), vocab = c.vocabSize();
        double loss = 0;
        for (int t = 0; t < rows; t++) {
            if (t + 1 < rows && lossMask[t + 1]) {
                loss += ToyOps.crossEntropyInPlace(ws.logits, t * vocab, vocab, tokens[t + 1], weight);
            } else {
                Arrays.fill(ws.logits, t * vocab, (t + 1) * vocab, 0f);
            }
        }
        float[] dLogits = ws.logits;
        int embedOff = layout.embed().offset();
        // head (tied): logits = xnFinal E^T
        Arrays.fill(ws.dxn, 0, rows * d, 0f);
        ToyOps.linearBackward(ws.xnFinal, 0, params, embedOff, dLogits, 0, ws.dxn, 0, grad, embedOff, rows, d, vocab);
        float[] dx = ws.dx;
        Arrays.fill(dx, 0, rows * d, 0f);
        ToyOps.rmsNormBackward(ws.xFinal, params, layout.finalNorm().offset(), ws.rmsFinal, ws.dxn, dx, grad, layout.finalNorm().offset(), rows, d);
        for (int l = c.layers() - 1; l >= 0; l--) {
            ToyParameters.Layer w = layout.layers().get(l);
            // FFN: x = xMid + down(swiglu(gate(xn2), up(xn2)))
            Arrays.fill(ws.da, 0, rows * f, 0f);
            ToyOps.linearBackward(ws.a[l], 0, params, w.wDown().offset(), dx, 0, ws.da, 0, grad, w.wDown().offset(), rows, f, d);
            ToyOps.swigluBackward(ws.g[l], ws.u[l], ws.da, ws.dg, ws.du, rows * f);
            Arrays.fill(ws.dxn, 0, rows * d, 0f);
            ToyOps.linearBackward(ws.xn2[l], 0, params, w.wGate().offset(), ws.dg, 0, ws.dxn, 0, grad, w.wGate().offset(), rows, d, f);
            ToyOps.linearBackward(ws.xn2[l], 0, params, w.wUp().offset(), ws.du, 0, ws.dxn, 0, grad, w.wUp().offset(), rows, d, f);
            ToyOps.rmsNormBackward(ws.xMid[l], params, w.ffnNorm().offset(), ws.rms2[l], ws.dxn, dx, grad, w.ffnNorm().offset(), rows, d);
            // attention: xMid = xIn + o(attn(rope(q(xn1)), rope(k(xn1)), v(xn1)))
            Arrays.fill(ws.dAtt, 0, rows * c.qDim(), 0f);
            ToyOps.linearBackward(ws.att[l], 0, params, w.wo().offset(), dx, 0, ws.dAtt, 0, grad, w.wo().offset(), rows, c.qDim(), d);
            Arrays.fill(ws.dq, 0, rows * c.qDim(), 0f);
            Arrays.fill(ws.dk, 0, rows * c.kvDim(), 0f);
            Arrays.fill(ws.dv, 0, rows * c.kvDim(), 0f);
            ToyOps.attentionBackward(ws.q[l], ws.k[l], ws.v[l], ws.p[l], ws.dAtt, ws.dq, ws.dk, ws.dv, ws.scratch, rows, c.heads(), c.kvHeads(), c.headDim());
            ToyOps.ropeBackward(rope, ws.dq, rows, c.heads(), 0);
            ToyOps.ropeBackward(rope, ws.dk, rows, c.kvHeads(), 0);
            Arrays.fill(ws.dxn, 0, rows * d, 0f);
            ToyOps.linearBackward(ws.xn1[l], 0, params, w.wq().offset(), ws.dq, 0, ws.dxn, 0, grad, w.wq().offset(), rows, d, c.qDim());
            ToyOps.linearBackward(ws.xn1[l], 0, params, w.wk().offset(), ws.dk, 0, ws.dxn, 0, grad, w.wk().offset(), rows, d, c.kvDim());
            ToyOps.linearBackward(ws.xn1[l], 0, params, w.wv().offset(), ws.dv, 0, ws.dxn, 0, grad, w.wv().offset(), rows, d, c.kvDim());
            ToyOps.rmsNormBackward(ws.xIn[l], params, w.attnNorm().offset(), ws.rms1[l], ws.dxn, dx, grad, w.attnNorm().offset(), rows, d);
        }
        for (int t = 0; t < rows; t++) ToyOps.axpy(1f, dx, t * d, grad, embedOff + tokens[t] * d, d);
        return loss;
    }

    // ---------------------------------------------------------------- generation with a KV cache

    /** Keys and values of the positions seen so far, per layer. */
    public final class KvCache {
        final float[][] keys, values;
        int length;
        final float[] x = new float[config.dim()], xn = new float[config.dim()], tmp = new float[config.dim()], one = new float[1];
        final float[] q = new float[config.qDim()], att = new float[config.qDim()], scores = new float[config.maxPositions()];
        final float[] g = new float[config.ffnDim()], u = new float[config.ffnDim()], a = new float[config.ffnDim()];
        public final float[] logits = new float[config.vocabSize()];

        public KvCache() {
            keys = new float[config.layers()][config.maxPositions() * config.kvDim()];
            values = new float[config.layers()][config.maxPositions() * config.kvDim()];
        }

        public int length() { return length; }
    }

    /** Runs one token at position {@code cache.length()}; leaves its logits in {@code cache.logits}. */
    public float[] step(int token, KvCache cache) {
        ToyModelConfig c = config;
        int d = c.dim(), f = c.ffnDim(), pos = cache.length, kvDim = c.kvDim(), hd = c.headDim();
        if (pos >= c.maxPositions()) throw new IllegalStateException("context of " + c.maxPositions() + " positions is full");
        if (token < 0 || token >= c.vocabSize()) throw new IllegalArgumentException("token id " + token + " outside vocabulary");
        float[] x = cache.x;
        System.arraycopy(params, layout.embed().offset() + token * d, x, 0, d);
        float scale = (float) (1.0 / Math.sqrt(hd));
        int group = c.heads() / c.kvHeads();
        for (int l = 0; l < c.layers(); l++) {
            ToyParameters.Layer w = layout.layers().get(l);
            ToyOps.rmsNorm(x, params, w.attnNorm().offset(), cache.xn, cache.one, 1, d, c.rmsEps());
            ToyOps.linear(cache.xn, 0, params, w.wq().offset(), cache.q, 0, 1, d, c.qDim());
            float[] keys = cache.keys[l], values = cache.values[l];
            ToyOps.linear(cache.xn, 0, params, w.wk().offset(), keys, pos * kvDim, 1, d, kvDim);
            ToyOps.linear(cache.xn, 0, params, w.wv().offset(), values, pos * kvDim, 1, d, kvDim);
            ToyOps.rope(rope, cache.q, 1, c.heads(), pos);
            ropeAt(keys, pos * kvDim, c.kvHeads(), pos);
            Arrays.fill(cache.att, 0f);
            for (int h = 0; h < c.heads(); h++) {
                int kvOff = (h / group) * hd;
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s <= pos; s++) {
                    float score = ToyOps.dot(cache.q, h * hd, keys, s * kvDim + kvOff, hd) * scale;
                    cache.scores[s] = score;
                    max = Math.max(max, score);
                }
                float sum = 0;
                for (int s = 0; s <= pos; s++) {
                    cache.scores[s] = (float) Math.exp(cache.scores[s] - max);
                    sum += cache.scores[s];
                }
                for (int s = 0; s <= pos; s++) ToyOps.axpy(cache.scores[s] / sum, values, s * kvDim + kvOff, cache.att, h * hd, hd);
            }
            ToyOps.linear(cache.att, 0, params, w.wo().offset(), cache.tmp, 0, 1, c.qDim(), d);
            for (int i = 0; i < d; i++) x[i] += cache.tmp[i];
            ToyOps.rmsNorm(x, params, w.ffnNorm().offset(), cache.xn, cache.one, 1, d, c.rmsEps());
            ToyOps.linear(cache.xn, 0, params, w.wGate().offset(), cache.g, 0, 1, d, f);
            ToyOps.linear(cache.xn, 0, params, w.wUp().offset(), cache.u, 0, 1, d, f);
            ToyOps.swiglu(cache.g, cache.u, cache.a, f);
            ToyOps.linear(cache.a, 0, params, w.wDown().offset(), cache.tmp, 0, 1, f, d);
            for (int i = 0; i < d; i++) x[i] += cache.tmp[i];
        }
        ToyOps.rmsNorm(x, params, layout.finalNorm().offset(), cache.xn, cache.one, 1, d, c.rmsEps());
        ToyOps.linear(cache.xn, 0, params, layout.embed().offset(), cache.logits, 0, 1, d, c.vocabSize());
        cache.length++;
        return cache.logits;
    }

    private void ropeAt(float[] buffer, int offset, int heads, int pos) {
        int n = heads * config.headDim();
        float[] tmp = new float[n];
        System.arraycopy(buffer, offset, tmp, 0, n);
        ToyOps.rope(rope, tmp, 1, heads, pos);
        System.arraycopy(tmp, 0, buffer, offset, n);
    }
}
