package neurosteer.engine.tensor;

/** Switches shared by every format's kernels. */
public final class Kernels {
    /** Vector API kernels unless {@code -Dneurosteer.vector=false}; the scalar paths are the reference. */
    public static final boolean VECTORIZE = !"false".equals(System.getProperty("neurosteer.vector"));

    /**
     * Decode products (1 to 3 activation rows) with Q8_0, Q4_0 or Q4_K weights quantize the activations to 8-bit
     * integers and multiply integers, as llama.cpp does ({@link QuantizedActivations}), unless
     * {@code -Dneurosteer.quantizedActivations=false}, which keeps them in floats: slower, and exact
     * up to float rounding.
     */
    public static final boolean QUANTIZE_ACTIVATIONS = !"false".equals(System.getProperty("neurosteer.quantizedActivations"));

    private Kernels() {}
}
