package neurosteer.method.collect;

/** Running sums over the counted tokens of one trajectory, for every neuron. */
public final class TrajectoryActivations {
    private final int width;
    private final double[] sumSquares, sumAbs, sum;
    private int tokens;

    public TrajectoryActivations(int layers, int width) {
        this.width = width;
        this.sumSquares = new double[layers * width];
        this.sumAbs = new double[layers * width];
        this.sum = new double[layers * width];
    }

    /** Adds one token's activations of one layer ({@code values[offset, offset + width)}). */
    public void add(int layer, float[] values, int offset) {
        int base = layer * width;
        for (int j = 0; j < width; j++) {
            double a = values[offset + j];
            sumSquares[base + j] += a * a;
            sumAbs[base + j] += Math.abs(a);
            sum[base + j] += a;
        }
    }

    /** Counts one token (call once per token, not once per layer). */
    public void countToken() { tokens++; }

    public int tokens() { return tokens; }

    double[] sumSquares() { return sumSquares; }

    double[] sumAbs() { return sumAbs; }

    double[] sum() { return sum; }
}
