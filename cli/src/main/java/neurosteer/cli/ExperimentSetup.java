package neurosteer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import neurosteer.data.Problem;
import neurosteer.engine.Model;
import neurosteer.eval.EvalStep;
import neurosteer.eval.Study;
import neurosteer.method.collect.StatsSet;
import neurosteer.method.run.RunFolder;
import neurosteer.method.sample.Prompter;
import neurosteer.method.steer.Steering;
import neurosteer.report.Experiments;
import neurosteer.report.StudyInfo;
import picocli.CommandLine.Option;

/** Options of the experiment commands; whatever is not given is taken from the run's study.json. */
final class ExperimentSetup {
    @Option(names = "--model", description = "Model (default: the one in RUN/study.json, else the bundled toy model)")
    String model;

    @Option(names = "--test", description = "Test problems (default: those in RUN/study.json)")
    Path test;

    @Option(names = "--test-format", description = "Force the test format")
    String testFormat;

    @Option(names = "--test-limit", description = "Use at most N test problems (default: the study's)")
    Integer testLimit;

    @Option(names = "--max-new-tokens", description = "Longest greedy answer (default: the study's)")
    Integer maxNewTokens;

    @Option(names = "--positions", defaultValue = "all", description = "all (prompt and generated) or generated")
    String positions;

    @Option(names = "--threads", description = "Threads (default: all cores)")
    Integer threads;

    void applyThreads() { if (threads != null) neurosteer.engine.util.Parallel.setThreads(threads); }

    String modelRef(StudyInfo info) { return Defaults.model(model != null ? model : info.model()); }

    /** The study's KV cache precision (study.json's kv_cache; runs from before it kept floats), so experiments run as the study did. */
    static void applyKvCache(Model m, StudyInfo info, RunFolder run) {
        String recorded = info.json().path("kv_cache").asText("f32");
        try {
            m.transformer().kvCachePrecision(neurosteer.engine.model.KvCache.Precision.parse(recorded));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(run.studyJson() + ": kv_cache: " + e.getMessage());
        }
    }

    static StatsSet stats(RunFolder run) {
        if (!Files.exists(run.stats()))
            throw new IllegalArgumentException(run.stats() + ": no statistics in this run folder; run `neurosteer study --run " + run.root() + "` first");
        return StatsSet.load(run.stats());
    }

    Steering.Positions positions() {
        return switch (positions) {
            case "all" -> Steering.Positions.ALL;
            case "generated" -> Steering.Positions.GENERATED;
            default -> throw new IllegalArgumentException("--positions must be all or generated, got " + positions);
        };
    }

    Experiments.Context context(Model m, RunFolder run, StudyInfo info, StatsSet stats) {
        Path testPath = test != null ? test : info.test() != null ? Path.of(info.test()) : Defaults.data(null, "test");
        String format = testFormat != null ? testFormat : test != null ? null : info.testFormat();
        int limit = testLimit != null ? testLimit : test != null ? 0 : info.testLimit();
        List<Problem> problems = Study.load(testPath, format, limit, false, System.err);
        if (stats != null && (stats.layers() != m.config().numLayers() || stats.width() != m.config().intermediateSize()))
            throw new IllegalArgumentException(run.stats() + ": statistics are for " + stats.layers() + " x " + stats.width() + " neurons, the model "
                    + m.location() + " has " + m.config().numLayers() + " x " + m.config().intermediateSize());
        int tokens = maxNewTokens != null ? maxNewTokens : info.maxNewTokens();
        return new Experiments.Context(m, new Prompter(m, info.promptTemplate(), info.system()), problems, run, stats, info.norm(), info.topFraction(),
                info.epsilon(), positions(), new EvalStep.Settings(tokens, info.batch(), info.seed()), System.err);
    }
}
