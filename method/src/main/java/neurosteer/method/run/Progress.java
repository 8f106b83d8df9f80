package neurosteer.method.run;

import java.io.PrintStream;

/** Progress of a long step on standard error: items done, tokens/s, time left. At most one line every few seconds. */
public final class Progress {
    private final String step;
    private final int total;
    private final PrintStream out;
    private final long start = System.nanoTime();
    private final int alreadyDone;
    private long lastPrint;
    private int done;
    private long tokens;

    public Progress(String step, int total, int alreadyDone, PrintStream out) {
        this.step = step;
        this.total = total;
        this.alreadyDone = alreadyDone;
        this.done = alreadyDone;
        this.out = out;
        if (alreadyDone > 0 && out != null) out.printf("%s: resuming, %d of %d already done%n", step, alreadyDone, total);
    }

    public synchronized void advance(int items, long newTokens) {
        done += items;
        tokens += newTokens;
        long now = System.nanoTime();
        if (out != null && (now - lastPrint > 3_000_000_000L || done == total)) {
            lastPrint = now;
            double seconds = (now - start) / 1e9;
            int fresh = done - alreadyDone;
            double eta = fresh > 0 ? seconds / fresh * (total - done) : Double.NaN;
            out.printf("%s: %d/%d (%.0f%%)  %.1f tokens/s  elapsed %s  left %s%n", step, done, total, 100.0 * done / Math.max(1, total),
                    tokens / Math.max(seconds, 1e-9), clock(seconds), Double.isNaN(eta) ? "?" : clock(eta));
        }
    }

    public int done() { return done; }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format("%d:%02d", s / 60, s % 60);
    }
}
