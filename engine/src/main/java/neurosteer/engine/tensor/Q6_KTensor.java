package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
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
        for (int e = 0; e < BLOCK; e++) out[outOffset + e] = d * s8(base + SCALES + e / 16) * (quant(base, e) - 32);
    }

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
        FloatVector acc = FloatVector.zero(F);
        for (int b = 0; b < blocks; b++) {
            long base = (firstBlock + b) * BYTES;
            float d = f16(base + D);
            for (int half = 0; half < 2; half++) {
                long ql = base + QL + 64L * half, qh = base + QH + 32L * half, sc = base + SCALES + 8L * half;
                int xo = xOffset + b * BLOCK + 128 * half;
                ByteVector lowA = ByteVector.fromMemorySegment(B, segment, ql, ByteOrder.LITTLE_ENDIAN);
                ByteVector lowB = ByteVector.fromMemorySegment(B, segment, ql + 32, ByteOrder.LITTLE_ENDIAN);
                ByteVector high = ByteVector.fromMemorySegment(B, segment, qh, ByteOrder.LITTLE_ENDIAN);
                ByteVector q1 = lowA.and((byte) 0xF).or(shiftLeft(high.and((byte) 3), 4));
                ByteVector q2 = lowB.and((byte) 0xF).or(shiftLeft(high.and((byte) 0x0C), 2));
                ByteVector q3 = shiftRight(lowA, 4).and((byte) 0xF).or(high.and((byte) 0x30));
                ByteVector q4 = shiftRight(lowB, 4).and((byte) 0xF)
                        .or(shiftRight(high, 2).and((byte) 0x30));
                acc = quarter(q1.sub((byte) 32), x, xo, d * s8(sc), d * s8(sc + 1), acc);
                acc = quarter(q2.sub((byte) 32), x, xo + 32, d * s8(sc + 2), d * s8(sc + 3), acc);
                acc = quarter(q3.sub((byte) 32), x, xo + 64, d * s8(sc + 4), d * s8(sc + 5), acc);
                acc = quarter(q4.sub((byte) 32), x, xo + 96, d * s8(sc + 6), d * s8(sc + 7), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** 32 elements: the first 16 scaled by {@code s0}, the next 16 by {@code s1}. */
    private static FloatVector quarter(ByteVector q, float[] x, int xo, float s0, float s1, FloatVector acc) {
        FloatVector a = ((FloatVector) q.castShape(F, 0)).mul(FloatVector.fromArray(F, x, xo));
        a = ((FloatVector) q.castShape(F, 1)).fma(FloatVector.fromArray(F, x, xo + 8), a);
        FloatVector c = ((FloatVector) q.castShape(F, 2)).mul(FloatVector.fromArray(F, x, xo + 16));
        c = ((FloatVector) q.castShape(F, 3)).fma(FloatVector.fromArray(F, x, xo + 24), c);
        return c.fma(FloatVector.broadcast(F, s1), a.fma(FloatVector.broadcast(F, s0), acc));
    }
}
