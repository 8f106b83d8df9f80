package neurosteer.cli;

import neurosteer.engine.Model;
import neurosteer.eval.Study;
import neurosteer.method.sample.Prompter;
import neurosteer.method.sample.SampleStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(mixinStandardHelpOptions = true, name = "sample", description = "k sampled completions per train problem, each graded, appended to RUN/samples.jsonl (resumable).")
final class SampleCommand implements Runnable {
    @Mixin StepOptions.ModelAndRun common;
    @Mixin StepOptions.Data data;
    @Mixin StepOptions.Sampling sampling;

    @Override
    public void run() {
        common.applyThreads();
        common.kvPrecision();  // a bad --kv-cache fails before the model loads
        try (Model m = Model.load(common.modelRef())) {
            common.applyTo(m);
            var problems = Study.load(data.train(), data.trainFormat, data.trainLimit, data.skipBad, System.err);
            int n = SampleStep.run(m, new Prompter(m, data.promptTemplate, data.system), problems, sampling.settings(common.seed), common.folder(), System.err);
            System.err.printf("sample: wrote %d completions to %s%n", n, common.folder().samples());
        }
    }
}
