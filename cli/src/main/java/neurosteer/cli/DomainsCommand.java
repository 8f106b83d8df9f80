package neurosteer.cli;

import java.nio.file.Path;
import neurosteer.engine.Model;
import neurosteer.method.run.RunFolder;
import neurosteer.report.Analysis;
import neurosteer.report.Experiments;
import neurosteer.report.Figures;
import neurosteer.report.StudyInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "domains", description = {"Figure 6: each subject's domain-specific neurons suppressed (alpha = 0), accuracy on every subject.",
        "Writes RUN/experiments/fig6-domains.csv (and Table 5, the counts, as analyze does)."})
final class DomainsCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "Run folder")
    Path run;

    @Mixin ExperimentSetup setup;

    @Option(names = "--theta", description = "theta of the per-subject sets (default: the study's)")
    Double theta;

    @Override
    public void run() {
        setup.applyThreads();
        RunFolder folder = new RunFolder(run);
        StudyInfo info = StudyInfo.read(folder);
        var stats = ExperimentSetup.stats(folder);
        var domains = Analysis.domains(stats, info.norm(), theta != null ? theta : info.theta(), info.topFraction(), info.epsilon());
        Analysis.domainTable(domains, folder, Analysis.file(folder, "table5-domains"));
        try (Model m = Model.load(setup.modelRef(info))) {
            ExperimentSetup.applyKvCache(m, info, folder);
            var csv = Experiments.domains(setup.context(m, folder, info, stats), domains);
            Figures.drawAll(Analysis.dir(folder), folder.root().resolve("report").resolve("figures"));
            spec.commandLine().getOut().println("written: " + Analysis.file(folder, "fig6-domains") + " (" + (csv.rows().size() - 1) + " suppressed subjects)");
        }
    }
}
