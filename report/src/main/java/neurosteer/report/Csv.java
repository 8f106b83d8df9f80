package neurosteer.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** RFC 4180 CSV: a header row and data rows of strings, written atomically and read back. */
public record Csv(List<String> header, List<List<String>> rows) {

    public int column(String name) {
        int i = header.indexOf(name);
        if (i < 0) throw new IllegalArgumentException("CSV has no column '" + name + "' (columns: " + header + ")");
        return i;
    }

    public String get(List<String> row, String column) { return row.get(column(column)); }

    public double number(List<String> row, String column) {
        String v = get(row, column);
        return v.isEmpty() ? Double.NaN : Double.parseDouble(v);
    }

    public static String num(double v) {
        if (Double.isNaN(v)) return "";
        if (v == Math.rint(v) && Math.abs(v) < 1e15) return Long.toString((long) v);
        return String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.\\d*?)0+(e|$)", "$1$2").replace(".e", "e").replaceAll("\\.$", "");
    }

    static String quote(String s) {
        if (s == null) return "";
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    public void write(Path file) {
        StringBuilder b = new StringBuilder();
        line(b, header);
        for (List<String> r : rows) line(b, r);
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, b.toString(), StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void line(StringBuilder b, List<String> cells) {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) b.append(',');
            b.append(quote(cells.get(i)));
        }
        b.append('\n');
    }

    public static Csv read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        List<List<String>> all = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false, any = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') { cell.append('"'); i++; }
                    else quoted = false;
                } else cell.append(c);
            } else if (c == '"') { quoted = true; any = true; }
            else if (c == ',') { row.add(cell.toString()); cell.setLength(0); any = true; }
            else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') i++;
                if (any || cell.length() > 0) { row.add(cell.toString()); all.add(row); }
                row = new ArrayList<>();
                cell.setLength(0);
                any = false;
            } else { cell.append(c); any = true; }
        }
        if (quoted) throw new IllegalArgumentException(file + ": unterminated quoted field at the end");
        if (any || cell.length() > 0) { row.add(cell.toString()); all.add(row); }
        if (all.isEmpty()) throw new IllegalArgumentException(file + ": empty CSV (no header)");
        List<String> header = all.get(0);
        for (int i = 1; i < all.size(); i++)
            if (all.get(i).size() != header.size())
                throw new IllegalArgumentException(file + ": line " + (i + 1) + " has " + all.get(i).size() + " fields, the header " + header.size());
        return new Csv(header, all.subList(1, all.size()));
    }
}
