package neurosteer.engine.model;

import java.util.Arrays;

/** Keys and values of one sequence, per layer, growing as tokens arrive. */
public final class KvCache {
    private final int kvDim;
    private final float[][] keys;
    private final float[][] values;
    private int capacity;
    private int length;

    public KvCache(ModelConfig config, int initialCapacity) {
        this.kvDim = config.kvDim();
        this.capacity = Math.max(16, initialCapacity);
        this.keys = new float[config.numLayers()][capacity * kvDim];
        this.values = new float[config.numLayers()][capacity * kvDim];
    }

    /** Number of positions whose keys and values are stored. */
    public int length() { return length; }

    void ensureCapacity(int positions) {
        if (positions <= capacity) return;
        int now = Math.max(positions, capacity * 2);
        for (int l = 0; l < keys.length; l++) {
            keys[l] = Arrays.copyOf(keys[l], now * kvDim);
            values[l] = Arrays.copyOf(values[l], now * kvDim);
        }
        capacity = now;
    }

    void advanceTo(int positions) { length = Math.max(length, positions); }

    /** Positions there is room for before the arrays must grow. */
    public int capacity() { return capacity; }

    /** Makes this cache hold what {@code source} holds (its positions, not its capacity). */
    public void copyFrom(KvCache source) {
        if (source.kvDim != kvDim || source.keys.length != keys.length) throw new IllegalArgumentException("caches of different shapes");
        ensureCapacity(source.length);
        for (int l = 0; l < keys.length; l++) {
            System.arraycopy(source.keys[l], 0, keys[l], 0, source.length * kvDim);
            System.arraycopy(source.values[l], 0, values[l], 0, source.length * kvDim);
        }
        length = source.length;
    }

    /** Forgets positions from {@code newLength} on, so a sequence can be rewound. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) throw new IllegalArgumentException("cannot truncate to " + newLength + " of " + length);
        length = newLength;
    }

    float[] keys(int layer) { return keys[layer]; }

    float[] values(int layer) { return values[layer]; }

    public long bytes() { return 2L * keys.length * capacity * kvDim * 4; }
}
