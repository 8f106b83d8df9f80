package neurosteer.engine.hooks;

/** What a hook may know of the rows in a forward pass: which sequence, position and part each row is. */
public interface BatchView {
    int rows();

    /** Index of the row's sequence in the batch of sequences being run. */
    int sequence(int row);

    /** Position of the row's token in its sequence. */
    int position(int row);

    /** True for prompt tokens, false for completion tokens. */
    boolean isPrompt(int row);
}
