package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** IEEE half precision. */
public final class F16Tensor extends Tensor {
    static final ValueLayout.OfShort LAYOUT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public F16Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.F16; }

    @Override
    public float get(long index) { return Float.float16ToFloat(segment.get(LAYOUT, index * 2)); }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        long base = offset * 2;
        for (int i = 0; i < n; i++) sum += Float.float16ToFloat(segment.get(LAYOUT, base + 2L * i)) * x[xOffset + i];
        return sum;
    }
}
