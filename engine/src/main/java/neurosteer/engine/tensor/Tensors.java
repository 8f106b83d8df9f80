package neurosteer.engine.tensor;

import java.lang.foreign.MemorySegment;

/** Builds the tensor class that matches a storage format. */
public final class Tensors {
    private Tensors() {}

    /** Whether {@link #of} has a class for {@code type}. */
    public static boolean isSupported(GgmlType type) {
        return switch (type) {
            case F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K -> true;
            default -> false;
        };
    }

    /**
     * {@code t} in the layout the kernels run fastest on: a Q4_0, Q4_K or Q6_K matrix interleaved by groups of
     * rows ({@link InterleavedTensor}, see {@link Kernels#INTERLEAVE}), a Q8_0 one too where the native kernels
     * decode it with AVX-512 (see {@link NativeGemm#interleavesQ8_0}), anything else as it is.
     */
    public static Tensor forInference(Tensor t) {
        if (!Kernels.INTERLEAVE) return t;
        return switch (t) {
            case Q4_0Tensor q -> InterleavedQ4_0Tensor.interleave(q);
            case Q4_KTensor q -> InterleavedQ4_KTensor.interleave(q);
            case Q6_KTensor q -> InterleavedQ6_KTensor.interleave(q);
            case Q8_0Tensor q when NativeGemm.interleavesQ8_0() -> InterleavedQ8_0Tensor.interleave(q);
            default -> t;
        };
    }

    public static Tensor of(GgmlType type, String name, MemorySegment segment, long[] shape) {
        return switch (type) {
            case F32 -> new F32Tensor(name, segment, shape);
            case F16 -> new F16Tensor(name, segment, shape);
            case BF16 -> new BF16Tensor(name, segment, shape);
            case Q8_0 -> new Q8_0Tensor(name, segment, shape);
            case Q4_0 -> new Q4_0Tensor(name, segment, shape);
            case Q4_K -> new Q4_KTensor(name, segment, shape);
            case Q6_K -> new Q6_KTensor(name, segment, shape);
            default -> throw new UnsupportedFormatException("tensor '" + name + "': storage type " + type
                    + " is not supported (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
        };
    }
}
