package neurosteer.data;

import com.fasterxml.jackson.databind.JsonNode;
import neurosteer.data.Records.BadRecord;
import neurosteer.data.Records.Record;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Turns one JSON record of a data set into a problem; throws {@link BadRecord} when it cannot. */
@FunctionalInterface
interface RecordConverter {

    /**
     * @param node      the record
     * @param defaultId the id to use when the record carries none ({@code dataset/split/index})
     */
    Problem convert(JsonNode node, String defaultId);

    /** Converts every record of a file, reporting bad ones as "FILE:LINE: reason". */
    static List<Problem> convertAll(Path file, String dataset, List<Record> records, RecordConverter converter,
                                    BadRecords bad) {
        List<Problem> problems = new ArrayList<>(records.size());
        String split = split(file);
        for (Record record : records) {
            try {
                problems.add(converter.convert(record.node(), dataset + "/" + split + "/" + record.index()));
            } catch (BadRecord e) {
                bad.report(file, record.location(), e.getMessage());
            }
        }
        return problems;
    }

    /** The file's name without extension(s), e.g. "test" for test.jsonl, "test-00000-of-00001" for a hub shard. */
    static String split(Path file) {
        String name = file.getFileName().toString();
        int dot = name.indexOf('.');
        return (dot > 0 ? name.substring(0, dot) : name).toLowerCase(Locale.ROOT);
    }
}
