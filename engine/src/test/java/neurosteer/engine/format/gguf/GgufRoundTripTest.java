package neurosteer.engine.format.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.tensor.GgmlType;
import neurosteer.engine.tensor.Quantizer;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GgufRoundTripTest {
    @TempDir
    Path dir;

    @Test
    void metadataOfEveryTypeRoundTrips() throws Exception {
        Path file = dir.resolve("meta.gguf");
        new GgufWriter()
                .putUInt8("u8", 250).putInt8("i8", -100).putUInt16("u16", 65000).putInt16("i16", -30000)
                .putUInt32("u32", 4_000_000_000L).putInt32("i32", -2_000_000_000)
                .putUInt64("u64", -1L).putInt64("i64", Long.MIN_VALUE + 5)
                .putFloat32("f32", 1.25e-3f).putFloat64("f64", Math.PI).putBool("yes", true).putBool("no", false)
                .putString("s", "héllo ✓ 😀").putString("empty", "")
                .putStringArray("tokens", "a", "Ġb", "<0x0A>", "")
                .putInt32Array("types", 1, -2, 3).putUInt32Array("u32s", 0, 4_000_000_000L)
                .putInt64Array("i64s", -9, 9).putFloat32Array("scores", -1.5f, 0f, 3e7f)
                .putFloat64Array("f64s", 0.1, -0.2).putBoolArray("flags", true, false, true)
                .putUInt32("llama.block_count", 2)
                .write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(3, g.version());
            assertEquals(List.of("u8", "i8", "u16", "i16", "u32", "i32", "u64", "i64", "f32", "f64", "yes", "no", "s",
                    "empty", "tokens", "types", "u32s", "i64s", "scores", "f64s", "flags", "llama.block_count"),
                    List.copyOf(g.metadata().keySet()));
            assertEquals(250, g.getInt("u8"));
            assertEquals(-100, g.getInt("i8"));
            assertEquals(65000, g.getInt("u16"));
            assertEquals(-30000, g.getInt("i16"));
            assertEquals(4_000_000_000L, g.getLong("u32"));
            assertEquals(-2_000_000_000, g.getInt("i32"));
            assertEquals(-1L, g.getLong("u64"));
            assertEquals(Long.MIN_VALUE + 5, g.getLong("i64"));
            assertEquals(1.25e-3f, g.getFloat("f32"));
            assertEquals(Math.PI, (Double) g.get("f64"));
            assertTrue(g.getBoolean("yes"));
            assertFalse(g.getBoolean("no"));
            assertEquals("héllo ✓ 😀", g.getString("s"));
            assertEquals("", g.getString("empty"));
            assertArrayEquals(new String[] {"a", "Ġb", "<0x0A>", ""}, g.getStringArray("tokens"));
            assertArrayEquals(new int[] {1, -2, 3}, g.getIntArray("types"));
            assertArrayEquals(new long[] {0, 4_000_000_000L}, (long[]) g.get("u32s"));
            assertArrayEquals(new int[] {-9, 9}, g.getIntArray("i64s"));
            assertArrayEquals(new float[] {-1.5f, 0f, 3e7f}, g.getFloatArray("scores"));
            assertArrayEquals(new float[] {0.1f, -0.2f}, g.getFloatArray("f64s"));
            assertArrayEquals(new boolean[] {true, false, true}, (boolean[]) g.get("flags"));
            assertEquals(GgufValueType.UINT32, g.valueType("llama.block_count"));
            assertEquals(2, g.getInt("llama.block_count"));
            assertEquals(32, g.alignment());
            assertTrue(g.has("s"));
            assertFalse(g.has("nope"));
            assertEquals(7, g.getInt("nope", 7));

            CheckpointException missing = assertThrows(CheckpointException.class, () -> g.getString("nope"));
            assertTrue(missing.getMessage().contains(file.toString()) && missing.getMessage().contains("'nope'"), missing.getMessage());
            CheckpointException wrongType = assertThrows(CheckpointException.class, () -> g.getInt("s"));
            assertTrue(wrongType.getMessage().contains(file.toString()) && wrongType.getMessage().contains("'s'")
                    && wrongType.getMessage().contains("integer"), wrongType.getMessage());
            assertThrows(CheckpointException.class, () -> g.getInt("u32"));
            assertThrows(CheckpointException.class, () -> g.getString("u8"));
            assertThrows(CheckpointException.class, () -> g.getFloat("i32"));
            assertThrows(CheckpointException.class, () -> g.getBoolean("u8"));
            assertThrows(CheckpointException.class, () -> g.getStringArray("types"));
            assertThrows(CheckpointException.class, () -> g.getIntArray("scores"));
            assertThrows(CheckpointException.class, () -> g.getFloatArray("tokens"));
            assertThrows(CheckpointException.class, () -> g.getIntArray("u32s"));
        }
    }

    /**
     * Arrays of {@link GgufFile#DEFERRED_FROM} elements or more are read again from the file at each look-up: every
     * way of reading them gives the file's values, and a bad string among them is still reported when the file opens.
     */
    @Test
    void largeArraysAreReadFromTheFileWhenAskedFor() throws Exception {
        int n = GgufFile.DEFERRED_FROM + 3;
        String[] tokens = new String[n];
        int[] types = new int[n];
        float[] scores = new float[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = i == 700 ? "QQQQ" : "tok" + i + (i % 7 == 0 ? "é✓" : "");
            types[i] = i % 5 - 2;
            scores[i] = -i / 3f;
        }
        Path file = dir.resolve("large.gguf");
        new GgufWriter().putString("name", "x").putStringArray("tokens", tokens).putInt32Array("types", types)
                .putFloat32Array("scores", scores).putStringArray("small", "a", "b").write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertArrayEquals(tokens, g.getStringArray("tokens"));
            assertArrayEquals(tokens, (String[]) g.get("tokens"));
            assertArrayEquals(tokens, (String[]) g.metadata().get("tokens"));
            assertArrayEquals(types, g.getIntArray("types"));
            assertArrayEquals(scores, g.getFloatArray("scores"));
            assertTrue(g.metadata().get("tokens") != g.metadata().get("tokens"), "a large array is read anew, not kept");
            assertTrue(g.metadata().get("small") == g.metadata().get("small"), "a small one is kept");
            List<String> keys = new java.util.ArrayList<>();
            g.metadata().forEach((k, v) -> {
                keys.add(k);
                if (k.equals("tokens")) assertArrayEquals(tokens, (String[]) v);
                if (k.equals("types")) assertArrayEquals(types, (int[]) v);
            });
            assertEquals(List.of("name", "tokens", "types", "scores", "small"), keys);
            assertThrows(CheckpointException.class, () -> g.getIntArray("tokens"));
        }
        GgufFile closed = GgufFile.open(file);
        closed.close();
        CheckpointException afterClose = assertThrows(CheckpointException.class, () -> closed.getStringArray("tokens"));
        assertTrue(afterClose.getMessage().contains("closed") && afterClose.getMessage().contains("tokens"), afterClose.getMessage());
        assertArrayEquals(new String[] {"a", "b"}, closed.getStringArray("small"), "small arrays stay readable");
        byte[] bytes = java.nio.file.Files.readAllBytes(file);
        int at = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("QQQQ");
        bytes[at + 1] = (byte) 0xFF;
        Path bad = dir.resolve("bad-utf8.gguf");
        java.nio.file.Files.write(bad, bytes);
        CheckpointException e = assertThrows(CheckpointException.class, () -> GgufFile.open(bad).close());
        assertTrue(e.getMessage().contains("tokens") && e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void tensorsOfEveryTypeRoundTripWithRowMajorShapes() throws Exception {
        Random random = new Random(42);
        GgmlType[] types = {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K};
        long[][] shapes = {{3, 5}, {2, 3, 4}, {7}, {3, 64}, {4, 32}, {2, 512}, {3, 256}};
        float[][] values = new float[types.length][];
        GgufWriter writer = new GgufWriter().putString("general.architecture", "test").alignment(64);
        for (int i = 0; i < types.length; i++) {
            long n = 1;
            for (long d : shapes[i]) n *= d;
            values[i] = new float[(int) n];
            for (int j = 0; j < n; j++) values[i][j] = (float) random.nextGaussian();
            writer.addTensor("t." + types[i], values[i], shapes[i], types[i]);
        }
        Path file = dir.resolve("tensors.gguf");
        writer.write(file);
        try (GgufFile g = GgufFile.open(file)) {
            assertEquals(64, g.alignment());
            assertEquals(types.length, g.tensorInfos().size());
            for (int i = 0; i < types.length; i++) {
                Tensor t = g.tensor("t." + types[i]);
                assertEquals(types[i], t.type());
                assertArrayEquals(shapes[i], t.shape());
                assertEquals(0, g.tensorInfo(t.name()).dataOffset() % 64, "data offset of " + t.name());
                Tensor expected = Tensors.of(types[i], "ref", MemorySegment.ofArray(Quantizer.quantize(types[i], values[i])), shapes[i]);
                assertArrayEquals(expected.toFloatArray(), t.toFloatArray(), types[i].toString());
                if (types[i] == GgmlType.F32) assertArrayEquals(values[i], t.toFloatArray());
                assertTrue(t.segment().isMapped() || t.segment().isNative(), "tensor data is mapped, not copied");
            }
            // row-major: element [r, c] of a [3, 5] matrix is at r * 5 + c, and GGUF stored ne0 = 5
            Tensor m = g.tensor("t.F32");
            assertEquals(3, m.rows());
            assertEquals(5, m.cols());
            assertEquals(values[0][2 * 5 + 4], m.get(2 * 5 + 4));
            CheckpointException missing = assertThrows(CheckpointException.class, () -> g.tensor("absent.weight"));
            assertTrue(missing.getMessage().contains("'absent.weight'") && missing.getMessage().contains(file.toString()));
        }
    }

    @Test
    void closedFileReleasesMapping() throws Exception {
        Path file = dir.resolve("c.gguf");
        new GgufWriter().addTensor("w", new float[] {1, 2, 3, 4}, new long[] {2, 2}, GgmlType.F32).write(file);
        GgufFile g = GgufFile.open(file);
        Tensor t = g.tensor("w");
        assertEquals(4f, t.get(3));
        g.close();
        assertThrows(IllegalStateException.class, () -> t.get(3));
        g.close();
    }

    @Test
    void writerRejectsBadInput() {
        GgufWriter w = new GgufWriter();
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x", new float[6], new long[] {2, 2}, GgmlType.F32));
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x", new float[40], new long[] {40}, GgmlType.Q8_0));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt8("k", 256));
        assertThrows(IllegalArgumentException.class, () -> w.putUInt32("k", -1));
        w.addTensor("x", new float[4], new long[] {4}, GgmlType.F32);
        assertThrows(IllegalArgumentException.class, () -> w.addTensor("x", new float[4], new long[] {4}, GgmlType.F32));
    }
}
