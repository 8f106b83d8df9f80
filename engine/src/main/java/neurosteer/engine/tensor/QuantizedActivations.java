package neurosteer.engine.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Rows of activations quantized to 8-bit integers for the integer decode kernels, the way llama.cpp
 * quantizes the activation side of a product with quantized weights (its Q8_0 and Q8_K): each block of
 * {@link #block} elements (32 or 256, the weight format's choice) gets one scale {@code amax / 127} and
 * values {@code round(x / scale)} in [-127, 127] (to nearest, ties to even). The values are stored as shorts, because the kernels
 * multiply them with the weights' integers in 16-bit lanes.
 *
 * <p>{@link #groupSums} holds, for every 32 elements, the sum of their dequantized values, so that a
 * format with an offset ({@code (q - 8) · d}, {@code d · scale · q - dmin · min}) applies it once per
 * 32 elements; taking these sums from the quantized values keeps the result equal to the dot product of
 * the dequantized weights with the dequantized activations.
 *
 * <p>One instance per calling thread ({@link #forThread}), filled before a product is split between
 * threads and only read while it runs.
 */
final class QuantizedActivations {
    static final int GROUP = 32;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int LANES = F.length();
    /** 1.5 · 2^23: adding and then subtracting it rounds a float below 2^22 in magnitude to the nearest integer. */
    private static final float ROUND = 12582912f;
    private static final ThreadLocal<QuantizedActivations> PER_THREAD = ThreadLocal.withInitial(QuantizedActivations::new);

    int batch, cols, block;
    short[] values = new short[0];
    /** {@code scales[row * (cols / block) + b]}: the scale of block b of batch row {@code row}. */
    float[] scales = new float[0];
    /** {@code groupSums[row * (cols / 32) + g]}: the dequantized sum of elements 32g..32g+31 of that row. */
    float[] groupSums = new float[0];
    /** {@code valueSums[row * (cols / 32) + g]}: the sum of the quantized values 32g..32g+31 of that row (at most 32 · 127 in magnitude). */
    int[] valueSums = new int[0];

    /**
     * {@code factor} times the sum of each 8 quantized values, at {@code i / 8} for elements {@code i..i+7}
     * of the whole batch, for a kernel whose 16-bit sums start from an offset (Q6_K's {@code -32 · Σx}).
     * Filled by {@link #scaledSumsOf8}; {@code |factor| ≤ 32} keeps each within a short.
     */
    short[] sumsOf8 = new short[0];

    /** The values as bytes, for the native kernels ({@link NativeGemm}): filled by {@link #quantizeToBytes}. */
    byte[] int8 = new byte[0];
    /** Whether the last quantization wrote {@link #int8} (then {@link #values} and {@link #valueSums} are stale) or {@link #values}. */
    boolean inBytes;

    static QuantizedActivations forThread() { return PER_THREAD.get(); }


    /** Fills {@link #sumsOf8} from the values of the last {@link #quantize}. */
    QuantizedActivations scaledSumsOf8(int factor) {
        if (Math.abs(factor) > 32) throw new IllegalArgumentException("factor " + factor + " could overflow a short");
        int n = batch * cols / 8;
        if (sumsOf8.length < n) sumsOf8 = new short[n];
        for (int i = 0; i < n; i++) {
            int sum = 0;
            for (int k = 8 * i; k < 8 * i + 8; k++) sum += values[k];
            sumsOf8[i] = (short) (factor * sum);
        }
        return this;
    }

    /** Quantizes {@code batch} rows of {@code cols} elements of {@code x}; {@code cols} must be a multiple of {@code block}. */
    QuantizedActivations quantize(float[] x, int batch, int cols, int block) {
        return quantize(x, batch, cols, block, false);
    }

    /**
     * {@link #quantize} in blocks of 32 for the native kernels: the values go to {@link #int8} only
     * ({@link #values} and {@link #valueSums} are left as they were), which keeps a 512-token prefill
     * from holding both a short and a byte copy (12 MiB for Llama-3.2-1B's FFN).
     */
    QuantizedActivations quantizeToBytes(float[] x, int batch, int cols) {
        return quantize(x, batch, cols, GROUP, true);
    }

    private QuantizedActivations quantize(float[] x, int batch, int cols, int block, boolean bytes) {
        if (block % GROUP != 0 || cols % block != 0)
            throw new IllegalArgumentException("cannot quantize rows of " + cols + " in blocks of " + block);
        this.batch = batch;
        this.cols = cols;
        this.block = block;
        this.inBytes = bytes;
        int n = batch * cols;
        if (bytes && int8.length < n) int8 = new byte[n];
        if (!bytes && values.length < n) values = new short[n];
        if (scales.length < n / block) scales = new float[n / block];
        if (groupSums.length < n / GROUP) groupSums = new float[n / GROUP];
        if (!bytes && valueSums.length < n / GROUP) valueSums = new int[n / GROUP];
        for (int b = 0; b < n / block; b++) {
            int start = b * block;
            FloatVector max = FloatVector.zero(F);
            for (int i = start; i < start + block; i += LANES) max = max.max(FloatVector.fromArray(F, x, i).abs());
            float amax = max.reduceLanes(VectorOperators.MAX);
            float scale = amax / 127f, inverse = scale == 0 ? 0 : 1 / scale;
            scales[b] = scale;
            for (int g = start; g < start + block; g += GROUP) {
                FloatVector sum = FloatVector.zero(F);
                for (int i = g; i < g + GROUP; i += LANES) {
                    FloatVector q = FloatVector.fromArray(F, x, i).mul(inverse).add(ROUND).sub(ROUND);
                    sum = sum.add(q);
                    if (bytes) ((ByteVector) q.castShape(ByteVector.SPECIES_64, 0)).intoArray(int8, i);
                    else ((ShortVector) q.castShape(ShortVector.SPECIES_128, 0)).intoArray(values, i);
                }
                float valueSum = sum.reduceLanes(VectorOperators.ADD); // integers below 2^24: exact
                if (!bytes) valueSums[g / GROUP] = (int) valueSum;
                groupSums[g / GROUP] = valueSum * scale;
            }
        }
        return this;
    }
}
