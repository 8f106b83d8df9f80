package neurosteer.engine.model;

import java.util.Arrays;
import neurosteer.engine.tensor.F16Tensor;

/**
 * Keys and values of one sequence, per layer, growing as tokens arrive. They are kept as floats
 * ({@link Precision#F32}, the default: attention sees exactly what the projections computed) or as
 * IEEE halves ({@link Precision#F16}, llama.cpp's default cache type: half the memory, each key and value
 * rounded to nearest once when stored).
 */
public final class KvCache {
    public enum Precision {
        F32(4), F16(2);

        private final int bytes;

        Precision(int bytes) { this.bytes = bytes; }

        /** Bytes one stored key or value element takes. */
        public int bytes() { return bytes; }

        /** {@code f32} or {@code f16}, in any case. */
        public static Precision parse(String name) {
            for (Precision p : values()) if (p.name().equalsIgnoreCase(name)) return p;
            throw new IllegalArgumentException("unknown KV cache precision '" + name + "' (f32 or f16)");
        }
    }

    private final int kvDim;
    private final int layers;
    private final Precision precision;
    private final float[][] keys, values;           // F32
    private final short[][] halfKeys, halfValues;   // F16
    private int capacity;
    private int length;

    public KvCache(ModelConfig config, int initialCapacity) { this(config, initialCapacity, Precision.F32); }

    public KvCache(ModelConfig config, int initialCapacity, Precision precision) {
        this.kvDim = config.kvDim();
        this.layers = config.numLayers();
        this.precision = precision;
        this.capacity = Math.max(16, initialCapacity);
        boolean half = precision == Precision.F16;
        this.keys = half ? null : new float[layers][capacity * kvDim];
        this.values = half ? null : new float[layers][capacity * kvDim];
        this.halfKeys = half ? new short[layers][capacity * kvDim] : null;
        this.halfValues = half ? new short[layers][capacity * kvDim] : null;
    }

    public Precision precision() { return precision; }

    /** Number of positions whose keys and values are stored. */
    public int length() { return length; }

    void ensureCapacity(int positions) {
        if (positions <= capacity) return;
        int now = Math.max(positions, capacity * 2);
        for (int l = 0; l < layers; l++) {
            if (keys != null) {
                keys[l] = Arrays.copyOf(keys[l], now * kvDim);
                values[l] = Arrays.copyOf(values[l], now * kvDim);
            } else {
                halfKeys[l] = Arrays.copyOf(halfKeys[l], now * kvDim);
                halfValues[l] = Arrays.copyOf(halfValues[l], now * kvDim);
            }
        }
        capacity = now;
    }

    void advanceTo(int positions) { length = Math.max(length, positions); }

    /** Positions there is room for before the arrays must grow. */
    public int capacity() { return capacity; }

    /** Makes this cache hold what {@code source} holds (its positions, not its capacity). */
    public void copyFrom(KvCache source) {
        if (source.kvDim != kvDim || source.layers != layers) throw new IllegalArgumentException("caches of different shapes");
        if (source.precision != precision)
            throw new IllegalArgumentException("cannot copy a " + source.precision + " cache into a " + precision + " one");
        ensureCapacity(source.length);
        int n = source.length * kvDim;
        for (int l = 0; l < layers; l++) {
            if (keys != null) {
                System.arraycopy(source.keys[l], 0, keys[l], 0, n);
                System.arraycopy(source.values[l], 0, values[l], 0, n);
            } else {
                System.arraycopy(source.halfKeys[l], 0, halfKeys[l], 0, n);
                System.arraycopy(source.halfValues[l], 0, halfValues[l], 0, n);
            }
        }
        length = source.length;
    }

    /** Forgets positions from {@code newLength} on, so a sequence can be rewound. */
    public void truncate(int newLength) {
        if (newLength < 0 || newLength > length) throw new IllegalArgumentException("cannot truncate to " + newLength + " of " + length);
        length = newLength;
    }

    /** Stores the key and value of {@code position} (each {@code kvDim} floats, from {@code kOffset} and {@code vOffset}). */
    void store(int layer, int position, float[] k, int kOffset, float[] v, int vOffset) {
        int at = position * kvDim;
        if (keys != null) {
            System.arraycopy(k, kOffset, keys[layer], at, kvDim);
            System.arraycopy(v, vOffset, values[layer], at, kvDim);
        } else {
            short[] hk = halfKeys[layer], hv = halfValues[layer];
            for (int i = 0; i < kvDim; i++) {
                hk[at + i] = half(k[kOffset + i], "key", layer, position, i);
                hv[at + i] = half(v[vOffset + i], "value", layer, position, i);
            }
        }
    }

    /** {@code x} as a half; a finite value past the half range (65504) would become infinity and poison attention, so it is an error. */
    private static short half(float x, String what, int layer, int position, int element) {
        short h = Float.floatToFloat16(x);
        if ((h & 0x7FFF) == 0x7C00 && Float.isFinite(x))
            throw new IllegalStateException("layer " + layer + ", position " + position + ": " + what + " element " + element + " is " + x
                    + ", past the largest half (65504); this model needs --kv-cache f32");
        return h;
    }

    /** The float keys of a layer, {@code kvDim} a position; only for {@link Precision#F32}. */
    float[] keys(int layer) { return keys[layer]; }

    float[] values(int layer) { return values[layer]; }

    /**
     * The keys ({@code wantKeys}) or values of one head, {@code width} wide from {@code column}, at
     * {@code len} positions from {@code from}, as floats one after another into {@code out}.
     */
    void readHead(boolean wantKeys, int layer, int from, int len, int column, int width, float[] out) {
        for (int t = 0; t < len; t++) {
            int at = (from + t) * kvDim + column;
            if (keys != null) System.arraycopy((wantKeys ? keys : values)[layer], at, out, t * width, width);
            else F16Tensor.halvesToFloats((wantKeys ? halfKeys : halfValues)[layer], at, out, t * width, width);
        }
    }

    /** The keys ({@code wantKeys}) or values of {@code count} positions from {@code from}, all heads, as floats into {@code out} from {@code outOffset}. */
    void readPositions(boolean wantKeys, int layer, int from, int count, float[] out, int outOffset) {
        int at = from * kvDim, n = count * kvDim;
        if (keys != null) System.arraycopy((wantKeys ? keys : values)[layer], at, out, outOffset, n);
        else F16Tensor.halvesToFloats((wantKeys ? halfKeys : halfValues)[layer], at, out, outOffset, n);
    }

    public long bytes() { return 2L * layers * capacity * kvDim * precision.bytes(); }
}
