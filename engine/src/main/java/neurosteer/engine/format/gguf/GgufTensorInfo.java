package neurosteer.engine.format.gguf;

import neurosteer.engine.tensor.GgmlType;

/**
 * A tensor's entry in a GGUF header. {@code shape} is row-major (GGUF's dims reversed);
 * {@code dataOffset} is absolute in the file.
 */
public record GgufTensorInfo(String name, GgmlType type, long[] shape, long dataOffset, long byteSize) {
    public long elements() {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }
}
