package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

public final class F32Tensor extends Tensor {
    static final ValueLayout.OfFloat LAYOUT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** 256 bits on every machine, so that sums come out the same with or without AVX-512 (see {@link Lanes}). */
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_256;

    public F32Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    /** A tensor over a fresh heap copy of {@code values}, for tests and small weights. */
    public static F32Tensor of(String name, float[] values, long... shape) {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
        for (int i = 0; i < values.length; i++) seg.set(LAYOUT, 4L * i, values[i]);
        return new F32Tensor(name, seg, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.F32; }

    @Override
    public float get(long index) { return segment.get(LAYOUT, index * 4); }

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
        FloatVector acc = FloatVector.zero(S);
        int len = S.length(), i = 0, upper = S.loopBound(n);
        MemorySegment row = segment.asSlice(offset * 4, upper * 4L); // int offsets: bounds checked once per loop
        for (; i < upper; i += len) {
            FloatVector w = FloatVector.fromMemorySegment(S, row, 4 * i, ByteOrder.LITTLE_ENDIAN);
            acc = w.fma(FloatVector.fromArray(S, x, xOffset + i), acc);
        }
        float sum = Lanes.sum(acc);
        for (; i < n; i++) sum += get(offset + i) * x[xOffset + i];
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        MemorySegment.copy(segment, LAYOUT, offset * 4, out, outOffset, n);
    }
}
