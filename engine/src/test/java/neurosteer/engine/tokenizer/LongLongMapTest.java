package neurosteer.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LongLongMapTest {
    /** Sized for fewer keys than it gets (so it grows), it answers as a HashMap does, the first value of a key winning. */
    @Test
    void answersAsAHashMapThroughGrowthAndRepeatedKeys() {
        SplittableRandom r = new SplittableRandom(5);
        LongLongMap map = new LongLongMap(100);
        Map<Long, Long> expected = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            // pairs of small ids, as the merges store them, and arbitrary longs
            long key = i % 2 == 0 ? (long) r.nextInt(3000) << 32 | r.nextInt(3000) : r.nextLong();
            if (key == LongLongMap.MISSING) continue;
            long value = r.nextLong();
            map.putIfAbsent(key, value);
            expected.putIfAbsent(key, value);
        }
        for (Map.Entry<Long, Long> e : expected.entrySet()) assertEquals(e.getValue(), map.get(e.getKey()));
        int absent = 0;
        for (int i = 0; i < 10_000; i++) {
            long key = r.nextLong();
            if (!expected.containsKey(key) && key != LongLongMap.MISSING) {
                assertEquals(LongLongMap.MISSING, map.get(key));
                absent++;
            }
        }
        assertEquals(10_000, absent, "random longs are not among the keys");
        assertThrows(IllegalArgumentException.class, () -> map.putIfAbsent(LongLongMap.MISSING, 1));
    }
}
