package neurosteer.engine.hooks;

/**
 * Reads or edits activations at one hook point. {@code values} holds {@code batch.rows()} rows of
 * {@code width} floats, row-major; edits in place flow on through the forward pass.
 */
@FunctionalInterface
public interface Hook {
    void apply(HookPoint point, BatchView batch, float[] values, int width);
}
