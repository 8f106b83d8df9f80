package neurosteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import neurosteer.data.Problem;
import neurosteer.engine.Model;
import neurosteer.engine.hooks.Hooks;
import neurosteer.eval.EvalStep;
import neurosteer.eval.Study;
import neurosteer.method.run.Jsonl;
import neurosteer.method.sample.Prompter;
import neurosteer.toy.BundledModel;
import neurosteer.toy.data.ToyDataGenerator;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bundled toy model through the ordinary loading path, prompt, engine and grader the study uses. */
class BundledDefaultTest {
    @TempDir
    Path dir;

    @Test
    void bundledModelAnswersLevelOneToyProblemsThroughThePipeline() throws Exception {
        Assumptions.assumeTrue(BundledModel.available(), "no bundled model in this build");
        Path folder = BundledModel.materialize(dir.resolve("model"));
        ToyDataGenerator.run(new ToyDataGenerator.Options(dir.resolve("data"), ToyDataGenerator.Options.DEFAULT_SEED, 1, 4, ToyDataGenerator.Options.DEFAULT_SLIP_RATE), s -> {});
        List<Problem> easy = Study.load(dir.resolve("data/test.jsonl"), null, 0, false, null).stream()
                .filter(p -> p.level() != null && p.level() == 1).toList();
        assertEquals(28, easy.size());
        try (Model m = Model.load(folder)) {
            assertEquals("llama", m.config().architecture());
            Path out = dir.resolve("eval.jsonl");
            EvalStep.run(m, new Prompter(m, null, null), easy, Hooks.NONE, new EvalStep.Settings(160, 28, 1), out, null);
            long correct = Jsonl.readValues(out).stream().filter(n -> n.path("correct").asBoolean()).count();
            assertTrue(correct >= 10, "only " + correct + " of 28 level-1 toy problems right");
        }
    }
}
