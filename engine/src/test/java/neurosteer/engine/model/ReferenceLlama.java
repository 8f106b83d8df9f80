package neurosteer.engine.model;

import neurosteer.engine.format.TensorNames;
import neurosteer.engine.random.RandomWeights;

/**
 * A deliberately plain double-precision Llama forward pass written from the Hugging Face modelling
 * equations (rotate-half RoPE, GQA by repeating KV heads, SwiGLU), sharing no code with the engine.
 */
final class ReferenceLlama {
    private final ModelConfig c;
    private final RandomWeights w;
    private final TensorNames n = TensorNames.HUGGING_FACE;

    ReferenceLlama(ModelConfig c, RandomWeights w) {
        this.c = c;
        this.w = w;
    }

    private double[][] mat(String name, int rows, int cols) {
        float[] f = w.all(name, rows, cols);
        double[][] m = new double[rows][cols];
        for (int r = 0; r < rows; r++) for (int k = 0; k < cols; k++) m[r][k] = f[r * cols + k];
        return m;
    }

    private double[] vec(String name, int len) {
        return mat(name, 1, len)[0];
    }

    private static double[] linear(double[][] W, double[] x) {
        double[] y = new double[W.length];
        for (int r = 0; r < W.length; r++) {
            double s = 0;
            for (int k = 0; k < x.length; k++) s += W[r][k] * x[k];
            y[r] = s;
        }
        return y;
    }

    private double[] rms(double[] x, double[] g) {
        double ss = 0;
        for (double v : x) ss += v * v;
        double inv = 1 / Math.sqrt(ss / x.length + c.rmsNormEps());
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) y[i] = g[i] * x[i] * inv;
        return y;
    }

    private void rope(double[] v, int heads, int pos) {
        int d = c.headDim();
        for (int h = 0; h < heads; h++) {
            double[] rotated = new double[d];
            for (int i = 0; i < d; i++) {
                int pair = i % (d / 2);
                double freq = Math.pow(c.ropeTheta(), -2.0 * pair / d);
                double cos = Math.cos(pos * freq), sin = Math.sin(pos * freq);
                double partner = i < d / 2 ? -v[h * d + i + d / 2] : v[h * d + i - d / 2];
                rotated[i] = v[h * d + i] * cos + partner * sin;
            }
            System.arraycopy(rotated, 0, v, h * d, d);
        }
    }

    /** Residual stream after each layer, then logits, for every position. */
    double[][][] run(int[] tokens) {
        int T = tokens.length, H = c.hiddenSize(), d = c.headDim();
        double[][] emb = mat(n.embedding(), c.vocabSize(), H);
        double[][] x = new double[T][];
        for (int t = 0; t < T; t++) x[t] = emb[tokens[t]].clone();
        double[][][] out = new double[c.numLayers() + 1][][];
        for (int l = 0; l < c.numLayers(); l++) {
            double[][] Wq = mat(n.wq(l), c.qDim(), H), Wk = mat(n.wk(l), c.kvDim(), H), Wv = mat(n.wv(l), c.kvDim(), H);
            double[][] Wo = mat(n.wo(l), H, c.qDim());
            double[][] G = mat(n.gate(l), c.intermediateSize(), H), U = mat(n.up(l), c.intermediateSize(), H);
            double[][] D = mat(n.down(l), H, c.intermediateSize());
            double[] g1 = vec(n.attnNorm(l), H), g2 = vec(n.ffnNorm(l), H);
            double[][] q = new double[T][], k = new double[T][], v = new double[T][];
            for (int t = 0; t < T; t++) {
                double[] h = rms(x[t], g1);
                q[t] = linear(Wq, h);
                k[t] = linear(Wk, h);
                v[t] = linear(Wv, h);
                if (c.attentionBias()) {
                    double[] bq = vec(n.bq(l), c.qDim()), bk = vec(n.bk(l), c.kvDim()), bv = vec(n.bv(l), c.kvDim());
                    for (int i = 0; i < bq.length; i++) q[t][i] += bq[i];
                    for (int i = 0; i < bk.length; i++) { k[t][i] += bk[i]; v[t][i] += bv[i]; }
                }
                rope(q[t], c.numHeads(), t);
                rope(k[t], c.numKvHeads(), t);
            }
            int group = c.numHeads() / c.numKvHeads();
            for (int t = 0; t < T; t++) {
                double[] att = new double[c.qDim()];
                for (int h = 0; h < c.numHeads(); h++) {
                    int kh = h / group;
                    double[] s = new double[t + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= t; j++) {
                        double dot = 0;
                        for (int i = 0; i < d; i++) dot += q[t][h * d + i] * k[j][kh * d + i];
                        s[j] = dot / Math.sqrt(d);
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= t; j++) z += s[j] = Math.exp(s[j] - max);
                    for (int j = 0; j <= t; j++) for (int i = 0; i < d; i++) att[h * d + i] += s[j] / z * v[j][kh * d + i];
                }
                double[] o = linear(Wo, att);
                for (int i = 0; i < H; i++) x[t][i] += o[i];
                double[] h2 = rms(x[t], g2);
                double[] gate = linear(G, h2), up = linear(U, h2);
                double[] a = new double[gate.length];
                for (int i = 0; i < a.length; i++) a[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                double[] m = linear(D, a);
                for (int i = 0; i < H; i++) x[t][i] += m[i];
            }
            out[l] = new double[T][];
            for (int t = 0; t < T; t++) out[l][t] = x[t].clone();
        }
        double[][] head = c.tieWordEmbeddings() ? emb : mat(n.output(), c.vocabSize(), H);
        double[] gf = vec(n.finalNorm(), H);
        out[c.numLayers()] = new double[T][];
        for (int t = 0; t < T; t++) out[c.numLayers()][t] = linear(head, rms(x[t], gf));
        return out;
    }
}
