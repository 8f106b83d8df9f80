package neurosteer.engine.format.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.tensor.GgmlType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufCorruptionTest {
    @TempDir
    Path dir;
    byte[] valid;

    @BeforeEach
    void writeValidFile() throws Exception {
        Path file = dir.resolve("valid.gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .putUInt32("llama.block_count", 1)
                .putStringArray("tokenizer.ggml.tokens", "a", "b")
                .addTensor("blk.0.w", new float[256], new long[] {256}, GgmlType.F32)
                .addTensor("output.weight", new float[64], new long[] {2, 32}, GgmlType.F32)
                .write(file);
        valid = Files.readAllBytes(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(2, g.tensorInfos().size());
        }
    }

    private CheckpointException openBroken(String name, byte[] bytes, String... mustMention) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> GgufFile.open(file).close(), name);
        assertTrue(e.getMessage().contains(file.toString()), "message names the file: " + e.getMessage());
        for (String s : mustMention) assertTrue(e.getMessage().contains(s), "message mentions " + s + ": " + e.getMessage());
        return e;
    }

    private int indexOf(String text) {
        byte[] needle = text.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + needle.length <= valid.length; i++) {
            for (int j = 0; j < needle.length; j++) if (valid[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError(text + " not in file");
    }

    private byte[] withU32(int at, int value) {
        byte[] b = valid.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, value);
        return b;
    }

    private byte[] withU64(int at, long value) {
        byte[] b = valid.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, value);
        return b;
    }

    /** Offset of the ggml type field of a tensor entry with {@code dims} dimensions. */
    private int typeField(String tensor, int dims) {
        return indexOf(tensor) + tensor.length() + 4 + 8 * dims;
    }

    @Test
    void wrongMagic() throws Exception {
        byte[] b = valid.clone();
        b[0] = 'X';
        openBroken("magic.gguf", b, "not a GGUF file");
    }

    @Test
    void unsupportedVersion() throws Exception {
        openBroken("version.gguf", withU32(4, 99), "unsupported GGUF version 99");
        openBroken("version1.gguf", withU32(4, 1), "unsupported GGUF version 1");
    }

    @Test
    void versionTwoIsAccepted() throws Exception {
        Path file = dir.resolve("v2.gguf");
        Files.write(file, withU32(4, 2));
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(2, g.version());
            assertEquals("llama", g.getString("general.architecture"));
        }
    }

    /** Every cut through the header or the data gives a CheckpointException, never another exception. */
    @Test
    void everyTruncationIsReported() throws Exception {
        for (int length = 0; length < valid.length; length += length < 400 ? 1 : 97) {
            CheckpointException e = openBroken("cut" + length + ".gguf", Arrays.copyOf(valid, length));
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("past the end"),
                    "cut at " + length + ": " + e.getMessage());
        }
    }

    @Test
    void truncationNamesTheKeyOrTensorBeingRead() throws Exception {
        int insideTokens = indexOf("tokenizer.ggml.tokens") + 30;
        openBroken("cut-key.gguf", Arrays.copyOf(valid, insideTokens), "'tokenizer.ggml.tokens'", "truncated");
        openBroken("cut-tensor.gguf", Arrays.copyOf(valid, indexOf("output.weight") + 15), "'output.weight'", "truncated");
        openBroken("cut-data.gguf", Arrays.copyOf(valid, valid.length - 10), "'output.weight'", "past the end");
    }

    @Test
    void absurdCounts() throws Exception {
        openBroken("tensors.gguf", withU64(8, 1L << 40), "absurd tensor count");
        openBroken("kvs.gguf", withU64(16, -5L), "absurd metadata count");
        int archKey = indexOf("general.architecture");
        int valueLength = archKey + "general.architecture".length() + 4;
        openBroken("string.gguf", withU64(valueLength, 1L << 50), "'general.architecture'", "absurd string length");
        openBroken("keylength.gguf", withU64(archKey - 8, -1L), "absurd string length");
        int tokensArrayCount = indexOf("tokenizer.ggml.tokens") + "tokenizer.ggml.tokens".length() + 4 + 4;
        openBroken("array.gguf", withU64(tokensArrayCount, 1L << 33), "'tokenizer.ggml.tokens'", "absurd array length");
    }

    @Test
    void badTensorEntries() throws Exception {
        openBroken("typeid.gguf", withU32(typeField("blk.0.w", 1), 99), "'blk.0.w'", "unknown ggml type id 99");
        int offsetField = typeField("output.weight", 2) + 4;
        openBroken("offset.gguf", withU64(offsetField, 1L << 20), "'output.weight'", "past the end");
        openBroken("misaligned.gguf", withU64(offsetField, 1057), "'output.weight'", "alignment");
        int dimsField = indexOf("blk.0.w") + "blk.0.w".length();
        openBroken("dims.gguf", withU32(dimsField, 9), "'blk.0.w'", "dimensions");
        openBroken("valuetype.gguf", withU32(indexOf("llama.block_count") + "llama.block_count".length(), 77),
                "'llama.block_count'", "unknown metadata value type id 77");
    }

    @Test
    void knownButUnsupportedQuantizationNamesTheTensor() throws Exception {
        Path file = dir.resolve("q5k.gguf");
        Files.write(file, withU32(typeField("blk.0.w", 1), GgmlType.Q5_K.id));
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(GgmlType.Q5_K, g.tensorInfo("blk.0.w").type());
            CheckpointException e = assertThrows(CheckpointException.class, () -> g.tensor("blk.0.w"));
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("'blk.0.w'")
                    && e.getMessage().contains("unsupported quantization Q5_K"), e.getMessage());
            assertEquals(2, g.tensor("output.weight").rows());
        }
    }

    @Test
    void invalidUtf8InAStringIsReported() throws Exception {
        byte[] b = valid.clone();
        b[indexOf("llama")] = (byte) 0xFF;
        openBroken("utf8.gguf", b, "'general.architecture'", "UTF-8");
    }
}
