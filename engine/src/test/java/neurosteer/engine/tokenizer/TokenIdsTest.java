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
        // the texts by id as a tokenizer.json gives them: the vocabulary's, then the added tokens' over them
        int maxId = 0;
        for (int id : expected.values()) maxId = Math.max(maxId, id);
        String[] byId = new String[maxId + 1];
        expected.forEach((t, id) -> byId[id] = t);
        overrides.forEach((t, id) -> byId[id] = t);
        TokenTexts texts = TokenTexts.of(byId);
        TokenIds ids = TokenIds.of(texts, expected, overrides);
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
        TokenTexts texts = TokenTexts.of(new String[] {"a", "b", "a", null, "c", "Aa", "BB", "BB", ""});
        TokenIds ids = TokenIds.firstOf(texts);
        assertEquals(0, ids.get("a"));
        assertEquals(4, ids.get("c"));
        assertEquals(5, ids.get("Aa"));
        assertEquals(6, ids.get("BB"));
        assertEquals(8, ids.get(""));
        assertEquals(6, ids.size());
        assertEquals(Map.of("a", 0, "b", 1, "c", 4, "Aa", 5, "BB", 6, "", 8), new HashMap<>(ids));
        assertEquals(9, texts.size());
        assertNull(texts.get(3));
        assertEquals("BB", texts.get(7));
        assertEquals("", texts.get(8));
        assertNull(texts.get(9));
        assertNull(texts.get(-1));
        assertEquals("Aa".hashCode(), texts.hash(5));
        assertEquals("BB".hashCode(), texts.hash(6));
    }
}
