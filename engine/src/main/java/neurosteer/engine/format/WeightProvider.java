package neurosteer.engine.format;

/** Supplies a model's weights by Hugging Face tensor name, a block of rows at a time. */
@FunctionalInterface
public interface WeightProvider {
    /** Fills {@code out} with rows {@code [rowStart, rowStart + out.length / cols)} of {@code name} ({@code rows × cols}). */
    void fill(String name, int rows, int cols, int rowStart, float[] out);
}
