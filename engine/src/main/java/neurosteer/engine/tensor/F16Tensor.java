package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** IEEE half precision. */
public final class F16Tensor extends Tensor {
    static final ValueLayout.OfShort LAYOUT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Short> H = ShortVector.SPECIES_128;
    /** 2^112: moves a half's exponent bias (15) to a float's (127) once its bits sit 13 places higher. */
    private static final float REBIAS = 0x1p112f;

    public F16Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.F16; }

    @Override
    public float get(long index) { return Float.float16ToFloat(segment.get(LAYOUT, index * 2)); }

    @Override
    public float dot(long offset, float[] x, int xOffset, int n) {
        return Kernels.VECTORIZE ? dotVector(offset, x, xOffset, n) : dotScalar(offset, x, xOffset, n);
    }

    float dotScalar(long offset, float[] x, int xOffset, int n) {
        float sum = 0;
        long base = offset * 2;
        for (int i = 0; i < n; i++) sum += Float.float16ToFloat(segment.get(LAYOUT, base + 2L * i)) * x[xOffset + i];
        return sum;
    }

    float dotVector(long offset, float[] x, int xOffset, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0, upper = F.loopBound(n);
        MemorySegment row = segment.asSlice(offset * 2, upper * 2L); // int offsets: bounds checked once per loop
        for (; i < upper; i += 8) {
            ShortVector h = ShortVector.fromMemorySegment(H, row, 2 * i, ByteOrder.LITTLE_ENDIAN);
            acc = toFloats(h).fma(FloatVector.fromArray(F, x, xOffset + i), acc);
        }
        float sum = Lanes.sum(acc);
        for (; i < n; i++) sum += get(offset + i) * x[xOffset + i];
        return sum;
    }

    /** Prefill in AMX tiles where the CPU has them ({@link NativeGemm#multipliedByTiles}), else row chunks over the team. */
    @Override
    public void matmul(float[] x, int batch, float[] out, float[] spare) {
        if (!NativeGemm.multipliedByTiles(NativeGemm.FloatLayout.F16, this, x, batch, out, spare)) super.matmul(x, batch, out, spare);
    }

    /** The native kernels where they run and are the faster ({@link NativeGemm#multipliedFloats}), else the Java ones. */
    @Override
    public void matmulRows(float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        if (!NativeGemm.multipliedFloats(NativeGemm.FloatLayout.F16, this, x, batch, out, rowStart, rowEnd))
            super.matmulRows(x, batch, out, rowStart, rowEnd);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        int i = 0;
        if (Kernels.VECTORIZE) {
            long base = offset * 2;
            for (int upper = F.loopBound(n); i < upper; i += 8)
                toFloats(ShortVector.fromMemorySegment(H, segment, base + 2L * i, ByteOrder.LITTLE_ENDIAN)).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) out[outOffset + i] = get(offset + i);
    }

    /** {@code out[outOffset + i] = half → float of halves[offset + i]} for {@code i < n}, exactly as {@link Float#float16ToFloat}. */
    public static void halvesToFloats(short[] halves, int offset, float[] out, int outOffset, int n) {
        int i = 0;
        if (Kernels.VECTORIZE)
            for (int upper = F.loopBound(n); i < upper; i += 8)
                toFloats(ShortVector.fromArray(H, halves, offset + i)).intoArray(out, outOffset + i);
        for (; i < n; i++) out[outOffset + i] = Float.float16ToFloat(halves[offset + i]);
    }

    /** Exact half to float for 8 lanes, subnormals, infinities and NaNs included. */
    static FloatVector toFloats(ShortVector halves) {
        IntVector bits = (IntVector) halves.convertShape(VectorOperators.S2I, IntVector.SPECIES_256, 0);
        IntVector magnitude = bits.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector scaled = shifted.reinterpretAsFloats().mul(REBIAS).reinterpretAsInts();
        VectorMask<Integer> infOrNan = magnitude.compare(VectorOperators.GE, 0x7C00);
        scaled = scaled.blend(shifted.or(0x7F800000), infOrNan);
        IntVector sign = bits.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        return scaled.or(sign).reinterpretAsFloats();
    }
}
