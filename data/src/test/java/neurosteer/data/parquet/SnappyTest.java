package neurosteer.data.parquet;

import io.airlift.compress.snappy.SnappyCompressor;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SnappyTest {
    @Test
    void inflatesWhatAnIndependentCompressorWrote() {
        Random random = new Random(7);
        StringBuilder text = new StringBuilder();
        while (text.length() < 200_000) {
            text.append(random.nextInt(10) < 7 ? "the solution is \\boxed{" + random.nextInt(50) + "}. " : Long.toHexString(random.nextLong()));
        }
        byte[] input = text.toString().getBytes(StandardCharsets.UTF_8);
        SnappyCompressor compressor = new SnappyCompressor();
        byte[] compressed = new byte[compressor.maxCompressedLength(input.length)];
        int length = compressor.compress(input, 0, input.length, compressed, 0, compressed.length);
        assertTrue(length < input.length / 2, "the text should compress (copies are exercised)");
        assertArrayEquals(input, Snappy.decompress(compressed, 0, length, input.length));
    }

    @Test
    void refusesCorruptBlocks() {
        byte[] input = "abcabcabcabcabcabcabcabc".getBytes(StandardCharsets.US_ASCII);
        SnappyCompressor compressor = new SnappyCompressor();
        byte[] compressed = new byte[compressor.maxCompressedLength(input.length)];
        int length = compressor.compress(input, 0, input.length, compressed, 0, compressed.length);
        assertThrows(IllegalArgumentException.class, () -> Snappy.decompress(compressed, 0, length, input.length + 1));
        assertThrows(IllegalArgumentException.class, () -> Snappy.decompress(Arrays.copyOf(compressed, length - 1), 0, length - 1, input.length));
    }
}
