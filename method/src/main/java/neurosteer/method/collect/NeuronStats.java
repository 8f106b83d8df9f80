package neurosteer.method.collect;

/**
 * Streaming activation statistics of every FFN neuron over a group of trajectories (METHOD §2). Per
 * trajectory, over its counted tokens: RMS {@code sqrt(mean a²)} ("AvgL2Norm"), {@code mean |a|} and
 * {@code mean a}; these are summed over trajectories. Token-pooled sums of a², |a| and a are kept as
 * well. All sums are float64 and merge by addition, so shards combine exactly.
 */
public final class NeuronStats {
    public enum Field { TRAJ_RMS, TRAJ_MEAN_ABS, TRAJ_MEAN, TOKEN_SQ, TOKEN_ABS, TOKEN_SUM }

    private final int layers;
    private final int width;
    private final double[][] sums;
    private long trajectories;
    private long tokens;

    public NeuronStats(int layers, int width) {
        this.layers = layers;
        this.width = width;
        this.sums = new double[Field.values().length][layers * width];
    }

    public int layers() { return layers; }

    public int width() { return width; }

    public int neurons() { return layers * width; }

    public long trajectories() { return trajectories; }

    public long tokens() { return tokens; }

    public double[] sums(Field f) { return sums[f.ordinal()]; }

    /** Adds one finished trajectory; trajectories without counted tokens are ignored. */
    public void add(TrajectoryActivations t) {
        if (t.tokens() == 0) return;
        double n = t.tokens();
        double[] sq = t.sumSquares(), abs = t.sumAbs(), sum = t.sum();
        double[] rms = sums(Field.TRAJ_RMS), mabs = sums(Field.TRAJ_MEAN_ABS), mean = sums(Field.TRAJ_MEAN);
        double[] tsq = sums(Field.TOKEN_SQ), tabs = sums(Field.TOKEN_ABS), tsum = sums(Field.TOKEN_SUM);
        for (int i = 0; i < sq.length; i++) {
            rms[i] += Math.sqrt(sq[i] / n);
            mabs[i] += abs[i] / n;
            mean[i] += sum[i] / n;
            tsq[i] += sq[i];
            tabs[i] += abs[i];
            tsum[i] += sum[i];
        }
        trajectories++;
        tokens += t.tokens();
    }

    public void merge(NeuronStats other) {
        if (other.layers != layers || other.width != width)
            throw new IllegalArgumentException("cannot merge statistics of " + other.layers + "x" + other.width + " neurons into " + layers + "x" + width);
        for (int f = 0; f < sums.length; f++) for (int i = 0; i < sums[f].length; i++) sums[f][i] += other.sums[f][i];
        trajectories += other.trajectories;
        tokens += other.tokens;
    }

    void restore(Field f, double[] values, long trajectories, long tokens) {
        System.arraycopy(values, 0, sums(f), 0, values.length);
        this.trajectories = trajectories;
        this.tokens = tokens;
    }

    /** Mean over trajectories of the per-trajectory RMS: the paper's m. */
    public double[] meanRms() { return perTrajectory(Field.TRAJ_RMS); }

    /** Mean over trajectories of mean |a| (the option to RMS). */
    public double[] meanAbs() { return perTrajectory(Field.TRAJ_MEAN_ABS); }

    /** Mean over trajectories of the signed mean activation. */
    public double[] meanSigned() { return perTrajectory(Field.TRAJ_MEAN); }

    /** sqrt of mean a² pooled over all counted tokens (Wanda's activation norm). */
    public double[] tokenRms() {
        double[] sq = sums(Field.TOKEN_SQ), out = new double[sq.length];
        if (tokens == 0) return out;
        for (int i = 0; i < sq.length; i++) out[i] = Math.sqrt(sq[i] / tokens);
        return out;
    }

    private double[] perTrajectory(Field f) {
        double[] s = sums(f), out = new double[s.length];
        if (trajectories == 0) return out;
        for (int i = 0; i < s.length; i++) out[i] = s[i] / trajectories;
        return out;
    }
}
