package neurosteer.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Significance of a change in accuracy on the same problems: McNemar's exact test on the discordant
 * pairs, and a paired bootstrap confidence interval for the difference in accuracy.
 */
public final class PairedTest {
    /**
     * @param delta      accuracy(treatment) − accuracy(baseline), in [−1, 1]
     * @param onlyBaseline problems only the baseline got right
     * @param onlyTreatment problems only the treatment got right
     */
    public record Result(int n, double delta, int onlyBaseline, int onlyTreatment, double mcnemarP, double ciLow, double ciHigh,
                         double confidence, int resamples, long seed) {}

    private PairedTest() {}

    public static Result compare(boolean[] baseline, boolean[] treatment, double confidence, int resamples, long seed) {
        if (baseline.length != treatment.length) throw new IllegalArgumentException("paired results differ in length: " + baseline.length + " vs " + treatment.length);
        int n = baseline.length, b = 0, c = 0;
        int[] diff = new int[n];
        for (int i = 0; i < n; i++) {
            if (baseline[i] && !treatment[i]) b++;
            if (!baseline[i] && treatment[i]) c++;
            diff[i] = (treatment[i] ? 1 : 0) - (baseline[i] ? 1 : 0);
        }
        double delta = n == 0 ? 0 : (double) (c - b) / n;
        double p = mcnemarExact(b, c);
        double lo = delta, hi = delta;
        if (n > 0 && resamples > 0) {
            SplittableRandom rnd = new SplittableRandom(seed);
            double[] stats = new double[resamples];
            for (int r = 0; r < resamples; r++) {
                long sum = 0;
                for (int i = 0; i < n; i++) sum += diff[rnd.nextInt(n)];
                stats[r] = (double) sum / n;
            }
            Arrays.sort(stats);
            double alpha = (1 - confidence) / 2;
            lo = stats[(int) Math.floor(alpha * (resamples - 1))];
            hi = stats[(int) Math.ceil((1 - alpha) * (resamples - 1))];
        }
        return new Result(n, delta, b, c, p, lo, hi, confidence, resamples, seed);
    }

    /** Two-sided exact McNemar p-value: binomial(b + c, 1/2) tail at min(b, c), doubled, capped at 1. */
    public static double mcnemarExact(int b, int c) {
        int m = b + c;
        if (m == 0) return 1.0;
        int k = Math.min(b, c);
        double logHalf = m * Math.log(0.5);
        double tail = 0;
        for (int i = 0; i <= k; i++) tail += Math.exp(logChoose(m, i) + logHalf);
        return Math.min(1.0, 2 * tail);
    }

    private static double logChoose(int n, int k) {
        return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
    }

    private static double logFactorial(int n) {
        double s = 0;
        for (int i = 2; i <= n; i++) s += Math.log(i);
        return s;
    }
}
