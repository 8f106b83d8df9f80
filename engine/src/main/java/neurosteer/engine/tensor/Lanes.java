package neurosteer.engine.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Lane sums and {@code exp} that give the same floats whether or not C2 has compiled the caller.
 * The Vector API leaves both open: {@code reduceLanes(ADD)} on floats adds the lanes in order in its
 * Java fallback (interpreter, C1) and as a tree in compiled code, and {@code lanewise(EXP)} calls
 * Intel's SVML in compiled code and {@link Math#exp} otherwise. Either made a forward pass's last bits
 * depend on when the JIT got to each kernel: the same input gave other logits early in a run than
 * later. Here every step is a lane-wise add, multiply, fused multiply-add or bit operation, which both
 * paths compute exactly as IEEE 754 says.
 */
public final class Lanes {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final VectorShuffle<Float> BY_FOUR = VectorShuffle.fromOp(F, i -> (i + 4) % 8);
    private static final VectorShuffle<Float> BY_TWO = VectorShuffle.fromOp(F, i -> (i + 2) % 8);
    private static final VectorShuffle<Float> BY_ONE = VectorShuffle.fromOp(F, i -> (i + 1) % 8);

    /** Below this {@code exp} returns 0 (the true value is a subnormal float), above {@link #OVERFLOW} infinity. */
    static final float UNDERFLOW = -87.33654f, OVERFLOW = 88.72283f;
    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two: the first with few mantissa bits, so that {@code n · LN2_HIGH} is exact. */
    private static final float LN2_HIGH = 0.693359375f, LN2_LOW = -2.12194440e-4f;
    /** 1.5 · 2^23: adding and then subtracting it rounds a float below 2^22 in magnitude to an integer. */
    private static final float ROUND = 12582912f;

    private Lanes() {}

    /**
     * The sum of the 8 lanes as {@code ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7))}. Every kernel works
     * in 256-bit vectors, also on machines with AVX-512, so that results do not depend on the machine.
     */
    public static float sum(FloatVector v) {
        if (v.length() != 8) throw new IllegalArgumentException("Lanes.sum takes 8-lane vectors, not " + v.species());
        FloatVector s = v.add(v.rearrange(BY_FOUR));
        s = s.add(s.rearrange(BY_TWO));
        return s.add(s.rearrange(BY_ONE)).lane(0);
    }

    /**
     * {@code e^x} per lane, within 2 units in the last place of {@link Math#exp} (Cephes' {@code expf}:
     * {@code x = n ln 2 + r}, {@code |r| ≤ ln 2 / 2}, a degree-7 polynomial in {@code r}, times {@code 2^n}).
     * 0 below {@link #UNDERFLOW}, infinity above {@link #OVERFLOW}, NaN for NaN.
     */
    public static FloatVector exp(FloatVector x) {
        FloatVector inRange = x.max(UNDERFLOW).min(OVERFLOW);
        FloatVector n = inRange.mul(LOG2E).add(ROUND).sub(ROUND);
        FloatVector r = n.fma(constant(-LN2_HIGH), inRange);
        r = n.fma(constant(-LN2_LOW), r);
        FloatVector p = r.fma(1.9875691500e-4f, 1.3981999507e-3f);
        p = p.fma(r, constant(8.3334519073e-3f));
        p = p.fma(r, constant(4.1665795894e-2f));
        p = p.fma(r, constant(1.6666665459e-1f));
        p = p.fma(r, constant(5.0000001201e-1f));
        p = p.fma(r.mul(r), r).add(1f);
        // 2^n as 2^(n - h) · 2^h, h = n / 2: n runs from -126 to 128, beyond one float exponent
        IntVector whole = (IntVector) n.convert(VectorOperators.F2I, 0), half = whole.lanewise(VectorOperators.ASHR, 1);
        FloatVector e = p.mul(powerOfTwo(whole.sub(half))).mul(powerOfTwo(half));
        VectorMask<Float> below = x.compare(VectorOperators.LT, UNDERFLOW), above = x.compare(VectorOperators.GT, OVERFLOW);
        return e.blend(0f, below).blend(Float.POSITIVE_INFINITY, above);
    }

    private static FloatVector constant(float c) { return FloatVector.broadcast(F, c); }

    /** {@code 2^k} for {@code -126 <= k <= 127}. */
    private static FloatVector powerOfTwo(IntVector k) {
        return k.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
    }
}
