package neurosteer.toy.train;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.engine.model.Batch;
import neurosteer.engine.model.KvCache;
import neurosteer.toy.data.Problem;
import neurosteer.toy.data.ToyDataGenerator;
import neurosteer.toy.data.ToyPrompt;
import neurosteer.toy.data.ToyTokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The exported folder loads through the engine like any downloaded model and computes what the trainer computed. */
class EngineParityTest {
    @TempDir Path dir;

    @Test
    void engineGivesTheSamePromptTokensAndLogitsAsTheTrainer() throws Exception {
        ToyDataGenerator.Splits splits = ToyDataGenerator.generate(8L, 3, 1, ToyDataGenerator.Options.DEFAULT_SLIP_RATE);
        List<String> texts = new ArrayList<>();
        for (Problem p : splits.train()) texts.add(ToyPrompt.chat(p.problem()) + p.solution() + ToyTokenizer.EOT);
        ToyTokenizer tokenizer = ToyTokenizer.train(texts, 80);
        ToyModelConfig c = new ToyModelConfig(tokenizer.vocabSize(), 32, 2, 4, 2, 8, 64, 256, 1e-5f, 10000.0);
        float[] params = ToyParameters.initialise(c, 3);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(4);
        for (int i = 0; i < params.length; i++) params[i] += (float) ((rng.nextDouble() - 0.5) * 0.2);
        ToyModel toy = new ToyModel(c, params);
        HfFolder.write(dir, toy, tokenizer);

        try (Model engine = Model.load(dir)) {
            Problem p = splits.test().get(3);
            int[] ours = tokenizer.encode(ToyPrompt.chat(p.problem()));
            int[] theirs = engine.encodeChat(List.of(Map.of("role", "user", "content", ToyPrompt.userMessage(p.problem()))), true);
            assertArrayEquals(ours, theirs, "chat template + tokenizer must give the trainer's prompt");

            int[] tokens = tokenizer.encode(ToyPrompt.chat(p.problem()) + p.solution());
            ToyModel.Workspace ws = new ToyModel.Workspace(c, tokens.length);
            toy.forward(tokens, tokens.length, ws);
            float[] logits = engine.transformer().forward(Batch.ofSequence(0, tokens, 0, true, true),
                    new KvCache[] {new KvCache(engine.config(), tokens.length)}, neurosteer.engine.hooks.Hooks.NONE);
            assertEquals(tokens.length * c.vocabSize(), logits.length);
            float[] expected = new float[logits.length];
            toy.forward(tokens, tokens.length, ws);
            System.arraycopy(ws.logits, 0, expected, 0, expected.length);
            for (int i = 0; i < logits.length; i++)
                assertEquals(expected[i], logits[i], 2e-3f * Math.max(1f, Math.abs(expected[i])), "logit " + i);
        }
    }
}
