package neurosteer.engine.format.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.tensor.GgmlType;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.tensor.Tensors;

/**
 * A GGUF (v2 or v3) file, memory-mapped: the header is parsed once, tensors are views of the mapping.
 *
 * <p>Metadata values are kept as Java objects: UINT8, INT8, UINT16, INT16, INT32 as {@link Integer};
 * UINT32, INT64, UINT64 as {@link Long} (UINT64 two's complement when above {@code Long.MAX_VALUE});
 * FLOAT32 as {@link Float}, FLOAT64 as {@link Double}, BOOL as {@link Boolean}, STRING as {@link String};
 * arrays as {@code int[]}, {@code long[]}, {@code float[]}, {@code double[]}, {@code boolean[]},
 * {@code String[]} by the same rule, and arrays of arrays as {@code Object[]}.
 *
 * <p>Arrays of {@link #DEFERRED_FROM} elements or more (a tokenizer's tokens, types, scores and merges) are checked
 * when the file is opened and then read again from the mapping each time they are asked for, not kept: a
 * Llama 3 vocabulary's 280k merges alone are about 20 MB of Java strings, which a loaded model would otherwise
 * hold for as long as its weights.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    public static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4;
    private static final long MAX_STRING = 1L << 30;
    /** Arrays of this many elements or more are read from the mapping when asked for rather than kept. */
    static final int DEFERRED_FROM = 1024;

    private final Path path;
    private final Arena arena;
    private final MemorySegment data;
    private final int version;
    /** Values by key, deferred arrays as {@link Deferred}; {@link #metadata} is the view that reads them. */
    private final Map<String, Object> stored;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> metadataTypes;
    private final Map<String, GgufTensorInfo> tensors;
    private final int alignment;
    private final long dataStart;

    private GgufFile(Path path, Arena arena, MemorySegment data, Header header) {
        this.path = path;
        this.arena = arena;
        this.data = data;
        this.version = header.version;
        this.stored = Collections.unmodifiableMap(header.metadata);
        this.metadata = new MetadataView();
        this.metadataTypes = Collections.unmodifiableMap(header.types);
        this.tensors = Collections.unmodifiableMap(header.tensors);
        this.alignment = header.alignment;
        this.dataStart = header.dataStart;
    }

    public static GgufFile open(Path path) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
            Header header = new Parser(path, data).parse();
            // the header (with a tokenizer's vocabulary, megabytes) now lives in Java objects: its pages need not stay resident
            data.asSlice(0, Math.min(header.dataStart, data.byteSize())).unload();
            return new GgufFile(path, arena, data, header);
        } catch (IOException e) {
            arena.close();
            throw new CheckpointException(path, null, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Path path() { return path; }

    public int version() { return version; }

    public int alignment() { return alignment; }

    /** Absolute file offset of the tensor data section. */
    public long dataStart() { return dataStart; }

    /**
     * All key/values in file order, read-only. Small arrays are the parsed arrays themselves (do not modify them);
     * each look-up of a large one ({@link #DEFERRED_FROM} elements on) reads a new copy from the file.
     */
    public Map<String, Object> metadata() { return metadata; }

    /** Where a large array value starts in the file (its element type) and ends. */
    private record Deferred(long start, long end) {}

    private Object read(String key, Object storedValue) {
        if (!(storedValue instanceof Deferred d)) return storedValue;
        if (!arena.scope().isAlive())
            throw new CheckpointException(path, key, "the file is closed, and arrays this large are read from it when asked for");
        Parser parser = new Parser(path, data);
        Object value = parser.arrayAt(d.start, key);
        // the pages read are the header's, needed again only on the next look-up
        data.asSlice(d.start, d.end - d.start).unload();
        return value;
    }

    private final class MetadataView extends java.util.AbstractMap<String, Object> {
        @Override
        public Object get(Object key) {
            Object v = stored.get(key);
            return v == null ? null : read((String) key, v);
        }

        @Override
        public boolean containsKey(Object key) { return stored.containsKey(key); }

        @Override
        public int size() { return stored.size(); }

        @Override
        public java.util.Set<Entry<String, Object>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public int size() { return stored.size(); }

                @Override
                public java.util.Iterator<Entry<String, Object>> iterator() {
                    java.util.Iterator<Entry<String, Object>> in = stored.entrySet().iterator();
                    return new java.util.Iterator<>() {
                        @Override
                        public boolean hasNext() { return in.hasNext(); }

                        @Override
                        public Entry<String, Object> next() {
                            Entry<String, Object> e = in.next();
                            return new SimpleImmutableEntry<>(e.getKey(), read(e.getKey(), e.getValue()));
                        }
                    };
                }
            };
        }
    }

    /** The GGUF type of a key's value (for arrays: ARRAY), or null if absent. */
    public GgufValueType valueType(String key) { return metadataTypes.get(key); }

    public boolean has(String key) { return stored.containsKey(key); }

    /** The raw value (see the class comment for the Java types); arrays are copies. */
    public Object get(String key) {
        Object v = value(key);
        return switch (v) {
            case int[] a -> a.clone();
            case long[] a -> a.clone();
            case float[] a -> a.clone();
            case double[] a -> a.clone();
            case boolean[] a -> a.clone();
            case Object[] a -> a.clone();
            default -> v;
        };
    }

    private Object value(String key) {
        Object v = stored.get(key);
        if (v == null) throw new CheckpointException(path, key, "missing metadata key");
        return read(key, v);
    }

    public String getString(String key) {
        return (String) typed(key, String.class, "a string");
    }

    public String getString(String key, String fallback) { return has(key) ? getString(key) : fallback; }

    /** Any integer type whose value fits in an int. */
    public int getInt(String key) {
        long v = getLong(key);
        if (v != (int) v) throw wrong(key, "an integer that fits in 32 bits", v);
        return (int) v;
    }

    public int getInt(String key, int fallback) { return has(key) ? getInt(key) : fallback; }

    /** Any integer type. */
    public long getLong(String key) {
        Object v = value(key);
        if (v instanceof Integer i) return i;
        if (v instanceof Long l) return l;
        throw wrong(key, "an integer", v);
    }

    public long getLong(String key, long fallback) { return has(key) ? getLong(key) : fallback; }

    /** FLOAT32 or FLOAT64. */
    public float getFloat(String key) {
        Object v = value(key);
        if (v instanceof Float f) return f;
        if (v instanceof Double d) return d.floatValue();
        throw wrong(key, "a float", v);
    }

    public float getFloat(String key, float fallback) { return has(key) ? getFloat(key) : fallback; }

    public boolean getBoolean(String key) {
        return (Boolean) typed(key, Boolean.class, "a bool");
    }

    public boolean getBoolean(String key, boolean fallback) { return has(key) ? getBoolean(key) : fallback; }

    public String[] getStringArray(String key) {
        return ((String[]) typed(key, String[].class, "an array of strings")).clone();
    }

    /** An array of any integer type whose values fit in an int. */
    public int[] getIntArray(String key) {
        Object v = value(key);
        if (v instanceof int[] a) return a.clone();
        if (v instanceof long[] a) {
            int[] out = new int[a.length];
            for (int i = 0; i < a.length; i++) {
                if (a[i] != (int) a[i]) throw wrong(key, "an array of 32-bit integers", "value " + a[i] + " at index " + i);
                out[i] = (int) a[i];
            }
            return out;
        }
        throw wrong(key, "an array of integers", v);
    }

    /** An array of FLOAT32 or FLOAT64. */
    public float[] getFloatArray(String key) {
        Object v = value(key);
        if (v instanceof float[] a) return a.clone();
        if (v instanceof double[] a) {
            float[] out = new float[a.length];
            for (int i = 0; i < a.length; i++) out[i] = (float) a[i];
            return out;
        }
        throw wrong(key, "an array of floats", v);
    }

    private Object typed(String key, Class<?> type, String expected) {
        Object v = value(key);
        if (!type.isInstance(v)) throw wrong(key, expected, v);
        return v;
    }

    private CheckpointException wrong(String key, String expected, Object actual) {
        String what = actual instanceof String s ? "string \"" + s + "\""
                : actual.getClass().isArray() ? describeArray(key) : actual.getClass().getSimpleName() + " " + actual;
        return new CheckpointException(path, key, "expected " + expected + ", found " + what);
    }

    private String describeArray(String key) {
        Object v = metadata.get(key);
        return "an array of " + v.getClass().getComponentType().getSimpleName() + " (GGUF type " + metadataTypes.get(key) + ")";
    }

    public boolean hasTensor(String name) { return tensors.containsKey(name); }

    /** Tensor entries in file order. */
    public List<GgufTensorInfo> tensorInfos() { return List.copyOf(tensors.values()); }

    public GgufTensorInfo tensorInfo(String name) {
        GgufTensorInfo info = tensors.get(name);
        if (info == null) throw new CheckpointException(path, name, "no such tensor (the file has " + tensors.size() + " tensors)");
        return info;
    }

    /** A view of the tensor's bytes in the mapping; valid until {@link #close()}. */
    public Tensor tensor(String name) {
        GgufTensorInfo info = tensorInfo(name);
        if (!Tensors.isSupported(info.type()))
            throw new CheckpointException(path, name, "unsupported quantization " + info.type()
                    + " (supported: F32, F16, BF16, Q8_0, Q4_0, Q4_K, Q6_K)");
        return Tensors.of(info.type(), name, data.asSlice(info.dataOffset(), info.byteSize()), info.shape());
    }

    /**
     * Drops the file's pages from this process's resident memory, once loading has read what it
     * needs: the pages of tensors copied at load time ({@code Tensors.forInference}), and those the
     * kernel mapped around them. Tensors still read from the mapping fault their pages back in from
     * the page cache as they are used.
     */
    public void unloadPages() { data.unload(); }

    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    @Override
    public String toString() {
        return path + " (GGUF v" + version + ", " + metadata.size() + " keys, " + tensors.size() + " tensors)";
    }

    private record Header(int version, Map<String, Object> metadata, Map<String, GgufValueType> types,
                          Map<String, GgufTensorInfo> tensors, int alignment, long dataStart) {}

    /** Reads the header with a bounds check before every read, naming what it was reading. */
    private static final class Parser {
        private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        private final Path path;
        private final MemorySegment data;
        private final long size;
        private long pos;
        private String context = "header";
        private final java.nio.charset.CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);

        Parser(Path path, MemorySegment data) {
            this.path = path;
            this.data = data;
            this.size = data.byteSize();
        }

        Header parse() {
            if (size < 4) throw fail("truncated header: file is only " + size + " bytes");
            int magic = data.get(INT, 0);
            if (magic != MAGIC)
                throw fail(String.format("not a GGUF file: magic bytes are 0x%08X, expected 0x%08X (\"GGUF\")", magic, MAGIC));
            pos = 4;
            context = "version";
            int version = u32();
            if (version != 2 && version != 3)
                throw fail("unsupported GGUF version " + version + " (supported: 2, 3)");
            context = "tensor count";
            long tensorCount = u64();
            context = "metadata count";
            long kvCount = u64();
            // Every tensor entry needs at least 8 + 4 + 8 + 4 + 8 bytes; every key/value 8 + 4 + 1.
            context = "tensor count";
            if (tensorCount < 0 || tensorCount > (size - pos) / 32)
                throw fail("absurd tensor count " + Long.toUnsignedString(tensorCount) + " (or truncated header): only "
                        + (size - pos) + " bytes follow");
            context = "metadata count";
            if (kvCount < 0 || kvCount > (size - pos) / 13)
                throw fail("absurd metadata count " + Long.toUnsignedString(kvCount) + " (or truncated header): only "
                        + (size - pos) + " bytes follow");

            Map<String, Object> metadata = new LinkedHashMap<>();
            Map<String, GgufValueType> types = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                context = "metadata key #" + i;
                String key = string();
                context = key;
                GgufValueType type = valueType();
                if (metadata.containsKey(key)) throw fail("duplicate metadata key");
                metadata.put(key, type == GgufValueType.ARRAY ? arrayOrDeferred() : value(type));
                types.put(key, type);
            }

            int alignment = DEFAULT_ALIGNMENT;
            if (metadata.containsKey("general.alignment")) {
                context = "general.alignment";
                Object a = metadata.get("general.alignment");
                long value = a instanceof Integer n ? n : a instanceof Long n ? n : -1;
                if (value <= 0 || value > (1 << 20) || Long.bitCount(value) != 1)
                    throw fail("alignment must be a power of two integer up to 2^20, found " + a);
                alignment = (int) value;
            }

            record RawInfo(String name, GgmlType type, long[] shape, long offset) {}
            RawInfo[] raw = new RawInfo[(int) tensorCount];
            for (int t = 0; t < tensorCount; t++) {
                context = "tensor #" + t;
                String name = string();
                context = name;
                int dims = u32();
                if (dims < 1 || dims > MAX_DIMS) throw fail("tensor has " + dims + " dimensions (supported: 1 to " + MAX_DIMS + ")");
                long[] shape = new long[dims];
                long elements = 1;
                for (int d = 0; d < dims; d++) {
                    long n = u64();
                    if (n <= 0 || n > (1L << 40)) throw fail("absurd dimension " + Long.toUnsignedString(n));
                    shape[dims - 1 - d] = n;
                    elements = Math.multiplyExact(elements, n);
                    if (elements > (1L << 42)) throw fail("absurd element count for shape " + Arrays.toString(shape));
                }
                int typeId = u32();
                GgmlType type = GgmlType.fromId(typeId);
                if (type == null) throw fail("unknown ggml type id " + typeId);
                if (shape[dims - 1] % type.blockSize != 0)
                    throw fail(type + " needs rows of a multiple of " + type.blockSize + " elements, row length is " + shape[dims - 1]);
                long offset = u64();
                if (offset < 0 || offset % alignment != 0)
                    throw fail("data offset " + Long.toUnsignedString(offset) + " is not a multiple of the alignment " + alignment);
                raw[t] = new RawInfo(name, type, shape, offset);
            }
            context = "tensor data";
            long dataStart = align(pos, alignment);
            if (tensorCount > 0 && dataStart > size) throw fail("truncated: tensor data would start at " + dataStart + ", file has " + size + " bytes");

            Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
            for (RawInfo r : raw) {
                context = r.name;
                long elements = 1;
                for (long d : r.shape) elements *= d;
                long bytes = r.type.byteSize(elements);
                long start = dataStart + r.offset;
                if (start < dataStart || start > size || bytes > size - start)
                    throw fail("tensor data [" + start + ", " + (start + bytes) + ") is past the end of the file (" + size + " bytes)");
                if (tensors.containsKey(r.name)) throw fail("duplicate tensor name");
                tensors.put(r.name, new GgufTensorInfo(r.name, r.type, r.shape, start, bytes));
            }
            return new Header(version, metadata, types, tensors, alignment, dataStart);
        }

        static long align(long offset, int alignment) {
            return (offset + alignment - 1) / alignment * alignment;
        }

        private CheckpointException fail(String message) {
            return new CheckpointException(path, context, message);
        }

        private void need(long bytes) {
            if (bytes < 0 || bytes > size - pos)
                throw fail("truncated header: needs " + (bytes < 0 ? Long.toUnsignedString(bytes) : bytes)
                        + " bytes at offset " + pos + ", file has " + size + " bytes");
        }

        private int u8() { need(1); return data.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF; }

        private int u16() { need(2); int v = data.get(SHORT, pos) & 0xFFFF; pos += 2; return v; }

        private int u32() { need(4); int v = data.get(INT, pos); pos += 4; return v; }

        private long u64() { need(8); long v = data.get(LONG, pos); pos += 8; return v; }

        /** A string's length, checked against the limit and the bytes left. */
        private long stringLength() {
            long length = u64();
            if (length < 0 || length > MAX_STRING) throw fail("absurd string length " + Long.toUnsignedString(length));
            need(length);
            return length;
        }

        private String string() {
            long length = stringLength();
            byte[] bytes = data.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
            pos += length;
            try {
                return utf8.reset().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw fail("string at offset " + (pos - length) + " is not valid UTF-8");
            }
        }

        /**
         * An array value: parsed, or, from {@link #DEFERRED_FROM} elements on, checked where it lies (bounds, UTF-8,
         * bools) without making its objects and returned as a {@link Deferred}.
         */
        private Object arrayOrDeferred() {
            long start = pos;
            valueType();
            long count = u64();
            pos = start;
            if (Long.compareUnsigned(count, DEFERRED_FROM) < 0) return array();
            skipArray();
            return new Deferred(start, pos);
        }

        private void skipArray() {
            GgufValueType type = valueType();
            long count = arrayLength(type);
            switch (type) {
                case STRING -> { for (long i = 0; i < count; i++) skipString(); }
                case ARRAY -> { for (long i = 0; i < count; i++) skipArray(); }
                case BOOL -> { for (long i = 0; i < count; i++) bool(); }
                default -> {
                    need(count * type.size);
                    pos += count * type.size;
                }
            }
        }

        private java.nio.CharBuffer skipped = java.nio.CharBuffer.allocate(256);

        /** Checks a string as {@link #string} reads it, decoding into one reused buffer. */
        private void skipString() {
            long length = stringLength();
            java.nio.ByteBuffer in = data.asSlice(pos, length).asByteBuffer();
            if (skipped.capacity() < length) skipped = java.nio.CharBuffer.allocate((int) length);  // never more chars than bytes
            skipped.clear();
            java.nio.charset.CoderResult result = utf8.reset().decode(in, skipped, true);
            if (!result.isError()) result = utf8.flush(skipped);
            if (result.isError()) throw fail("string at offset " + pos + " is not valid UTF-8");
            pos += length;
        }

        /** The array whose element type is at {@code start}, read for {@code key}. */
        Object arrayAt(long start, String key) {
            pos = start;
            context = key;
            return array();
        }

        private GgufValueType valueType() {
            int id = u32();
            GgufValueType type = GgufValueType.fromId(id);
            if (type == null) throw fail("unknown metadata value type id " + id);
            return type;
        }

        private Object value(GgufValueType type) {
            return switch (type) {
                case UINT8 -> u8();
                case INT8 -> (int) (byte) u8();
                case UINT16 -> u16();
                case INT16 -> (int) (short) u16();
                case UINT32 -> Integer.toUnsignedLong(u32());
                case INT32 -> u32();
                case FLOAT32 -> Float.intBitsToFloat(u32());
                case BOOL -> bool();
                case STRING -> string();
                case UINT64, INT64 -> u64();
                case FLOAT64 -> Double.longBitsToDouble(u64());
                case ARRAY -> array();
            };
        }

        private boolean bool() {
            int b = u8();
            if (b > 1) throw fail("bool value must be 0 or 1, found " + b);
            return b == 1;
        }

        /** The element count that follows an array's element type, checked against the bytes left. */
        private long arrayLength(GgufValueType type) {
            long count = u64();
            long minBytes = type.size > 0 ? type.size : type == GgufValueType.STRING ? 8 : 12;
            if (count < 0 || count > (size - pos) / minBytes)
                throw fail("absurd array length " + Long.toUnsignedString(count) + " of " + type + " at offset " + pos
                        + " (or truncated header): only " + (size - pos) + " bytes follow");
            return count;
        }

        private Object array() {
            GgufValueType type = valueType();
            int n = (int) arrayLength(type);
            switch (type) {
                case UINT8, INT8, UINT16, INT16, INT32 -> {
                    int[] a = new int[n];
                    for (int i = 0; i < n; i++) a[i] = (Integer) value(type);
                    return a;
                }
                case UINT32, INT64, UINT64 -> {
                    long[] a = new long[n];
                    for (int i = 0; i < n; i++) a[i] = (Long) value(type);
                    return a;
                }
                case FLOAT32 -> {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) a[i] = Float.intBitsToFloat(u32());
                    return a;
                }
                case FLOAT64 -> {
                    double[] a = new double[n];
                    for (int i = 0; i < n; i++) a[i] = Double.longBitsToDouble(u64());
                    return a;
                }
                case BOOL -> {
                    boolean[] a = new boolean[n];
                    for (int i = 0; i < n; i++) a[i] = bool();
                    return a;
                }
                case STRING -> {
                    String[] a = new String[n];
                    for (int i = 0; i < n; i++) a[i] = string();
                    return a;
                }
                default -> {
                    Object[] a = new Object[n];
                    for (int i = 0; i < n; i++) a[i] = array();
                    return a;
                }
            }
        }
    }
}
