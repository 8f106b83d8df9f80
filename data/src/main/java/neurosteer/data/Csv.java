package neurosteer.data;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 CSV: quoted fields may hold commas, line breaks and doubled quotes; CRLF or LF line ends. */
public final class Csv {
    private Csv() {}

    /**
     * One record.
     *
     * @param fields the fields, unquoted
     * @param line   the 1-based line the record starts on
     */
    public record Row(List<String> fields, int line) {}

    /** Parses CSV text; {@code file} only names the source in messages. Blank lines are skipped. */
    public static List<Row> parse(String text, Path file) {
        List<Row> rows = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int line = 1;
        int rowStart = 1;
        int i = 0;
        if (text.startsWith("\uFEFF")) i = 1;
        boolean atFieldStart = true;
        boolean rowHasContent = false;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (atFieldStart && c == '"') {
                int quoteLine = line;
                i++;
                while (true) {
                    if (i >= n) throw new DataException(file, Integer.toString(quoteLine), "quoted field is never closed");
                    char q = text.charAt(i);
                    if (q == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (q == '\n') line++;
                    field.append(q);
                    i++;
                }
                rowHasContent = true;
                atFieldStart = false;
                if (i < n) {
                    char after = text.charAt(i);
                    if (after != ',' && after != '\n' && after != '\r') {
                        throw new DataException(file, Integer.toString(line),
                                "unexpected '" + after + "' after a closing quote (a quote inside a quoted field must be doubled)");
                    }
                }
                continue;
            }
            if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                atFieldStart = true;
                rowHasContent = true;
                i++;
            } else if (c == '\r' || c == '\n') {
                if (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                i++;
                if (rowHasContent || !field.isEmpty()) {
                    fields.add(field.toString());
                    rows.add(new Row(List.copyOf(fields), rowStart));
                }
                fields.clear();
                field.setLength(0);
                atFieldStart = true;
                rowHasContent = false;
                line++;
                rowStart = line;
            } else {
                field.append(c);
                atFieldStart = false;
                rowHasContent = true;
                i++;
            }
        }
        if (rowHasContent || !field.isEmpty()) {
            fields.add(field.toString());
            rows.add(new Row(List.copyOf(fields), rowStart));
        }
        return rows;
    }
}
