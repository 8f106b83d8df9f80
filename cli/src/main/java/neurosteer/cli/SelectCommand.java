package neurosteer.cli;

import java.nio.file.Path;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.method.collect.StatsSet;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.select.SelectStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "select", description = "Select neurons from RUN/stats.safetensors: ours or a baseline; writes RUN/neurons/NAME.json.")
final class SelectCommand implements Runnable {
    @Mixin StepOptions.ModelAndRun common;
    @Mixin StepOptions.Select select;

    @Option(names = "--method", defaultValue = "ours", description = "ours, top-activation, wanda, mathneuro, random (default ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--k", defaultValue = "0", description = "Neurons for the baselines (default: the size of RUN/neurons/ours.json)")
    int k;

    @Option(names = "--scope", defaultValue = "all", description = "Statistics group: all, or subject=NAME for one subject's contrastive set")
    String scope;

    @Option(names = "--name", description = "Output name (default: the method, random-SEED for random)")
    String name;

    @Override
    public void run() {
        SelectStep.Method m = SelectStep.parse(method);
        int kk = k;
        if (m != SelectStep.Method.OURS && kk <= 0) {
            Path ours = common.folder().neurons("ours");
            if (!java.nio.file.Files.exists(ours)) throw new IllegalArgumentException("--method " + method + " needs --k, or " + ours + " to take K from");
            kk = NeuronSet.load(ours).size();
        }
        String out = name != null ? name : m == SelectStep.Method.RANDOM ? "random-" + common.seed : method.toLowerCase();
        StatsSet stats = StatsSet.load(common.folder().stats());
        SelectStep.Settings s = new SelectStep.Settings(m, select.theta, select.topFraction, select.epsilon, scope, select.norm(), kk, common.seed, false);
        NeuronSet set;
        if (m == SelectStep.Method.WANDA || m == SelectStep.Method.MATHNEURO) {
            try (Model model = Model.load(common.modelRef())) {
                set = SelectStep.run(stats, model.weights(), s, Map.of("stats", common.folder().stats().toString()), common.folder().neurons(out));
            }
        } else set = SelectStep.run(stats, null, s, Map.of("stats", common.folder().stats().toString()), common.folder().neurons(out));
        System.err.printf("select: %d neurons (%s), per layer %s -> %s%n", set.size(), set.method(), java.util.Arrays.toString(set.perLayerCounts()),
                common.folder().neurons(out));
    }
}
