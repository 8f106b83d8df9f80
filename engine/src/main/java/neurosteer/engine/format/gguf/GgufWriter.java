package neurosteer.engine.format.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import neurosteer.engine.tensor.GgmlType;
import neurosteer.engine.tensor.Quantizer;

/**
 * Writes a GGUF v3 file: typed metadata, then tensor entries, then the aligned data section. Tensors
 * are given as row-major float values and encoded to their target type when the file is written;
 * a {@link Supplier} source lets large models be produced one tensor at a time. The file is written
 * to a temporary sibling and moved into place, so a failed write leaves no half file behind.
 */
public final class GgufWriter {
    private record Entry(GgufValueType type, GgufValueType elementType, Object value) {}

    private record PendingTensor(String name, long[] shape, GgmlType type, Supplier<float[]> values) {
        long elements() {
            long n = 1;
            for (long d : shape) n *= d;
            return n;
        }
    }

    private final Map<String, Entry> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;

    private GgufWriter put(String key, GgufValueType type, GgufValueType elementType, Object value) {
        if (key == null || key.isEmpty()) throw new IllegalArgumentException("metadata key must not be empty");
        if (value == null) throw new IllegalArgumentException("metadata '" + key + "': value must not be null");
        metadata.put(key, new Entry(type, elementType, value));
        return this;
    }

    public GgufWriter putUInt8(String key, int value) { return put(key, GgufValueType.UINT8, null, checkRange(key, value, 0, 255)); }

    public GgufWriter putInt8(String key, int value) { return put(key, GgufValueType.INT8, null, checkRange(key, value, -128, 127)); }

    public GgufWriter putUInt16(String key, int value) { return put(key, GgufValueType.UINT16, null, checkRange(key, value, 0, 65535)); }

    public GgufWriter putInt16(String key, int value) { return put(key, GgufValueType.INT16, null, checkRange(key, value, -32768, 32767)); }

    public GgufWriter putUInt32(String key, long value) {
        return put(key, GgufValueType.UINT32, null, checkRange(key, value, 0, 0xFFFFFFFFL));
    }

    public GgufWriter putInt32(String key, int value) { return put(key, GgufValueType.INT32, null, (long) value); }

    /** Values above {@code Long.MAX_VALUE} are passed in two's complement. */
    public GgufWriter putUInt64(String key, long value) { return put(key, GgufValueType.UINT64, null, value); }

    public GgufWriter putInt64(String key, long value) { return put(key, GgufValueType.INT64, null, value); }

    public GgufWriter putFloat32(String key, float value) { return put(key, GgufValueType.FLOAT32, null, value); }

    public GgufWriter putFloat64(String key, double value) { return put(key, GgufValueType.FLOAT64, null, value); }

    public GgufWriter putBool(String key, boolean value) { return put(key, GgufValueType.BOOL, null, value); }

    public GgufWriter putString(String key, String value) { return put(key, GgufValueType.STRING, null, value); }

    public GgufWriter putStringArray(String key, String... values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.STRING, values.clone());
    }

    public GgufWriter putStringArray(String key, List<String> values) {
        return putStringArray(key, values.toArray(String[]::new));
    }

    public GgufWriter putInt32Array(String key, int... values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.INT32, Arrays.stream(values).asLongStream().toArray());
    }

    public GgufWriter putUInt32Array(String key, long... values) {
        for (long v : values) checkRange(key, v, 0, 0xFFFFFFFFL);
        return put(key, GgufValueType.ARRAY, GgufValueType.UINT32, values.clone());
    }

    public GgufWriter putInt64Array(String key, long... values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.INT64, values.clone());
    }

    public GgufWriter putFloat32Array(String key, float... values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.FLOAT32, values.clone());
    }

    public GgufWriter putFloat64Array(String key, double... values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.FLOAT64, values.clone());
    }

    public GgufWriter putBoolArray(String key, boolean... values) {
        return put(key, GgufValueType.ARRAY, GgufValueType.BOOL, values.clone());
    }

    /** Drops a key set earlier (to write variants of a file, e.g. in tests); returns whether it was there. */
    public boolean removeMetadata(String key) {
        return metadata.remove(key) != null;
    }

    /** Drops a tensor added earlier; returns whether it was there. */
    public boolean removeTensor(String name) {
        return tensors.removeIf(t -> t.name.equals(name));
    }

    /** Sets {@code general.alignment} (a power of two) for the data section. */
    public GgufWriter alignment(int alignment) {
        if (alignment <= 0 || Integer.bitCount(alignment) != 1)
            throw new IllegalArgumentException("alignment must be a power of two, got " + alignment);
        this.alignment = alignment;
        return putUInt32("general.alignment", alignment);
    }

    /** Adds a tensor from row-major values; {@code shape} is row-major ({@code [rows, cols]}). */
    public GgufWriter addTensor(String name, float[] values, long[] shape, GgmlType type) {
        long elements = new PendingTensor(name, shape, type, null).elements();
        if (elements != values.length)
            throw new IllegalArgumentException("tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " has " + elements + " elements, got " + values.length + " values");
        float[] copy = values.clone();
        return addTensor(name, shape, type, () -> copy);
    }

    /** Adds a tensor whose row-major values are produced only when the file is written. */
    public GgufWriter addTensor(String name, long[] shape, GgmlType type, Supplier<float[]> values) {
        if (shape.length < 1 || shape.length > 4)
            throw new IllegalArgumentException("tensor '" + name + "': 1 to 4 dimensions, got " + shape.length);
        for (long d : shape) if (d <= 0) throw new IllegalArgumentException("tensor '" + name + "': bad shape " + Arrays.toString(shape));
        if (shape[shape.length - 1] % type.blockSize != 0)
            throw new IllegalArgumentException("tensor '" + name + "': " + type + " needs rows of a multiple of "
                    + type.blockSize + " elements, row length is " + shape[shape.length - 1]);
        for (PendingTensor t : tensors)
            if (t.name.equals(name)) throw new IllegalArgumentException("tensor '" + name + "' added twice");
        tensors.add(new PendingTensor(name, shape.clone(), type, values));
        return this;
    }

    public void write(Path path) throws IOException {
        Path parent = path.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(parent, path.getFileName().toString(), ".partial");
        try {
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeTo(out);
            }
            Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void writeTo(FileChannel out) throws IOException {
        Sink header = new Sink(out);
        header.u32(GgufFile.MAGIC);
        header.u32(3);
        header.u64(tensors.size());
        header.u64(metadata.size());
        for (Map.Entry<String, Entry> e : metadata.entrySet()) {
            header.string(e.getKey());
            header.u32(e.getValue().type.id);
            Entry v = e.getValue();
            if (v.type == GgufValueType.ARRAY) header.array(v.elementType, v.value);
            else header.scalar(v.type, v.value);
        }
        long offset = 0;
        for (PendingTensor t : tensors) {
            header.string(t.name);
            header.u32(t.shape.length);
            for (int d = t.shape.length - 1; d >= 0; d--) header.u64(t.shape[d]);
            header.u32(t.type.id);
            header.u64(offset);
            offset = align(offset + t.type.byteSize(t.elements()), alignment);
        }
        header.padTo(alignment);
        for (PendingTensor t : tensors) {
            float[] values = t.values.get();
            if (values.length != t.elements())
                throw new IllegalArgumentException("tensor '" + t.name + "': shape " + Arrays.toString(t.shape)
                        + " has " + t.elements() + " elements, its source gave " + values.length);
            int chunk = t.type.blockSize * Math.max(1, (1 << 20) / t.type.blockSize);
            byte[] encoded = new byte[Math.toIntExact(t.type.byteSize(Math.min(chunk, values.length)))];
            for (int from = 0; from < values.length; from += chunk) {
                int n = Math.min(chunk, values.length - from);
                Quantizer.quantize(t.type, values, from, n, encoded, 0);
                header.bytes(encoded, (int) t.type.byteSize(n));
            }
            header.padTo(alignment);
        }
        header.flush();
    }

    static long align(long offset, int alignment) {
        return (offset + alignment - 1) / alignment * alignment;
    }

    private static long checkRange(String key, long value, long lo, long hi) {
        if (value < lo || value > hi)
            throw new IllegalArgumentException("metadata '" + key + "': " + value + " is outside [" + lo + ", " + hi + "]");
        return value;
    }

    /** Buffered little-endian output that tracks the file position. */
    private static final class Sink {
        private final FileChannel out;
        private final ByteBuffer buffer = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        private long written;

        Sink(FileChannel out) { this.out = out; }

        private void room(int bytes) throws IOException {
            if (buffer.remaining() < bytes) flush();
        }

        void flush() throws IOException {
            buffer.flip();
            while (buffer.hasRemaining()) out.write(buffer);
            buffer.clear();
        }

        void u8(int v) throws IOException { room(1); buffer.put((byte) v); written++; }

        void u16(int v) throws IOException { room(2); buffer.putShort((short) v); written += 2; }

        void u32(int v) throws IOException { room(4); buffer.putInt(v); written += 4; }

        void u64(long v) throws IOException { room(8); buffer.putLong(v); written += 8; }

        void bytes(byte[] b, int n) throws IOException {
            for (int from = 0; from < n; ) {
                if (!buffer.hasRemaining()) flush();
                int step = Math.min(buffer.remaining(), n - from);
                buffer.put(b, from, step);
                from += step;
                written += step;
            }
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            bytes(b, b.length);
        }

        void padTo(int alignment) throws IOException {
            while (written % alignment != 0) u8(0);
        }

        void scalar(GgufValueType type, Object v) throws IOException {
            switch (type) {
                case UINT8, INT8 -> u8((int) (long) (Long) v);
                case UINT16, INT16 -> u16((int) (long) (Long) v);
                case UINT32, INT32 -> u32((int) (long) (Long) v);
                case UINT64, INT64 -> u64((Long) v);
                case FLOAT32 -> u32(Float.floatToRawIntBits((Float) v));
                case FLOAT64 -> u64(Double.doubleToRawLongBits((Double) v));
                case BOOL -> u8((Boolean) v ? 1 : 0);
                case STRING -> string((String) v);
                case ARRAY -> throw new IllegalStateException("nested array");
            }
        }

        void array(GgufValueType elementType, Object values) throws IOException {
            u32(elementType.id);
            switch (values) {
                case String[] a -> { u64(a.length); for (String s : a) string(s); }
                case long[] a -> { u64(a.length); for (long v : a) scalar(elementType, v); }
                case float[] a -> { u64(a.length); for (float v : a) u32(Float.floatToRawIntBits(v)); }
                case double[] a -> { u64(a.length); for (double v : a) u64(Double.doubleToRawLongBits(v)); }
                case boolean[] a -> { u64(a.length); for (boolean v : a) u8(v ? 1 : 0); }
                default -> throw new IllegalStateException("array of " + values.getClass());
            }
        }
    }
}
