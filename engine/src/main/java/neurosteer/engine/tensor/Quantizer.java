package neurosteer.engine.tensor;

/**
 * Encodes floats into GGML block formats. Round-to-nearest with a fitted scale per block (and for
 * K-quants a small least-squares refinement of scale and min); not bit-identical to llama.cpp's
 * quantizer, but every block it writes is valid and decodes with the matching tensor class.
 */
public final class Quantizer {
    private Quantizer() {}

    /** {@code values} encoded as {@code type}; its length must be a multiple of the block size. */
    public static byte[] quantize(GgmlType type, float[] values) {
        byte[] out = new byte[Math.toIntExact(type.byteSize(values.length))];
        quantize(type, values, 0, values.length, out, 0);
        return out;
    }

    /** Encodes {@code values[from, from + n)} into {@code out} at {@code outOffset}; {@code n} a multiple of the block size. */
    public static void quantize(GgmlType type, float[] values, int from, int n, byte[] out, int outOffset) {
        if (n % type.blockSize != 0)
            throw new IllegalArgumentException(type + " needs a multiple of " + type.blockSize + " values, got " + n);
        int blocks = n / type.blockSize;
        for (int b = 0; b < blocks; b++) {
            int src = from + b * type.blockSize, dst = outOffset + b * type.bytesPerBlock;
            switch (type) {
                case F32 -> putInt(out, dst, Float.floatToRawIntBits(values[src]));
                case F16 -> putShort(out, dst, Float.floatToFloat16(values[src]));
                case BF16 -> putShort(out, dst, toBF16(values[src]));
                case Q8_0 -> q8_0(values, src, out, dst);
                case Q4_0 -> q4_0(values, src, out, dst);
                case Q4_K -> q4_K(values, src, out, dst);
                case Q6_K -> q6_K(values, src, out, dst);
                default -> throw new UnsupportedFormatException("cannot quantize to " + type
                        + " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
            }
        }
    }

    /** Round to nearest even; NaN stays NaN. */
    public static short toBF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    private static void q8_0(float[] x, int src, byte[] out, int dst) {
        float amax = 0;
        for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(x[src + i]));
        short dBits = Float.floatToFloat16(amax / 127f);
        float d = Float.float16ToFloat(dBits);
        putShort(out, dst, dBits);
        for (int i = 0; i < 32; i++) out[dst + 2 + i] = (byte) (d == 0 ? 0 : clamp(Math.round(x[src + i] / d), -127, 127));
    }

    private static void q4_0(float[] x, int src, byte[] out, int dst) {
        // The value of largest magnitude maps to -8, the end with one more step, so the other side keeps 7.
        float extreme = 0;
        for (int i = 0; i < 32; i++) if (Math.abs(x[src + i]) > Math.abs(extreme)) extreme = x[src + i];
        short dBits = Float.floatToFloat16(extreme / -8f);
        float d = Float.float16ToFloat(dBits);
        putShort(out, dst, dBits);
        for (int j = 0; j < 16; j++) {
            int low = d == 0 ? 8 : clamp(Math.round(x[src + j] / d) + 8, 0, 15);
            int high = d == 0 ? 8 : clamp(Math.round(x[src + j + 16] / d) + 8, 0, 15);
            out[dst + 2 + j] = (byte) (low | high << 4);
        }
    }

    private static void q4_K(float[] x, int src, byte[] out, int dst) {
        float[] scales = new float[8], mins = new float[8];
        int[] q = new int[32];
        for (int j = 0; j < 8; j++) {
            float[] fit = fitScaleMin(x, src + 32 * j, 32, 15, q);
            scales[j] = fit[0];
            mins[j] = fit[1];
        }
        float maxScale = 0, maxMin = 0;
        for (int j = 0; j < 8; j++) {
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        short dBits = Float.floatToFloat16(maxScale / 63f), dminBits = Float.floatToFloat16(maxMin / 63f);
        float d = Float.float16ToFloat(dBits), dmin = Float.float16ToFloat(dminBits);
        int[] sc = new int[8], m = new int[8];
        for (int j = 0; j < 8; j++) {
            sc[j] = d == 0 ? 0 : clamp(Math.round(scales[j] / d), 0, 63);
            m[j] = dmin == 0 ? 0 : clamp(Math.round(mins[j] / dmin), 0, 63);
        }
        putShort(out, dst, dBits);
        putShort(out, dst + 2, dminBits);
        int s = dst + 4;
        for (int j = 0; j < 4; j++) {
            out[s + j] = (byte) ((sc[j] & 63) | (sc[j + 4] >>> 4) << 6);
            out[s + j + 4] = (byte) ((m[j] & 63) | (m[j + 4] >>> 4) << 6);
            out[s + j + 8] = (byte) ((sc[j + 4] & 0xF) | (m[j + 4] & 0xF) << 4);
        }
        int[] all = new int[256];
        for (int j = 0; j < 8; j++) {
            float step = d * sc[j], offset = dmin * m[j];
            for (int i = 0; i < 32; i++)
                all[32 * j + i] = step == 0 ? 0 : clamp(Math.round((x[src + 32 * j + i] + offset) / step), 0, 15);
        }
        for (int chunk = 0; chunk < 4; chunk++)
            for (int l = 0; l < 32; l++)
                out[dst + 16 + 32 * chunk + l] = (byte) (all[64 * chunk + l] | all[64 * chunk + 32 + l] << 4);
    }

    /**
     * Fits {@code x ~ scale * q - min} with integer {@code q} in {@code [0, maxQ]}, {@code scale, min >= 0}:
     * starts from the range, then alternates assigning q and a least-squares refit; keeps the best.
     */
    static float[] fitScaleMin(float[] x, int from, int n, int maxQ, int[] q) {
        float lo = 0, hi = 0;
        for (int i = 0; i < n; i++) {
            lo = Math.min(lo, x[from + i]);
            hi = Math.max(hi, x[from + i]);
        }
        if (hi == lo) return new float[] {0, 0};
        float bestScale = (hi - lo) / maxQ, bestMin = -lo;
        double bestError = error(x, from, n, maxQ, bestScale, bestMin, q);
        float scale = bestScale, min = bestMin;
        for (int iteration = 0; iteration < 6; iteration++) {
            error(x, from, n, maxQ, scale, min, q);
            double sq = 0, sx = 0, sqq = 0, sqx = 0;
            for (int i = 0; i < n; i++) {
                sq += q[i];
                sx += x[from + i];
                sqq += (double) q[i] * q[i];
                sqx += q[i] * (double) x[from + i];
            }
            double det = n * sqq - sq * sq;
            if (det <= 0) break;
            double newScale = (n * sqx - sq * sx) / det;
            double newMin = -(sx - newScale * sq) / n;
            if (newMin < 0) {
                newMin = 0;
                newScale = sqq == 0 ? 0 : sqx / sqq;
            }
            if (newScale <= 0) break;
            scale = (float) newScale;
            min = (float) newMin;
            double e = error(x, from, n, maxQ, scale, min, q);
            if (e < bestError) {
                bestError = e;
                bestScale = scale;
                bestMin = min;
            }
        }
        return new float[] {bestScale, bestMin};
    }

    private static double error(float[] x, int from, int n, int maxQ, float scale, float min, int[] q) {
        double e = 0;
        for (int i = 0; i < n; i++) {
            q[i] = clamp(Math.round((x[from + i] + min) / scale), 0, maxQ);
            double diff = scale * q[i] - min - x[from + i];
            e += diff * diff;
        }
        return e;
    }

    private static void q6_K(float[] x, int src, byte[] out, int dst) {
        float[] scales = new float[16];
        float maxAbsScale = 0, signedMax = 0;
        for (int g = 0; g < 16; g++) {
            scales[g] = fitSymmetricScale(x, src + 16 * g, 16);
            if (Math.abs(scales[g]) > maxAbsScale) {
                maxAbsScale = Math.abs(scales[g]);
                signedMax = scales[g];
            }
        }
        // The scale of largest magnitude maps to -128, so int8 scales use their whole range.
        short dBits = Float.floatToFloat16(signedMax / -128f);
        float d = Float.float16ToFloat(dBits);
        int[] sc = new int[16];
        for (int g = 0; g < 16; g++) sc[g] = d == 0 ? 0 : clamp(Math.round(scales[g] / d), -128, 127);
        int[] q = new int[256];
        for (int e = 0; e < 256; e++) {
            float step = d * sc[e / 16];
            q[e] = step == 0 ? 32 : clamp(Math.round(x[src + e] / step), -32, 31) + 32;
        }
        for (int half = 0; half < 2; half++) {
            int ql = dst + 64 * half, qh = dst + 128 + 32 * half, e = 128 * half;
            for (int l = 0; l < 32; l++) {
                int a = q[e + l], b = q[e + 32 + l], c = q[e + 64 + l], f = q[e + 96 + l];
                out[ql + l] = (byte) ((a & 0xF) | (c & 0xF) << 4);
                out[ql + 32 + l] = (byte) ((b & 0xF) | (f & 0xF) << 4);
                out[qh + l] = (byte) ((a >>> 4) | (b >>> 4) << 2 | (c >>> 4) << 4 | (f >>> 4) << 6);
            }
        }
        for (int g = 0; g < 16; g++) out[dst + 192 + g] = (byte) sc[g];
        putShort(out, dst + 208, dBits);
    }

    /** A scale for q in [-32, 31]: tries mapping the extreme value to a few levels near -32, keeps the least error. */
    private static float fitSymmetricScale(float[] x, int from, int n) {
        float extreme = 0;
        for (int i = 0; i < n; i++) if (Math.abs(x[from + i]) > Math.abs(extreme)) extreme = x[from + i];
        if (extreme == 0) return 0;
        float best = 0;
        double bestError = Double.MAX_VALUE;
        for (int step = 0; step <= 8; step++) {
            float scale = extreme / -(32f - step * 0.25f);
            double e = 0;
            for (int i = 0; i < n; i++) {
                int q = clamp(Math.round(x[from + i] / scale), -32, 31);
                double diff = scale * q - x[from + i];
                e += diff * diff;
            }
            if (e < bestError) {
                bestError = e;
                best = scale;
            }
        }
        return best;
    }

    private static int clamp(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }

    private static void putShort(byte[] out, int at, short v) {
        out[at] = (byte) v;
        out[at + 1] = (byte) (v >> 8);
    }

    private static void putInt(byte[] out, int at, int v) {
        for (int i = 0; i < 4; i++) out[at + i] = (byte) (v >> (8 * i));
    }
}
