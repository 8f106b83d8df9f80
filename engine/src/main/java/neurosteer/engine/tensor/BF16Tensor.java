package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** bfloat16: the top 16 bits of an IEEE float. */
public final class BF16Tensor extends Tensor {
    static final ValueLayout.OfShort LAYOUT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> H = ShortVector.SPECIES_128;

    public BF16Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    public static float toFloat(short bits) { return Float.intBitsToFloat((bits & 0xFFFF) << 16); }

    @Override
    public GgmlType type() { return GgmlType.BF16; }

    @Override
    public float get(long index) { return toFloat(segment.get(LAYOUT, index * 2)); }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        return Kernels.VECTORIZE ? dotVector(offset, x, xOffset, n) : dotScalar(offset, x, xOffset, n);
    }

    float dotScalar(long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) sum += get(offset + i) * x[xOffset + i];
        return sum;
    }

    float dotVector(long offset, float[] x, int xOffset, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0, upper = F.loopBound(n);
        long base = offset * 2;
        for (; i < upper; i += 8) {
            ShortVector h = ShortVector.fromMemorySegment(H, segment, base + 2L * i, ByteOrder.LITTLE_ENDIAN);
            FloatVector w = ((IntVector) h.convertShape(VectorOperators.S2I, IntVector.SPECIES_256, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
            acc = w.fma(FloatVector.fromArray(F, x, xOffset + i), acc);
        }
        float sum = Lanes.sum(acc);
        for (; i < n; i++) sum += get(offset + i) * x[xOffset + i];
        return sum;
    }

    /**
     * Each 256-bit load holds 16 bf16 values as 8 little-endian ints: shifting left by 16 gives the even
     * elements as floats, masking the high half gives the odd ones, so x is copied once per product into
     * an even/odd-split layout and no widening is needed.
     * <p>
     * Rows of up to {@link #ONE_ROW_COLS} columns go one at a time: each thread then reads one stream of
     * consecutive rows, and on a Zen 4 machine that read 1.2-1.6x as fast as four rows side by side
     * (Llama's rows are 4 or 16 KiB, and four short streams at once kept the prefetchers from reaching full
     * speed). Wider rows go four at a time, sharing each load of x: with 8192 columns one row at a time
     * read x from L2 rather than L1 and ran at 0.65x (docs/BENCHMARKS.md, twenty-third run). A matrix's rows
     * all take the same arithmetic however they were split between threads: {@link #oneRow}'s, or for
     * wide rows {@link #rows4}' (and {@link #row1}'s, the same, for the rows left over).
     */
    @Override
    protected void matvecRows(float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        int cols = cols(), rows = rows(), body = cols / 16 * 16;
        float[] split = SPLIT_X.get();
        if (split.length < body) SPLIT_X.set(split = new float[body]);
        for (int b = 0; b < batch; b++) {
            int xo = b * cols;
            for (int k = 0; k < body; k += 16)
                for (int i = 0; i < 8; i++) {
                    split[k + i] = x[xo + k + 2 * i];
                    split[k + 8 + i] = x[xo + k + 2 * i + 1];
                }
            if (cols <= ONE_ROW_COLS) {
                for (int r = rowStart; r < rowEnd; r++) out[b * rows + r] = oneRow(split, body, x, xo, cols, r);
                continue;
            }
            int r = rowStart;
            for (; r + 4 <= rowEnd; r += 4) rows4(split, body, x, xo, cols, r, out, b * rows);
            for (; r < rowEnd; r++) out[b * rows + r] = row1(split, body, x, xo, cols, r);
        }
    }

    /** Up to this many columns the split copy of x (16 KiB) stays in L1 while one row streams past it. */
    static final int ONE_ROW_COLS = 4096;
    private static final ThreadLocal<float[]> SPLIT_X = ThreadLocal.withInitial(() -> new float[0]);
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_256;

    private void rows4(float[] split, int body, float[] x, int xo, int cols, int r, float[] out, int oo) {
        MemorySegment rows = segment.asSlice((long) r * cols * 2, 4L * cols * 2); // int offsets: bounds checked once per loop
        int b1 = cols * 2, b2 = 2 * b1, b3 = 3 * b1;
        FloatVector e0 = FloatVector.zero(F), o0 = e0, e1 = e0, o1 = e0, e2 = e0, o2 = e0, e3 = e0, o3 = e0;
        for (int k = 0; k < body; k += 16) {
            FloatVector xe = FloatVector.fromArray(F, split, k), xd = FloatVector.fromArray(F, split, k + 8);
            int off = 2 * k;
            IntVector w = IntVector.fromMemorySegment(I, rows, off, ByteOrder.LITTLE_ENDIAN);
            e0 = w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, e0);
            o0 = w.and(0xFFFF0000).reinterpretAsFloats().fma(xd, o0);
            w = IntVector.fromMemorySegment(I, rows, b1 + off, ByteOrder.LITTLE_ENDIAN);
            e1 = w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, e1);
            o1 = w.and(0xFFFF0000).reinterpretAsFloats().fma(xd, o1);
            w = IntVector.fromMemorySegment(I, rows, b2 + off, ByteOrder.LITTLE_ENDIAN);
            e2 = w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, e2);
            o2 = w.and(0xFFFF0000).reinterpretAsFloats().fma(xd, o2);
            w = IntVector.fromMemorySegment(I, rows, b3 + off, ByteOrder.LITTLE_ENDIAN);
            e3 = w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(xe, e3);
            o3 = w.and(0xFFFF0000).reinterpretAsFloats().fma(xd, o3);
        }
        out[oo + r] = Lanes.sum(e0.add(o0)) + tail(r, body, x, xo, cols);
        out[oo + r + 1] = Lanes.sum(e1.add(o1)) + tail(r + 1, body, x, xo, cols);
        out[oo + r + 2] = Lanes.sum(e2.add(o2)) + tail(r + 2, body, x, xo, cols);
        out[oo + r + 3] = Lanes.sum(e3.add(o3)) + tail(r + 3, body, x, xo, cols);
    }

    /** One row, two blocks of 16 columns a step, each into an even and an odd accumulator: four FMA chains in flight. */
    private float oneRow(float[] split, int body, float[] x, int xo, int cols, int r) {
        MemorySegment row = segment.asSlice((long) r * cols * 2, cols * 2L);
        FloatVector even0 = FloatVector.zero(F), odd0 = even0, even1 = even0, odd1 = even0;
        int k = 0;
        for (; k + 32 <= body; k += 32) {
            IntVector w = IntVector.fromMemorySegment(I, row, 2 * k, ByteOrder.LITTLE_ENDIAN);
            even0 = w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k), even0);
            odd0 = w.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k + 8), odd0);
            w = IntVector.fromMemorySegment(I, row, 2 * k + 32, ByteOrder.LITTLE_ENDIAN);
            even1 = w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k + 16), even1);
            odd1 = w.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k + 24), odd1);
        }
        if (k < body) {
            IntVector w = IntVector.fromMemorySegment(I, row, 2 * k, ByteOrder.LITTLE_ENDIAN);
            even0 = w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k), even0);
            odd0 = w.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k + 8), odd0);
        }
        return Lanes.sum(even0.add(even1).add(odd0.add(odd1))) + tail(r, body, x, xo, cols);
    }

    /** One row with exactly the arithmetic of {@link #rows4}, so a row's result never depends on its group. */
    private float row1(float[] split, int body, float[] x, int xo, int cols, int r) {
        MemorySegment row = segment.asSlice((long) r * cols * 2, cols * 2L);
        FloatVector e0 = FloatVector.zero(F), o0 = e0;
        for (int k = 0; k < body; k += 16) {
            IntVector w = IntVector.fromMemorySegment(I, row, 2 * k, ByteOrder.LITTLE_ENDIAN);
            e0 = w.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k), e0);
            o0 = w.and(0xFFFF0000).reinterpretAsFloats().fma(FloatVector.fromArray(F, split, k + 8), o0);
        }
        return Lanes.sum(e0.add(o0)) + tail(r, body, x, xo, cols);
    }

    private float tail(int r, int from, float[] x, int xo, int cols) {
        float sum = 0;
        long base = (long) r * cols;
        for (int k = from; k < cols; k++) sum += get(base + k) * x[xo + k];
        return sum;
    }

    /** Prefill in AMX tiles where the CPU has them ({@link NativeGemm#multipliedByTiles}), else row chunks over the team. */
    @Override
    public void matmul(float[] x, int batch, float[] out, float[] spare) {
        if (!NativeGemm.multipliedByTiles(NativeGemm.FloatLayout.BF16, this, x, batch, out, spare)) super.matmul(x, batch, out, spare);
    }

    /** The native kernels where they run and are the faster ({@link NativeGemm#multipliedFloats}), else the Java ones. */
    @Override
    public void matmulRows(float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        if (!NativeGemm.multipliedFloats(NativeGemm.FloatLayout.BF16, this, x, batch, out, rowStart, rowEnd))
            super.matmulRows(x, batch, out, rowStart, rowEnd);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        int i = 0;
        if (Kernels.VECTORIZE) {
            long base = offset * 2;
            for (int upper = F.loopBound(n); i < upper; i += 8) {
                ShortVector h = ShortVector.fromMemorySegment(H, segment, base + 2L * i, ByteOrder.LITTLE_ENDIAN);
                ((IntVector) h.convertShape(VectorOperators.S2I, IntVector.SPECIES_256, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(out, outOffset + i);
            }
        }
        for (; i < n; i++) out[outOffset + i] = get(offset + i);
    }
}
