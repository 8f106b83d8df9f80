package neurosteer.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The kernel behind {@link Tensor#matmulRows} for a few batch rows: several sequences decoding
 * together, or a short prompt. Each pair of weight rows is decoded once by its format's
 * {@link Tensor#dequantize} into a small float scratch (it stays in L1) and multiplied against every
 * batch row, 2 weight rows × 4 batch rows per register tile (eight 8-lane accumulators). So the weights
 * are read once per call, as in decode, without {@link TiledMatmul}'s panel packing, which only pays
 * for itself over many batch rows. Every output element is summed the same way whatever the batch
 * size, tile or thread split.
 */
final class FewRowsMatmul {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    static final int LANES = F.length();
    /**
     * Below this many batch rows the formats' own decode kernels ({@link Tensor#matvecRows}, one pass
     * over the weights per batch row, decoded in registers) are faster than decoding into a scratch.
     */
    static final int MIN_BATCH = 4;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private FewRowsMatmul() {}

    static void matmulRows(Tensor w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        int cols = w.cols(), rows = w.rows();
        float[][] holder = SCRATCH.get();
        if (holder[0].length < 2 * cols) holder[0] = new float[2 * cols];
        float[] decoded = holder[0];
        int body = cols / LANES * LANES;
        int r = rowStart;
        for (; r + 2 <= rowEnd; r += 2) {
            w.dequantize((long) r * cols, decoded, 0, 2 * cols);
            int b = 0;
            for (; b + 4 <= batch; b += 4) tile2x4(decoded, cols, body, x, b, out, rows, r);
            for (; b < batch; b++) {
                out[b * rows + r] = dot(decoded, 0, x, b * cols, cols, body);
                out[b * rows + r + 1] = dot(decoded, cols, x, b * cols, cols, body);
            }
        }
        if (r < rowEnd) {
            w.dequantize((long) r * cols, decoded, 0, cols);
            for (int b = 0; b < batch; b++) out[b * rows + r] = dot(decoded, 0, x, b * cols, cols, body);
        }
    }

    /** Weight rows {@code r, r + 1} (decoded at 0 and {@code cols}) against batch rows {@code b .. b + 3}. */
    private static void tile2x4(float[] w, int cols, int body, float[] x, int b, float[] out, int rows, int r) {
        int x0 = b * cols, x1 = x0 + cols, x2 = x1 + cols, x3 = x2 + cols;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        for (int k = 0; k < body; k += LANES) {
            FloatVector w0 = FloatVector.fromArray(F, w, k), w1 = FloatVector.fromArray(F, w, cols + k);
            FloatVector xv = FloatVector.fromArray(F, x, x0 + k);
            a00 = w0.fma(xv, a00);
            a10 = w1.fma(xv, a10);
            xv = FloatVector.fromArray(F, x, x1 + k);
            a01 = w0.fma(xv, a01);
            a11 = w1.fma(xv, a11);
            xv = FloatVector.fromArray(F, x, x2 + k);
            a02 = w0.fma(xv, a02);
            a12 = w1.fma(xv, a12);
            xv = FloatVector.fromArray(F, x, x3 + k);
            a03 = w0.fma(xv, a03);
            a13 = w1.fma(xv, a13);
        }
        out[b * rows + r] = finish(a00, w, 0, x, x0, body, cols);
        out[(b + 1) * rows + r] = finish(a01, w, 0, x, x1, body, cols);
        out[(b + 2) * rows + r] = finish(a02, w, 0, x, x2, body, cols);
        out[(b + 3) * rows + r] = finish(a03, w, 0, x, x3, body, cols);
        out[b * rows + r + 1] = finish(a10, w, cols, x, x0, body, cols);
        out[(b + 1) * rows + r + 1] = finish(a11, w, cols, x, x1, body, cols);
        out[(b + 2) * rows + r + 1] = finish(a12, w, cols, x, x2, body, cols);
        out[(b + 3) * rows + r + 1] = finish(a13, w, cols, x, x3, body, cols);
    }

    /** One weight row against one batch row, with the same arithmetic as a lane of {@link #tile2x4}. */
    private static float dot(float[] w, int wo, float[] x, int xo, int cols, int body) {
        FloatVector acc = FloatVector.zero(F);
        for (int k = 0; k < body; k += LANES) acc = FloatVector.fromArray(F, w, wo + k).fma(FloatVector.fromArray(F, x, xo + k), acc);
        return finish(acc, w, wo, x, xo, body, cols);
    }

    /** The lanes' sum plus the columns past the last whole vector. */
    private static float finish(FloatVector acc, float[] w, int wo, float[] x, int xo, int body, int cols) {
        float sum = Lanes.sum(acc);
        for (int k = body; k < cols; k++) sum += w[wo + k] * x[xo + k];
        return sum;
    }
}
