package neurosteer.toy.train;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import neurosteer.engine.tensor.Kernels;

/**
 * Forward and backward of every operation of the toy Llama, on row-major float arrays. Matrices
 * are stored as Hugging Face stores them: a linear layer's weight is {@code [out, in]} and computes
 * {@code y = x W^T}. Backward functions add into their gradient arguments.
 */
public final class ToyOps {
    /** 256 bits on every machine, so that the toy model trains to the same weights with or without AVX-512. */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;
    private static final int L = S.length();

    private ToyOps() {}

    // ---------------------------------------------------------------- linear: Y[T,out] = X[T,in] W[out,in]^T

    public static void linear(float[] x, int xOff, float[] w, int wOff, float[] y, int yOff, int rows, int in, int out) {
        if (!Kernels.VECTORIZE || in % L != 0) {
            for (int t = 0; t < rows; t++)
                for (int o = 0; o < out; o++) {
                    float sum = 0;
                    for (int i = 0; i < in; i++) sum += x[xOff + t * in + i] * w[wOff + o * in + i];
                    y[yOff + t * out + o] = sum;
                }
            return;
        }
        float[] lanes = new float[L];
        int t = 0;
        for (; t + 4 <= rows; t += 4) {
            int x0 = xOff + t * in, x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
            int o = 0;
            for (; o + 2 <= out; o += 2) {
                int wa = wOff + o * in, wb = wa + in;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
                for (int i = 0; i < in; i += L) {
                    FloatVector wav = FloatVector.fromArray(S, w, wa + i), wbv = FloatVector.fromArray(S, w, wb + i);
                    FloatVector xv0 = FloatVector.fromArray(S, x, x0 + i), xv1 = FloatVector.fromArray(S, x, x1 + i);
                    FloatVector xv2 = FloatVector.fromArray(S, x, x2 + i), xv3 = FloatVector.fromArray(S, x, x3 + i);
                    a0 = xv0.fma(wav, a0);
                    a1 = xv1.fma(wav, a1);
                    a2 = xv2.fma(wav, a2);
                    a3 = xv3.fma(wav, a3);
                    b0 = xv0.fma(wbv, b0);
                    b1 = xv1.fma(wbv, b1);
                    b2 = xv2.fma(wbv, b2);
                    b3 = xv3.fma(wbv, b3);
                }
                int yo = yOff + t * out + o;
                y[yo] = sum(a0, lanes);
                y[yo + 1] = sum(b0, lanes);
                y[yo + out] = sum(a1, lanes);
                y[yo + out + 1] = sum(b1, lanes);
                y[yo + 2 * out] = sum(a2, lanes);
                y[yo + 2 * out + 1] = sum(b2, lanes);
                y[yo + 3 * out] = sum(a3, lanes);
                y[yo + 3 * out + 1] = sum(b3, lanes);
            }
            for (; o < out; o++) {
                int wo = wOff + o * in;
                FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
                for (int i = 0; i < in; i += L) {
                    FloatVector wv = FloatVector.fromArray(S, w, wo + i);
                    a0 = FloatVector.fromArray(S, x, x0 + i).fma(wv, a0);
                    a1 = FloatVector.fromArray(S, x, x1 + i).fma(wv, a1);
                    a2 = FloatVector.fromArray(S, x, x2 + i).fma(wv, a2);
                    a3 = FloatVector.fromArray(S, x, x3 + i).fma(wv, a3);
                }
                int yo = yOff + t * out + o;
                y[yo] = sum(a0, lanes);
                y[yo + out] = sum(a1, lanes);
                y[yo + 2 * out] = sum(a2, lanes);
                y[yo + 3 * out] = sum(a3, lanes);
            }
        }
        for (; t < rows; t++) {
            int xt = xOff + t * in;
            for (int o = 0; o < out; o++) y[yOff + t * out + o] = dot(x, xt, w, wOff + o * in, in);
        }
    }

    /** dX += dY W and dW += dY^T X (either gradient may be null to skip it). */
    public static void linearBackward(float[] x, int xOff, float[] w, int wOff, float[] dy, int dyOff,
                                      float[] dx, int dxOff, float[] dw, int dwOff, int rows, int in, int out) {
        if (dx != null) accumulateProduct(dy, dyOff, out, 1, w, wOff, dx, dxOff, rows, out, in);
        if (dw != null) accumulateProduct(dy, dyOff, 1, out, x, xOff, dw, dwOff, out, rows, in);
    }

    /**
     * C[r, :] += sum_k A(r, k) * B[k, :] where A(r, k) = a[aOff + r*rowStride + k*kStride] and
     * B is row-major [kCount, cols].
     */
    private static void accumulateProduct(float[] a, int aOff, int rowStride, int kStride, float[] b, int bOff,
                                          float[] c, int cOff, int rows, int kCount, int cols) {
        if (!Kernels.VECTORIZE || cols % L != 0) {
            for (int r = 0; r < rows; r++)
                for (int k = 0; k < kCount; k++) {
                    float s = a[aOff + r * rowStride + k * kStride];
                    if (s == 0) continue;
                    int bk = bOff + k * cols, cr = cOff + r * cols;
                    for (int j = 0; j < cols; j++) c[cr + j] += s * b[bk + j];
                }
            return;
        }
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int a0 = aOff + r * rowStride, a1 = a0 + rowStride, a2 = a1 + rowStride, a3 = a2 + rowStride;
            int c0 = cOff + r * cols, c1 = c0 + cols, c2 = c1 + cols, c3 = c2 + cols;
            int j = 0;
            for (; j + 2 * L <= cols; j += 2 * L) {
                int jb = j + L;
                FloatVector s0 = FloatVector.fromArray(S, c, c0 + j), s1 = FloatVector.fromArray(S, c, c1 + j);
                FloatVector s2 = FloatVector.fromArray(S, c, c2 + j), s3 = FloatVector.fromArray(S, c, c3 + j);
                FloatVector u0 = FloatVector.fromArray(S, c, c0 + jb), u1 = FloatVector.fromArray(S, c, c1 + jb);
                FloatVector u2 = FloatVector.fromArray(S, c, c2 + jb), u3 = FloatVector.fromArray(S, c, c3 + jb);
                for (int k = 0; k < kCount; k++) {
                    int bk = bOff + k * cols, ak = k * kStride;
                    FloatVector bv = FloatVector.fromArray(S, b, bk + j), bw = FloatVector.fromArray(S, b, bk + jb);
                    FloatVector e0 = FloatVector.broadcast(S, a[a0 + ak]), e1 = FloatVector.broadcast(S, a[a1 + ak]);
                    FloatVector e2 = FloatVector.broadcast(S, a[a2 + ak]), e3 = FloatVector.broadcast(S, a[a3 + ak]);
                    s0 = bv.fma(e0, s0);
                    s1 = bv.fma(e1, s1);
                    s2 = bv.fma(e2, s2);
                    s3 = bv.fma(e3, s3);
                    u0 = bw.fma(e0, u0);
                    u1 = bw.fma(e1, u1);
                    u2 = bw.fma(e2, u2);
                    u3 = bw.fma(e3, u3);
                }
                s0.intoArray(c, c0 + j);
                s1.intoArray(c, c1 + j);
                s2.intoArray(c, c2 + j);
                s3.intoArray(c, c3 + j);
                u0.intoArray(c, c0 + jb);
                u1.intoArray(c, c1 + jb);
                u2.intoArray(c, c2 + jb);
                u3.intoArray(c, c3 + jb);
            }
            for (; j < cols; j += L) {
                FloatVector s0 = FloatVector.fromArray(S, c, c0 + j), s1 = FloatVector.fromArray(S, c, c1 + j);
                FloatVector s2 = FloatVector.fromArray(S, c, c2 + j), s3 = FloatVector.fromArray(S, c, c3 + j);
                for (int k = 0; k < kCount; k++) {
                    FloatVector bv = FloatVector.fromArray(S, b, bOff + k * cols + j);
                    int ak = k * kStride;
                    s0 = bv.fma(FloatVector.broadcast(S, a[a0 + ak]), s0);
                    s1 = bv.fma(FloatVector.broadcast(S, a[a1 + ak]), s1);
                    s2 = bv.fma(FloatVector.broadcast(S, a[a2 + ak]), s2);
                    s3 = bv.fma(FloatVector.broadcast(S, a[a3 + ak]), s3);
                }
                s0.intoArray(c, c0 + j);
                s1.intoArray(c, c1 + j);
                s2.intoArray(c, c2 + j);
                s3.intoArray(c, c3 + j);
            }
        }
        for (; r < rows; r++) {
            int ar = aOff + r * rowStride, cr = cOff + r * cols;
            for (int j = 0; j < cols; j += L) {
                FloatVector s0 = FloatVector.fromArray(S, c, cr + j);
                for (int k = 0; k < kCount; k++) s0 = FloatVector.fromArray(S, b, bOff + k * cols + j).fma(FloatVector.broadcast(S, a[ar + k * kStride]), s0);
                s0.intoArray(c, cr + j);
            }
        }
    }

    /** Lane sum in a fixed order, so results do not depend on whether the JIT has compiled the kernel. */
    private static float sum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        float s = 0;
        for (int i = 0; i < L; i++) s += lanes[i];
        return s;
    }

    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        float sum = 0;
        if (Kernels.VECTORIZE && n >= L) {
            float[] lanes = new float[L];
            FloatVector acc = FloatVector.zero(S);
            for (; i + L <= n; i += L) acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
            sum = sum(acc, lanes);
        }
        for (; i < n; i++) sum += a[aOff + i] * b[bOff + i];
        return sum;
    }

    /** y[yOff..] += s * x[xOff..]. */
    public static void axpy(float s, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        if (Kernels.VECTORIZE) {
            for (; i + L <= n; i += L)
                FloatVector.fromArray(S, x, xOff + i).fma(FloatVector.broadcast(S, s), FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += s * x[xOff + i];
    }

    // ---------------------------------------------------------------- RMSNorm: y = x / rms(x) * w

    /** Stores 1/rms per row in {@code invRms}. */
    public static void rmsNorm(float[] x, float[] w, int wOff, float[] y, float[] invRms, int rows, int dim, float eps) {
        for (int t = 0; t < rows; t++) {
            int o = t * dim;
            float ss = dot(x, o, x, o, dim);
            float r = (float) (1.0 / Math.sqrt(ss / dim + eps));
            invRms[t] = r;
            for (int i = 0; i < dim; i++) y[o + i] = x[o + i] * r * w[wOff + i];
        }
    }

    public static void rmsNormBackward(float[] x, float[] w, int wOff, float[] invRms, float[] dy, float[] dx, float[] dw, int dwOff,
                                       int rows, int dim) {
        for (int t = 0; t < rows; t++) {
            int o = t * dim;
            float r = invRms[t];
            double proj = 0;
            for (int i = 0; i < dim; i++) {
                float dxn = dy[o + i] * w[wOff + i];
                proj += dxn * x[o + i];
                dw[dwOff + i] += dy[o + i] * x[o + i] * r;
            }
            float c = (float) (proj * r * r * r / dim);
            for (int i = 0; i < dim; i++) dx[o + i] += dy[o + i] * w[wOff + i] * r - x[o + i] * c;
        }
    }

    // ---------------------------------------------------------------- RoPE, Hugging Face "rotate half"

    /** Precomputed cos/sin tables [maxPos, headDim/2]. */
    public record Rope(float[] cos, float[] sin, int half) {
        public static Rope of(int maxPositions, int headDim, double theta) {
            int half = headDim / 2;
            float[] cos = new float[maxPositions * half], sin = new float[maxPositions * half];
            for (int p = 0; p < maxPositions; p++)
                for (int i = 0; i < half; i++) {
                    double angle = p * Math.pow(theta, -2.0 * i / headDim);
                    cos[p * half + i] = (float) Math.cos(angle);
                    sin[p * half + i] = (float) Math.sin(angle);
                }
            return new Rope(cos, sin, half);
        }
    }

    /** Rotates every head of rows [T, heads*headDim] in place; row t has position {@code pos0 + t}. */
    public static void rope(Rope rope, float[] x, int rows, int heads, int pos0) {
        int half = rope.half, headDim = 2 * half;
        for (int t = 0; t < rows; t++) {
            int p = (pos0 + t) * half;
            for (int h = 0; h < heads; h++) {
                int o = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float c = rope.cos[p + i], s = rope.sin[p + i];
                    float a = x[o + i], b = x[o + i + half];
                    x[o + i] = a * c - b * s;
                    x[o + i + half] = b * c + a * s;
                }
            }
        }
    }

    /** The transpose rotation, in place on the gradient. */
    public static void ropeBackward(Rope rope, float[] dx, int rows, int heads, int pos0) {
        int half = rope.half, headDim = 2 * half;
        for (int t = 0; t < rows; t++) {
            int p = (pos0 + t) * half;
            for (int h = 0; h < heads; h++) {
                int o = (t * heads + h) * headDim;
                for (int i = 0; i < half; i++) {
                    float c = rope.cos[p + i], s = rope.sin[p + i];
                    float a = dx[o + i], b = dx[o + i + half];
                    dx[o + i] = a * c + b * s;
                    dx[o + i + half] = b * c - a * s;
                }
            }
        }
    }

    // ---------------------------------------------------------------- causal grouped-query attention

    /**
     * q [T, H*hd], k and v [T, KV*hd]; writes probabilities p [H, T, T] (causal, zero above the
     * diagonal) and out [T, H*hd].
     */
    public static void attention(float[] q, float[] k, float[] v, float[] p, float[] out, int rows, int heads, int kvHeads, int headDim) {
        int group = heads / kvHeads, qStride = heads * headDim, kvStride = kvHeads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        java.util.Arrays.fill(out, 0, rows * qStride, 0f);
        for (int h = 0; h < heads; h++) {
            int kvOff = (h / group) * headDim;
            for (int t = 0; t < rows; t++) {
                int pRow = (h * rows + t) * rows, qo = t * qStride + h * headDim;
                float max = Float.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    float score = dot(q, qo, k, s * kvStride + kvOff, headDim) * scale;
                    p[pRow + s] = score;
                    if (score > max) max = score;
                }
                float sum = 0;
                for (int s = 0; s <= t; s++) {
                    float e = (float) Math.exp(p[pRow + s] - max);
                    p[pRow + s] = e;
                    sum += e;
                }
                float inv = 1f / sum;
                for (int s = 0; s <= t; s++) {
                    p[pRow + s] *= inv;
                    axpy(p[pRow + s], v, s * kvStride + kvOff, out, qo, headDim);
                }
                for (int s = t + 1; s < rows; s++) p[pRow + s] = 0;
            }
        }
    }

    /** Adds dq, dk, dv from dOut; {@code scratch} holds at least T floats. */
    public static void attentionBackward(float[] q, float[] k, float[] v, float[] p, float[] dOut, float[] dq, float[] dk, float[] dv,
                                         float[] scratch, int rows, int heads, int kvHeads, int headDim) {
        int group = heads / kvHeads, qStride = heads * headDim, kvStride = kvHeads * headDim;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        for (int h = 0; h < heads; h++) {
            int kvOff = (h / group) * headDim;
            for (int t = 0; t < rows; t++) {
                int pRow = (h * rows + t) * rows, qo = t * qStride + h * headDim;
                float rowDot = 0;
                for (int s = 0; s <= t; s++) {
                    float dp = dot(dOut, qo, v, s * kvStride + kvOff, headDim);
                    scratch[s] = dp;
                    rowDot += dp * p[pRow + s];
                    axpy(p[pRow + s], dOut, qo, dv, s * kvStride + kvOff, headDim);
                }
                for (int s = 0; s <= t; s++) {
                    float dScore = p[pRow + s] * (scratch[s] - rowDot) * scale;
                    if (dScore == 0) continue;
                    axpy(dScore, k, s * kvStride + kvOff, dq, qo, headDim);
                    axpy(dScore, q, qo, dk, s * kvStride + kvOff, headDim);
                }
            }
        }
    }

    // ---------------------------------------------------------------- SwiGLU: a = silu(g) * u

    public static void swiglu(float[] g, float[] u, float[] a, int n) {
        for (int i = 0; i < n; i++) {
            float x = g[i];
            a[i] = x / (1f + (float) Math.exp(-x)) * u[i];
        }
    }

    /** Writes (not adds) dg and du. */
    public static void swigluBackward(float[] g, float[] u, float[] da, float[] dg, float[] du, int n) {
        for (int i = 0; i < n; i++) {
            float x = g[i];
            float sig = 1f / (1f + (float) Math.exp(-x));
            float silu = x * sig;
            du[i] = da[i] * silu;
            dg[i] = da[i] * u[i] * sig * (1f + x * (1f - sig));
        }
    }

    // ---------------------------------------------------------------- softmax cross-entropy

    /**
     * Turns logits row t into {@code weight * (softmax - onehot(target))} in place and returns
     * {@code -log softmax[target]} (the unweighted loss).
     */
    public static double crossEntropyInPlace(float[] logits, int off, int vocab, int target, float weight) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) max = Math.max(max, logits[off + i]);
        double sum = 0;
        for (int i = 0; i < vocab; i++) sum += Math.exp(logits[off + i] - max);
        double logZ = max + Math.log(sum);
        double loss = logZ - logits[off + target];
        for (int i = 0; i < vocab; i++) logits[off + i] = (float) (Math.exp(logits[off + i] - logZ) * weight);
        logits[off + target] -= weight;
        return loss;
    }
}
