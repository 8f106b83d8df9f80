package neurosteer.engine.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import neurosteer.engine.random.ModelShapes;
import org.junit.jupiter.api.Test;

class KvCachePoolTest {
    private final ModelConfig config = ModelShapes.config("llama", "tiny", 61);

    @Test
    void takesTheSmallestFreeCacheThatFitsElseGrowsTheLargest() {
        KvCachePool pool = new KvCachePool(config);
        KvCache small = pool.take(20), large = pool.take(100);
        assertNotSame(small, large);
        small.advanceTo(20);
        pool.give(small, large, null);
        assertEquals(2, pool.size());
        assertEquals(small.bytes() + large.bytes(), pool.bytes());

        KvCache a = pool.take(18);
        assertSame(small, a, "the smallest that fits");
        assertEquals(0, a.length(), "a cache comes back empty");
        KvCache b = pool.take(300);
        assertSame(large, b, "none fits: the largest, grown");
        assertTrue(b.capacity() >= 300);
        assertEquals(0, pool.size());
        KvCache c = pool.take(10);
        assertNotSame(a, c);
        assertNotSame(b, c);

        pool.give(a);
        assertThrows(IllegalStateException.class, () -> pool.give(a));
        pool.clear();
        assertEquals(0, pool.size());
    }

    @Test
    void aNewPrecisionLetsGoOfFreeCachesOfTheOldOneAndRefusesThemBack() {
        KvCachePool pool = new KvCachePool(config);
        KvCache full = pool.take(20), other = pool.take(20);
        pool.give(full);
        pool.precision(KvCache.Precision.F16);
        assertEquals(0, pool.size(), "the free F32 cache is let go");
        KvCache half = pool.take(20);
        assertEquals(KvCache.Precision.F16, half.precision());
        assertEquals(full.bytes(), 2 * half.bytes());
        pool.give(other, half);
        assertEquals(1, pool.size(), "an F32 cache handed back after the change is not kept");
        assertSame(half, pool.take(10));
    }

    @Test
    void aCopyHoldsTheSourcesPositions() {
        KvCache source = new KvCache(config, 40), copy = new KvCache(config, 16);
        for (int l = 0; l < config.numLayers(); l++)
            for (int i = 0; i < 40 * config.kvDim(); i++) {
                source.keys(l)[i] = l + i * 0.5f;
                source.values(l)[i] = -l - i;
            }
        source.advanceTo(33);
        copy.copyFrom(source);
        assertEquals(33, copy.length());
        for (int l = 0; l < config.numLayers(); l++)
            for (int i = 0; i < 33 * config.kvDim(); i++) {
                assertEquals(source.keys(l)[i], copy.keys(l)[i]);
                assertEquals(source.values(l)[i], copy.values(l)[i]);
            }
    }
}
