package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_0 interleaved by groups of 16 rows ({@link InterleavedTensor}). Each group's 32-column block is
 * 288 bytes: the 16 rows' f16 scales, then for {@code j < 16} the 16 rows' byte {@code j} (low nibble
 * column {@code j}, high nibble column {@code j + 16}). The kernel reads the scales in step with the
 * nibbles: one stream decoded faster than a stream of headers beside one of bodies (about 8% of
 * whole-model decode, jars alternated).
 */
public final class InterleavedQ4_0Tensor extends InterleavedTensor {
    static final int BLOCK = 32, SCALE_BYTES = 2 * GROUP, GROUP_BLOCK_BYTES = GROUP * Q4_0Tensor.BYTES;

    private InterleavedQ4_0Tensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.Q4_0; }

    @Override
    NativeGemm.Layout nativeLayout() { return NativeGemm.Layout.INTERLEAVED_Q4_0; }

    /** The interleaved copy of {@code flat}, or {@code flat} itself when it cannot be interleaved (see {@link InterleavedTensor#interleave}). */
    public static Tensor interleave(Q4_0Tensor flat) {
        return interleave(flat, new int[] {0}, (row, from, dst, to, lane) -> {
            dst.set(ValueLayout.JAVA_BYTE, to + 2L * lane, row[from]);
            dst.set(ValueLayout.JAVA_BYTE, to + 2L * lane + 1, row[from + 1]);
            for (int j = 0; j < 16; j++) dst.set(ValueLayout.JAVA_BYTE, to + SCALE_BYTES + 16L * j + lane, row[from + 2 + j]);
        }, (dst, t) -> new InterleavedQ4_0Tensor(t.name(), dst, t.shape()));
    }

    @Override
    public float get(long index) {
        int row = (int) (index / cols()), col = (int) (index % cols()), j = col % BLOCK;
        long base = blockAt(row / GROUP, col / BLOCK);
        int lane = laneOfRow(row % GROUP);
        int packed = segment.get(ValueLayout.JAVA_BYTE, base + SCALE_BYTES + 16L * (j & 15) + lane) & 0xFF;
        int q = j < 16 ? packed & 0xF : packed >>> 4;
        return (q - 8) * Float.float16ToFloat(segment.get(F16, base + 2L * lane));
    }

    @Override
    void dequantizeBlock(long base, int lane, float[] out, int o) {
        float d = Float.float16ToFloat(segment.get(F16, base + 2L * lane));
        for (int j = 0; j < 16; j++) {
            int packed = segment.get(ValueLayout.JAVA_BYTE, base + SCALE_BYTES + 16L * j + lane) & 0xFF;
            out[o + j] = ((packed & 0xF) - 8) * d;
            out[o + j + 16] = ((packed >>> 4) - 8) * d;
        }
    }

    @Override
    void matvecQuantized(QuantizedActivations a, float[] out, int groupStart, int groupEnd) {
        int blocks = blocksPerRow, rows = rows();
        for (int g = groupStart; g < groupEnd; g++) {
            MemorySegment group = groupSegment(g);
            int b = 0;
            for (; b + 1 < a.batch; b += 2) // several sequences decoded together: two rows of x share each pass over the group
                groupDotPair(group, blocks, a, b * blocks, out, b * rows + g * GROUP, (b + 1) * rows + g * GROUP);
            if (b < a.batch) groupDot(group, blocks, a, b * blocks, out, b * rows + g * GROUP);
        }
    }

    /**
     * One group of 16 rows against one activation row: {@code out[outOffset + i]} for rows {@code i < 16}.
     * Per block, the 16-bit lanes start at {@code -8 · Σx} and add {@code q·x}, which leaves
     * {@code Σ (q - 8)·x}, at most 32 · 8 · 127 = 32512 in magnitude: the partial sums may wrap on
     * the way, the last one cannot.
     */
    private static void groupDot(MemorySegment group, int blocks, QuantizedActivations a, int firstXBlock, float[] out, int outOffset) {
        short[] q = a.values;
        float[] xScales = a.scales;
        int[] valueSums = a.valueSums;
        FloatVector low = FloatVector.zero(F), high = low;
        for (int b = 0; b < blocks; b++) {
            int xb = firstXBlock + b, base = b * GROUP_BLOCK_BYTES;
            ShortVector sums = ShortVector.broadcast(S, (short) (-8 * valueSums[xb]));
            int xo = xb * BLOCK;
            for (int j = 0; j < 16; j++) {
                ShortVector packed = BlockQuantTensor.bytesAsShorts(group, base + SCALE_BYTES + 16 * j);
                sums = sums.add(packed.and((short) 0xF).mul(q[xo + j]))
                        .add(packed.lanewise(VectorOperators.LSHR, 4).mul(q[xo + j + 16]));
            }
            IntVector pairs = sums.reinterpretAsInts(), scales = IntVector.fromMemorySegment(I, group, base, ByteOrder.LITTLE_ENDIAN);
            FloatVector xScale = FloatVector.broadcast(F, xScales[xb]);
            low = toFloats(evenLanes(pairs)).mul(lowHalves(scales)).fma(xScale, low);
            high = toFloats(oddLanes(pairs)).mul(highHalves(scales)).fma(xScale, high);
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 8);
    }

    /**
     * {@link #groupDot} for two rows of x at once, {@code firstXBlock} and the next: each byte of the group
     * is loaded and split into nibbles once for both, and each block's scales converted once. The same
     * floats as two calls of {@link #groupDot}.
     */
    private static void groupDotPair(MemorySegment group, int blocks, QuantizedActivations a, int firstXBlock, float[] out, int outA, int outB) {
        short[] q = a.values;
        float[] xScales = a.scales;
        int[] valueSums = a.valueSums;
        FloatVector lowA = FloatVector.zero(F), highA = lowA, lowB = lowA, highB = lowA;
        for (int blk = 0; blk < blocks; blk++) {
            int xa = firstXBlock + blk, xb = xa + blocks, base = blk * GROUP_BLOCK_BYTES;
            ShortVector sumsA = ShortVector.broadcast(S, (short) (-8 * valueSums[xa])), sumsB = ShortVector.broadcast(S, (short) (-8 * valueSums[xb]));
            int oa = xa * BLOCK, ob = xb * BLOCK;
            for (int j = 0; j < 16; j++) {
                ShortVector packed = BlockQuantTensor.bytesAsShorts(group, base + SCALE_BYTES + 16 * j);
                ShortVector lo = packed.and((short) 0xF), hi = packed.lanewise(VectorOperators.LSHR, 4);
                sumsA = sumsA.add(lo.mul(q[oa + j])).add(hi.mul(q[oa + j + 16]));
                sumsB = sumsB.add(lo.mul(q[ob + j])).add(hi.mul(q[ob + j + 16]));
            }
            IntVector scales = IntVector.fromMemorySegment(I, group, base, ByteOrder.LITTLE_ENDIAN);
            FloatVector dLow = lowHalves(scales), dHigh = highHalves(scales);
            IntVector pairsA = sumsA.reinterpretAsInts(), pairsB = sumsB.reinterpretAsInts();
            FloatVector scaleA = FloatVector.broadcast(F, xScales[xa]), scaleB = FloatVector.broadcast(F, xScales[xb]);
            // spelled out, not through toFloats/evenLanes/oddLanes: past C2's node budget only the Vector API's own methods are still inlined
            lowA = ((FloatVector) pairsA.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(dLow).fma(scaleA, lowA);
            highA = ((FloatVector) pairsA.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(dHigh).fma(scaleA, highA);
            lowB = ((FloatVector) pairsB.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(dLow).fma(scaleB, lowB);
            highB = ((FloatVector) pairsB.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0)).mul(dHigh).fma(scaleB, highB);
        }
        lowA.intoArray(out, outA);
        highA.intoArray(out, outA + 8);
        lowB.intoArray(out, outB);
        highB.intoArray(out, outB + 8);
    }

    @Override
    void decodePanel(int group, int kc, int kLen, float[] panel) {
        MemorySegment seg = groupSegment(group);
        for (int k0 = 0; k0 < kLen; k0 += BLOCK) {
            int base = (kc + k0) / BLOCK * GROUP_BLOCK_BYTES;
            IntVector scales = IntVector.fromMemorySegment(I, seg, base, ByteOrder.LITTLE_ENDIAN);
            FloatVector d0to7 = lowHalves(scales), d8to15 = highHalves(scales);
            for (int c = 0; c < BLOCK; c++) { // column c: the low nibbles of byte c, then the high nibbles of byte c - 16
                ShortVector packed = BlockQuantTensor.bytesAsShorts(seg, base + SCALE_BYTES + 16 * (c & 15));
                IntVector values = packed.lanewise(VectorOperators.LSHR, c < 16 ? 0 : 4).and((short) 0xF).sub((short) 8).reinterpretAsInts();
                int at = (k0 + c) * GROUP;
                toFloats(evenLanes(values)).mul(d0to7).intoArray(panel, at);
                toFloats(oddLanes(values)).mul(d8to15).intoArray(panel, at + 8);
            }
        }
    }
}
