package neurosteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import neurosteer.engine.tensor.NativeGemm;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CommandsTest {
    @TempDir
    static Path dir;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void models() {
        assertEquals(0, run("random-model", "--arch", "qwen2", "--shape", "tiny", "--seed", "3", dir.resolve("hf").toString()).code());
        assertEquals(0, run("random-model", "--arch", "llama", "--shape", "mini", "--format", "gguf", "--dtype", "q8_0",
                dir.resolve("m.gguf").toString()).code());
    }

    @Test
    void inspectTokenizeLogitsGenerate() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String model : new String[] {dir.resolve("hf").toString(), dir.resolve("m.gguf").toString()}) {
            JsonNode info = json.readTree(run("inspect", model).out());
            assertEquals(2, info.path("config").path("layers").asInt());
            assertEquals(512, info.path("tokenizer").path("vocab_size").asInt());
            assertFalse(info.path("chat_template").isNull(), "the random model ships a chat template");

            JsonNode ids = json.readTree(run("tokenize", model, "Hello, world 123").out());
            assertTrue(ids.isArray() && ids.size() > 3);

            JsonNode logits = json.readTree(run("logits", model, "--text", "Hello", "--top", "3").out());
            assertEquals(ids.size() > 0, logits.path("positions").size() > 0);
            double p = logits.path("positions").get(0).path("top").get(0).path("prob").asDouble();
            assertTrue(p > 0 && p <= 1);
            JsonNode full = json.readTree(run("logits", model, "--tokens", "1,2,3", "--full").out());
            double sum = 0;
            for (JsonNode v : full.path("positions").get(2).path("probs")) sum += v.asDouble();
            assertEquals(1.0, sum, 1e-6);

            Run g = run("generate", model, "--prompt", "2+2=", "--chat", "--max-tokens", "5", "--json", "--temperature", "0.8", "--seed", "4");
            JsonNode gen = json.readTree(g.out());
            assertEquals(5, gen.path("tokens").size(), g.err());
            assertEquals(gen.path("tokens"), json.readTree(run("generate", model, "--prompt", "2+2=", "--chat", "--max-tokens", "5", "--json",
                    "--temperature", "0.8", "--seed", "4").out()).path("tokens"), "same seed, same completion");
            Run halfCache = run("generate", model, "--prompt", "2+2=", "--max-tokens", "5", "--json", "--kv-cache", "f16");
            assertEquals(5, json.readTree(halfCache.out()).path("tokens").size(), halfCache.err());
            Run badCache = run("generate", model, "--prompt", "2+2=", "--kv-cache", "bf8");
            assertEquals(2, badCache.code());
            assertTrue(badCache.err().contains("--kv-cache"), badCache.err());
        }
        Path tokOnly = dir.resolve("tok");
        Files.createDirectories(tokOnly);
        Files.copy(dir.resolve("hf/tokenizer.json"), tokOnly.resolve("tokenizer.json"));
        Files.copy(dir.resolve("hf/tokenizer_config.json"), tokOnly.resolve("tokenizer_config.json"));
        assertEquals(run("tokenize", dir.resolve("hf").toString(), "abc def").out(), run("tokenize", tokOnly.toString(), "abc def").out());
    }

    @Test
    void badInputGivesOneClearLineAndExitCodeOne() throws Exception {
        Run missing = run("inspect", dir.resolve("nope").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().startsWith("error: ") && missing.err().contains("nope"), missing.err());
        assertFalse(missing.err().contains("\tat "), "no stack trace: " + missing.err());

        Path bad = dir.resolve("bad.gguf");
        byte[] all = Files.readAllBytes(dir.resolve("m.gguf"));
        Files.write(bad, java.util.Arrays.copyOf(all, 2000));
        Run truncated = run("inspect", bad.toString());
        assertEquals(1, truncated.code());
        assertTrue(truncated.err().contains("bad.gguf"), truncated.err());

        Run tooLong = run("logits", dir.resolve("hf").toString(), "--tokens", "1,2,999999");
        assertEquals(1, tooLong.code());
        assertTrue(tooLong.err().contains("999999"), tooLong.err());
    }

    @Test
    void benchReportsSpeedHookOverheadsAndCeilingFractions() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Run r = run("bench", dir.resolve("m.gguf").toString(), "--prompt-tokens", "12", "--gen-tokens", "4", "--threads", "1",
                "--repeat", "0", "--hook-overhead", "--ceilings", "--ceiling-seconds", "0.2", "--ceiling-mib", "64", "--sequences", "3");
        assertEquals(0, r.code(), r.err());
        JsonNode o = json.readTree(r.out());
        for (String field : new String[] {"prefill_tokens_per_s", "decode_tokens_per_s", "prefill_with_stats_tokens_per_s",
                "decode_steered_tokens_per_s", "prefill_without_logits_tokens_per_s", "ceiling_fma_gflops", "ceiling_read_gb_per_s", "decode_batched_tokens_per_s"})
            assertTrue(o.path(field).asDouble() > 0, field + " in " + o);
        assertTrue(Double.isFinite(o.path("stats_overhead").asDouble()) && Double.isFinite(o.path("steer_overhead").asDouble()), o.toString());
        // one timed repetition: one pair of each, whose ratio is also the ratio of the bests
        assertEquals(1, o.path("hook_pairs").asInt(), o.toString());
        assertEquals(o.path("stats_overhead").asDouble(), o.path("stats_overhead_paired_median").asDouble(), 1e-9, o.toString());
        assertEquals(o.path("steer_overhead").asDouble(), o.path("steer_overhead_paired_median").asDouble(), 1e-9, o.toString());
        // prefill runs every layer's matrices for all 12 tokens and the output head for the last one only
        double matmul = o.path("matmul_parameters").asDouble(), head = o.path("output_head_parameters").asDouble();
        assertTrue(head > 0 && head < matmul, o.toString());
        assertEquals(o.path("prefill_tokens_per_s").asDouble() * (2 * (matmul - head) + 2 * head / 12) / 1e9,
                o.path("prefill_gflops").asDouble(), 1e-6 * o.path("prefill_gflops").asDouble());
        assertEquals(o.path("prefill_gflops").asDouble() / o.path("ceiling_fma_gflops").asDouble(),
                o.path("prefill_fraction_of_fma_ceiling").asDouble(), 1e-9);
        assertTrue(o.path("steered_neurons").asLong() > 0, o.toString());
        assertEquals(3, o.path("decode_sequences").asInt(), o.toString());
        assertFalse(o.path("cpu").asText().isBlank(), o.toString());
        assertEquals(Runtime.getRuntime().availableProcessors(), o.path("processors").asInt(), o.toString());
        assertTrue(o.path("vector_bits").asInt() >= 64 && o.path("cpu_avx512").isBoolean() && o.path("cpu_vnni").isBoolean(), o.toString());
        assertEquals(100_000, o.path("jvm_per_method_trap_limit").asLong(), o.toString());
        assertEquals(NativeGemm.status(), o.path("native_prefill").asText(), o.toString());

        Run nothing = run("bench");
        assertEquals(2, nothing.code());
        assertTrue(nothing.err().contains("MODEL"), nothing.err());

        Run negativeRepeat = run("bench", dir.resolve("m.gguf").toString(), "--repeat", "-1");
        assertEquals(2, negativeRepeat.code());
        assertTrue(negativeRepeat.err().contains("--repeat"), negativeRepeat.err());
        Run noTokens = run("bench", dir.resolve("m.gguf").toString(), "--gen-tokens", "0");
        assertEquals(2, noTokens.code());
        assertTrue(noTokens.err().contains("--gen-tokens"), noTokens.err());
        Run noSequences = run("bench", dir.resolve("m.gguf").toString(), "--sequences", "0");
        assertEquals(2, noSequences.code());
        assertTrue(noSequences.err().contains("--sequences"), noSequences.err());
        Run fewRows = run("bench", dir.resolve("m.gguf").toString(), "--rows-per-pass", "63");
        assertEquals(2, fewRows.code());
        assertTrue(fewRows.err().contains("--rows-per-pass"), fewRows.err());
        Run single = run("bench", dir.resolve("m.gguf").toString(), "--prompt-tokens", "4", "--gen-tokens", "2", "--threads", "1", "--repeat", "0");
        assertEquals(0, single.code(), single.err());
        assertTrue(json.readTree(single.out()).path("decode_batched_tokens_per_s").isMissingNode(), single.out());
        assertEquals(512, json.readTree(single.out()).path("rows_per_pass").asInt(), single.out());
        Run split = run("bench", dir.resolve("m.gguf").toString(), "--prompt-tokens", "150", "--gen-tokens", "2", "--threads", "1",
                "--repeat", "0", "--rows-per-pass", "64");
        assertEquals(0, split.code(), split.err());
        assertEquals(64, json.readTree(split.out()).path("rows_per_pass").asInt(), split.out());
        assertEquals("f32", json.readTree(split.out()).path("kv_cache").asText(), split.out());
        Run half = run("bench", dir.resolve("m.gguf").toString(), "--prompt-tokens", "6", "--gen-tokens", "2", "--threads", "1",
                "--repeat", "0", "--sequences", "2", "--kv-cache", "F16");
        assertEquals(0, half.code(), half.err());
        assertEquals("f16", json.readTree(half.out()).path("kv_cache").asText(), half.out());
        Run badCache = run("bench", dir.resolve("m.gguf").toString(), "--kv-cache", "q8");
        assertEquals(2, badCache.code());
        assertTrue(badCache.err().contains("--kv-cache") && badCache.err().contains("'q8'"), badCache.err());
    }
}
