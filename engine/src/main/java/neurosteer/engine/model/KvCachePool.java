package neurosteer.engine.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Caches handed back after a generation or a teacher-forced batch, for the next one to reuse. Without
 * it every call leaves its caches to the collector (at 64 sequences of 660 positions a 1B Llama's are
 * 2.7 GB), which reclaims them only when the heap is full: the resident memory of a long study would
 * grow by that much every call until then.
 */
public final class KvCachePool {
    private final ModelConfig config;
    private final List<KvCache> free = new ArrayList<>();
    private KvCache.Precision precision = KvCache.Precision.F32;

    public KvCachePool(ModelConfig config) { this.config = config; }

    /** The precision of the caches {@link #take} hands out from now on; free caches of another are let go. */
    public synchronized void precision(KvCache.Precision precision) {
        this.precision = precision;
        free.removeIf(c -> c.precision() != precision);
    }

    public synchronized KvCache.Precision precision() { return precision; }

    /**
     * An empty cache with room for {@code capacity} positions: the smallest free one that has it, else
     * the largest free one grown to it, else a new one.
     */
    public synchronized KvCache take(int capacity) {
        KvCache best = null, largest = null;
        for (KvCache c : free) {
            if (c.capacity() >= capacity && (best == null || c.capacity() < best.capacity())) best = c;
            if (largest == null || c.capacity() > largest.capacity()) largest = c;
        }
        KvCache chosen = best != null ? best : largest;
        if (chosen == null) return new KvCache(config, capacity, precision);
        free.remove(chosen);
        chosen.truncate(0);
        chosen.ensureCapacity(capacity);
        return chosen;
    }

    /** Hands caches back; the caller must not use them afterwards. */
    public synchronized void give(KvCache... caches) {
        for (KvCache c : caches) {
            if (c == null) continue;
            for (KvCache f : free) if (f == c) throw new IllegalStateException("a cache was handed back twice");
            if (c.precision() == precision) free.add(c);
        }
    }

    /** Lets the collector have every free cache. */
    public synchronized void clear() { free.clear(); }

    /** Bytes held by the free caches. */
    public synchronized long bytes() {
        long b = 0;
        for (KvCache c : free) b += c.bytes();
        return b;
    }

    public synchronized int size() { return free.size(); }
}
