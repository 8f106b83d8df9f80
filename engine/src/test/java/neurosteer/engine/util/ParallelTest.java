package neurosteer.engine.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private int before;

    @BeforeEach
    void remember() { before = Parallel.threads(); }

    @AfterEach
    void restore() { Parallel.setThreads(before); }

    private static void assertEachIndexOnce(int n, int grain) {
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        Parallel.forRange(n, grain, (start, end) -> {
            assertTrue(0 <= start && start < end && end <= n, start + ".." + end + " outside 0.." + n);
            for (int i = start; i < end; i++) hits.incrementAndGet(i);
        });
        for (int i = 0; i < n; i++) assertEquals(1, hits.get(i), "index " + i + " of " + n + " (grain " + grain + ")");
    }

    @Test
    void everyIndexRunsExactlyOnceForAnySizeGrainAndThreadCount() {
        for (int threads : new int[] {1, 2, 3, 5}) {
            Parallel.setThreads(threads);
            assertEquals(threads, Parallel.threads());
            for (int n : new int[] {1, 2, 3, 7, 8, 9, 63, 64, 65, 1000, 4099})
                for (int grain : new int[] {1, 2, 4, 64, 5000}) assertEachIndexOnce(n, grain);
        }
        Parallel.forRange(0, 1, (s, e) -> { throw new AssertionError("called for an empty range"); });
    }

    @Test
    void severalThreadsShareTheWork() {
        Parallel.setThreads(2);
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Parallel.forRange(8, 1, (start, end) -> {
            seen.add(Thread.currentThread().getName());
            sleep(30);
        });
        assertEquals(2, seen.size(), "threads that ran chunks: " + seen);
    }

    @Test
    void aNestedCallRunsInlineOnItsThread() {
        Parallel.setThreads(3);
        int outer = 12, inner = 500;
        AtomicIntegerArray hits = new AtomicIntegerArray(outer * inner);
        Parallel.forRange(outer, 1, (s, e) -> {
            for (int o = s; o < e; o++) {
                int row = o;
                String thread = Thread.currentThread().getName();
                Parallel.forRange(inner, 1, (is, ie) -> {
                    assertEquals(thread, Thread.currentThread().getName(), "nested chunk moved to another thread");
                    for (int i = is; i < ie; i++) hits.incrementAndGet(row * inner + i);
                });
            }
        });
        for (int i = 0; i < outer * inner; i++) assertEquals(1, hits.get(i), "index " + i);
    }

    @Test
    void theFirstFailureReachesTheCallerAndTheTeamStaysUsable() {
        Parallel.setThreads(2);
        IllegalStateException boom = new IllegalStateException("chunk failed");
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> Parallel.forRange(100, 1, (s, e) -> { if (s <= 50 && 50 < e) throw boom; }));
        assertSame(boom, thrown);
        assertEachIndexOnce(1000, 1);
    }

    @Test
    void callersFromSeveralThreadsTakeTurnsAndAllFinish() throws InterruptedException {
        Parallel.setThreads(2);
        int callers = 4, n = 20_000;
        CountDownLatch done = new CountDownLatch(callers);
        AtomicIntegerArray[] hits = new AtomicIntegerArray[callers];
        for (int c = 0; c < callers; c++) {
            AtomicIntegerArray mine = hits[c] = new AtomicIntegerArray(n);
            Thread t = new Thread(() -> {
                for (int round = 0; round < 50; round++)
                    Parallel.forRange(n, 16, (s, e) -> { for (int i = s; i < e; i++) mine.incrementAndGet(i); });
                done.countDown();
            });
            t.setDaemon(true);
            t.start();
        }
        assertTrue(done.await(60, TimeUnit.SECONDS), "callers did not finish");
        for (AtomicIntegerArray h : hits) for (int i = 0; i < n; i++) assertEquals(50, h.get(i), "index " + i);
    }

    @Test
    void workersThatParkedWakeForTheNextJob() {
        Parallel.setThreads(2);
        assertEachIndexOnce(1000, 1);
        sleep(50); // past the spin window: the worker parks
        Set<String> seen = ConcurrentHashMap.newKeySet();
        Parallel.forRange(4, 1, (s, e) -> { seen.add(Thread.currentThread().getName()); sleep(30); });
        assertEquals(2, seen.size(), "threads that ran chunks after a pause: " + seen);
    }

    @Test
    void aThreadCountBelowOneIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
        assertTrue(e.getMessage().contains("at least 1"), e.getMessage());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
