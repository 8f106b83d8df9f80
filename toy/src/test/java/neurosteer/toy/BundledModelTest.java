package neurosteer.toy;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import neurosteer.toy.data.Problem;
import neurosteer.toy.data.ToyDataGenerator;
import neurosteer.toy.data.ToyTokenizer;
import neurosteer.toy.train.HfFolder;
import neurosteer.toy.train.ToyEvaluator;
import neurosteer.toy.train.ToyModel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundledModelTest {
    @TempDir Path dir;

    @Test
    void bundledModelLoadsAndSolvesSomeLevelOneProblems() throws Exception {
        Assumptions.assumeTrue(BundledModel.available(), "no bundled model in this build yet");
        Path folder = BundledModel.materialize(dir.resolve("model"));
        BundledModel.materialize(folder);
        ToyModel model = HfFolder.read(folder);
        assertTrue(model.config.layers() >= 4 && model.config.ffnDim() >= 512);
        ToyTokenizer tokenizer = ToyTokenizer.read(folder.resolve("tokenizer.json"));
        List<Problem> easy = ToyDataGenerator.generate(ToyDataGenerator.Options.DEFAULT_SEED, 1, 4, ToyDataGenerator.Options.DEFAULT_SLIP_RATE).test().stream()
                .filter(p -> p.levelNumber() == 1).toList();
        ToyEvaluator.Accuracy accuracy = ToyEvaluator.greedy(model, tokenizer, easy, s -> {});
        assertEquals(28, accuracy.total());
        assertTrue(accuracy.correct() >= 10, "only " + accuracy.correct() + " of 28 level-1 problems right:\n" + accuracy.table());
    }
}
