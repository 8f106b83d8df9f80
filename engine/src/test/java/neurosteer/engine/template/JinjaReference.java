package neurosteer.engine.template;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Runs a batch of (template, variables) jobs through @huggingface/jinja in one node process. */
final class JinjaReference {
    record Result(boolean ok, String text, String error) { }

    private static final ObjectMapper JSON = new ObjectMapper();

    private JinjaReference() { }

    static Path repoRoot() {
        return Path.of(System.getProperty("neurosteer.repo", "..")).toAbsolutePath().normalize();
    }

    static Path nodeModules() {
        return repoRoot().resolve("reference/node_modules");
    }

    /** Skips the calling test (with a message saying why) when the reference packages are not installed. */
    static void assumeInstalled() {
        assumeTrue(Files.isDirectory(nodeModules().resolve("@huggingface/jinja")),
                "reference/node_modules/@huggingface/jinja is absent: run reference/install.sh to compare with the JS reference");
    }

    static List<Result> render(List<Map<String, Object>> jobs) throws IOException, InterruptedException {
        Path input = Files.createTempFile("jinja-jobs", ".json");
        try {
            Files.writeString(input, JSON.writeValueAsString(jobs), StandardCharsets.UTF_8);
            Process process = new ProcessBuilder("node", repoRoot().resolve("reference/jinja-render.mjs").toString(), input.toString())
                    .directory(repoRoot().toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("node reference renderer timed out");
            }
            if (process.exitValue() != 0) throw new IllegalStateException("node reference renderer exited with " + process.exitValue());
            JsonNode results = JSON.readTree(out);
            List<Result> list = new ArrayList<>();
            for (JsonNode r : results) {
                list.add(new Result(r.get("ok").asBoolean(), r.path("text").asText(null), r.path("error").asText(null)));
            }
            if (list.size() != jobs.size()) throw new IllegalStateException("node returned " + list.size() + " results for " + jobs.size() + " jobs");
            return list;
        } finally {
            Files.deleteIfExists(input);
        }
    }

    static Map<String, Object> job(String template, Map<String, ?> variables) {
        Map<String, Object> job = new LinkedHashMap<>();
        job.put("template", template);
        job.put("variables", variables);
        return job;
    }
}
