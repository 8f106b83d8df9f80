package neurosteer.engine.tensor;

/** Switches shared by every format's kernels. */
public final class Kernels {
    /** Vector API kernels unless {@code -Dneurosteer.vector=false}; the scalar paths are the reference. */
    public static final boolean VECTORIZE = !"false".equals(System.getProperty("neurosteer.vector"));

    private Kernels() {}
}
