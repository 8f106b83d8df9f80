package neurosteer.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import neurosteer.grade.Grader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "grade", description = "Grade {\"gold\", \"pred\"} lines (pred may be a whole completion); writes each line back with \"equal\".")
final class GradeCommand implements Runnable {
    @Option(names = "--in", required = true)
    Path in;

    @Option(names = "--out", description = "Output JSONL (default: IN with .graded.jsonl)")
    Path out;

    @Option(names = "--skip-bad", description = "Skip malformed lines (counted) instead of stopping")
    boolean skipBad;

    @Override
    public void run() {
        Path target = out != null ? out : in.resolveSibling(in.getFileName().toString().replaceAll("\\.jsonl?$", "") + ".graded.jsonl");
        try {
            Grader.JsonlSummary s = Grader.gradeJsonl(in, target, skipBad);
            System.err.printf("grade: %d graded, %d equal, %d timed out, %d bad lines skipped -> %s%n", s.graded(), s.equal(), s.timedOut(),
                    s.skippedLines().size(), target);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }
}
