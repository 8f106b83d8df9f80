package neurosteer.engine.format.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.tensor.GgmlType;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.tensor.Tensors;

/** A memory-mapped {@code .safetensors} file. Tensors are views into the mapping, never copies. */
public final class SafetensorsFile implements AutoCloseable {
    private static final long MAX_HEADER = 100L << 20;

    public record TensorInfo(String name, String dtype, long[] shape, long begin, long end) {}

    private final Path file;
    private final Arena arena;
    private final MemorySegment mapped;
    private final long dataStart;
    private final Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    private SafetensorsFile(Path file, Arena arena, MemorySegment mapped) {
        this.file = file;
        this.arena = arena;
        this.mapped = mapped;
        long size = mapped.byteSize();
        if (size < 8) throw new CheckpointException(file, null, "not a safetensors file: " + size + " bytes, the header length alone takes 8");
        long headerLen = mapped.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (headerLen <= 0 || headerLen > MAX_HEADER)
            throw new CheckpointException(file, null, "corrupt safetensors header: header length " + headerLen + " is not plausible");
        if (8 + headerLen > size)
            throw new CheckpointException(file, null, "truncated safetensors file: header says " + headerLen
                    + " bytes of JSON but the file has " + (size - 8) + " after the length");
        byte[] json = mapped.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
        dataStart = 8 + headerLen;
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(new String(json, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw new CheckpointException(file, null, "corrupt safetensors header: invalid JSON (" + e.getOriginalMessage() + ")");
        }
        if (root == null || !root.isObject()) throw new CheckpointException(file, null, "corrupt safetensors header: not a JSON object");
        long dataSize = size - dataStart;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode node = e.getValue();
            if (name.equals("__metadata__")) {
                node.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            JsonNode dtype = node.get("dtype"), shape = node.get("shape"), offsets = node.get("data_offsets");
            if (dtype == null || shape == null || offsets == null || !shape.isArray() || !offsets.isArray() || offsets.size() != 2)
                throw new CheckpointException(file, name, "corrupt header entry: needs dtype, shape and two data_offsets");
            long[] dims = new long[shape.size()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = shape.get(i).asLong(-1);
                if (dims[i] < 0) throw new CheckpointException(file, name, "negative or non-numeric dimension in shape " + shape);
            }
            long begin = offsets.get(0).asLong(-1), end = offsets.get(1).asLong(-1);
            if (begin < 0 || end < begin)
                throw new CheckpointException(file, name, "corrupt data_offsets " + offsets);
            if (end > dataSize)
                throw new CheckpointException(file, name, "tensor data ends at byte " + end + " of the data section but the file holds only "
                        + dataSize + " bytes of data: the file is truncated");
            long numel = 1;
            for (long d : dims) numel *= d;
            int width = bytesOf(dtype.asText());
            if (width > 0 && numel * width != end - begin)
                throw new CheckpointException(file, name, dtype.asText() + " " + shape + " needs " + numel * width
                        + " bytes but data_offsets span " + (end - begin));
            tensors.put(name, new TensorInfo(name, dtype.asText(), dims, begin, end));
        }
    }

    public static SafetensorsFile open(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            return new SafetensorsFile(file, arena, seg);
        } catch (IOException e) {
            arena.close();
            throw new CheckpointException(file, null, "cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static int bytesOf(String dtype) {
        return switch (dtype) {
            case "F64", "I64", "U64" -> 8;
            case "F32", "I32", "U32" -> 4;
            case "F16", "BF16", "I16", "U16" -> 2;
            case "I8", "U8", "BOOL", "F8_E4M3", "F8_E5M2" -> 1;
            default -> -1;
        };
    }

    public Path path() { return file; }

    public Map<String, TensorInfo> tensorInfos() { return Collections.unmodifiableMap(tensors); }

    public Map<String, String> metadata() { return Collections.unmodifiableMap(metadata); }

    public boolean has(String name) { return tensors.containsKey(name); }

    public Tensor tensor(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) throw new CheckpointException(file, name, "tensor not found");
        GgmlType type = switch (info.dtype()) {
            case "F32" -> GgmlType.F32;
            case "F16" -> GgmlType.F16;
            case "BF16" -> GgmlType.BF16;
            default -> throw new CheckpointException(file, name, "dtype " + info.dtype() + " is not supported for weights (F32, F16, BF16 are)");
        };
        long[] shape = info.shape().length == 0 ? new long[] {1} : info.shape();
        return Tensors.of(type, name, mapped.asSlice(dataStart + info.begin(), info.end() - info.begin()), shape);
    }

    /** Raw F64 values (statistics files). */
    public double[] doubles(String name) {
        TensorInfo info = tensors.get(name);
        if (info == null) throw new CheckpointException(file, name, "tensor not found");
        if (!info.dtype().equals("F64")) throw new CheckpointException(file, name, "expected F64, found " + info.dtype());
        return mapped.asSlice(dataStart + info.begin(), info.end() - info.begin())
                .toArray(ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));
    }

    @Override
    public void close() {
        arena.close();
    }
}
