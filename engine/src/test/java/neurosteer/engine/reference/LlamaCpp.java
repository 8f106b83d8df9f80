package neurosteer.engine.reference;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * llama.cpp as a test oracle: runs {@code reference/llamacpp.mjs} (node-llama-cpp, CPU only, F32 KV
 * cache, flash attention off) from the repository root given by system property {@code neurosteer.repo}.
 */
public final class LlamaCpp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_MINUTES = 10;
    private static Boolean available;

    private LlamaCpp() {}

    public static Path repo() {
        String repo = System.getProperty("neurosteer.repo");
        return Path.of(repo == null ? "." : repo).toAbsolutePath().normalize();
    }

    /** Whether node and node-llama-cpp are installed (reference/install.sh). */
    public static synchronized boolean available() {
        if (available == null) {
            available = Files.isRegularFile(repo().resolve("reference/llamacpp.mjs"))
                    && Files.isRegularFile(repo().resolve("reference/node_modules/node-llama-cpp/package.json"))
                    && nodeRuns();
        }
        return available;
    }

    private static boolean nodeRuns() {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** For every position, llama.cpp's full next-token distribution (softmax of logits), indexed by token id. */
    public static float[][] probabilities(Path gguf, int[] tokens) {
        String ids = Arrays.stream(tokens).mapToObj(Integer::toString).collect(Collectors.joining(","));
        byte[] out = run("logits", gguf, "--tokens", ids, "--threads", "2");
        try {
            float[][] rows = JSON.readValue(out, float[][].class);
            if (rows.length != tokens.length)
                throw new IllegalStateException("llama.cpp returned " + rows.length + " rows for " + tokens.length + " tokens");
            return rows;
        } catch (IOException e) {
            throw new IllegalStateException("llama.cpp logits for " + gguf + ": unreadable output: " + e.getMessage(), e);
        }
    }

    /** {@link #probabilities(Path, int[])} for several models in one node process: {@code [model][position][token]}. */
    public static float[][][] probabilities(List<Path> ggufs, int[] tokens) {
        String ids = Arrays.stream(tokens).mapToObj(Integer::toString).collect(Collectors.joining(","));
        List<String> args = new ArrayList<>();
        for (int i = 1; i < ggufs.size(); i++) args.add(ggufs.get(i).toAbsolutePath().toString());
        args.addAll(List.of("--tokens", ids, "--threads", "2"));
        byte[] out = run("logits-many", ggufs.getFirst(), args.toArray(String[]::new));
        try {
            float[][][] all = JSON.readValue(out, float[][][].class);
            if (all.length != ggufs.size())
                throw new IllegalStateException("llama.cpp returned " + all.length + " results for " + ggufs.size() + " models");
            return all;
        } catch (IOException e) {
            throw new IllegalStateException("llama.cpp logits for " + ggufs + ": unreadable output: " + e.getMessage(), e);
        }
    }

    /** Token ids exactly as llama.cpp tokenizes each text (no BOS added); {@code special} parses special-token text. */
    public static int[][] tokenize(Path gguf, List<String> texts, boolean special) {
        try {
            Path input = Files.createTempFile("llamacpp-texts", ".json");
            try {
                Files.write(input, JSON.writeValueAsBytes(texts));
                List<String> args = new ArrayList<>(List.of("--text-file", input.toString()));
                if (special) args.add("--special");
                return JSON.readValue(run("tokenize", gguf, args.toArray(String[]::new)), int[][].class);
            } finally {
                Files.deleteIfExists(input);
            }
        } catch (IOException e) {
            throw new IllegalStateException("llama.cpp tokenize for " + gguf + ": " + e.getMessage(), e);
        }
    }

    private static byte[] run(String command, Path gguf, String... args) {
        List<String> cmd = new ArrayList<>(List.of("node", "reference/llamacpp.mjs", command, gguf.toAbsolutePath().toString()));
        cmd.addAll(List.of(args));
        Path stderr = null;
        try {
            stderr = Files.createTempFile("llamacpp", ".stderr");
            Process p = new ProcessBuilder(cmd).directory(repo().toFile())
                    .redirectError(stderr.toFile()).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("llama.cpp " + command + " " + gguf + " timed out");
            }
            if (p.exitValue() != 0)
                throw new IllegalStateException("llama.cpp " + command + " " + gguf + " failed (exit " + p.exitValue() + "): "
                        + Files.readString(stderr, StandardCharsets.UTF_8).strip());
            return out;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running llama.cpp", e);
        } finally {
            if (stderr != null) try {
                Files.deleteIfExists(stderr);
            } catch (IOException ignored) {
                // a leftover temp file is harmless
            }
        }
    }
}
