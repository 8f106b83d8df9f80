package neurosteer.engine.util;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RecursiveAction;

/**
 * The engine's one thread pool. Every kernel splits work through it, so several sequences in one
 * batch never oversubscribe the cores. Size: {@link #setThreads(int)}, default all cores.
 */
public final class Parallel {
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());

    private Parallel() {}

    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        if (threads == pool.getParallelism()) return;
        ForkJoinPool old = pool;
        pool = new ForkJoinPool(threads);
        old.shutdown();
    }

    public static int threads() { return pool.getParallelism(); }

    /** Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain}. */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        int threads = pool.getParallelism();
        if (threads == 1 || n <= grain) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(threads * 4, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1) {
            body.run(0, n);
            return;
        }
        pool.invoke(new Chunk(body, n, chunks, 0, chunks));
    }

    private static final class Chunk extends RecursiveAction {
        final RangeBody body;
        final int n, chunks, lo, hi;

        Chunk(RangeBody body, int n, int chunks, int lo, int hi) {
            this.body = body; this.n = n; this.chunks = chunks; this.lo = lo; this.hi = hi;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                int start = (int) ((long) n * lo / chunks), end = (int) ((long) n * hi / chunks);
                if (start < end) body.run(start, end);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Chunk(body, n, chunks, lo, mid), new Chunk(body, n, chunks, mid, hi));
        }
    }
}
