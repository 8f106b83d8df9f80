package neurosteer.cli;

import java.util.List;
import neurosteer.eval.EvalStep;
import neurosteer.eval.Study;
import neurosteer.eval.Table1;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "study", description = {"The whole study: sample, contrast, collect, select (ours and every baseline), evaluate, Table 1.",
        "With no arguments it runs on the bundled toy model and data."})
final class StudyCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin StepOptions.ModelAndRun common;
    @Mixin StepOptions.Data data;
    @Mixin StepOptions.Sampling sampling;
    @Mixin StepOptions.Collect collect;
    @Mixin StepOptions.Select select;
    @Mixin StepOptions.Steer steer;

    @Option(names = "--keep-all", description = "Keep every sampled problem, not only those with both right and wrong completions")
    boolean keepAll;

    @Option(names = "--random-seeds", defaultValue = "1,2,3", description = "Seeds of the random baseline (default ${DEFAULT-VALUE})")
    String randomSeeds;

    @Option(names = "--eval-max-new-tokens", description = "Longest greedy answer (default: --max-new-tokens)")
    Integer evalMaxNewTokens;

    @Override
    public void run() {
        common.applyThreads();
        boolean toy = common.model == null;
        if (toy) applyToyDefaults();
        Study.Settings s = new Study.Settings(common.modelRef(), data.train(), data.test(), data.trainFormat, data.testFormat, data.trainLimit,
                data.testLimit, data.skipBad, data.promptTemplate, data.system, sampling.settings(common.seed), keepAll,
                collect.settings(common.seed), select.theta, select.topFraction, select.epsilon, select.norm(), steer.alpha(), steer.positions(),
                StepOptions.seeds(randomSeeds), new EvalStep.Settings(evalMaxNewTokens != null ? evalMaxNewTokens : sampling.maxNewTokens,
                Math.max(1, sampling.batch * 2), common.seed), common.seed, common.kvPrecision());
        List<Table1.Row> rows = new Study(s, common.folder(), System.err).run();
        spec.commandLine().getOut().println(Table1.markdown(rows));
        spec.commandLine().getOut().println("written: " + common.folder().table1Csv() + ", " + common.folder().table1Md());
    }

    /** On the bundled toy model, sizes that finish in minutes, unless given explicitly. */
    private void applyToyDefaults() {
        var parse = spec.commandLine().getParseResult();
        if (!parse.hasMatchedOption("--train-limit")) data.trainLimit = 210;
        if (!parse.hasMatchedOption("--test-limit")) data.testLimit = 280;
        if (!parse.hasMatchedOption("--max-new-tokens")) sampling.maxNewTokens = 160;
        if (!parse.hasMatchedOption("--batch")) sampling.batch = 16;
        if (!parse.hasMatchedOption("--run")) common.run = java.nio.file.Path.of("runs", "toy");
    }
}
