package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q8_0 interleaved by groups of 16 rows ({@link InterleavedTensor}). Each group's 32-column block is 544
 * bytes: the 16 rows' f16 scales in row order, then 8 lines of 64 bytes, line {@code g} holding columns
 * {@code 4g..4g+3} of each row, row {@code i}'s four at {@code 4i}, each value stored as {@code u = q + 128}.
 * That is the native kernels' panel as it is: one {@code vpdpbusd} multiplies a line by 4 bytes of x, the
 * sums landing per row (the row-major kernel summed each row across its lanes, row by row).
 *
 * <p>Unlike the 4-bit layouts, rows sit in row order, not in {@link #laneOfRow} order: the scatter and the
 * readers below map the lane {@link InterleavedTensor} hands them back to its row.
 */
public final class InterleavedQ8_0Tensor extends InterleavedTensor {
    static final int BLOCK = 32, SCALE_BYTES = 2 * GROUP, LINE = 4 * GROUP, GROUP_BLOCK_BYTES = GROUP * Q8_0Tensor.BYTES;

    private InterleavedQ8_0Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.Q8_0; }

    @Override
    NativeGemm.Layout nativeLayout() { return NativeGemm.Layout.INTERLEAVED_Q8_0; }

    /** The row (0-15) {@link InterleavedTensor} puts in lane {@code lane}: the inverse of {@link #laneOfRow}. */
    static int rowOfLane(int lane) { return (lane & 1) == 0 ? lane / 2 : lane / 2 + 8; }

    /** Byte offset, in a group block, of column {@code c} (0-31) of row {@code i}. */
    static int valueAt(int i, int c) { return SCALE_BYTES + LINE * (c / 4) + 4 * i + (c & 3); }

    /** The interleaved copy of {@code flat}, or {@code flat} itself when it cannot be interleaved (see {@link InterleavedTensor#interleave}). */
    public static Tensor interleave(Q8_0Tensor flat) {
        return interleave(flat, new int[] {0}, (row, from, dst, to, lane) -> {
            int i = rowOfLane(lane);
            dst.set(ValueLayout.JAVA_BYTE, to + 2L * i, row[from]);
            dst.set(ValueLayout.JAVA_BYTE, to + 2L * i + 1, row[from + 1]);
            for (int c = 0; c < BLOCK; c++) dst.set(ValueLayout.JAVA_BYTE, to + valueAt(i, c), (byte) (row[from + 2 + c] ^ 0x80));
        }, (dst, t) -> new InterleavedQ8_0Tensor(t.name(), dst, t.shape()));
    }

    @Override
    public float get(long index) {
        int row = (int) (index / cols()), col = (int) (index % cols());
        long base = blockAt(row / GROUP, col / BLOCK);
        int i = row % GROUP;
        int u = segment.get(ValueLayout.JAVA_BYTE, base + valueAt(i, col % BLOCK)) & 0xFF;
        return (u - 128) * Float.float16ToFloat(segment.get(F16, base + 2L * i));
    }

    @Override
    void dequantizeBlock(long base, int lane, float[] out, int o) {
        int i = rowOfLane(lane);
        float d = Float.float16ToFloat(segment.get(F16, base + 2L * i));
        for (int c = 0; c < BLOCK; c++) out[o + c] = ((segment.get(ValueLayout.JAVA_BYTE, base + valueAt(i, c)) & 0xFF) - 128) * d;
    }

    /**
     * The integer kernel, one row of x at a time: per line, rows 0-7 and 8-15 as two vectors of 32-bit lanes,
     * each lane's 4 bytes multiplied by their 4 values of x. {@code Σ u·x} is at most 32 · 255 · 127 in
     * magnitude; {@code Σ q·x = Σ u·x - 128 Σ x}.
     */
    @Override
    void matvecQuantized(QuantizedActivations a, float[] out, int groupStart, int groupEnd) {
        int blocks = blocksPerRow, rows = rows();
        short[] q = a.values;
        float[] d = new float[GROUP];
        for (int g = groupStart; g < groupEnd; g++) {
            MemorySegment group = groupSegment(g);
            for (int t = 0; t < a.batch; t++) {
                FloatVector low = FloatVector.zero(F), high = low;
                for (int b = 0; b < blocks; b++) {
                    int xb = t * blocks + b, xo = xb * BLOCK, base = b * GROUP_BLOCK_BYTES;
                    IntVector sumLow = IntVector.broadcast(I, -128 * a.valueSums[xb]), sumHigh = sumLow;
                    for (int line = 0; line < 8; line++) {
                        int at = base + SCALE_BYTES + LINE * line;
                        IntVector rows0to7 = IntVector.fromMemorySegment(I, group, at, ByteOrder.LITTLE_ENDIAN);
                        IntVector rows8to15 = IntVector.fromMemorySegment(I, group, at + 32, ByteOrder.LITTLE_ENDIAN);
                        for (int k = 0; k < 4; k++) {
                            int x = q[xo + 4 * line + k];
                            sumLow = sumLow.add(rows0to7.lanewise(VectorOperators.LSHR, 8 * k).and(0xFF).mul(x));
                            sumHigh = sumHigh.add(rows8to15.lanewise(VectorOperators.LSHR, 8 * k).and(0xFF).mul(x));
                        }
                    }
                    for (int i = 0; i < GROUP; i++) d[i] = Float.float16ToFloat(group.get(F16, base + 2L * i));
                    FloatVector xScale = FloatVector.broadcast(F, a.scales[xb]);
                    low = toFloats(sumLow).mul(FloatVector.fromArray(F, d, 0)).fma(xScale, low);
                    high = toFloats(sumHigh).mul(FloatVector.fromArray(F, d, 8)).fma(xScale, high);
                }
                low.intoArray(out, t * rows + g * GROUP);
                high.intoArray(out, t * rows + g * GROUP + 8);
            }
        }
    }

    @Override
    void decodePanel(int group, int kc, int kLen, float[] panel) {
        MemorySegment seg = groupSegment(group);
        float[] d = new float[GROUP];
        for (int k0 = 0; k0 < kLen; k0 += BLOCK) {
            int base = (kc + k0) / BLOCK * GROUP_BLOCK_BYTES;
            for (int i = 0; i < GROUP; i++) d[i] = Float.float16ToFloat(seg.get(F16, base + 2L * i));
            for (int c = 0; c < BLOCK; c++)
                for (int i = 0; i < GROUP; i++)
                    panel[(k0 + c) * GROUP + i] = ((seg.get(ValueLayout.JAVA_BYTE, base + valueAt(i, c)) & 0xFF) - 128) * d[i];
        }
    }
}
