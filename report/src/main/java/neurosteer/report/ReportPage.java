package neurosteer.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import neurosteer.method.run.RunFolder;

/**
 * {@code RUN/report/index.html}: one self-contained page (images as data URIs, no network) with every
 * table and figure present in the run folder, a one-line reading of each, and the model, data and
 * settings; figures also as {@code report/figures/*.png|svg}, tables as {@code report/tables/*.csv}.
 */
public final class ReportPage {
    public record Table(String id, String title, Path csv, String command, String reading) {
        public boolean present() { return csv != null && Files.exists(csv); }
    }

    public record Result(Path html, List<Figures.Figure> figures, List<Table> tables) {}

    private ReportPage() {}

    public static Result write(RunFolder run) {
        Path root = run.root(), report = root.resolve("report"), figDir = report.resolve("figures"), tabDir = report.resolve("tables");
        Path exp = Analysis.dir(run);
        List<Figures.Figure> figures = Figures.drawAll(exp, figDir);
        List<Table> tables = tables(run);
        try {
            Files.createDirectories(tabDir);
            for (Table t : tables) if (t.present()) Files.copy(t.csv(), tabDir.resolve(t.id() + ".csv"), StandardCopyOption.REPLACE_EXISTING);
            Path html = report.resolve("index.html");
            Files.writeString(html, html(run, figures, tables), StandardCharsets.UTF_8);
            return new Result(html, figures, tables);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report under " + report + ": " + e.getMessage(), e);
        }
    }

    static List<Table> tables(RunFolder run) {
        Path exp = Analysis.dir(run);
        List<Table> t = new ArrayList<>();
        t.add(new Table("table1", "Table 1: accuracy per subject of greedy decoding, the baselines and ours, with McNemar's p and the 95% paired interval against greedy",
                run.table1Csv(), "neurosteer study --run RUN", table1Reading(run.table1Csv())));
        List<Path> general = new ArrayList<>();
        if (Files.isDirectory(exp)) {
            try (Stream<Path> s = Files.list(exp)) {
                general.addAll(s.filter(p -> p.getFileName().toString().startsWith("general-")).sorted().toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (general.isEmpty())
            t.add(new Table("table2-general", "Tables 2 and 4: general benchmarks (CommonsenseQA, StrategyQA, MMLU) with and without the intervention", null,
                    "neurosteer general --test P --run RUN", null));
        for (Path g : general) {
            String name = g.getFileName().toString().replaceFirst("\\.csv$", "");
            t.add(new Table(name, "Tables 2/4: " + name.substring("general-".length()) + " with and without the intervention", g,
                    "neurosteer general --test P --run RUN", generalReading(g)));
        }
        t.add(new Table("table5-domains", "Table 5: domain-specific neurons S_d \\ ∪ S_d' per subject", exp.resolve("table5-domains.csv"),
                "neurosteer analyze RUN", null));
        t.add(new Table("table6-tokens", "Table 6: top tokens of the strongest selected neurons through the unembedding", exp.resolve("table6-tokens.csv"),
                "neurosteer analyze RUN", null));
        return t;
    }

    private static String table1Reading(Path csv) {
        if (!Files.exists(csv)) return null;
        Csv c = Csv.read(csv);
        for (List<String> r : c.rows())
            if (r.get(0).equals("ours")) {
                int avg = c.header().indexOf("Avg"), p = c.header().indexOf("McNemar p");
                return "Ours: Avg " + (avg >= 0 ? r.get(avg) : "?") + (p >= 0 && !r.get(p).isEmpty() ? ", McNemar p = " + r.get(p) + " against greedy" : "")
                        + "; compare the random rows for what any neurons of that count do.";
            }
        return null;
    }

    private static String generalReading(Path csv) {
        Csv c = Csv.read(csv);
        StringBuilder b = new StringBuilder();
        for (List<String> r : c.rows()) {
            if (b.length() > 0) b.append("; ");
            b.append(c.get(r, "method")).append(' ').append(Figures.pct(c.number(r, "accuracy")));
        }
        return b.append('.').toString();
    }

    static String esc(String s) {
        if (s == null) return "";
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    static String html(RunFolder run, List<Figures.Figure> figures, List<Table> tables) throws IOException {
        StudyInfo info = StudyInfo.read(run);
        String runName = run.root().toAbsolutePath().normalize().toString();
        StringBuilder b = new StringBuilder();
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>neurosteer report: ").append(esc(run.root().getFileName() + ""))
                .append("</title>\n<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}"
                        + "table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #bbb;padding:.2em .5em;text-align:right}"
                        + "th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}figure{margin:1.5em 0}img{max-width:100%;border:1px solid #eee}"
                        + ".reading{font-style:italic}.missing{color:#a33}code{background:#f4f4f4;padding:0 .2em}.scroll{overflow-x:auto;max-height:40em}</style></head><body>\n");
        b.append("<h1>neurosteer report</h1>\n<p>Run folder <code>").append(esc(runName)).append("</code></p>\n");
        b.append("<h2>Model, data and settings</h2>\n");
        if (info.present()) {
            JsonNode j = info.json();
            b.append("<table class=\"settings\"><tr><th>what</th><th>value</th></tr>\n");
            row(b, "model", j.path("model").asText() + " (" + j.path("model_path").asText() + ")");
            row(b, "model fingerprint", j.path("model_fingerprint").asText());
            row(b, "train data", j.path("train").asText() + " (hash " + j.path("train_hash").asText() + ", limit " + j.path("train_limit").asText() + ")");
            row(b, "test data", j.path("test").asText() + " (hash " + j.path("test_hash").asText() + ", limit " + j.path("test_limit").asText() + ")");
            row(b, "seed", j.path("seed").asText());
            JsonNode s = j.path("settings");
            row(b, "sampling", s.path("sampling").toString());
            row(b, "selection", String.format(Locale.ROOT, "θ = %s, top fraction %s, ε = %s, norm %s", Csv.num(info.theta()), Csv.num(info.topFraction()),
                    info.epsilon() > 0 ? Csv.num(info.epsilon()) : "auto", info.norm().name().toLowerCase(Locale.ROOT)));
            row(b, "intervention", "α = " + Csv.num(info.alpha()) + ", positions " + s.path("positions").asText("ALL").toLowerCase(Locale.ROOT)
                    + ", random seeds " + info.randomSeeds());
            row(b, "greedy evaluation", "max new tokens " + info.maxNewTokens());
            b.append("</table>\n");
        } else {
            b.append("<p class=\"missing\">No study.json in this run folder: not run (<code>neurosteer study --run RUN</code>).</p>\n");
        }
        List<String> missing = new ArrayList<>();
        b.append("<h2>Tables</h2>\n");
        for (Table t : tables) {
            if (!t.present()) { missing.add(t.title() + " — not run (<code>" + esc(t.command().replace("RUN", runName)) + "</code>)"); continue; }
            Csv c = Csv.read(t.csv());
            b.append("<section id=\"").append(t.id()).append("\"><h3>").append(esc(t.title())).append("</h3>\n");
            if (t.reading() != null) b.append("<p class=\"reading\">").append(esc(t.reading())).append("</p>\n");
            b.append("<div class=\"scroll\"><table class=\"data\" data-table=\"").append(t.id()).append("\"><thead><tr>");
            for (String h : c.header()) b.append("<th>").append(esc(h)).append("</th>");
            b.append("</tr></thead><tbody>\n");
            for (List<String> r : c.rows()) {
                b.append("<tr>");
                for (String v : r) b.append("<td>").append(esc(v)).append("</td>");
                b.append("</tr>\n");
            }
            b.append("</tbody></table></div><p><a href=\"tables/").append(t.id()).append(".csv\">CSV</a></p></section>\n");
        }
        b.append("<h2>Figures</h2>\n");
        for (Figures.Figure f : figures) {
            if (!f.drawn()) { missing.add(f.title() + " — not run (<code>" + esc(f.command().replace("RUN", runName)) + "</code>)"); continue; }
            String data = Base64.getEncoder().encodeToString(Files.readAllBytes(f.png()));
            b.append("<figure id=\"").append(f.id()).append("\"><img alt=\"").append(esc(f.title())).append("\" width=\"").append(Figures.WIDTH)
                    .append("\" height=\"").append(Figures.HEIGHT).append("\" src=\"data:image/png;base64,").append(data).append("\">\n<figcaption><b>")
                    .append(esc(f.title())).append("</b><br><span class=\"reading\">").append(esc(f.reading())).append("</span><br>data: ")
                    .append(esc(String.join(", ", f.sources()))).append(" · <a href=\"figures/").append(f.id()).append(".png\">PNG</a> · <a href=\"figures/")
                    .append(f.id()).append(".svg\">SVG</a></figcaption></figure>\n");
        }
        if (!missing.isEmpty()) {
            b.append("<h2>Not run</h2>\n<ul class=\"missing\">\n");
            for (String m : missing) b.append("<li>").append(m).append("</li>\n");
            b.append("</ul>\n");
        }
        b.append("<p><small>Written by neurosteer report. Tables as CSV under tables/, figures as PNG and SVG under figures/.</small></p>\n</body></html>\n");
        return b.toString();
    }

    private static void row(StringBuilder b, String k, String v) {
        b.append("<tr><td>").append(esc(k)).append("</td><td style=\"text-align:left\">").append(esc(v)).append("</td></tr>\n");
    }
}
