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
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) sum += get(offset + i) * x[xOffset + i];
        return sum;
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
