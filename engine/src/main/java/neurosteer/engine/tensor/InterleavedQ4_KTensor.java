package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Q4_K interleaved by groups of 16 rows ({@link InterleavedTensor}). Each group's 256-column
 * super-block has a header of 256 bytes: the 16 rows' f16 {@code d}, their f16 {@code dmin}, then 12
 * bytes of 6-bit scales and mins per row; and a body of 2048: for each of the 128 bytes of nibbles the
 * 16 rows' byte (as in
 * {@link Q4_KTensor}: nibble byte {@code 32c + l} holds column {@code 64c + l} low and
 * {@code 64c + 32 + l} high). The scales and mins are repacked within their 12 bytes so that each
 * comes out of a vector of 16 rows in a few operations: byte {@code j} (0-7) holds scale {@code j}
 * in bits 0-5 and bits 4-5 of min {@code j} in bits 6-7; byte {@code 8 + k} holds bits 0-3 of mins
 * {@code 2k} (low nibble) and {@code 2k + 1} (high nibble). As everywhere in this layout, byte
 * {@code t} of the 16 rows sits at {@code 64 + 16t} of the header.
 */
public final class InterleavedQ4_KTensor extends InterleavedTensor {
    static final int BLOCK = 256, DMIN = 2 * GROUP, SCALES = 4 * GROUP, HEADER = 16 * GROUP, BODY = GROUP * Q4_KTensor.BYTES - HEADER;

    private InterleavedQ4_KTensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape, HEADER);
    }

    @Override
    public GgmlType type() { return GgmlType.Q4_K; }

    /** The interleaved copy of {@code flat}, or {@code flat} itself when it cannot be interleaved (see {@link InterleavedTensor#interleave}). */
    public static Tensor interleave(Q4_KTensor flat) {
        return interleave(flat, HEADER, new int[] {0, 2}, (row, from, dst, header, body, lane) -> {
            dst.set(ValueLayout.JAVA_BYTE, header + 2L * lane, row[from]);
            dst.set(ValueLayout.JAVA_BYTE, header + 2L * lane + 1, row[from + 1]);
            dst.set(ValueLayout.JAVA_BYTE, header + DMIN + 2L * lane, row[from + 2]);
            dst.set(ValueLayout.JAVA_BYTE, header + DMIN + 2L * lane + 1, row[from + 3]);
            byte[] sixBits = repackScales(row, from + Q4_KTensor.SCALES);
            for (int t = 0; t < 12; t++) dst.set(ValueLayout.JAVA_BYTE, header + SCALES + 16L * t + lane, sixBits[t]);
            for (int u = 0; u < 128; u++) dst.set(ValueLayout.JAVA_BYTE, body + 16L * u + lane, row[from + Q4_KTensor.QS + u]);
        }, (dst, t) -> new InterleavedQ4_KTensor(t.name(), dst, t.shape()));
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
        long header = headerAt(row / GROUP, col / BLOCK);
        int lane = laneOfRow(row % GROUP), sub = e / 32;
        int packed = u8(bodyAt(row / GROUP, col / BLOCK) + 16L * (32 * (e / 64) + e % 32) + lane);
        int q = (sub & 1) == 0 ? packed & 0xF : packed >>> 4;
        return Float.float16ToFloat(segment.get(F16, header + 2L * lane)) * scale(header, lane, sub) * q
                - Float.float16ToFloat(segment.get(F16, header + DMIN + 2L * lane)) * min(header, lane, sub);
    }

    @Override
    void dequantizeBlock(long header, long body, int lane, float[] out, int outOffset) {
        float d = Float.float16ToFloat(segment.get(F16, header + 2L * lane)), dmin = Float.float16ToFloat(segment.get(F16, header + DMIN + 2L * lane));
        for (int chunk = 0; chunk < 4; chunk++) {
            float d1 = d * scale(header, lane, 2 * chunk), m1 = dmin * min(header, lane, 2 * chunk);
            float d2 = d * scale(header, lane, 2 * chunk + 1), m2 = dmin * min(header, lane, 2 * chunk + 1);
            int o = outOffset + 64 * chunk;
            for (int l = 0; l < 32; l++) {
                int packed = u8(body + 16L * (32 * chunk + l) + lane);
                out[o + l] = d1 * (packed & 0xF) - m1;
                out[o + 32 + l] = d2 * (packed >>> 4) - m2;
            }
        }
    }

    @Override
    void matvecQuantized(QuantizedActivations a, float[] out, int groupStart, int groupEnd) {
        int blocks = blocksPerRow, rows = rows();
        Scratch s = SCRATCH.get().ensure(blocks);
        for (int g = groupStart; g < groupEnd; g++) {
            MemorySegment group = groupSegment(g);
            decodeScales(group, 0, blocks, s);
            for (int b = 0; b < a.batch; b++) groupDot(group, firstBody(), blocks, a, b * blocks, s, out, b * rows + g * GROUP);
        }
    }

    /**
     * The scales of a group's super-blocks as floats, for every batch row's {@link #groupDot} and for
     * {@link #decodePanel}: {@code d · scale_j}, {@code dmin · min_j} and {@code dmin · min_j - 8 · d · scale_j}
     * of rows 0-7 at {@code 128 sb + 16 j} and of rows 8-15 at {@code 128 sb + 16 j + 8}. Passes of their
     * own, in loops rather than unrolled code: C2 stops inlining (and then allocates the Vector API's
     * vectors) once one compilation grows past a node budget, which the whole kernel in one method exceeded.
     */
    private static void decodeScales(MemorySegment seg, int firstHeader, int blocks, Scratch s) {
        decodeSuperScales(seg, firstHeader, blocks, s.superScales);
        decodeSubScales(seg, firstHeader, blocks, s);
    }

    /** {@code d} of rows 0-7 and 8-15, then {@code dmin}, as floats at {@code 32 sb}, {@code + 8}, {@code + 16}, {@code + 24}. */
    private static void decodeSuperScales(MemorySegment seg, int firstHeader, int blocks, float[] superScales) {
        for (int sb = 0; sb < blocks; sb++)
            for (int h = 0; h < 4; h++) {
                int base = firstHeader + sb * HEADER;
                IntVector halves = IntVector.fromMemorySegment(I, seg, base + (h < 2 ? 0 : DMIN), ByteOrder.LITTLE_ENDIAN);
                halfToFloats(halves.lanewise(VectorOperators.LSHL, (h & 1) == 0 ? 16 : 0)).intoArray(superScales, 32 * sb + 8 * h);
            }
    }

    private static void decodeSubScales(MemorySegment seg, int firstHeader, int blocks, Scratch s) {
        float[] superScales = s.superScales, scales = s.scales, mins = s.mins, offsets = s.offsets;
        for (int sb = 0; sb < blocks; sb++) {
            int base = firstHeader + sb * HEADER;
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
                minLow.sub(scaleLow.mul(8f)).intoArray(offsets, at);
                minHigh.sub(scaleHigh.mul(8f)).intoArray(offsets, at + 8);
            }
        }
    }

    /**
     * One group of 16 rows against one activation row, given {@link #decodeScales}. Per sub-block the
     * 16-bit lanes start at {@code -8 · Σx} and add {@code q·x}, leaving {@code Σ (q - 8)·x} (at most
     * 32 · 8 · 127 in magnitude; partial sums may wrap, the last cannot), weighted by
     * {@code d · scale_j}; the {@code 8 · Σx} left out comes back with the min term. Per super-block:
     * {@code xScale · (Σ d·scale_j·Σ(q - 8)·x - Σ (dmin·min_j - 8·d·scale_j)·Σx)}.
     */
    private static void groupDot(MemorySegment seg, int firstBody, int blocks, QuantizedActivations a,
                                 int firstXBlock, Scratch s, float[] out, int outOffset) {
        short[] q = a.values;
        float[] xScales = a.scales, scales = s.scales, offsets = s.offsets;
        int[] valueSums = a.valueSums;
        FloatVector low = FloatVector.zero(F), high = low;
        for (int sb = 0; sb < blocks; sb++) {
            int xb = firstXBlock + sb, body = firstBody + sb * BODY;
            FloatVector sumLow = FloatVector.zero(F), sumHigh = sumLow;
            for (int j = 0; j < 8; j += 2) {
                int x0 = valueSums[8 * xb + j], x1 = valueSums[8 * xb + j + 1], xo = xb * BLOCK + 32 * j;
                ShortVector first = ShortVector.broadcast(S, (short) (-8 * x0)), second = ShortVector.broadcast(S, (short) (-8 * x1));
                long qs = body + 16L * 16 * j; // long offsets: in this loop C2 checked every int-offset load, these once (+3%; not so in Q4_0 or Q6_K)
                for (int l = 0; l < 32; l++) {
                    ShortVector packed = BlockQuantTensor.bytesAsShorts(seg, qs + 16L * l);
                    first = first.add(packed.and((short) 0xF).mul(q[xo + l]));
                    second = second.add(packed.lanewise(VectorOperators.LSHR, 4).mul(q[xo + 32 + l]));
                }
                IntVector p0 = first.reinterpretAsInts(), p1 = second.reinterpretAsInts();
                int at = 128 * sb + 16 * j;
                sumLow = toFloats(evenLanes(p0)).fma(FloatVector.fromArray(F, scales, at), sumLow);
                sumHigh = toFloats(oddLanes(p0)).fma(FloatVector.fromArray(F, scales, at + 8), sumHigh);
                sumLow = toFloats(evenLanes(p1)).fma(FloatVector.fromArray(F, scales, at + 16), sumLow);
                sumHigh = toFloats(oddLanes(p1)).fma(FloatVector.fromArray(F, scales, at + 24), sumHigh);
            }
            for (int j = 0; j < 8; j++) {
                float xSum = valueSums[8 * xb + j];
                int at = 128 * sb + 16 * j;
                sumLow = FloatVector.fromArray(F, offsets, at).mul(-xSum).add(sumLow);
                sumHigh = FloatVector.fromArray(F, offsets, at + 8).mul(-xSum).add(sumHigh);
            }
            FloatVector xScale = FloatVector.broadcast(F, xScales[xb]);
            low = sumLow.fma(xScale, low);
            high = sumHigh.fma(xScale, high);
        }
        low.intoArray(out, outOffset);
        high.intoArray(out, outOffset + 8);
    }

    /** Per-thread scratch of {@link #decodeScales}: per super-block, 128 floats each of scales and mins, 32 of d and dmin. */
    private static final class Scratch {
        float[] scales = new float[0], mins = new float[0], offsets = new float[0], superScales = new float[0];

        Scratch ensure(int blocks) {
            if (scales.length < 128 * blocks) {
                scales = new float[128 * blocks];
                mins = new float[128 * blocks];
                offsets = new float[128 * blocks];
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
        decodeScales(seg, first * HEADER, count, s);
        float[] scales = s.scales, mins = s.mins;
        for (int sb = 0, body = firstBody() + first * BODY; sb < count; sb++, body += BODY)
            for (int j = 0; j < 8; j++) { // the same floats as dequantize: q · (d·scale) - dmin·min
                int at = 128 * sb + 16 * j;
                FloatVector scaleLow = FloatVector.fromArray(F, scales, at), scaleHigh = FloatVector.fromArray(F, scales, at + 8);
                FloatVector minLow = FloatVector.fromArray(F, mins, at), minHigh = FloatVector.fromArray(F, mins, at + 8);
                int qs = body + 16 * 32 * (j / 2);
                int shift = 4 * (j & 1), k = BLOCK * sb + 32 * j;
                for (int l = 0; l < 32; l++) {
                    IntVector nibbles = BlockQuantTensor.bytesAsShorts(seg, qs + 16 * l).lanewise(VectorOperators.LSHR, shift)
                            .and((short) 0xF).reinterpretAsInts();
                    int to = (k + l) * GROUP;
                    toFloats(nibbles.and(0xFFFF)).mul(scaleLow).sub(minLow).intoArray(panel, to);
                    toFloats(nibbles.lanewise(VectorOperators.LSHR, 16)).mul(scaleHigh).sub(minHigh).intoArray(panel, to + 8);
                }
            }
    }
}
