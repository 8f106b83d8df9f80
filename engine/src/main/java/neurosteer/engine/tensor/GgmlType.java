package neurosteer.engine.tensor;

/** Weight storage formats, with GGML's numeric ids, block sizes and bytes per block. */
public enum GgmlType {
    F32(0, 1, 4),
    F16(1, 1, 2),
    Q4_0(2, 32, 18),
    Q4_1(3, 32, 20),
    Q5_0(6, 32, 22),
    Q5_1(7, 32, 24),
    Q8_0(8, 32, 34),
    Q8_1(9, 32, 36),
    Q2_K(10, 256, 84),
    Q3_K(11, 256, 110),
    Q4_K(12, 256, 144),
    Q5_K(13, 256, 176),
    Q6_K(14, 256, 210),
    Q8_K(15, 256, 292),
    I8(24, 1, 1),
    I16(25, 1, 2),
    I32(26, 1, 4),
    I64(27, 1, 8),
    F64(28, 1, 8),
    BF16(30, 1, 2);

    public final int id;
    public final int blockSize;
    public final int bytesPerBlock;

    GgmlType(int id, int blockSize, int bytesPerBlock) {
        this.id = id;
        this.blockSize = blockSize;
        this.bytesPerBlock = bytesPerBlock;
    }

    /** Returns null for an id this build does not know. */
    public static GgmlType fromId(int id) {
        for (GgmlType t : values()) if (t.id == id) return t;
        return null;
    }

    /** The weight types neurosteer writes, by their usual lower-case names (f32, f16, bf16, q8_0, q4_0, q4_k, q6_k). */
    public static GgmlType parseWritable(String name) {
        return switch (name.toLowerCase()) {
            case "f32" -> F32;
            case "f16" -> F16;
            case "bf16" -> BF16;
            case "q8_0" -> Q8_0;
            case "q4_0" -> Q4_0;
            case "q4_k" -> Q4_K;
            case "q6_k" -> Q6_K;
            default -> throw new IllegalArgumentException("--dtype " + name + " is not available for gguf (f32, f16, bf16, q8_0, q4_0, q4_k, q6_k are)");
        };
    }

    public long byteSize(long elements) {
        if (elements % blockSize != 0)
            throw new IllegalArgumentException(name() + " needs a multiple of " + blockSize + " elements, got " + elements);
        return elements / blockSize * bytesPerBlock;
    }

    public boolean isQuantized() {
        return blockSize > 1;
    }
}
