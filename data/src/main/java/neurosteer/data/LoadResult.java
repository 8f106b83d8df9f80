package neurosteer.data;

import java.util.List;

/**
 * The problems read, and what was skipped on the way (only with {@link LoadOptions#skipBad()}).
 *
 * @param problems     the problems, in file order
 * @param skipped      how many records were skipped
 * @param firstReasons "FILE:LINE: reason" for the first few skipped records
 */
public record LoadResult(List<Problem> problems, int skipped, List<String> firstReasons) {
    public LoadResult {
        problems = List.copyOf(problems);
        firstReasons = List.copyOf(firstReasons);
    }

    /** One line for the user, e.g. "500 problems (3 bad records skipped; first: f.jsonl:4: not JSON ...)". */
    public String summary() {
        String text = problems.size() + " problems";
        if (skipped == 0) return text;
        return text + " (" + skipped + " bad record" + (skipped == 1 ? "" : "s") + " skipped; first: "
                + String.join("; ", firstReasons) + ")";
    }
}
