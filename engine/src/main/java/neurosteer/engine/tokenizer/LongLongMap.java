package neurosteer.engine.tokenizer;

import java.util.Arrays;

/**
 * An open-addressing map from long keys to long values (linear probing, at most three quarters full);
 * {@link #MISSING} marks absent keys. Llama 3's 280k merges take 8 MB here; kept at most half full they took 16.
 */
final class LongLongMap {
    static final long MISSING = Long.MIN_VALUE;
    private static final long EMPTY_KEY = Long.MIN_VALUE;

    private long[] keys;
    private long[] values;
    private int size;

    LongLongMap(int expected) {
        int capacity = 16;
        while ((long) expected * 4 > (long) capacity * 3) capacity *= 2;
        keys = new long[capacity];
        values = new long[capacity];
        Arrays.fill(keys, EMPTY_KEY);
    }

    long get(long key) {
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key) return values[i];
            if (k == EMPTY_KEY) return MISSING;
        }
    }

    /** Stores {@code value} unless {@code key} is already present. */
    void putIfAbsent(long key, long value) {
        if (key == EMPTY_KEY) throw new IllegalArgumentException("reserved key");
        if ((long) (size + 1) * 4 > (long) keys.length * 3) grow();
        int mask = keys.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            if (keys[i] == key) return;
            if (keys[i] == EMPTY_KEY) {
                keys[i] = key;
                values[i] = value;
                size++;
                return;
            }
        }
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys, oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new long[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY_KEY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) if (oldKeys[i] != EMPTY_KEY) putIfAbsent(oldKeys[i], oldValues[i]);
    }
}
