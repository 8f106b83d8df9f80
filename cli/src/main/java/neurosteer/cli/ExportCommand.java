package neurosteer.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import neurosteer.engine.Model;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.steer.ExportStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "export", description = "Write a steered checkpoint with the scaling folded into down_proj (serve it with any engine).")
final class ExportCommand implements Runnable {
    @Option(names = "--model", description = "Source model (default: the bundled toy model)")
    String model;

    @Option(names = "--neurons", required = true)
    Path neurons;

    @Option(names = "--alpha", defaultValue = "1.1")
    String alpha;

    @Option(names = "--format", defaultValue = "hf", description = "hf or gguf (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--dtype", description = "hf: bf16 (default), f16, f32; gguf: f16 (default), f32, bf16, q8_0, q4_0, q4_k, q6_k, q4_k_m (llama.cpp's Q4_K/Q6_K mix)")
    String dtype;

    @Parameters(index = "0", paramLabel = "OUT")
    Path out;

    @Override
    public void run() {
        StepOptions.Steer s = new StepOptions.Steer();
        s.alpha = alpha;
        double a = s.alpha();
        try (Model m = Model.load(Defaults.model(model))) {
            ExportStep.run(m, NeuronSet.load(neurons), a, format, dtype, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
        System.err.println("export: steered model written to " + out);
    }
}
