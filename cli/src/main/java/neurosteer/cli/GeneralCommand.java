package neurosteer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.method.run.RunFolder;
import neurosteer.method.select.NeuronSet;
import neurosteer.report.Analysis;
import neurosteer.report.Experiments;
import neurosteer.report.StudyInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "general", description = {"Tables 2 and 4: a general benchmark (CommonsenseQA, StrategyQA, MMLU) greedy, and steered with each neuron set.",
        "Writes RUN/experiments/general-NAME.csv; every evaluation is a resumable RUN/eval/general-NAME-SET.jsonl."})
final class GeneralCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin ExperimentSetup setup;

    @Option(names = "--run", defaultValue = "runs/default", description = "Run folder (default ${DEFAULT-VALUE})")
    Path run;

    @Option(names = "--name", description = "Benchmark name in the table (default: the test file's name)")
    String name;

    @Option(names = "--sets", defaultValue = "ours", description = "Neuron sets of RUN/neurons to steer with, comma-separated (default ${DEFAULT-VALUE})")
    String sets;

    @Option(names = "--alpha", description = "alpha (default: the study's)")
    Double alpha;

    @Override
    public void run() {
        setup.applyThreads();
        if (setup.test == null) throw new IllegalArgumentException("general needs --test (a CommonsenseQA, StrategyQA or MMLU file)");
        RunFolder folder = new RunFolder(run);
        StudyInfo info = StudyInfo.read(folder);
        Map<String, NeuronSet> chosen = new LinkedHashMap<>();
        for (String s : List.of(sets.split(","))) {
            Path f = folder.neurons(s.trim());
            if (!Files.exists(f)) throw new IllegalArgumentException(f + ": no such neuron set in the run folder");
            chosen.put(s.trim(), NeuronSet.load(f));
        }
        String bench = name != null ? name : setup.test.getFileName().toString().replaceFirst("\\.[^.]*$", "");
        try (Model m = Model.load(setup.modelRef(info))) {
            ExperimentSetup.applyKvCache(m, info, folder);
            for (var e : chosen.entrySet()) e.getValue().checkFits(m.config().numLayers(), m.config().intermediateSize(), folder.neurons(e.getKey()));
            var csv = Experiments.general(setup.context(m, folder, info, null), bench, chosen, alpha != null ? alpha : info.alpha());
            spec.commandLine().getOut().println("written: " + Analysis.file(folder, "general-" + Analysis.slug(bench)) + " (" + csv.rows().size() + " rows)");
        }
    }
}
