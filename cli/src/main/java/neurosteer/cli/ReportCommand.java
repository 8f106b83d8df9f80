package neurosteer.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import neurosteer.method.run.RunFolder;
import neurosteer.report.ReportPage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "report", description = {"One self-contained HTML page, RUN/report/index.html, with every table and figure the run folder holds;",
        "figures also as RUN/report/figures/*.png|svg, tables as RUN/report/tables/*.csv. Experiments not run are listed with their command."})
final class ReportCommand implements Runnable {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", description = "Run folder")
    Path run;

    @Override
    public void run() {
        if (!Files.isDirectory(run)) throw new IllegalArgumentException(run + ": no such run folder");
        var r = ReportPage.write(new RunFolder(run));
        long figs = r.figures().stream().filter(f -> f.drawn()).count(), tabs = r.tables().stream().filter(t -> t.present()).count();
        spec.commandLine().getOut().println("written: " + r.html() + " (" + figs + " of " + r.figures().size() + " figures, " + tabs + " of " + r.tables().size()
                + " tables)");
    }
}
