package neurosteer.cli;

import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.method.collect.CollectStep;
import neurosteer.method.run.Fingerprint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(mixinStandardHelpOptions = true, name = "collect", description = "Teacher-forced pass over RUN/contrast.jsonl: streaming neuron statistics to RUN/stats.safetensors (or a shard file with --shard i/n).")
final class CollectCommand implements Runnable {
    @Mixin StepOptions.ModelAndRun common;
    @Mixin StepOptions.Collect collect;

    @Override
    public void run() {
        common.applyThreads();
        common.kvPrecision();  // a bad --kv-cache fails before the model loads
        try (Model m = Model.load(common.modelRef())) {
            common.applyTo(m);
            var out = CollectStep.run(m, common.folder(), collect.settings(common.seed),
                    Map.of("neurosteer.model_path", m.location().toAbsolutePath().toString(), "neurosteer.model_fingerprint", Fingerprint.of(m.location()),
                            "neurosteer.kv_cache", m.transformer().kvCachePrecision().name()),
                    System.err);
            System.err.println("collect: statistics in " + out);
        }
    }
}
