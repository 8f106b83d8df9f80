package neurosteer.engine.util;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine's one team of threads. Every kernel splits work through it, so several sequences never
 * oversubscribe the cores: a {@link #forRange} called from inside another one runs inline on its
 * thread, and callers from different threads take turns. Size: {@link #setThreads(int)}, default all
 * cores; the calling thread is one of them.
 *
 * <p>Decode makes about seven parallel matrix-vector products per layer, each a fraction of a
 * millisecond, so waking parked threads for each one costs a real share of a token. The team's
 * workers therefore spin for a short while after each job before they park (what llama.cpp's thread
 * pool does too); measured in docs/BENCHMARKS.md.
 */
public final class Parallel {
    @FunctionalInterface
    public interface RangeBody {
        void run(int start, int end);
    }

    private static volatile Team team = new Team(Runtime.getRuntime().availableProcessors());
    private static final ThreadLocal<boolean[]> INSIDE = ThreadLocal.withInitial(() -> new boolean[1]);

    /**
     * The most chunks a job is cut into, per thread. Finer chunks shorten the wait for the last one:
     * eight against four read the model's decode matvecs about 6% (Q8_0) and 3% (Q4_K) faster, with
     * prefill the same (docs/BENCHMARKS.md).
     */
    private static final int CHUNKS_PER_THREAD = 8;

    private Parallel() {}

    public static synchronized void setThreads(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        if (threads == team.size) return;
        Team old = team;
        team = new Team(threads);
        old.shutdown();
    }

    public static int threads() { return team.size; }

    /**
     * Runs {@code body} over {@code [0, n)} in chunks of at least {@code grain}, at most
     * {@link #CHUNKS_PER_THREAD} per thread, claimed in order by whichever thread is free. Returns
     * when every chunk has run; the first exception thrown by a chunk is rethrown here.
     */
    public static void forRange(int n, int grain, RangeBody body) {
        if (n <= 0) return;
        Team t = team;
        int chunks = Math.min(t.size * CHUNKS_PER_THREAD, Math.max(1, n / Math.max(1, grain)));
        boolean[] inside = INSIDE.get();
        if (t.size == 1 || n <= grain || chunks <= 1 || inside[0]) {
            body.run(0, n);
            return;
        }
        inside[0] = true;
        try {
            t.run(new Job(body, n, chunks));
        } finally {
            inside[0] = false;
        }
    }

    /** One {@link #forRange} call: chunks are claimed from {@code next} and counted in {@code done}. */
    private static final class Job {
        final RangeBody body;
        final int n, chunks;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable failure;

        Job(RangeBody body, int n, int chunks) {
            this.body = body; this.n = n; this.chunks = chunks;
        }

        void work() {
            for (int c; (c = next.getAndIncrement()) < chunks; ) {
                try {
                    if (failure == null) {
                        int start = (int) ((long) n * c / chunks), end = (int) ((long) n * (c + 1) / chunks);
                        if (start < end) body.run(start, end);
                    }
                } catch (Throwable e) {
                    if (failure == null) failure = e;
                } finally {
                    done.incrementAndGet();
                }
            }
        }

        boolean finished() { return done.get() >= chunks; }
    }

    private static final class Team {
        /**
         * How long a worker keeps polling for the next job before it parks. With more threads than
         * cores a polling worker would take a core from one with work, so then workers park at once.
         */
        private final long spinNanos;

        final int size;
        private final Worker[] workers;
        private final ReentrantLock turn = new ReentrantLock();
        private volatile Job current;
        private volatile boolean stopped;

        Team(int size) {
            this.size = size;
            spinNanos = size <= Runtime.getRuntime().availableProcessors() ? 2_000_000 : 0;
            workers = new Worker[size - 1];
            for (int i = 0; i < workers.length; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        void run(Job job) {
            turn.lock();
            try {
                current = job;
                for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
                job.work();
                while (!job.finished()) {
                    if (spinNanos == 0) Thread.yield(); // oversubscribed: let the workers with chunks run
                    else Thread.onSpinWait();
                }
                current = null;
            } finally {
                turn.unlock();
            }
            Throwable failure = job.failure;
            if (failure instanceof RuntimeException e) throw e;
            if (failure instanceof Error e) throw e;
            if (failure != null) throw new RuntimeException(failure);
        }

        void shutdown() {
            stopped = true;
            for (Worker w : workers) LockSupport.unpark(w);
        }

        private static final class Worker extends Thread {
            private final Team team;
            volatile boolean parked;

            Worker(Team team, int index) {
                super("neurosteer-compute-" + (index + 1));
                this.team = team;
                setDaemon(true);
            }

            @Override
            public void run() {
                Parallel.INSIDE.get()[0] = true;
                Job last = null;
                long idleSince = System.nanoTime();
                while (!team.stopped) {
                    Job job = team.current;
                    if (job != null && job != last) {
                        last = job;
                        job.work();
                        idleSince = System.nanoTime();
                    } else if (System.nanoTime() - idleSince < team.spinNanos) {
                        Thread.onSpinWait();
                    } else {
                        parked = true;
                        Job again = team.current;
                        if ((again == null || again == last) && !team.stopped) LockSupport.park(this);
                        parked = false;
                        idleSince = System.nanoTime();
                    }
                }
            }
        }
    }
}
