package neurosteer.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import neurosteer.data.Problem;
import neurosteer.eval.Study;
import neurosteer.method.review.ReviewChains;
import neurosteer.method.review.ReviewServer;
import neurosteer.method.run.RunFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "review", description = {"Serve a local page (127.0.0.1) listing RUN's right-answer chains beside the problem and gold solution.",
        "Chains marked flawed are saved to RUN/review.jsonl as they are marked and leave the high-quality set of the next contrast step.",
        "Runs until Ctrl-C."})
final class ReviewCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN", description = "Run folder holding samples.jsonl")
    Path run;

    @Option(names = "--train", description = "The problems that were sampled, for their text and gold solution (default: the toy train split)")
    Path train;

    @Option(names = "--train-format", description = "Force the train format: math, toy, gsm8k, commonsenseqa, strategyqa, mmlu")
    String trainFormat;

    @Option(names = "--port", defaultValue = "8765", description = "Port on 127.0.0.1 (default ${DEFAULT-VALUE}; 0: any free port)")
    int port;

    @Override
    public void run() {
        RunFolder folder = new RunFolder(run);
        if (!Files.isRegularFile(folder.samples()))
            throw new IllegalArgumentException(folder.samples() + ": not found; run the sample step first (neurosteer sample --run " + run + ")");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("--port must be 0..65535, got " + port);
        List<Problem> problems = Study.load(Defaults.data(train, "train"), trainFormat, 0, false, System.err);
        PrintWriter out = spec.commandLine().getOut();
        CountDownLatch stopped = new CountDownLatch(1);
        try (ReviewServer server = ReviewServer.start(folder, problems, port)) {
            ReviewChains chains = server.chains();
            List<String> missing = chains.missingProblems();
            if (!missing.isEmpty())
                spec.commandLine().getErr().println("warning: " + missing.size() + " problem(s) of " + folder.samples() + " are not in the given problems (e.g. "
                        + String.join(", ", missing.subList(0, Math.min(3, missing.size()))) + "); pass the --train data that was sampled to see their text");
            Set<String> reviewed = new HashSet<>(neurosteer.method.review.Mark.current(folder).keySet());
            int open = 0;
            for (ReviewChains.Group g : chains.groups())
                for (ReviewChains.Chain c : g.right()) if (!reviewed.contains(c.key())) open++;
            out.println("review: " + server.uri() + "  (" + chains.chainCount() + " right-answer chains of " + chains.groups().size() + " problems, "
                    + open + " unreviewed; marks go to " + folder.review() + "). Ctrl-C stops.");
            out.flush();
            Thread shutdown = new Thread(stopped::countDown, "neurosteer-review-stop");
            Runtime.getRuntime().addShutdownHook(shutdown);
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    Runtime.getRuntime().removeShutdownHook(shutdown);
                } catch (IllegalStateException alreadyShuttingDown) {
                    // the JVM is exiting: the hook has run or is running
                }
            }
        }
    }
}
