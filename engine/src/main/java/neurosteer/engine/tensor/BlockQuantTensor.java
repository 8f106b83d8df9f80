package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A format that stores elements in fixed-size blocks (GGML quantizations). Subclasses decode and
 * dot whole blocks; this class handles ranges that start or end inside a block, element by element.
 */
public abstract class BlockQuantTensor extends Tensor {
    static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    protected BlockQuantTensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    final float f16(long byteOffset) { return Float.float16ToFloat(segment.get(F16, byteOffset)); }

    final int u8(long byteOffset) { return segment.get(ValueLayout.JAVA_BYTE, byteOffset) & 0xFF; }

    final int s8(long byteOffset) { return segment.get(ValueLayout.JAVA_BYTE, byteOffset); }

    /**
     * Byte lanes shifted right, done as 16-bit shifts (x86 has no byte shift): bits that cross from
     * the neighbouring byte land above bit {@code 7 - bits} and callers mask them off.
     */
    static ByteVector shiftRight(ByteVector v, int bits) {
        return v.reinterpretAsShorts().lanewise(VectorOperators.LSHR, bits).reinterpretAsBytes();
    }

    /**
     * 8 bytes at {@code byteOffset}, sign-extended to 8 int lanes. For 4-bit formats one widening then
     * serves both nibbles of each byte, which are cut out in the int lanes ({@link #lowNibbles},
     * {@link #highNibbles}): about a tenth faster in decode than widening each nibble vector separately.
     */
    final IntVector widenedBytes(long byteOffset) {
        return (IntVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_64, segment, byteOffset, ByteOrder.LITTLE_ENDIAN)
                .castShape(IntVector.SPECIES_256, 0);
    }

    /** Low nibbles of {@link #widenedBytes} as floats. */
    static FloatVector lowNibbles(IntVector bytes) {
        return (FloatVector) bytes.and(0xF).castShape(FloatVector.SPECIES_256, 0);
    }

    /** High nibbles of {@link #widenedBytes} as floats. */
    static FloatVector highNibbles(IntVector bytes) {
        return (FloatVector) bytes.lanewise(VectorOperators.LSHR, 4).and(0xF).castShape(FloatVector.SPECIES_256, 0);
    }

    /** Low nibbles of {@link #widenedBytes} minus {@code offset}, as floats. */
    static FloatVector lowNibbles(IntVector bytes, int offset) {
        return (FloatVector) bytes.and(0xF).sub(offset).castShape(FloatVector.SPECIES_256, 0);
    }

    /** High nibbles of {@link #widenedBytes} minus {@code offset}, as floats. */
    static FloatVector highNibbles(IntVector bytes, int offset) {
        return (FloatVector) bytes.lanewise(VectorOperators.LSHR, 4).and(0xF).sub(offset).castShape(FloatVector.SPECIES_256, 0);
    }

    /** Byte lanes shifted left as 16-bit shifts; callers pass bytes small enough not to overflow. */
    static ByteVector shiftLeft(ByteVector v, int bits) {
        return v.reinterpretAsShorts().lanewise(VectorOperators.LSHL, bits).reinterpretAsBytes();
    }

    /** Writes the {@code blockSize} elements of block {@code block} to {@code out[outOffset...]}. */
    abstract void dequantizeBlock(long block, float[] out, int outOffset);

    /** Scalar reference: dot of {@code blocks} whole blocks starting at {@code firstBlock} with {@code x}. */
    abstract float dotBlocksScalar(long firstBlock, int blocks, float[] x, int xOffset);

    /** The Vector API version of {@link #dotBlocksScalar}. */
    abstract float dotBlocksVector(long firstBlock, int blocks, float[] x, int xOffset);

    @Override
    public final float dot(long offset, float[] x, int xOffset, int n) {
        return dot(offset, x, xOffset, n, Kernels.VECTORIZE);
    }

    public final float dotScalar(long offset, float[] x, int xOffset, int n) {
        return dot(offset, x, xOffset, n, false);
    }

    public final float dotVector(long offset, float[] x, int xOffset, int n) {
        return dot(offset, x, xOffset, n, true);
    }

    private float dot(long offset, float[] x, int xOffset, int n, boolean vector) {
        int blockSize = type().blockSize;
        float sum = 0;
        int i = 0;
        for (; i < n && (offset + i) % blockSize != 0; i++) sum += get(offset + i) * x[xOffset + i];
        int blocks = (n - i) / blockSize;
        if (blocks > 0) {
            long firstBlock = (offset + i) / blockSize;
            sum += vector ? dotBlocksVector(firstBlock, blocks, x, xOffset + i)
                    : dotBlocksScalar(firstBlock, blocks, x, xOffset + i);
            i += blocks * blockSize;
        }
        for (; i < n; i++) sum += get(offset + i) * x[xOffset + i];
        return sum;
    }

    @Override
    public final void dequantize(long offset, float[] out, int outOffset, int n) {
        int blockSize = type().blockSize;
        int i = 0;
        for (; i < n && (offset + i) % blockSize != 0; i++) out[outOffset + i] = get(offset + i);
        for (; n - i >= blockSize; i += blockSize) dequantizeBlock((offset + i) / blockSize, out, outOffset + i);
        for (; i < n; i++) out[outOffset + i] = get(offset + i);
    }
}
