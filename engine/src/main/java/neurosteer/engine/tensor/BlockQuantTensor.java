package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import neurosteer.engine.util.Parallel;

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

    static float f16(MemorySegment memory, long byteOffset) { return Float.float16ToFloat(memory.get(F16, byteOffset)); }

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

    static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_256;

    /**
     * Formats with a {@link #nativeLayout} take {@link NativeGemm#multiply} where it runs: from
     * {@link TiledMatmul#MIN_BATCH} rows of x on, and below that where it has a decode kernel for the layout.
     * Otherwise, in decode (fewer than {@link FewRowsMatmul#MIN_BATCH} rows of x), formats with an integer
     * kernel quantize x once ({@link QuantizedActivations}) and then multiply integers; everything else, and
     * every format when {@link Kernels#QUANTIZE_ACTIVATIONS} is off, takes the float kernels.
     */
    @Override
    public void matmul(float[] x, int batch, float[] out, float[] spare) {
        NativeGemm.Layout layout = nativeLayout();
        if (layout != null && NativeGemm.runs(layout, batch)) {
            NativeGemm.multiply(layout, this, x, batch, out, spare);
            return;
        }
        int block = activationBlock();
        if (!Kernels.VECTORIZE || !Kernels.QUANTIZE_ACTIVATIONS || block == 0 || batch >= FewRowsMatmul.MIN_BATCH
                || cols() % block != 0) {
            super.matmul(x, batch, out, spare);
            return;
        }
        QuantizedActivations a = QuantizedActivations.forThread().quantize(x, batch, cols(), block);
        Parallel.forRange(rows(), rowGrain(batch), (start, end) -> matvecQuantized(a, out, start, end));
    }

    /**
     * The layout in which {@link NativeGemm} multiplies this format when it is
     * {@linkplain NativeGemm#available available} (x quantized in blocks of 32 to bytes, 8-bit integers
     * multiplied), or null.
     */
    NativeGemm.Layout nativeLayout() { return null; }

    /** The activation block of this format's integer kernel (32 or 256), or 0 if it has none. */
    int activationBlock() { return 0; }

    /**
     * The integer decode kernel: {@code out[b * rows + r]} for every batch row of {@code a} and rows in
     * {@code [rowStart, rowEnd)}. Only called when {@link #activationBlock} is not 0.
     *
     * <p>Each format writes it as a row loop ({@link #rowLoop}) around a static kernel that takes the
     * segment as an argument, with a loop of its own for one batch row. With the kernel as an instance
     * method behind one generic loop, Q8_0's matrix-vector products ran 1.06–1.14× slower than a static
     * copy in a plain loop in most processes; now 0.98–1.03× (alternated in one process; docs/BENCHMARKS.md).
     */
    void matvecQuantized(QuantizedActivations a, float[] out, int rowStart, int rowEnd) {
        throw new UnsupportedOperationException(type() + " has no integer kernel");
    }

    /**
     * A format's static integer kernel: one weight row ({@code row}, a slice of {@code blocks} blocks)
     * against activation blocks from {@code firstXBlock}. Kernels index the slice with int offsets, whose
     * bounds C2 checks once per loop; long offsets into the whole tensor were checked at every load.
     */
    @FunctionalInterface
    interface RowKernel {
        float dot(MemorySegment row, int blocks, QuantizedActivations a, int firstXBlock);
    }

    /**
     * The row loop of {@link #matvecQuantized} around {@code kernel}, for formats whose rows need no
     * scratch. Small enough for C2 to inline into each format's {@code matvecQuantized}, where the
     * kernel (a constant there) is called directly.
     */
    static void rowLoop(RowKernel kernel, MemorySegment memory, int rows, int blocks, int blockBytes, QuantizedActivations a, float[] out,
                        int rowStart, int rowEnd) {
        long rowBytes = (long) blocks * blockBytes;
        if (a.batch == 1) {
            for (int r = rowStart; r < rowEnd; r++) out[r] = kernel.dot(memory.asSlice(r * rowBytes, rowBytes), blocks, a, 0);
            return;
        }
        for (int r = rowStart; r < rowEnd; r++) {  // each weight row once from memory, then from L1 for the other batch rows
            MemorySegment row = memory.asSlice(r * rowBytes, rowBytes);
            for (int b = 0; b < a.batch; b++) out[b * rows + r] = kernel.dot(row, blocks, a, b * blocks);
        }
    }

    /** Scalar reference of {@link #matvecQuantized} for one weight row and one batch row. */
    final float dotQuantizedScalar(int row, QuantizedActivations a, int batchRow) {
        int blocks = cols() / type().blockSize;
        float sum = 0;
        for (int i = 0; i < blocks; i++)
            sum += blockDotQuantizedScalar(((long) row * blocks + i) * type().bytesPerBlock, a, batchRow * blocks + i);
        return sum;
    }

    /** Scalar reference for the weight block at byte {@code base} against activation block {@code xb}. */
    float blockDotQuantizedScalar(long base, QuantizedActivations a, int xb) {
        throw new UnsupportedOperationException(type() + " has no integer kernel");
    }

    /**
     * 16 bytes at {@code byteOffset} of {@code memory}, zero-extended to 16 short lanes (for nibbles:
     * one load serves both the low and the high nibble of each byte).
     */
    static ShortVector bytesAsShorts(MemorySegment memory, long byteOffset) {
        return (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, memory, byteOffset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
    }

    /** 16 bytes at {@code byteOffset} of {@code memory}, sign-extended to 16 short lanes. */
    static ShortVector signedBytesAsShorts(MemorySegment memory, long byteOffset) {
        return (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, memory, byteOffset, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2S, SHORTS, 0);
    }

    /**
     * Sums of adjacent 16-bit lanes as 8 floats: the 16 products of an integer kernel folded into 8
     * lanes (x86's {@code vpmaddwd} does this with the multiply; the Vector API has no such operation,
     * so each pair is cut out of the 32-bit lane that holds it).
     */
    static FloatVector pairSums(ShortVector s) {
        IntVector pairs = s.reinterpretAsInts();
        return (FloatVector) pairs.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                .add(pairs.lanewise(VectorOperators.ASHR, 16)).convert(VectorOperators.I2F, 0);
    }

    /**
     * {@link #pairSums} for lanes whose adjacent pairs sum to less than 2^15 in magnitude (the 4-bit
     * formats, whose lanes hold at most 2 · 15 · 127), with one shift fewer: the high half of
     * {@code pair + (pair << 16)} is the sum of the pair's two halves.
     */
    static FloatVector smallPairSums(ShortVector s) {
        IntVector pairs = s.reinterpretAsInts();
        return (FloatVector) pairs.add(pairs.lanewise(VectorOperators.LSHL, 16)).lanewise(VectorOperators.ASHR, 16)
                .convert(VectorOperators.I2F, 0);
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
