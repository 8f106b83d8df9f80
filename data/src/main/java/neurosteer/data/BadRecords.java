package neurosteer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Either fails on the first bad record, or (skipping) counts bad records and keeps the first few reasons. */
final class BadRecords {
    static final int REASONS_KEPT = 5;

    private final boolean skip;
    private int count;
    private final List<String> firstReasons = new ArrayList<>();

    BadRecords(LoadOptions options) {
        this.skip = options.skipBad();
    }

    /** Reports a bad record: throws unless skipping. */
    void report(DataException problem) {
        if (!skip) throw problem;
        count++;
        if (firstReasons.size() < REASONS_KEPT) firstReasons.add(problem.getMessage());
    }

    void report(Path file, String location, String reason) {
        report(new DataException(file, location, reason));
    }

    LoadResult result(List<Problem> problems) {
        return new LoadResult(problems, count, firstReasons);
    }
}
