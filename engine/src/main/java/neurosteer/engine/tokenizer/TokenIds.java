package neurosteer.engine.tokenizer;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * A vocabulary's token → id map, read-only once built, over the tokens' texts ({@link TokenTexts}): a slot holds an
 * id, and the token is that id's text (open addressing, linear probing). Nothing is copied: a 128k vocabulary
 * takes one int array of 1 MB here, where a {@code HashMap<String, Integer>} would keep a node, a boxed id and a
 * string per token. The few tokens whose id's text is another (a token whose id an added token took over, an id
 * listed under two tokens) sit in a small map of their own. The tokenizer looks ids up with {@link #id}, unboxed;
 * the {@code Map} view serves loading code.
 */
final class TokenIds extends AbstractMap<String, Integer> {
    private final TokenTexts texts;
    /** {@code id + 1} of the token in each slot; 0 for none. */
    private final int[] slots;
    private final int mask;
    private final Map<String, Integer> others = new HashMap<>();
    private int size;

    private TokenIds(TokenTexts texts, int expected) {
        this.texts = texts;
        int capacity = Integer.highestOneBit(Math.max(4, expected) * 2 - 1) << 1;  // at most half full
        slots = new int[capacity];
        mask = capacity - 1;
    }

    /** Each token's first id (a token listed twice keeps its lower id), as llama.cpp reads a GGUF vocabulary. */
    static TokenIds firstOf(TokenTexts texts) {
        TokenIds t = new TokenIds(texts, texts.size());
        for (int id = 0; id < texts.size(); id++) {
            if (!texts.has(id)) continue;
            int slot = texts.hash(id) & t.mask;
            for (; t.slots[slot] != 0; slot = (slot + 1) & t.mask)
                if (texts.sameText(t.slots[slot] - 1, id)) break;
            if (t.slots[slot] == 0) {
                t.slots[slot] = id + 1;
                t.size++;
            }
        }
        return t;
    }

    /** The entries of {@code base}, then those of {@code overrides} (which win), over {@code texts}. */
    static TokenIds of(TokenTexts texts, Map<String, Integer> base, Map<String, Integer> overrides) {
        TokenIds t = new TokenIds(texts, base.size() + overrides.size());
        base.forEach((token, id) -> {
            if (!overrides.containsKey(token)) t.add(token, id);
        });
        overrides.forEach(t::add);
        return t;
    }

    /** Adds a token that is not yet a key. */
    private void add(String token, int id) {
        size++;
        if (!texts.matches(id, token)) {
            others.put(token, id);
            return;
        }
        int slot = token.hashCode() & mask;
        while (slots[slot] != 0) slot = (slot + 1) & mask;
        slots[slot] = id + 1;
    }

    /** The id of {@code token}, or -1. */
    int id(String token) {
        for (int slot = token.hashCode() & mask; ; slot = (slot + 1) & mask) {
            int entry = slots[slot];
            if (entry == 0) break;
            if (texts.matches(entry - 1, token)) return entry - 1;
        }
        if (others.isEmpty()) return -1;
        Integer id = others.get(token);
        return id == null ? -1 : id;
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
                Iterator<Entry<String, Integer>> rest = others.entrySet().iterator();
                return new Iterator<>() {
                    private int slot = advance(0);

                    private int advance(int from) {
                        while (from < slots.length && slots[from] == 0) from++;
                        return from;
                    }

                    @Override
                    public boolean hasNext() { return slot < slots.length || rest.hasNext(); }

                    @Override
                    public Entry<String, Integer> next() {
                        if (slot >= slots.length) return new SimpleImmutableEntry<>(rest.next());
                        int id = slots[slot] - 1;
                        slot = advance(slot + 1);
                        return new SimpleImmutableEntry<>(texts.get(id), id);
                    }
                };
            }
        };
    }
}
