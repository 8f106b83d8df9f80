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
 * Q4_K interleaved by groups of 16 rows ({@link InterleavedTensor}). Each group's 256-column
 * super-block is 2304 bytes, read front to back by the decode kernel: a header of 256 bytes (the 16
 * rows' f16 {@code d}, their f16 {@code dmin}, then 12 bytes of 6-bit scales and mins per row) and
 * then 2048 bytes of nibbles, sub-block by sub-block: for sub-block {@code j} (columns
 * {@code 32j ... 32j + 31}) and {@code l < 16}, the 16 rows' byte {@code 16j + l} holds column
 * {@code 32j + l} in its low nibble and {@code 32j + 16 + l} in its high one (the file pairs columns
 * 32 apart, across two sub-blocks; here both nibbles of a byte share one scale, as in Q4_0). The
 * scales and mins are repacked within their 12 bytes so that each comes out of a vector of 16 rows in
 * a few operations: byte {@code j} (0-7) holds scale {@code j} in bits 0-5 and bits 4-5 of min
 * {@code j} in bits 6-7; byte {@code 8 + k} holds bits 0-3 of mins {@code 2k} (low nibble) and
 * {@code 2k + 1} (high nibble). As everywhere in this layout, byte {@code t} of the 16 rows sits at
 * {@code 16t} from the start of its field.
 */
public final class InterleavedQ4_KTensor extends InterleavedTensor {
    static final int BLOCK = 256, DMIN = 2 * GROUP, SCALES = 4 * GROUP, HEADER = 16 * GROUP, STRIDE = GROUP * Q4_KTensor.BYTES;

    private InterleavedQ4_KTensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.Q4_K; }

    @Override
    NativeGemm.Layout nativeLayout() { return NativeGemm.Layout.INTERLEAVED_Q4_K; }

    /** The interleaved copy of {@code flat}, or {@code flat} itself when it cannot be interleaved (see {@link InterleavedTensor#interleave}). */
    public static Tensor interleave(Q4_KTensor flat) {
        return interleave(flat, new int[] {0, 2}, (row, from, dst, header, lane) -> {
            long body = header + HEADER;
            dst.set(ValueLayout.JAVA_BYTE, header + 2L * lane, row[from]);
            dst.set(ValueLayout.JAVA_BYTE, header + 2L * lane + 1, row[from + 1]);
            dst.set(ValueLayout.JAVA_BYTE, header + DMIN + 2L * lane, row[from + 2]);
            dst.set(ValueLayout.JAVA_BYTE, header + DMIN + 2L * lane + 1, row[from + 3]);
            byte[] sixBits = repackScales(row, from + Q4_KTensor.SCALES);
            for (int t = 0; t < 12; t++) dst.set(ValueLayout.JAVA_BYTE, header + SCALES + 16L * t + lane, sixBits[t]);
            for (int j = 0; j < 8; j++)
                for (int l = 0; l < 16; l++) {
                    int e = 32 * j + l;
                    int packed = nibble(row, from, e) | nibble(row, from, e + 16) << 4;
                    dst.set(ValueLayout.JAVA_BYTE, body + 16L * (16 * j + l) + lane, (byte) packed);
                }
        }, (dst, t) -> new InterleavedQ4_KTensor(t.name(), dst, t.shape()));
    }

    /** The 4-bit value of element {@code e} (0-255) of the file's Q4_K block at {@code row[from...]}. */
    private static int nibble(byte[] row, int from, int e) {
        int packed = row[from + Q4_KTensor.QS + 32 * (e / 64) + e % 32] & 0xFF;
        return e % 64 < 32 ? packed & 0xF : packed >>> 4;
    }

    private int u8(long at) { return segment.get(ValueLayout.JAVA_BYTE, at) & 0xFF; }

    /** The 12 bytes of Q4_K scales and mins at {@code row[at...]} in this class's packing. */
    static byte[] repackScales(byte[] row, int at) {
        byte[] out = new byte[12];
        for (int j = 0; j < 8; j++) {
            int scale = Q4_KTensor.scale(row, at, j), min = Q4_KTensor.min(row, at, j);
            out[j] = (byte) (scale | (min >>> 4) << 6);
            out[8 + j / 2] |= (byte) ((min & 0xF) << (4 * (j & 1)));
        }
        return out;
    }

    /** 6-bit scale of sub-block {@code j} of the lane in the header at {@code header}. */
    private int scale(long header, int lane, int j) { return u8(header + SCALES + 16L * j + lane) & 63; }

    private int min(long header, int lane, int j) {
        int nibble = (u8(header + SCALES + 16L * (8 + j / 2) + lane) >>> (4 * (j & 1))) & 0xF;
        return nibble | (u8(header + SCALES + 16L * j + lane) >>> 6) << 4;
    }

    @Override
    public float get(long index) {
        int row = (int) (index / cols()), col = (int) (index % cols()), e = col % BLOCK;
        long header = blockAt(row / GROUP, col / BLOCK);
        int lane = laneOfRow(row % GROUP), sub = e / 32;
        int packed = u8(header + HEADER + 16L * (16 * sub + e % 16) + lane);
        int q = e % 32 < 16 ? packed & 0xF : packed >>> 4;
        return Float.float16ToFloat(segment.get(F16, header + 2L * lane)) * scale(header, lane, sub) * q
                - Float.float16ToFloat(segment.get(F16, header + DMIN + 2L * lane)) * min(header, lane, sub);
    }

    @Override
    void dequantizeBlock(long header, int lane, float[] out, int outOffset) {
        long body = header + HEADER;
        float d = Float.float16ToFloat(segment.get(F16, header + 2L * lane)), dmin = Float.float16ToFloat(segment.get(F16, header + DMIN + 2L * lane));
        for (int j = 0; j < 8; j++) {
            float scale = d * scale(header, lane, j), min = dmin * min(header, lane, j);
            int o = outOffset + 32 * j;
            for (int l = 0; l < 16; l++) {
                int packed = u8(body + 16L * (16 * j + l) + lane);
                out[o + l] = scale * (packed & 0xF) - min;
                out[o + 16 + l] = scale * (packed >>> 4) - min;
            }
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
     * The scales of {@code blocks} super-blocks as floats, for {@link #decodePanel}: {@code d · scale_j} and
     * {@code dmin · min_j} of rows 0-7 at {@code 128 sb + 16 j} and of rows 8-15 at {@code 128 sb + 16 j + 8}.
     * Passes of their own, in loops rather than unrolled code: C2 stops inlining (and then allocates the
     * Vector API's vectors) once one compilation grows past a node budget.
     */
    private static void decodeScales(MemorySegment seg, int firstHeader, int blocks, Scratch s) {
        decodeSuperScales(seg, firstHeader, blocks, s.superScales);
        decodeSubScales(seg, firstHeader, blocks, s);
    }

    /** {@code d} of rows 0-7 and 8-15, then {@code dmin}, as floats at {@code 32 sb}, {@code + 8}, {@code + 16}, {@code + 24}. */
    private static void decodeSuperScales(MemorySegment seg, int firstHeader, int blocks, float[] superScales) {
        for (int sb = 0; sb < blocks; sb++)
            for (int h = 0; h < 4; h++) {
                int base = firstHeader + sb * STRIDE;
                IntVector halves = IntVector.fromMemorySegment(I, seg, base + (h < 2 ? 0 : DMIN), ByteOrder.LITTLE_ENDIAN);
                halfToFloats(halves.lanewise(VectorOperators.LSHL, (h & 1) == 0 ? 16 : 0)).intoArray(superScales, 32 * sb + 8 * h);
            }
    }

    private static void decodeSubScales(MemorySegment seg, int firstHeader, int blocks, Scratch s) {
        float[] superScales = s.superScales, scales = s.scales, mins = s.mins;
        for (int sb = 0; sb < blocks; sb++) {
            int base = firstHeader + sb * STRIDE;
            for (int j = 0; j < 8; j++) {
                ShortVector bytes = BlockQuantTensor.bytesAsShorts(seg, base + SCALES + 16 * j);
                ShortVector nibbles = BlockQuantTensor.bytesAsShorts(seg, base + SCALES + 16 * (8 + j / 2));
                IntVector sc = bytes.and((short) 63).reinterpretAsInts();
                IntVector m = nibbles.lanewise(VectorOperators.LSHR, 4 * (j & 1)).and((short) 0xF)
                        .or(bytes.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).reinterpretAsInts();
                int at = 128 * sb + 16 * j;
                int su = 32 * sb;
                FloatVector scaleLow = toFloats(sc.and(0xFFFF)).mul(FloatVector.fromArray(F, superScales, su));
                FloatVector scaleHigh = toFloats(sc.lanewise(VectorOperators.LSHR, 16)).mul(FloatVector.fromArray(F, superScales, su + 8));
                FloatVector minLow = toFloats(m.and(0xFFFF)).mul(FloatVector.fromArray(F, superScales, su + 16));
                FloatVector minHigh = toFloats(m.lanewise(VectorOperators.LSHR, 16)).mul(FloatVector.fromArray(F, superScales, su + 24));
                scaleLow.intoArray(scales, at);
                scaleHigh.intoArray(scales, at + 8);
                minLow.intoArray(mins, at);
                minHigh.intoArray(mins, at + 8);
            }
        }
    }

    /**
     * One group of 16 rows against one activation row, in one pass over its bytes in the order they lie
     * (each super-block's scales, then its values: a pass over all the scales first, touching the first
     * line of every super-block ahead of the values, read 1.5x slower from memory). Per sub-block the 16-bit lanes start at
     * {@code -8 · Σx} and add {@code q·x}, leaving {@code Σ (q - 8)·x} (at most 32 · 8 · 127 in
     * magnitude; partial sums may wrap, the last cannot). In 32-bit lanes {@code 8 · Σx} is added back
     * and the sums are weighted by the 6-bit scales, and the mins by {@code Σx}, exactly:
     * {@code A = Σ_j scale_j · Σ q·x} (below 8 · 63 · 32 · 15 · 127 < 2^31) and {@code C = Σ_j min_j · Σx}.
     * Per super-block: {@code xScale · (d · A - dmin · C)}.
     */
    private static void groupDot(MemorySegment seg, int blocks, QuantizedActivations a, int firstXBlock, float[] out, int outOffset) {
        short[] q = a.values;
        float[] xScales = a.scales;
        int[] valueSums = a.valueSums;
        // Vector constants made once: C2 stops inlining past a node budget per compilation, and every
        // operation with a scalar operand (a broadcast, then the operation) counts twice towards it.
        ShortVector fourBits = ShortVector.broadcast(S, (short) 0xF), sixBits = ShortVector.broadcast(S, (short) 63);
        IntVector lowHalf = IntVector.broadcast(I, 0xFFFF), halfMagnitude = IntVector.broadcast(I, 0x0FFFE000), signBit = IntVector.broadcast(I, 0x80000000);
        FloatVector rebias = FloatVector.broadcast(F, 0x1p112f);
        FloatVector low = FloatVector.zero(F), high = low;
        for (int sb = 0; sb < blocks; sb++) {
            int xb = firstXBlock + sb, header = sb * STRIDE;
            IntVector sumLow = IntVector.zero(I), sumHigh = sumLow, minLow = sumLow, minHigh = sumLow;
            for (int j = 0; j < 8; j++) {
                int x = valueSums[8 * xb + j], xo = xb * BLOCK + 32 * j, body = header + HEADER + 16 * 16 * j;
                ShortVector sums = ShortVector.broadcast(S, (short) (-8 * x));
                for (int l = 0; l < 16; l++) {
                    ShortVector packed = BlockQuantTensor.bytesAsShorts(seg, body + 16 * l);
                    sums = sums.add(packed.and(fourBits).mul(q[xo + l]))
                            .add(packed.lanewise(VectorOperators.LSHR, 4).mul(q[xo + 16 + l]));
                }
                IntVector pairs = sums.reinterpretAsInts(), xSum = IntVector.broadcast(I, x);
                ShortVector bytes = BlockQuantTensor.bytesAsShorts(seg, header + SCALES + 16 * j);
                ShortVector nibbles = BlockQuantTensor.bytesAsShorts(seg, header + SCALES + 16 * (8 + j / 2));
                IntVector scale = bytes.and(sixBits).reinterpretAsInts();
                IntVector min = nibbles.lanewise(VectorOperators.LSHR, 4 * (j & 1)).and(fourBits)
                        .or(bytes.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).reinterpretAsInts();
                IntVector eightXSum = xSum.lanewise(VectorOperators.LSHL, 3);
                sumLow = sumLow.add(evenLanes(pairs).add(eightXSum).mul(scale.and(lowHalf)));
                sumHigh = sumHigh.add(oddLanes(pairs).add(eightXSum).mul(scale.lanewise(VectorOperators.LSHR, 16)));
                minLow = minLow.add(min.and(lowHalf).mul(xSum));
                minHigh = minHigh.add(min.lanewise(VectorOperators.LSHR, 16).mul(xSum));
            }
            // Spelled out rather than through toFloats and halfToFloats: past the node budget C2 still
            // inlines the Vector API's own methods (forced), but no longer small helpers like those.
            FloatVector a0 = (FloatVector) sumLow.convert(VectorOperators.I2F, 0), a1 = (FloatVector) sumHigh.convert(VectorOperators.I2F, 0);
            FloatVector c0 = (FloatVector) minLow.convert(VectorOperators.I2F, 0), c1 = (FloatVector) minHigh.convert(VectorOperators.I2F, 0);
            IntVector d = IntVector.fromMemorySegment(I, seg, header, ByteOrder.LITTLE_ENDIAN);
            IntVector dmin = IntVector.fromMemorySegment(I, seg, header + DMIN, ByteOrder.LITTLE_ENDIAN);
            IntVector d0 = d.lanewise(VectorOperators.LSHL, 16), dmin0 = dmin.lanewise(VectorOperators.LSHL, 16);
            // an f16 in the high half of a lane as a float: exponent and mantissa 13 places down, rebiased by 2^112, and the sign
            FloatVector dLow = d0.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(d0.and(signBit)).reinterpretAsFloats();
            FloatVector dHigh = d.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(d.and(signBit)).reinterpretAsFloats();
            FloatVector dminLow = dmin0.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(dmin0.and(signBit)).reinterpretAsFloats();
            FloatVector dminHigh = dmin.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(dmin.and(signBit)).reinterpretAsFloats();
            FloatVector xScale = FloatVector.broadcast(F, xScales[xb]);
            low = dLow.mul(a0).sub(dminLow.mul(c0)).fma(xScale, low);
            high = dHigh.mul(a1).sub(dminHigh.mul(c1)).fma(xScale, high);
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 8);
    }

    /**
     * {@link #groupDot} for two rows of x at once, {@code firstXBlock} and the next: each byte of the group
     * is loaded and split into nibbles once for both, and each sub-block's scales and mins once. The
     * helpers {@link #evenLanes}, {@link #oddLanes} and {@link BlockQuantTensor#bytesAsShorts} are spelled
     * out past the inner loop, where this compilation passes C2's node budget (see {@link #groupDot}).
     */
    private static void groupDotPair(MemorySegment seg, int blocks, QuantizedActivations a, int firstXBlock, float[] out,
                                     int outA, int outB) {
        short[] q = a.values;
        float[] xScales = a.scales;
        int[] valueSums = a.valueSums;
        int secondX = blocks; // x blocks of the second row follow the first's
        ShortVector fourBits = ShortVector.broadcast(S, (short) 0xF), sixBits = ShortVector.broadcast(S, (short) 63);
        IntVector lowHalf = IntVector.broadcast(I, 0xFFFF), halfMagnitude = IntVector.broadcast(I, 0x0FFFE000), signBit = IntVector.broadcast(I, 0x80000000);
        FloatVector rebias = FloatVector.broadcast(F, 0x1p112f);
        FloatVector lowA = FloatVector.zero(F), highA = lowA, lowB = lowA, highB = lowA;
        for (int sb = 0; sb < blocks; sb++) {
            int xa = firstXBlock + sb, xb = xa + secondX, header = sb * STRIDE;
            IntVector sumLowA = IntVector.zero(I), sumHighA = sumLowA, minLowA = sumLowA, minHighA = sumLowA;
            IntVector sumLowB = sumLowA, sumHighB = sumLowA, minLowB = sumLowA, minHighB = sumLowA;
            for (int j = 0; j < 8; j++) {
                int sA = valueSums[8 * xa + j], sB = valueSums[8 * xb + j];
                int oa = xa * BLOCK + 32 * j, ob = xb * BLOCK + 32 * j, body = header + HEADER + 16 * 16 * j;
                ShortVector sumsA = ShortVector.broadcast(S, (short) (-8 * sA)), sumsB = ShortVector.broadcast(S, (short) (-8 * sB));
                for (int l = 0; l < 16; l++) {
                    ShortVector packed = BlockQuantTensor.bytesAsShorts(seg, body + 16 * l);
                    ShortVector lo = packed.and(fourBits), hi = packed.lanewise(VectorOperators.LSHR, 4);
                    sumsA = sumsA.add(lo.mul(q[oa + l])).add(hi.mul(q[oa + 16 + l]));
                    sumsB = sumsB.add(lo.mul(q[ob + l])).add(hi.mul(q[ob + 16 + l]));
                }
                ShortVector bytes = (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, seg,
                        header + SCALES + 16 * j, ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                ShortVector nibbles = (ShortVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_128, seg,
                        header + SCALES + 16 * (8 + j / 2), ByteOrder.LITTLE_ENDIAN).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                IntVector scale = bytes.and(sixBits).reinterpretAsInts();
                IntVector min = nibbles.lanewise(VectorOperators.LSHR, 4 * (j & 1)).and(fourBits)
                        .or(bytes.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.LSHL, 4)).reinterpretAsInts();
                IntVector scaleLow = scale.and(lowHalf), scaleHigh = scale.lanewise(VectorOperators.LSHR, 16);
                IntVector minLow = min.and(lowHalf), minHigh = min.lanewise(VectorOperators.LSHR, 16);
                IntVector pairsA = sumsA.reinterpretAsInts(), pairsB = sumsB.reinterpretAsInts();
                IntVector xSumA = IntVector.broadcast(I, sA), xSumB = IntVector.broadcast(I, sB);
                IntVector eightA = xSumA.lanewise(VectorOperators.LSHL, 3), eightB = xSumB.lanewise(VectorOperators.LSHL, 3);
                sumLowA = sumLowA.add(pairsA.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(eightA).mul(scaleLow));
                sumHighA = sumHighA.add(pairsA.lanewise(VectorOperators.ASHR, 16).add(eightA).mul(scaleHigh));
                sumLowB = sumLowB.add(pairsB.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(eightB).mul(scaleLow));
                sumHighB = sumHighB.add(pairsB.lanewise(VectorOperators.ASHR, 16).add(eightB).mul(scaleHigh));
                minLowA = minLowA.add(minLow.mul(xSumA));
                minHighA = minHighA.add(minHigh.mul(xSumA));
                minLowB = minLowB.add(minLow.mul(xSumB));
                minHighB = minHighB.add(minHigh.mul(xSumB));
            }
            IntVector d = IntVector.fromMemorySegment(I, seg, header, ByteOrder.LITTLE_ENDIAN);
            IntVector dmin = IntVector.fromMemorySegment(I, seg, header + DMIN, ByteOrder.LITTLE_ENDIAN);
            IntVector d0 = d.lanewise(VectorOperators.LSHL, 16), dmin0 = dmin.lanewise(VectorOperators.LSHL, 16);
            FloatVector dLow = d0.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(d0.and(signBit)).reinterpretAsFloats();
            FloatVector dHigh = d.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(d.and(signBit)).reinterpretAsFloats();
            FloatVector dminLow = dmin0.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(dmin0.and(signBit)).reinterpretAsFloats();
            FloatVector dminHigh = dmin.lanewise(VectorOperators.LSHR, 3).and(halfMagnitude).reinterpretAsFloats().mul(rebias)
                    .reinterpretAsInts().or(dmin.and(signBit)).reinterpretAsFloats();
            FloatVector scaleA = FloatVector.broadcast(F, xScales[xa]), scaleB = FloatVector.broadcast(F, xScales[xb]);
            lowA = dLow.mul((FloatVector) sumLowA.convert(VectorOperators.I2F, 0))
                    .sub(dminLow.mul((FloatVector) minLowA.convert(VectorOperators.I2F, 0))).fma(scaleA, lowA);
            highA = dHigh.mul((FloatVector) sumHighA.convert(VectorOperators.I2F, 0))
                    .sub(dminHigh.mul((FloatVector) minHighA.convert(VectorOperators.I2F, 0))).fma(scaleA, highA);
            lowB = dLow.mul((FloatVector) sumLowB.convert(VectorOperators.I2F, 0))
                    .sub(dminLow.mul((FloatVector) minLowB.convert(VectorOperators.I2F, 0))).fma(scaleB, lowB);
            highB = dHigh.mul((FloatVector) sumHighB.convert(VectorOperators.I2F, 0))
                    .sub(dminHigh.mul((FloatVector) minHighB.convert(VectorOperators.I2F, 0))).fma(scaleB, highB);
        }
        lowA.intoArray(out, outA);
        highA.intoArray(out, outA + 8);
        lowB.intoArray(out, outB);
        highB.intoArray(out, outB + 8);
    }

    /** Per-thread scratch of {@link #decodeScales}: per super-block, 128 floats each of scales and mins, 32 of d and dmin. */
    private static final class Scratch {
        float[] scales = new float[0], mins = new float[0], superScales = new float[0];

        Scratch ensure(int blocks) {
            if (scales.length < 128 * blocks) {
                scales = new float[128 * blocks];
                mins = new float[128 * blocks];
                superScales = new float[32 * blocks];
            }
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    @Override
    void decodePanel(int group, int kc, int kLen, float[] panel) {
        MemorySegment seg = groupSegment(group);
        int first = kc / BLOCK, count = kLen / BLOCK;
        Scratch s = SCRATCH.get().ensure(count);
        decodeScales(seg, first * STRIDE, count, s);
        float[] scales = s.scales, mins = s.mins;
        for (int sb = 0, body = HEADER + first * STRIDE; sb < count; sb++, body += STRIDE)
            for (int j = 0; j < 8; j++) { // the same floats as dequantize: q · (d·scale) - dmin·min
                int at = 128 * sb + 16 * j;
                FloatVector scaleLow = FloatVector.fromArray(F, scales, at), scaleHigh = FloatVector.fromArray(F, scales, at + 8);
                FloatVector minLow = FloatVector.fromArray(F, mins, at), minHigh = FloatVector.fromArray(F, mins, at + 8);
                int qs = body + 16 * 16 * j, k = BLOCK * sb + 32 * j;
                for (int l = 0; l < 32; l++) {
                    IntVector nibbles = BlockQuantTensor.bytesAsShorts(seg, qs + 16 * (l & 15)).lanewise(VectorOperators.LSHR, l < 16 ? 0 : 4)
                            .and((short) 0xF).reinterpretAsInts();
                    int to = (k + l) * GROUP;
                    toFloats(nibbles.and(0xFFFF)).mul(scaleLow).sub(minLow).intoArray(panel, to);
                    toFloats(nibbles.lanewise(VectorOperators.LSHR, 16)).mul(scaleHigh).sub(minHigh).intoArray(panel, to + 8);
                }
            }
    }
}
