package neurosteer.engine.format.safetensors;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@code .safetensors} file: an 8-byte little-endian header length, a JSON header
 * ({@code {"name": {"dtype", "shape", "data_offsets"}, "__metadata__": {...}}}), then the raw data.
 * Tensors are written in the order they were added. The file appears atomically (temp file + move).
 */
public final class SafetensorsWriter {
    /** Storage types this writer produces, with Hugging Face's dtype names. */
    public enum DType {
        F32("F32", 4), F16("F16", 2), BF16("BF16", 2), F64("F64", 8), I64("I64", 8), I32("I32", 4);

        public final String id;
        public final int bytes;

        DType(String id, int bytes) {
            this.id = id;
            this.bytes = bytes;
        }

        /** A weight dtype by its lower-case name: f32, f16 or bf16. */
        public static DType parseWeight(String name) {
            return switch (name.toLowerCase()) {
                case "f32" -> F32;
                case "f16" -> F16;
                case "bf16" -> BF16;
                default -> throw new IllegalArgumentException("--dtype " + name + " is not available for hf (f32, f16, bf16 are)");
            };
        }
    }

    /** Produces a tensor's bytes when the file is written, so large models stream to disk. */
    @FunctionalInterface
    public interface Payload {
        void writeTo(OutputStream out) throws IOException;
    }

    private record Entry(String name, DType dtype, long[] shape, long bytes, Payload payload) {}

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    /** Adds float values, converted to {@code dtype} (F32, F16 or BF16 with round-to-nearest-even). */
    public SafetensorsWriter add(String name, DType dtype, float[] values, long... shape) {
        long n = 1;
        for (long d : shape) n *= d;
        if (n != values.length)
            throw new IllegalArgumentException("tensor '" + name + "': shape holds " + n + " values, got " + values.length);
        ByteBuffer buf = ByteBuffer.allocate(values.length * dtype.bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (dtype) {
                case F32 -> buf.putFloat(v);
                case F16 -> buf.putShort(Float.floatToFloat16(v));
                case BF16 -> buf.putShort(toBf16(v));
                case F64 -> buf.putDouble(v);
                default -> throw new IllegalArgumentException("tensor '" + name + "': cannot store floats as " + dtype);
            }
        }
        byte[] bytes = buf.array();
        entries.add(new Entry(name, dtype, shape.clone(), bytes.length, out -> out.write(bytes)));
        return this;
    }

    /** Adds a tensor whose {@code bytes} little-endian bytes are produced at write time. */
    public SafetensorsWriter addLazy(String name, DType dtype, long[] shape, Payload payload) {
        long n = 1;
        for (long d : shape) n *= d;
        entries.add(new Entry(name, dtype, shape.clone(), n * dtype.bytes, payload));
        return this;
    }

    /** Adds double values as F64 (used for exact statistics). */
    public SafetensorsWriter addF64(String name, double[] values, long... shape) {
        ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) buf.putDouble(v);
        byte[] bytes = buf.array();
        entries.add(new Entry(name, DType.F64, shape.clone(), bytes.length, out -> out.write(bytes)));
        return this;
    }

    /** Adds raw little-endian bytes already in {@code dtype}. */
    public SafetensorsWriter addRaw(String name, DType dtype, byte[] data, long... shape) {
        entries.add(new Entry(name, dtype, shape.clone(), data.length, out -> out.write(data)));
        return this;
    }

    public static short toBf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    public void write(Path file) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        if (!metadata.isEmpty()) header.put("__metadata__", metadata);
        long offset = 0;
        for (Entry e : entries) {
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", e.dtype.id);
            info.put("shape", e.shape);
            info.put("data_offsets", new long[] {offset, offset + e.bytes});
            header.put(e.name, info);
            offset += e.bytes;
        }
        byte[] json = new ObjectMapper().writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        for (int i = json.length; i < padded; i++) headerBytes[i] = ' ';
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (Entry e : entries) {
                CountingStream counted = new CountingStream(out);
                e.payload.writeTo(counted);
                if (counted.count != e.bytes)
                    throw new IOException("tensor '" + e.name + "': wrote " + counted.count + " bytes, expected " + e.bytes);
            }
        } catch (IOException ex) {
            Files.deleteIfExists(tmp);
            throw ex;
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }


    private static final class CountingStream extends java.io.FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {}
    }
}
