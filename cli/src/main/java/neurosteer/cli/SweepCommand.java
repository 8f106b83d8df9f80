package neurosteer.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import neurosteer.engine.Model;
import neurosteer.method.run.RunFolder;
import neurosteer.report.Analysis;
import neurosteer.report.Experiments;
import neurosteer.report.Figures;
import neurosteer.report.StudyInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "sweep", description = {"Accuracy over a range of alpha (ours and random neurons of equal count: Figures 2 and 5b) or of theta (Figure 5a).",
        "Every point is a resumable RUN/eval/sweep-*.jsonl; results in RUN/experiments/sweep-alpha.csv or sweep-theta.csv."})
final class SweepCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin ExperimentSetup setup;

    @Option(names = "--run", defaultValue = "runs/default", description = "Run folder (default ${DEFAULT-VALUE})")
    Path run;

    @Option(names = "--param", required = true, description = "alpha or theta")
    String param;

    @Option(names = "--values", required = true, description = "Comma-separated values, e.g. 0,0.5,1,1.1,1.5")
    String values;

    @Option(names = "--random-seeds", description = "Seeds of the random sets (alpha sweep; default: the study's)")
    String randomSeeds;

    @Option(names = "--theta", description = "theta of our set in the alpha sweep (default: the study's)")
    Double theta;

    @Option(names = "--alpha", description = "alpha in the theta sweep (default: the study's)")
    Double alpha;

    @Override
    public void run() {
        setup.applyThreads();
        Experiments.Param p = switch (param) {
            case "alpha" -> Experiments.Param.ALPHA;
            case "theta" -> Experiments.Param.THETA;
            default -> throw new IllegalArgumentException("--param must be alpha or theta, got '" + param + "'");
        };
        List<Double> vs;
        try {
            vs = Arrays.stream(values.split(",")).map(String::trim).map(Double::parseDouble).toList();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--values must be comma-separated numbers, got '" + values + "'");
        }
        RunFolder folder = new RunFolder(run);
        StudyInfo info = StudyInfo.read(folder);
        var stats = ExperimentSetup.stats(folder);
        List<Integer> seeds = randomSeeds != null ? StepOptions.seeds(randomSeeds) : info.randomSeeds();
        try (Model m = Model.load(setup.modelRef(info))) {
            ExperimentSetup.applyKvCache(m, info, folder);
            var c = setup.context(m, folder, info, stats);
            double fixed = p == Experiments.Param.ALPHA ? (theta != null ? theta : info.theta()) : (alpha != null ? alpha : info.alpha());
            var csv = Experiments.sweep(c, p, vs, fixed, seeds);
            Figures.drawAll(Analysis.dir(folder), folder.root().resolve("report").resolve("figures"));
            spec.commandLine().getOut().println("written: " + Analysis.file(folder, "sweep-" + param) + " (" + csv.rows().size() + " points)");
        }
    }
}
