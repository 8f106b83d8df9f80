package neurosteer.cli;

import neurosteer.engine.Model;
import neurosteer.eval.Study;
import neurosteer.method.contrast.ContrastStep;
import neurosteer.method.sample.Prompter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "contrast", description = "The contrastive set from RUN/samples.jsonl: RUN/contrast.jsonl and counts per subject.")
final class ContrastCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin StepOptions.ModelAndRun common;
    @Mixin StepOptions.Data data;

    @Option(names = "--keep-all", description = "Keep every problem, not only those with both right and wrong completions")
    boolean keepAll;

    @Override
    public void run() {
        try (Model m = Model.load(common.modelRef())) {
            var problems = Study.load(data.train(), data.trainFormat, data.trainLimit, data.skipBad, System.err);
            ContrastStep.Summary s = ContrastStep.run(problems, new Prompter(m, data.promptTemplate, data.system), common.folder(), keepAll);
            Json.print(spec.commandLine().getOut(), s, true);
        }
    }
}
