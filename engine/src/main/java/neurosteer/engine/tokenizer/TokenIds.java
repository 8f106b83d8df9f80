package neurosteer.engine.tokenizer;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

/**
 * A vocabulary's token → id map in two arrays (open addressing, linear probing), read-only once built.
 * A {@code HashMap<String, Integer>} of a 128k vocabulary keeps a node and a boxed id per token, about
 * 7 MB; this keeps 2 MB. Tokens are held, not copied. The tokenizer looks ids up with {@link #id}, unboxed;
 * the {@code Map} view serves loading code.
 */
final class TokenIds extends AbstractMap<String, Integer> {
    private final String[] keys;
    private final int[] ids;
    private final int mask;
    private int size;

    private TokenIds(int expected) {
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;  // at most half full
        keys = new String[capacity];
        ids = new int[capacity];
        mask = capacity - 1;
    }

    /** Each token's first id (a token listed twice keeps its lower id), as llama.cpp reads a GGUF vocabulary. */
    static TokenIds firstOf(String[] tokens) {
        TokenIds t = new TokenIds(tokens.length);
        for (int i = 0; i < tokens.length; i++) if (tokens[i] != null) t.put(tokens[i], i, false);
        return t;
    }

    /** The entries of {@code base}, then those of {@code overrides} (which win). */
    static TokenIds of(Map<String, Integer> base, Map<String, Integer> overrides) {
        TokenIds t = new TokenIds(base.size() + overrides.size());
        base.forEach((token, id) -> t.put(token, id, true));
        overrides.forEach((token, id) -> t.put(token, id, true));
        return t;
    }

    private void put(String token, int id, boolean replace) {
        for (int slot = token.hashCode() & mask; ; slot = (slot + 1) & mask) {
            String k = keys[slot];
            if (k == null) {
                keys[slot] = token;
                ids[slot] = id;
                size++;
                return;
            }
            if (k.equals(token)) {
                if (replace) ids[slot] = id;
                return;
            }
        }
    }

    /** The id of {@code token}, or -1. */
    int id(String token) {
        for (int slot = token.hashCode() & mask; ; slot = (slot + 1) & mask) {
            String k = keys[slot];
            if (k == null) return -1;
            if (k.equals(token)) return ids[slot];
        }
    }

    @Override
    public Integer get(Object key) {
        if (!(key instanceof String token)) return null;
        int id = id(token);
        return id < 0 ? null : id;
    }

    @Override
    public boolean containsKey(Object key) { return key instanceof String token && id(token) >= 0; }

    @Override
    public int size() { return size; }

    @Override
    public Set<Entry<String, Integer>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public int size() { return size; }

            @Override
            public Iterator<Entry<String, Integer>> iterator() {
                return new Iterator<>() {
                    private int slot = advance(0);

                    private int advance(int from) {
                        while (from < keys.length && keys[from] == null) from++;
                        return from;
                    }

                    @Override
                    public boolean hasNext() { return slot < keys.length; }

                    @Override
                    public Entry<String, Integer> next() {
                        if (!hasNext()) throw new NoSuchElementException();
                        Entry<String, Integer> e = new SimpleImmutableEntry<>(keys[slot], ids[slot]);
                        slot = advance(slot + 1);
                        return e;
                    }
                };
            }
        };
    }
}
