package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * GGML Q6_K: super-blocks of 256 elements in 210 bytes: 128 bytes {@code ql} (low 4 bits), 64 bytes
 * {@code qh} (high 2 bits), 16 int8 scales (one per 16 elements), f16 {@code d}. Each half of 128
 * elements uses 64 bytes of ql and 32 of qh: for l < 32, element l and l + 64 take the low and high
 * nibble of ql[l], elements l + 32 and l + 96 those of ql[l + 32], and qh[l] holds their top bits in
 * bit pairs 0, 2, 4, 6 for elements l, l + 32, l + 64, l + 96. Element = d * scale * (q - 32).
 */
public final class Q6_KTensor extends BlockQuantTensor {
    static final int BLOCK = 256, BYTES = 210;
    static final int QL = 0, QH = 128, SCALES = 192, D = 208;
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_256;

    public Q6_KTensor(String name, MemorySegment segment, long[] shape) {
        super(name, segment, shape);
    }

    @Override
    public GgmlType type() { return GgmlType.Q6_K; }

    /** The 6-bit value (0..63) of element {@code e} of the super-block at {@code base}. */
    private int quant(long base, int e) {
        int half = e / 128, r = e % 128, quarter = r / 32, l = r % 32;
        int low = u8(base + QL + 64L * half + l + (quarter & 1) * 32);
        low = quarter < 2 ? low & 0xF : low >>> 4;
        int high = (u8(base + QH + 32L * half + l) >>> (2 * quarter)) & 3;
        return low | high << 4;
    }

    @Override
    public float get(long index) {
        long base = index / BLOCK * BYTES;
        int e = (int) (index % BLOCK);
        return f16(base + D) * s8(base + SCALES + e / 16) * (quant(base, e) - 32);
    }

    @Override
    void dequantizeBlock(long block, float[] out, int outOffset) {
        long base = block * BYTES;
        float d = f16(base + D);
        if (!Kernels.VECTORIZE) {
            for (int e = 0; e < BLOCK; e++) out[outOffset + e] = d * s8(base + SCALES + e / 16) * (quant(base, e) - 32);
            return;
        }
        float[] scales = SCALE_SCRATCH.get();
        blockScales(base, d, scales);
        for (int half = 0; half < 2; half++) {
            long ql = base + QL + 64L * half, qh = base + QH + 32L * half;
            int o = outOffset + 128 * half, sc = 8 * half;
            for (int l = 0; l < 32; l += 8) {
                IntVector lowA = widenedBytes(ql + l), lowB = widenedBytes(ql + 32 + l), high = widenedBytes(qh + l);
                int s = sc + (l >> 4);
                quarter0(lowA, high).mul(scales[s]).intoArray(out, o + l);
                quarter1(lowB, high).mul(scales[s + 2]).intoArray(out, o + 32 + l);
                quarter2(lowA, high).mul(scales[s + 4]).intoArray(out, o + 64 + l);
                quarter3(lowB, high).mul(scales[s + 6]).intoArray(out, o + 96 + l);
            }
        }
    }

    /*
     * The four quarters of a half, 8 elements at a time from three 8-byte loads widened to int lanes:
     * low nibbles of ql[l..] and ql[l + 32..], then their high nibbles, each with its bit pair of qh[l..]
     * moved to bits 4-5; minus 32. Sign extension by the widening only touches bits above 7, which the
     * masks drop.
     */
    private static FloatVector quarter0(IntVector lowA, IntVector high) {
        return toFloat(lowA.and(0xF).or(high.lanewise(VectorOperators.LSHL, 4).and(0x30)));
    }

    private static FloatVector quarter1(IntVector lowB, IntVector high) {
        return toFloat(lowB.and(0xF).or(high.lanewise(VectorOperators.LSHL, 2).and(0x30)));
    }

    private static FloatVector quarter2(IntVector lowA, IntVector high) {
        return toFloat(lowA.lanewise(VectorOperators.LSHR, 4).and(0xF).or(high.and(0x30)));
    }

    private static FloatVector quarter3(IntVector lowB, IntVector high) {
        return toFloat(lowB.lanewise(VectorOperators.LSHR, 4).and(0xF).or(high.lanewise(VectorOperators.LSHR, 2).and(0x30)));
    }

    private static FloatVector toFloat(IntVector q) {
        return (FloatVector) q.sub(32).castShape(F, 0);
    }

    /** {@code scales[k] = d * scale_k} for the sixteen 16-element groups of the super-block at {@code base}. */
    private void blockScales(long base, float d, float[] scales) {
        for (int k = 0; k < 16; k += 8)
            ((FloatVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_64, segment, base + SCALES + k, ByteOrder.LITTLE_ENDIAN)
                    .castShape(F, 0)).mul(d).intoArray(scales, k);
    }

    private static final ThreadLocal<float[]> SCALE_SCRATCH = ThreadLocal.withInitial(() -> new float[16]);

    @Override
    float dotBlocksScalar(long firstBlock, int blocks, float[] x, int xOffset) {
        float sum = 0;
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(base + D);
            for (int group = 0; group < 16; group++) {
                int xo = xOffset + b * BLOCK + 16 * group;
                float groupSum = 0;
                for (int i = 0; i < 16; i++) groupSum += (quant(base, 16 * group + i) - 32) * x[xo + i];
                sum += d * s8(base + SCALES + group) * groupSum;
            }
        }
        return sum;
    }

    @Override
    float dotBlocksVector(long firstBlock, int blocks, float[] x, int xOffset) {
        FloatVector acc0 = FloatVector.zero(F), acc1 = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(base + D);
            for (int half = 0; half < 2; half++) {
                long ql = base + QL + 64L * half, qh = base + QH + 32L * half, sc = base + SCALES + 8L * half;
                int xo = xOffset + b * BLOCK + 128 * half;
                ByteVector lowA = ByteVector.fromMemorySegment(B, segment, ql, ByteOrder.LITTLE_ENDIAN);
                ByteVector lowB = ByteVector.fromMemorySegment(B, segment, ql + 32, ByteOrder.LITTLE_ENDIAN);
                ByteVector high = ByteVector.fromMemorySegment(B, segment, qh, ByteOrder.LITTLE_ENDIAN);
                for (int quarter = 0; quarter < 4; quarter++) {
                    ByteVector q = switch (quarter) {
                        case 0 -> lowA.and((byte) 0xF).or(shiftLeft(high.and((byte) 3), 4));
                        case 1 -> lowB.and((byte) 0xF).or(shiftLeft(high.and((byte) 0x0C), 2));
                        case 2 -> shiftRight(lowA, 4).and((byte) 0xF).or(high.and((byte) 0x30));
                        default -> shiftRight(lowB, 4).and((byte) 0xF).or(shiftRight(high, 2).and((byte) 0x30));
                    };
                    q = q.sub((byte) 32);
                    int xq = xo + 32 * quarter;
                    FloatVector s0 = FloatVector.broadcast(F, d * s8(sc + 2 * quarter));
                    FloatVector s1 = FloatVector.broadcast(F, d * s8(sc + 2 * quarter + 1));
                    acc0 = ((FloatVector) q.castShape(F, 0)).mul(s0).fma(FloatVector.fromArray(F, x, xq), acc0);
                    acc1 = ((FloatVector) q.castShape(F, 1)).mul(s0).fma(FloatVector.fromArray(F, x, xq + 8), acc1);
                    acc0 = ((FloatVector) q.castShape(F, 2)).mul(s1).fma(FloatVector.fromArray(F, x, xq + 16), acc0);
                    acc1 = ((FloatVector) q.castShape(F, 3)).mul(s1).fma(FloatVector.fromArray(F, x, xq + 24), acc1);
                }
            }
        }
        return Lanes.sum(acc0.add(acc1));
    }
}
