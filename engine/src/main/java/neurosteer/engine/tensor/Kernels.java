package neurosteer.engine.tensor;

/** Switches shared by every format's kernels. */
public final class Kernels {
    /** Vector API kernels unless {@code -Dneurosteer.vector=false}; the scalar paths are the reference. */
    public static final boolean VECTORIZE = !"false".equals(System.getProperty("neurosteer.vector"));

    /**
     * Decode products (1 to 3 activation rows; up to 31 for interleaved matrices) with Q8_0, Q4_0 or Q4_K weights, or interleaved Q6_K ones, quantize the activations to 8-bit
     * integers and multiply integers, as llama.cpp does ({@link QuantizedActivations}), unless
     * {@code -Dneurosteer.quantizedActivations=false}, which keeps them in floats: slower, and exact
     * up to float rounding.
     */
    public static final boolean QUANTIZE_ACTIVATIONS = !"false".equals(System.getProperty("neurosteer.quantizedActivations"));

    /**
     * Q4_0, Q4_K and Q6_K matrices of a loaded model are copied at load time into groups of 16 interleaved rows
     * ({@link InterleavedTensor}), unless {@code -Dneurosteer.interleave=false} or the scalar
     * kernels are on.
     */
    public static final boolean INTERLEAVE = VECTORIZE && !"false".equals(System.getProperty("neurosteer.interleave"));

    private Kernels() {}
}
