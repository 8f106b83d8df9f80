package neurosteer.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import neurosteer.method.run.RunFolder;
import neurosteer.method.select.Selector;

/**
 * What a run folder's study.json says about the study: model, data and the settings the experiments
 * reuse unless told otherwise. Absent values fall back to the paper's defaults.
 */
public record StudyInfo(JsonNode json, String model, String test, String testFormat, int testLimit, String promptTemplate, String system,
                        int maxNewTokens, int batch, double theta, double topFraction, double epsilon, Selector.Norm norm, double alpha,
                        List<Integer> randomSeeds, long seed) {

    public static StudyInfo read(RunFolder run) {
        Path file = run.studyJson();
        JsonNode j = null;
        if (Files.exists(file)) {
            try {
                j = new ObjectMapper().readTree(file.toFile());
            } catch (IOException e) {
                throw new IllegalArgumentException(file + ": not readable JSON (" + e.getMessage() + ")");
            }
        }
        if (j == null) j = new ObjectMapper().createObjectNode();
        JsonNode s = j.path("settings");
        List<Integer> seeds = new ArrayList<>();
        for (JsonNode n : s.path("randomSeeds")) seeds.add(n.asInt());
        if (seeds.isEmpty()) seeds.addAll(List.of(1, 2, 3));
        String norm = s.path("norm").asText("RMS");
        return new StudyInfo(j,
                text(j.path("model")), text(j.path("test")), text(s.path("testFormat")), j.path("test_limit").asInt(0),
                text(s.path("userTemplate")), text(s.path("systemMessage")),
                s.path("eval").path("maxNewTokens").asInt(512), Math.max(1, s.path("eval").path("problemsPerBatch").asInt(16)),
                s.path("theta").asDouble(1.15), s.path("topFraction").asDouble(0.10), s.path("epsilon").asDouble(0),
                "MEAN_ABS".equals(norm) ? Selector.Norm.MEAN_ABS : Selector.Norm.RMS, s.path("alpha").asDouble(1.1), seeds,
                j.path("seed").asLong(1));
    }

    public boolean present() { return json.size() > 0; }

    private static String text(JsonNode n) { return n.isMissingNode() || n.isNull() ? null : n.asText(); }
}
