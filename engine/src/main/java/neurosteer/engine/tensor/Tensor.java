package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import neurosteer.engine.util.Parallel;

/**
 * A weight tensor that stays where it is stored (usually a memory-mapped file). One subclass per
 * storage format, each with its own kernels. Shapes are row-major: a matrix is {@code [rows, cols]}
 * with each row contiguous, which is how both Hugging Face ({@code [out, in]}) and GGUF
 * ({@code ne0 = in, ne1 = out}) lay out a linear layer.
 */
public abstract class Tensor {
    protected final String name;
    protected final MemorySegment segment;
    protected final long[] shape;
    protected final long size;

    protected Tensor(String name, MemorySegment segment, long[] shape) {
        this.name = name;
        this.segment = segment;
        this.shape = shape.clone();
        long n = 1;
        for (long d : shape) n *= d;
        this.size = n;
        long need = type().byteSize(n);
        if (segment.byteSize() < need)
            throw new IllegalArgumentException("tensor '" + name + "': " + type() + " " + Arrays.toString(shape)
                    + " needs " + need + " bytes, only " + segment.byteSize() + " available");
    }

    public abstract GgmlType type();

    /** Element at a flat row-major index. */
    public abstract float get(long index);

    /** Dot product of elements {@code [offset, offset + n)} with {@code x[xOffset, xOffset + n)}. */
    public abstract float dot(long offset, float[] x, int xOffset, int n);

    /** Decodes elements {@code [offset, offset + n)} into {@code out}. */
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) out[outOffset + i] = get(offset + i);
    }

    /**
     * The whole product {@code out[b * rows + r] = sum_c W[r, c] * x[b * cols + c]}, its rows split over
     * the {@link Parallel} team: what a forward pass calls. Formats with an integer decode kernel
     * override it to quantize {@code x} once first (see {@link BlockQuantTensor#matmul}).
     */
    public final void matmul(float[] x, int batch, float[] out) { matmul(x, batch, out, null); }

    /**
     * {@link #matmul(float[], int, float[])}, free to use {@code spare} as scratch memory: an array the caller
     * neither reads nor needs until this returns, or null. A forward pass lends a buffer that is dead at that point
     * (the FFN's while attention runs, and so on), so that a 512-row product need not keep a copy of x of its own
     * (see {@link NativeGemm#tileProduct}). What {@code spare} holds afterwards is unspecified.
     */
    public void matmul(float[] x, int batch, float[] out, float[] spare) {
        Parallel.forRange(rows(), rowGrain(batch), (start, end) -> matmulRows(x, batch, out, start, end));
    }

    /** Rows per parallel chunk at least: enough work per chunk to be worth a hand-off. */
    static int rowGrain(int batch) { return Math.min(64, Math.max(1, 4096 / Math.max(1, batch))); }

    /**
     * {@code out[b * rows + r] = sum_c W[r, c] * x[b * cols + c]} for {@code b < batch}, rows in
     * {@code [rowStart, rowEnd)}. One to three batch rows (decode) take {@link #matvecRows}, which
     * decodes each weight in registers; up to {@link TiledMatmul#MIN_BATCH} rows (several sequences
     * decoding together, short prompts) take {@link FewRowsMatmul}, which decodes each pair of weight rows
     * once into L1 and multiplies it against every batch row; more rows (prefill) take the cache-blocked
     * {@link TiledMatmul}, which decodes each weight tile once and reuses it across the batch.
     */
    public void matmulRows(float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        if (!Kernels.VECTORIZE) matmulRowsByDot(x, batch, out, rowStart, rowEnd);
        else if (batch >= TiledMatmul.MIN_BATCH) TiledMatmul.matmulRows(this, x, batch, out, rowStart, rowEnd);
        else if (batch >= FewRowsMatmul.MIN_BATCH) FewRowsMatmul.matmulRows(this, x, batch, out, rowStart, rowEnd);
        else matvecRows(x, batch, out, rowStart, rowEnd);
    }

    /**
     * The decode path of {@link #matmulRows} (a few batch rows): formats with a multi-row kernel
     * override this to stream several weight rows at once against one load of {@code x}; the default
     * is one vectorised dot product per weight row and batch row.
     */
    protected void matvecRows(float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        matmulRowsByDot(x, batch, out, rowStart, rowEnd);
    }

    /** {@link #matmulRows} as one {@link #dot} per weight row and batch row. */
    public final void matmulRowsByDot(float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        int cols = cols(), rows = rows();
        for (int r = rowStart; r < rowEnd; r++) {
            long off = (long) r * cols;
            for (int b = 0; b < batch; b++) out[b * rows + r] = dot(off, x, b * cols, cols);
        }
    }

    public final String name() { return name; }

    public final long[] shape() { return shape.clone(); }

    public final long size() { return size; }

    public final int rows() { return shape.length == 1 ? 1 : Math.toIntExact(size / shape[shape.length - 1]); }

    public final int cols() { return Math.toIntExact(shape[shape.length - 1]); }

    public final MemorySegment segment() { return segment; }

    public final long byteSize() { return type().byteSize(size); }

    /** A float copy, for small tensors only (norm weights, biases). */
    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(size)];
        dequantize(0, out, 0, out.length);
        return out;
    }

    @Override
    public String toString() {
        return name + " " + type() + " " + Arrays.toString(shape);
    }
}
