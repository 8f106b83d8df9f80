package neurosteer.engine.model;

import java.util.Arrays;
import neurosteer.engine.hooks.BatchView;

/**
 * Rows of one forward pass: each row is a token of some sequence at some position. Rows of one
 * sequence must be in increasing position order and continue its cache.
 *
 * @param wantLogits which rows need next-token logits; null means every row
 */
public record Batch(int[] tokens, int[] sequences, int[] positions, boolean[] prompt, boolean[] wantLogits) implements BatchView {

    public Batch {
        int n = tokens.length;
        if (sequences.length != n || positions.length != n || prompt.length != n || (wantLogits != null && wantLogits.length != n))
            throw new IllegalArgumentException("batch arrays differ in length");
    }

    /** A prompt of one sequence, starting at {@code startPosition}, with logits for the last row only or all rows. */
    public static Batch ofSequence(int sequence, int[] tokens, int startPosition, boolean isPrompt, boolean allLogits) {
        int n = tokens.length;
        int[] seq = new int[n], pos = new int[n];
        boolean[] prompt = new boolean[n], want = new boolean[n];
        for (int i = 0; i < n; i++) {
            seq[i] = sequence;
            pos[i] = startPosition + i;
            prompt[i] = isPrompt;
            want[i] = allLogits || i == n - 1;
        }
        return new Batch(tokens.clone(), seq, pos, prompt, want);
    }

    /** Rows {@code from} (inclusive) to {@code to} (exclusive) as a batch of their own. */
    public Batch slice(int from, int to) {
        return new Batch(Arrays.copyOfRange(tokens, from, to), Arrays.copyOfRange(sequences, from, to),
                Arrays.copyOfRange(positions, from, to), Arrays.copyOfRange(prompt, from, to),
                wantLogits == null ? null : Arrays.copyOfRange(wantLogits, from, to));
    }

    @Override
    public int rows() { return tokens.length; }

    @Override
    public int sequence(int row) { return sequences[row]; }

    @Override
    public int position(int row) { return positions[row]; }

    @Override
    public boolean isPrompt(int row) { return prompt[row]; }

    public boolean wantsLogits(int row) { return wantLogits == null || wantLogits[row]; }

    public int logitRows() {
        if (wantLogits == null) return tokens.length;
        int c = 0;
        for (boolean b : wantLogits) if (b) c++;
        return c;
    }
}
