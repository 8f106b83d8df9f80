package neurosteer.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.engine.hooks.Hooks;
import neurosteer.eval.EvalStep;
import neurosteer.eval.Study;
import neurosteer.method.sample.Prompter;
import neurosteer.method.select.NeuronSet;
import neurosteer.method.steer.Steering;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "eval", description = "Greedy evaluation on the test problems, optionally steered; RUN/eval/NAME.jsonl and NAME.summary.json.")
final class EvalCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin StepOptions.ModelAndRun common;
    @Mixin StepOptions.Data data;
    @Mixin StepOptions.Steer steer;

    @Option(names = "--neurons", description = "Neurons file to steer with (none: plain greedy)")
    Path neurons;

    @Option(names = "--name", description = "Output name (default: greedy, or the neurons file's name)")
    String name;

    @Option(names = "--baseline", defaultValue = "greedy", description = "Eval name to compare against (default ${DEFAULT-VALUE})")
    String baseline;

    @Option(names = "--max-new-tokens", defaultValue = "512")
    int maxNewTokens;

    @Option(names = "--batch", defaultValue = "16")
    int batch;

    @Override
    public void run() {
        common.applyThreads();
        double alpha = steer.alpha();
        common.kvPrecision();  // a bad --kv-cache fails before the model loads
        try (Model m = Model.load(common.modelRef())) {
            common.applyTo(m);
            Hooks hooks = Hooks.NONE;
            String out = name != null ? name : neurons == null ? "greedy" : neurons.getFileName().toString().replace(".json", "");
            if (neurons != null) {
                NeuronSet set = NeuronSet.load(neurons);
                set.checkFits(m.config().numLayers(), m.config().intermediateSize(), neurons);
                hooks = Steering.hooks(set, alpha, steer.positions());
            }
            var problems = Study.load(data.test(), data.testFormat, data.testLimit, data.skipBad, System.err);
            EvalStep.run(m, new Prompter(m, data.promptTemplate, data.system), problems, hooks, new EvalStep.Settings(maxNewTokens, batch, common.seed),
                    common.folder().eval(out), System.err);
            Map<String, Object> settings = new LinkedHashMap<>();
            settings.put("model", m.location().toString());
            settings.put("neurons", neurons == null ? null : neurons.toString());
            settings.put("alpha", alpha);
            settings.put("positions", steer.positions().name().toLowerCase());
            Map<String, Object> summary = EvalStep.summarize(common.folder().eval(out), common.folder().eval(baseline), settings, common.seed,
                    common.folder().evalSummary(out));
            Json.print(spec.commandLine().getOut(), summary, true);
        }
    }
}
