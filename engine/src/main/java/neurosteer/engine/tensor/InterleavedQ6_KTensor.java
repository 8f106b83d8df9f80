package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q6_K interleaved by groups of 16 rows ({@link InterleavedTensor}). Each group's 256-column
 * super-block is 3360 bytes, read front to back by the decode kernel: a header of 288 bytes (the 16
 * rows' f16 {@code d}, then for each of the 16 int8 scales the 16 rows' byte, scale {@code t} at
 * {@code 32 + 16t}) and then a body of 3072. The bits mean
 * what they mean in {@link Q6_KTensor}: in half {@code h}, for {@code l < 32}, {@code ql[64h + l]}
 * holds columns {@code 128h + l} (low nibble) and {@code 128h + 64 + l} (high), {@code ql[64h + 32 + l]}
 * columns {@code 128h + 32 + l} and {@code 128h + 96 + l}, and {@code qh[32h + l]} their top two
 * bits, in that order from bit 0. For each {@code (h, l)} in order, the body holds the four 6-bit
 * values {@code q0..q3} of columns {@code 128h + 32k + l} repacked into three bytes per row, 48 bytes
 * for 16 rows, so the kernels read it front to back and cut each value out in few operations
 * ({@link #repack}): {@code q0 | (q2 >> 4) << 6}, {@code q1 | (q3 >> 4) << 6}, and
 * {@code (q2 & 15) | (q3 & 15) << 4}.
 */
public final class InterleavedQ6_KTensor extends InterleavedTensor {
    static final int BLOCK = 256, SCALES = 2 * GROUP, HEADER = SCALES + 16 * GROUP, STRIDE = GROUP * Q6_KTensor.BYTES;

    private InterleavedQ6_KTensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.Q6_K; }

    /** Prefill in AMX tiles where the CPU has them; no other native kernel reads this layout. */
    @Override
    NativeGemm.Layout nativeLayout() { return NativeGemm.Layout.INTERLEAVED_Q6_K; }

    /** The interleaved copy of {@code flat}, or {@code flat} itself when it cannot be interleaved (see {@link InterleavedTensor#interleave}). */
    public static Tensor interleave(Q6_KTensor flat) {
        return interleave(flat, new int[] {Q6_KTensor.D}, (row, from, dst, header, lane) -> {
            long body = header + HEADER;
            dst.set(ValueLayout.JAVA_BYTE, header + 2L * lane, row[from + Q6_KTensor.D]);
            dst.set(ValueLayout.JAVA_BYTE, header + 2L * lane + 1, row[from + Q6_KTensor.D + 1]);
            for (int t = 0; t < 16; t++) dst.set(ValueLayout.JAVA_BYTE, header + SCALES + 16L * t + lane, row[from + Q6_KTensor.SCALES + t]);
            for (int h = 0; h < 2; h++)
                for (int l = 0; l < 32; l++) {
                    int a = row[from + Q6_KTensor.QL + 64 * h + l] & 0xFF, b = row[from + Q6_KTensor.QL + 64 * h + 32 + l] & 0xFF;
                    int top = row[from + Q6_KTensor.QH + 32 * h + l] & 0xFF;
                    int packed = repack((a & 0xF) | (top & 3) << 4, (b & 0xF) | (top >> 2 & 3) << 4, a >> 4 | (top >> 4 & 3) << 4, b >> 4 | (top >> 6) << 4);
                    for (int t = 0; t < 3; t++) dst.set(ValueLayout.JAVA_BYTE, body + 48L * (32 * h + l) + 16L * t + lane, (byte) (packed >> 8 * t));
                }
        }, (dst, t) -> new InterleavedQ6_KTensor(t.name(), dst, t.shape()));
    }

    /** The three bytes (lowest first) that hold the 6-bit values of one position's four quarters. */
    static int repack(int q0, int q1, int q2, int q3) {
        return (q0 | (q2 >> 4) << 6) | (q1 | (q3 >> 4) << 6) << 8 | ((q2 & 0xF) | (q3 & 0xF) << 4) << 16;
    }

    /** The 6-bit value (0..63) of element {@code e} of the lane in the body at {@code body}. */
    private int quant(long body, int lane, int e) {
        int half = e / 128, r = e % 128, quarter = r / 32, l = r % 32;
        long at = body + 48L * (32 * half + l) + lane;
        int first = segment.get(ValueLayout.JAVA_BYTE, at + 16L * (quarter & 1)) & 0xFF, low = segment.get(ValueLayout.JAVA_BYTE, at + 32) & 0xFF;
        return quarter < 2 ? first & 63 : (low >> 4 * (quarter & 1) & 0xF) | (first >> 2 & 0x30);
    }

    private int scale(long header, int lane, int j) { return segment.get(ValueLayout.JAVA_BYTE, header + SCALES + 16L * j + lane); }

    @Override
    public float get(long index) {
        int row = (int) (index / cols()), col = (int) (index % cols()), e = col % BLOCK;
        long header = blockAt(row / GROUP, col / BLOCK), body = header + HEADER;
        int lane = laneOfRow(row % GROUP);
        return Float.float16ToFloat(segment.get(F16, header + 2L * lane)) * scale(header, lane, e / 16) * (quant(body, lane, e) - 32);
    }

    @Override
    void dequantizeBlock(long header, int lane, float[] out, int outOffset) {
        long body = header + HEADER;
        float d = Float.float16ToFloat(segment.get(F16, header + 2L * lane));
        for (int e = 0; e < BLOCK; e++) out[outOffset + e] = d * scale(header, lane, e / 16) * (quant(body, lane, e) - 32);
    }

    @Override
    QuantizedActivations prepare(QuantizedActivations a) { return a.scaledSumsOf8(-32); }

    @Override
    void matvecQuantized(QuantizedActivations a, float[] out, int groupStart, int groupEnd) {
        int blocks = blocksPerRow, rows = rows();
        Scratch s = SCRATCH.get();
        for (int g = groupStart; g < groupEnd; g++) {
            MemorySegment group = groupSegment(g);
            int b = 0;
            for (; b + 1 < a.batch; b += 2) // several sequences decoded together: two rows of x share each pass over the group
                groupDotPair(group, blocks, a, b * blocks, s, out, b * rows + g * GROUP, (b + 1) * rows + g * GROUP);
            if (b < a.batch) groupDot(group, blocks, a, b * blocks, s, out, b * rows + g * GROUP);
        }
    }

    /** {@code d · scale_j} of rows 0-7 at {@code 256 sb + 16 j} and of rows 8-15 at {@code + 8}, for the super-blocks from the header at {@code firstHeader} (prefill's panels). */
    private static void decodeScales(MemorySegment seg, int firstHeader, int blocks, float[] scales) {
        for (int sb = 0; sb < blocks; sb++) {
            int header = firstHeader + sb * STRIDE;
            IntVector halves = IntVector.fromMemorySegment(I, seg, header, ByteOrder.LITTLE_ENDIAN);
            FloatVector dLow = lowHalves(halves), dHigh = highHalves(halves);
            for (int j = 0; j < 16; j++) {
                IntVector sc = BlockQuantTensor.signedBytesAsShorts(seg, header + SCALES + 16 * j).reinterpretAsInts();
                int at = 256 * sb + 16 * j;
                toFloats(evenLanes(sc)).mul(dLow).intoArray(scales, at);
                toFloats(oddLanes(sc)).mul(dHigh).intoArray(scales, at + 8);
            }
        }
    }

    /**
     * One group of 16 rows against one activation row, in one pass over its bytes in the order they lie
     * (each super-block's scales, then its values; see {@link InterleavedQ4_KTensor#groupDot} for why):
     * {@code xScale · d · Σ_j scale_j · Σ (q - 32)·x} per super-block. Per sixteen columns of each quarter
     * (a sub-block), {@link #eightColumns} twice, then the two halves widened, added and weighted by the
     * sub-block's int8 scale in 32-bit lanes, exactly (at most 16 · 128 · 2 · 32512 < 2^31). The integer
     * sums are a method of their own: C2 stops inlining once one compilation passes a node budget, and
     * this method, too large to be inlined into its caller, keeps the rest in one compilation of its own.
     */
    private static void groupDot(MemorySegment seg, int blocks, QuantizedActivations a, int firstXBlock, Scratch s,
                                 float[] out, int outOffset) {
        short[] partial = s.partial;
        float[] xScales = a.scales;
        IntVector halfMagnitude = IntVector.broadcast(I, 0x0FFFE000), signBit = IntVector.broadcast(I, 0x80000000);
        FloatVector rebias = FloatVector.broadcast(F, 0x1p112f);
        FloatVector low = FloatVector.zero(F), high = low;
        for (int sb = 0; sb < blocks; sb++) {
            int xb = firstXBlock + sb, header = sb * STRIDE, body = header + HEADER;
            IntVector sumLow = IntVector.zero(I), sumHigh = sumLow;
            for (int h = 0; h < 2; h++)
                for (int l0 = 0; l0 < 32; l0 += 16) {
                    eightColumns(seg, body, h, l0, a, xb * BLOCK, partial, 0);
                    eightColumns(seg, body, h, l0 + 8, a, xb * BLOCK, partial, 64);
                    for (int k = 0; k < 4; k++) { // sub-block 8h + 2k + l0/16
                        IntVector first = ShortVector.fromArray(S, partial, 16 * k).reinterpretAsInts();
                        IntVector second = ShortVector.fromArray(S, partial, 64 + 16 * k).reinterpretAsInts();
                        IntVector scale = BlockQuantTensor.signedBytesAsShorts(seg, header + SCALES + 16 * (8 * h + 2 * k + l0 / 16)).reinterpretAsInts();
                        sumLow = sumLow.add(evenLanes(first).add(evenLanes(second)).mul(evenLanes(scale)));
                        sumHigh = sumHigh.add(oddLanes(first).add(oddLanes(second)).mul(oddLanes(scale)));
                    }
                }
            // Spelled out rather than through toFloats and halfToFloats: past the node budget C2 still
            // inlines the Vector API's own methods (forced), but no longer small helpers like those.
            IntVector d = IntVector.fromMemorySegment(I, seg, header, ByteOrder.LITTLE_ENDIAN), d0 = d.lanewise(VectorOperators.LSHL, 16);
            FloatVector dLow = d0.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(d0.and(signBit)).reinterpretAsFloats();
            FloatVector dHigh = d.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(d.and(signBit)).reinterpretAsFloats();
            FloatVector xScale = FloatVector.broadcast(F, xScales[xb]);
            low = dLow.mul((FloatVector) sumLow.convert(VectorOperators.I2F, 0)).fma(xScale, low);
            high = dHigh.mul((FloatVector) sumHigh.convert(VectorOperators.I2F, 0)).fma(xScale, high);
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 8);
    }

    /**
     * Columns {@code l0..l0+7} of each quarter {@code k} of half {@code h} of a super-block: the 16
     * rows' {@code Σ (q - 32)·x} as shorts at {@code partial[at + 16k..]}, in lane order. The 16-bit
     * lanes start at {@code -32 · Σx} and add {@code q·x}, which leaves at most 8 · 32 · 127 = 32512
     * in magnitude (partial sums may wrap, the last cannot).
     */
    private static void eightColumns(MemorySegment seg, int body, int h, int l0, QuantizedActivations a, int xo, short[] partial, int at) {
        short[] q = a.values, offsets = a.sumsOf8;
        int x0 = xo + 128 * h + l0;
        ShortVector a0 = ShortVector.broadcast(S, offsets[x0 >> 3]), a1 = ShortVector.broadcast(S, offsets[(x0 + 32) >> 3]);
        ShortVector a2 = ShortVector.broadcast(S, offsets[(x0 + 64) >> 3]), a3 = ShortVector.broadcast(S, offsets[(x0 + 96) >> 3]);
        int at0 = body + 48 * (32 * h + l0);
        for (int i = 0; i < 8; i++) {
            int xi = x0 + i;
            int bytes = at0 + 48 * i;
            ShortVector first = BlockQuantTensor.bytesAsShorts(seg, bytes);
            ShortVector second = BlockQuantTensor.bytesAsShorts(seg, bytes + 16);
            ShortVector lows = BlockQuantTensor.bytesAsShorts(seg, bytes + 32);
            a0 = a0.add(first.and((short) 63).mul(q[xi]));
            a1 = a1.add(second.and((short) 63).mul(q[xi + 32]));
            a2 = a2.add(lows.and((short) 0xF).or(first.lanewise(VectorOperators.LSHR, 2).and((short) 0x30)).mul(q[xi + 64]));
            a3 = a3.add(lows.lanewise(VectorOperators.LSHR, 4).or(second.lanewise(VectorOperators.LSHR, 2).and((short) 0x30)).mul(q[xi + 96]));
        }
        a0.intoArray(partial, at);
        a1.intoArray(partial, at + 16);
        a2.intoArray(partial, at + 32);
        a3.intoArray(partial, at + 48);
    }

    /**
     * {@link #groupDot} for two rows of x at once, {@code firstXBlock} and the next ({@link #eightColumnsPair}):
     * the same floats as two calls, each byte of the group loaded and cut into 6-bit values once for both.
     * The conversions past the integer sums are spelled out (see {@link #groupDot}).
     */
    private static void groupDotPair(MemorySegment seg, int blocks, QuantizedActivations a, int firstXBlock, Scratch s,
                                     float[] out, int outA, int outB) {
        short[] partial = s.partial;
        float[] xScales = a.scales;
        IntVector halfMagnitude = IntVector.broadcast(I, 0x0FFFE000), signBit = IntVector.broadcast(I, 0x80000000);
        FloatVector rebias = FloatVector.broadcast(F, 0x1p112f);
        FloatVector lowA = FloatVector.zero(F), highA = lowA, lowB = lowA, highB = lowA;
        for (int sb = 0; sb < blocks; sb++) {
            int xa = firstXBlock + sb, xb = xa + blocks, header = sb * STRIDE, body = header + HEADER;
            IntVector sumLowA = IntVector.zero(I), sumHighA = sumLowA, sumLowB = sumLowA, sumHighB = sumLowA;
            for (int h = 0; h < 2; h++)
                for (int l0 = 0; l0 < 32; l0 += 16) {
                    eightColumnsPair(seg, body, h, l0, a, xa * BLOCK, xb * BLOCK, partial, 0);
                    eightColumnsPair(seg, body, h, l0 + 8, a, xa * BLOCK, xb * BLOCK, partial, 64);
                    for (int k = 0; k < 4; k++) { // sub-block 8h + 2k + l0/16
                        IntVector scale = ((ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, seg,
                                header + SCALES + 16 * (8 * h + 2 * k + l0 / 16), ByteOrder.LITTLE_ENDIAN)
                                .convertShape(VectorOperators.B2S, S, 0)).reinterpretAsInts();
                        IntVector scaleLow = scale.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16);
                        IntVector scaleHigh = scale.lanewise(VectorOperators.ASHR, 16);
                        IntVector firstA = ShortVector.fromArray(S, partial, 16 * k).reinterpretAsInts();
                        IntVector secondA = ShortVector.fromArray(S, partial, 64 + 16 * k).reinterpretAsInts();
                        IntVector firstB = ShortVector.fromArray(S, partial, 128 + 16 * k).reinterpretAsInts();
                        IntVector secondB = ShortVector.fromArray(S, partial, 192 + 16 * k).reinterpretAsInts();
                        sumLowA = sumLowA.add(firstA.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                                .add(secondA.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).mul(scaleLow));
                        sumHighA = sumHighA.add(firstA.lanewise(VectorOperators.ASHR, 16).add(secondA.lanewise(VectorOperators.ASHR, 16)).mul(scaleHigh));
                        sumLowB = sumLowB.add(firstB.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                                .add(secondB.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).mul(scaleLow));
                        sumHighB = sumHighB.add(firstB.lanewise(VectorOperators.ASHR, 16).add(secondB.lanewise(VectorOperators.ASHR, 16)).mul(scaleHigh));
                    }
                }
            IntVector d = IntVector.fromMemorySegment(I, seg, header, ByteOrder.LITTLE_ENDIAN), d0 = d.lanewise(VectorOperators.LSHL, 16);
            FloatVector dLow = d0.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(d0.and(signBit)).reinterpretAsFloats();
            FloatVector dHigh = d.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(d.and(signBit)).reinterpretAsFloats();
            FloatVector scaleA = FloatVector.broadcast(F, xScales[xa]), scaleB = FloatVector.broadcast(F, xScales[xb]);
            lowA = dLow.mul((FloatVector) sumLowA.convert(VectorOperators.I2F, 0)).fma(scaleA, lowA);
            highA = dHigh.mul((FloatVector) sumHighA.convert(VectorOperators.I2F, 0)).fma(scaleA, highA);
            lowB = dLow.mul((FloatVector) sumLowB.convert(VectorOperators.I2F, 0)).fma(scaleB, lowB);
            highB = dHigh.mul((FloatVector) sumHighB.convert(VectorOperators.I2F, 0)).fma(scaleB, highB);
        }
        lowA.intoArray(out, outA);
        highA.intoArray(out, outA + 8);
        lowB.intoArray(out, outB);
        highB.intoArray(out, outB + 8);
    }

    /** {@link #eightColumns} for two rows of x (column offsets {@code xoA}, {@code xoB}): row A's sums at {@code partial[at..]}, row B's at {@code partial[128 + at..]}. */
    private static void eightColumnsPair(MemorySegment seg, int body, int h, int l0, QuantizedActivations a, int xoA, int xoB,
                                         short[] partial, int at) {
        short[] q = a.values, offsets = a.sumsOf8;
        int xa = xoA + 128 * h + l0, xb = xoB + 128 * h + l0;
        ShortVector a0 = ShortVector.broadcast(S, offsets[xa >> 3]), a1 = ShortVector.broadcast(S, offsets[(xa + 32) >> 3]);
        ShortVector a2 = ShortVector.broadcast(S, offsets[(xa + 64) >> 3]), a3 = ShortVector.broadcast(S, offsets[(xa + 96) >> 3]);
        ShortVector b0 = ShortVector.broadcast(S, offsets[xb >> 3]), b1 = ShortVector.broadcast(S, offsets[(xb + 32) >> 3]);
        ShortVector b2 = ShortVector.broadcast(S, offsets[(xb + 64) >> 3]), b3 = ShortVector.broadcast(S, offsets[(xb + 96) >> 3]);
        int at0 = body + 48 * (32 * h + l0);
        for (int i = 0; i < 8; i++) {
            int bytes = at0 + 48 * i, ia = xa + i, ib = xb + i;
            ShortVector first = BlockQuantTensor.bytesAsShorts(seg, bytes);
            ShortVector second = BlockQuantTensor.bytesAsShorts(seg, bytes + 16);
            ShortVector lows = BlockQuantTensor.bytesAsShorts(seg, bytes + 32);
            ShortVector v0 = first.and((short) 63), v1 = second.and((short) 63);
            ShortVector v2 = lows.and((short) 0xF).or(first.lanewise(VectorOperators.LSHR, 2).and((short) 0x30));
            ShortVector v3 = lows.lanewise(VectorOperators.LSHR, 4).or(second.lanewise(VectorOperators.LSHR, 2).and((short) 0x30));
            a0 = a0.add(v0.mul(q[ia]));
            a1 = a1.add(v1.mul(q[ia + 32]));
            a2 = a2.add(v2.mul(q[ia + 64]));
            a3 = a3.add(v3.mul(q[ia + 96]));
            b0 = b0.add(v0.mul(q[ib]));
            b1 = b1.add(v1.mul(q[ib + 32]));
            b2 = b2.add(v2.mul(q[ib + 64]));
            b3 = b3.add(v3.mul(q[ib + 96]));
        }
        a0.intoArray(partial, at);
        a1.intoArray(partial, at + 16);
        a2.intoArray(partial, at + 32);
        a3.intoArray(partial, at + 48);
        b0.intoArray(partial, 128 + at);
        b1.intoArray(partial, 128 + at + 16);
        b2.intoArray(partial, 128 + at + 32);
        b3.intoArray(partial, 128 + at + 48);
    }

    /** Per-thread scratch: per super-block 256 floats of {@link #decodeScales}; {@link #eightColumns}' sums. */
    private static final class Scratch {
        float[] scales = new float[0];
        final short[] partial = new short[256];

        Scratch ensure(int blocks) {
            if (scales.length < 256 * blocks) scales = new float[256 * blocks];
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    void decodePanel(int group, int kc, int kLen, float[] panel) {
        MemorySegment seg = groupSegment(group);
        int first = kc / BLOCK, count = kLen / BLOCK;
        float[] scales = SCRATCH.get().ensure(count).scales;
        decodeScales(seg, first * STRIDE, count, scales);
        for (int sb = 0, body = HEADER + first * STRIDE; sb < count; sb++, body += STRIDE)
            for (int h = 0; h < 2; h++)
                for (int quarter = 0; quarter < 4; quarter++) { // the same floats as dequantize: (q - 32) · (d·scale)
                    // quarters 0, 1: the first or second byte's low six bits; 2, 3: a nibble of the third and two bits of the first or second
                    int highs = body + 48 * 32 * h + 16 * (quarter & 1), lows = body + 48 * 32 * h + 32;
                    boolean low = quarter < 2;
                    int highShift = low ? 0 : 2, highMask = low ? 63 : 0x30, lowShift = 4 * (quarter & 1), lowMask = low ? 0 : 0xF, e0 = 128 * h + 32 * quarter;
                    for (int l = 0; l < 32; l++) {
                        ShortVector bits = BlockQuantTensor.bytesAsShorts(seg, highs + 48 * l).lanewise(VectorOperators.LSHR, highShift).and((short) highMask)
                                .or(BlockQuantTensor.bytesAsShorts(seg, lows + 48 * l).lanewise(VectorOperators.LSHR, lowShift).and((short) lowMask));
                        IntVector values = bits.sub((short) 32).reinterpretAsInts();
                        int e = e0 + l, at = 256 * sb + 16 * (e / 16), to = (BLOCK * sb + e) * GROUP;
                        toFloats(evenLanes(values)).mul(FloatVector.fromArray(F, scales, at)).intoArray(panel, to);
                        toFloats(oddLanes(values)).mul(FloatVector.fromArray(F, scales, at + 8)).intoArray(panel, to + 8);
                    }
                }
    }
}
