package neurosteer.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TokenIdsTest {
    @Test
    void answersAsAHashMapForRandomTokensIncludingCollidingHashes() {
        SplittableRandom r = new SplittableRandom(9);
        Map<String, Integer> expected = new HashMap<>(), overrides = new HashMap<>();
        for (int i = 0; i < 5000; i++) expected.put(Long.toString(r.nextLong(), 36 - r.nextInt(20)), i);
        // "Aa" and "BB" share a hash code, and so do all their concatenations: chains of probes
        String[] colliding = {"AaAa", "AaBB", "BBAa", "BBBB", "Aa", "BB"};
        for (int i = 0; i < colliding.length; i++) expected.put(colliding[i], 10_000 + i);
        overrides.put("AaBB", 77);
        overrides.put("brand-new", 78);
        TokenIds ids = TokenIds.of(expected, overrides);
        Map<String, Integer> want = new HashMap<>(expected);
        want.putAll(overrides);
        assertEquals(want.size(), ids.size());
        for (Map.Entry<String, Integer> e : want.entrySet()) assertEquals(e.getValue(), ids.get(e.getKey()), e.getKey());
        assertEquals(want, new HashMap<>(ids), "iteration yields every entry once");
        assertEquals(want, ids);
        assertNull(ids.get("AaAaAa"));
        assertEquals(-1, ids.id("not-a-token"));
        assertFalse(ids.containsKey(42));
        assertTrue(ids.containsKey("BBBB"));
        assertThrows(UnsupportedOperationException.class, () -> ids.put("x", 1));
    }

    @Test
    void aTokenListedTwiceKeepsItsFirstId() {
        TokenIds ids = TokenIds.firstOf(new String[] {"a", "b", "a", null, "c"});
        assertEquals(0, ids.get("a"));
        assertEquals(4, ids.get("c"));
        assertEquals(3, ids.size());
    }
}
