package neurosteer.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "neurosteer", mixinStandardHelpOptions = true, version = "neurosteer 0.1.0",
        description = "Find the FFN neurons an LLM uses to reason well, and steer generation with them.",
        subcommands = {StudyCommand.class, SampleCommand.class, ContrastCommand.class, CollectCommand.class, MergeCommand.class,
                SelectCommand.class, EvalCommand.class, ExportCommand.class, ReviewCommand.class, SweepCommand.class, AnalyzeCommand.class,
                DomainsCommand.class, GeneralCommand.class, ReportCommand.class, GradeCommand.class, BenchCommand.class, ToyCommand.class,
                InspectCommand.class, TokenizeCommand.class, GenerateCommand.class, LogitsCommand.class, RandomModelCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("error: " + Errors.describe(ex));
            if (System.getenv("NEUROSTEER_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        int code = commandLine().execute(args);
        System.exit(code);
    }
}
