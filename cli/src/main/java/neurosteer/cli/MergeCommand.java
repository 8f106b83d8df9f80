package neurosteer.cli;

import java.nio.file.Path;
import java.util.List;
import neurosteer.method.collect.CollectStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "merge", description = "Sum shard statistics (from collect --shard i/n) into RUN/stats.safetensors.")
final class MergeCommand implements Runnable {
    @Option(names = "--run", defaultValue = "runs/default")
    Path run;

    @Parameters(paramLabel = "SHARD", arity = "1..*", description = "Shard statistics files")
    List<Path> shards;

    @Override
    public void run() {
        var out = new neurosteer.method.run.RunFolder(run).stats();
        CollectStep.merge(shards, out);
        System.err.println("merge: " + shards.size() + " shards into " + out);
    }
}
