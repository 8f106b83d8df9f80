package neurosteer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import neurosteer.engine.Model;
import neurosteer.method.run.RunFolder;
import neurosteer.method.select.NeuronSet;
import neurosteer.report.Analysis;
import neurosteer.report.Figures;
import neurosteer.report.StudyInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "analyze", description = {"Figures 3a, 3b, 4 and Tables 5, 6 from the run's statistics and neuron sets, as CSV under RUN/experiments/.",
        "Table 5 also writes each subject's domain-specific neurons to RUN/neurons/domain-SUBJECT.json."})
final class AnalyzeCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "Run folder")
    Path run;

    @Option(names = "--model", description = "Model for Table 6 (default: the one in RUN/study.json)")
    String model;

    @Option(names = "--neurons", description = "Neuron set for Figure 4 and Table 6 (default: RUN/neurons/ours.json)")
    Path neurons;

    @Option(names = "--top-neurons", defaultValue = "20", description = "Table 6: this many neurons with the highest r (default ${DEFAULT-VALUE})")
    int topNeurons;

    @Option(names = "--top-tokens", defaultValue = "10", description = "Table 6: tokens per neuron (default ${DEFAULT-VALUE})")
    int topTokens;

    @Option(names = "--bins", defaultValue = "50", description = "Figure 3a: histogram bins (default ${DEFAULT-VALUE})")
    int bins;

    @Option(names = "--theta", description = "theta of the per-subject sets in Table 5 (default: the study's)")
    Double theta;

    @Override
    public void run() {
        RunFolder folder = new RunFolder(run);
        StudyInfo info = StudyInfo.read(folder);
        var stats = ExperimentSetup.stats(folder);
        Path setFile = neurons != null ? neurons : folder.neurons("ours");
        if (!Files.exists(setFile)) throw new IllegalArgumentException(setFile + ": no neuron set; run `neurosteer study` or `neurosteer select --method ours` first");
        NeuronSet set = NeuronSet.load(setFile);
        set.checkFits(stats.layers(), stats.width(), setFile);
        var out = spec.commandLine().getOut();
        Analysis.ratioHistogram(stats, info.norm(), info.epsilon(), bins, Analysis.file(folder, "fig3a-ratio-histogram"), Analysis.file(folder, "fig3a-summary"));
        Analysis.perLayer(Analysis.neuronSets(folder), stats.layers(), Analysis.file(folder, "fig3b-per-layer"));
        Analysis.overlapWithTopActivated(stats, info.norm(), set, Analysis.file(folder, "fig4-overlap"));
        var domains = Analysis.domains(stats, info.norm(), theta != null ? theta : info.theta(), info.topFraction(), info.epsilon());
        Analysis.domainTable(domains, folder, Analysis.file(folder, "table5-domains"));
        try (Model m = Model.load(Defaults.model(model != null ? model : info.model()))) {
            set.checkFits(m.config().numLayers(), m.config().intermediateSize(), setFile);
            Analysis.topTokens(m.weights(), m.hasTokenizer() ? m.tokenizer() : null, stats, Analysis.strongest(set, topNeurons), topTokens,
                    Analysis.file(folder, "table6-tokens"));
        }
        Figures.drawAll(Analysis.dir(folder), folder.root().resolve("report").resolve("figures"));
        for (String f : List.of("fig3a-ratio-histogram", "fig3a-summary", "fig3b-per-layer", "fig4-overlap", "table5-domains", "table6-tokens"))
            out.println("written: " + Analysis.file(folder, f));
    }
}
