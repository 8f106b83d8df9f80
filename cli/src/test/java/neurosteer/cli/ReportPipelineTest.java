package neurosteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import neurosteer.method.select.NeuronSet;
import neurosteer.report.Csv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every experiment and the report on a small random-weight study (digit answers, so both quality
 * classes exist): the CSVs hold what they must, the page holds every figure and table, and a real
 * headless browser renders them.
 */
class ReportPipelineTest {
    @TempDir
    static Path dir;
    static Path model, train, test, run;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void setUp() throws Exception {
        DigitStudyFixture f = DigitStudyFixture.write(dir, 16, 10);
        model = f.model();
        train = f.train();
        test = f.test();
        run = dir.resolve("run");
        CommandsTest.Run r = CommandsTest.run("study", "--model", model.toString(), "--train", train.toString(), "--test", test.toString(),
                "--run", run.toString(), "--samples", "8", "--max-new-tokens", "16", "--temperature", "1.0", "--theta", "1.01", "--random-seeds", "1,2");
        assertEquals(0, r.code(), r.err());
    }

    static Csv csv(String name) { return Csv.read(run.resolve("experiments").resolve(name + ".csv")); }

    @Test
    void experimentsWriteWhatTheyMustAndTheReportShowsEverything() throws Exception {
        CommandsTest.Run empty = CommandsTest.run("report", run.toString());
        assertEquals(0, empty.code(), empty.err());
        String before = Files.readString(run.resolve("report/index.html"));
        assertTrue(before.contains("not run (<code>neurosteer analyze"), "missing experiments are listed with their command");
        assertTrue(before.contains("neurosteer sweep --param alpha"));
        assertTrue(before.contains("Tables 2 and 4") && before.contains("neurosteer general --test P"), "Tables 2/4 are listed as not run");

        CommandsTest.Run a = CommandsTest.run("analyze", run.toString(), "--top-neurons", "3", "--top-tokens", "4");
        assertEquals(0, a.code(), a.err());
        NeuronSet ours = NeuronSet.load(run.resolve("neurons/ours.json"));
        checkPerLayer(ours);
        checkOverlap(ours);
        checkHistogram();
        checkDomains();
        Csv tokens = csv("table6-tokens");
        assertEquals(3 * 4, tokens.rows().size());
        for (List<String> r : tokens.rows()) assertTrue(r.get(tokens.column("sign")).matches("[+-]"));

        CommandsTest.Run s = CommandsTest.run("sweep", "--run", run.toString(), "--param", "alpha", "--values", "0,1,1.5", "--random-seeds", "1,2");
        assertEquals(0, s.code(), s.err());
        Csv sweep = csv("sweep-alpha");
        assertEquals(3 * 3, sweep.rows().size());
        Map<String, Double> at1 = new HashMap<>();
        for (List<String> r : sweep.rows()) {
            assertEquals(ours.size(), (int) sweep.number(r, "k"));
            assertEquals(10, (int) sweep.number(r, "total"));
            double acc = sweep.number(r, "accuracy");
            assertTrue(acc >= 0 && acc <= 1);
            if (sweep.number(r, "alpha") == 1) at1.put(sweep.get(r, "set") + sweep.get(r, "seed"), acc);
        }
        // α = 1 leaves the model unchanged, so every set must give the greedy accuracy there.
        double greedy = neurosteer.eval.Accuracy.of(neurosteer.eval.EvalStep.results(run.resolve("eval/greedy.jsonl"))).pooled().accuracy();
        for (double v : at1.values()) assertEquals(greedy, v, 1e-12, "alpha = 1 must equal greedy: " + at1);
        long modified = Files.getLastModifiedTime(run.resolve("eval/" + sweep.get(sweep.rows().get(0), "eval_file"))).toMillis();
        assertEquals(0, CommandsTest.run("sweep", "--run", run.toString(), "--param", "alpha", "--values", "0,1,1.5", "--random-seeds", "1,2").code());
        assertEquals(modified, Files.getLastModifiedTime(run.resolve("eval/" + sweep.get(sweep.rows().get(0), "eval_file"))).toMillis(), "rerun must resume");

        CommandsTest.Run t = CommandsTest.run("sweep", "--run", run.toString(), "--param", "theta", "--values", "1.0,1.01,1.05");
        assertEquals(0, t.code(), t.err());
        Csv theta = csv("sweep-theta");
        assertEquals(3, theta.rows().size());
        assertTrue(theta.number(theta.rows().get(0), "k") >= theta.number(theta.rows().get(2), "k"), "K cannot grow with theta");
        assertEquals(ours.size(), (int) theta.number(theta.rows().get(1), "k"), "theta of the study gives our set");

        CommandsTest.Run d = CommandsTest.run("domains", run.toString());
        assertEquals(0, d.code(), d.err());
        Csv fig6 = csv("fig6-domains");
        assertEquals(List.of("suppressed", "k", "Algebra", "Prealgebra", "Avg"), fig6.header());
        assertEquals(3, fig6.rows().size());
        assertEquals(greedy, fig6.number(fig6.rows().get(0), "Avg"), 1e-12);

        CommandsTest.Run bad = CommandsTest.run("sweep", "--run", run.toString(), "--param", "beta", "--values", "1");
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("--param must be alpha or theta"), bad.err());

        CommandsTest.Run g = CommandsTest.run("general", "--run", run.toString(), "--test", test.toString(), "--name", "mini");
        assertEquals(0, g.code(), g.err());
        Csv general = csv("general-mini");
        assertEquals(List.of("greedy", "ours"), general.rows().stream().map(r -> general.get(r, "method")).toList());
        assertEquals(greedy, general.number(general.rows().get(0), "accuracy"), 1e-12, "the same greedy evaluation gives the same accuracy");
        assertEquals(ours.size(), (int) general.number(general.rows().get(1), "k"));

        CommandsTest.Run rep = CommandsTest.run("report", run.toString());
        assertEquals(0, rep.code(), rep.err());
        checkPage();
    }

    private static void checkPerLayer(NeuronSet ours) {
        Csv c = csv("fig3b-per-layer");
        int sum = 0;
        for (List<String> r : c.rows()) sum += (int) c.number(r, "ours");
        assertEquals(ours.size(), sum, "per-layer counts sum to K");
        assertTrue(ours.size() > 0);
        assertTrue(c.header().contains("random-1") && c.header().contains("wanda"));
    }

    private static void checkOverlap(NeuronSet ours) {
        Csv c = csv("fig4-overlap");
        Map<String, Double> last = new HashMap<>();
        for (List<String> r : c.rows()) {
            String layer = c.get(r, "layer");
            if (c.get(r, "rate").isEmpty()) { assertEquals(0, (int) c.number(r, "selected")); continue; }
            double rate = c.number(r, "rate");
            assertTrue(rate >= 0 && rate <= 1, "rate " + rate);
            Double prev = last.put(layer, rate);
            if (prev != null) assertTrue(rate >= prev, "overlap must grow with the top-% threshold, layer " + layer);
        }
        // Our set holds neurons that fire more on good chains; the top 50% by m⁺ must not be empty of them all.
        assertEquals(ours.size(), (int) c.rows().stream().filter(r -> c.get(r, "layer").equals("all") && c.get(r, "top_percent").equals("5"))
                .mapToDouble(r -> c.number(r, "selected")).sum());
    }

    private static void checkHistogram() {
        Csv c = csv("fig3a-ratio-histogram");
        long between = 0, control = 0;
        for (List<String> r : c.rows()) { between += (long) c.number(r, "between_classes"); control += (long) c.number(r, "control_halves"); }
        Csv s = csv("fig3a-summary");
        int neurons = (int) s.number(s.rows().get(0), "neurons");
        assertEquals(neurons, between);
        assertEquals(neurons, control);
        double controlMedian = s.number(s.rows().get(1), "median");
        assertEquals("control_halves", s.get(s.rows().get(1), "series"));
        assertTrue(Math.abs(controlMedian - 1) < 0.1, "the control's r is centred near 1, median " + controlMedian);
    }

    private static void checkDomains() {
        Csv c = csv("table5-domains");
        assertEquals(2, c.rows().size());
        for (List<String> r : c.rows()) {
            if (c.get(r, "selected").isEmpty()) continue;
            int sel = (int) c.number(r, "selected"), spec = (int) c.number(r, "specific"), shared = (int) c.number(r, "shared");
            assertEquals(sel, spec + shared);
            NeuronSet file = NeuronSet.load(run.resolve("neurons/domain-" + c.get(r, "subject").toLowerCase() + ".json"));
            assertEquals(spec, file.size());
        }
    }

    private static final List<String> FIGURES = List.of("fig2-alpha-sweep", "fig3a-ratio-histogram", "fig3b-per-layer", "fig4-overlap", "fig5a-theta-sweep",
            "fig5b-alpha-ours", "fig6-domains");
    private static final List<String> TABLES = List.of("table1", "general-mini", "table5-domains", "table6-tokens");

    private static void checkPage() throws Exception {
        Path html = run.resolve("report/index.html");
        String page = Files.readString(html);
        assertFalse(page.contains("http://") || page.contains("https://") || page.contains("src=\"figures/"), "the page must need no network and no other file");
        for (String f : FIGURES) {
            byte[] png = Files.readAllBytes(run.resolve("report/figures/" + f + ".png"));
            assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', f + ".png");
            String svg = Files.readString(run.resolve("report/figures/" + f + ".svg"));
            assertTrue(svg.contains("<svg") && svg.contains("</svg>"), f + ".svg");
            Matcher m = Pattern.compile("<figure id=\"" + f + "\"><img [^>]*src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"").matcher(page);
            assertTrue(m.find(), f + " is embedded in the page");
            assertTrue(java.util.Arrays.equals(png, Base64.getDecoder().decode(m.group(1))), f + ": the embedded image is the PNG file");
        }
        for (String t : TABLES) {
            assertTrue(Files.exists(run.resolve("report/tables/" + t + ".csv")), t);
            Matcher m = Pattern.compile("<table class=\"data\" data-table=\"" + t + "\">.*?<tbody>\\s*<tr>", Pattern.DOTALL).matcher(page);
            assertTrue(m.find(), t + " has rows in the page");
        }
        assertTrue(page.contains("model fingerprint"));
        assertFalse(page.contains("not run ("), "every experiment has been run");
        rendersInBrowser(page);
    }

    /** Opens a copy of the page with a check script in Debian's chromium and reads what rendered. */
    private static void rendersInBrowser(String page) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assertTrue(Files.isExecutable(chromium), "/usr/bin/chromium is needed (test.sh installs it: apt-get install -y chromium)");
        String script = "<script>window.addEventListener('load',()=>{const imgs=[...document.images];"
                + "const okI=imgs.filter(i=>i.complete&&i.naturalWidth>=700&&i.getBoundingClientRect().height>100).length;"
                + "const tabs=[...document.querySelectorAll('table.data')];const okT=tabs.filter(t=>t.rows.length>1&&t.getBoundingClientRect().height>20).length;"
                + "document.body.setAttribute('data-check','img '+okI+'/'+imgs.length+' table '+okT+'/'+tabs.length);});</script>";
        Path check = dir.resolve("check.html");
        Files.writeString(check, page.replace("</body>", script + "</body>"), StandardCharsets.UTF_8);
        Process p = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--virtual-time-budget=5000",
                "--user-data-dir=" + dir.resolve("chromium-profile"), "--dump-dom", check.toUri().toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        Matcher m = Pattern.compile("data-check=\"img (\\d+)/(\\d+) table (\\d+)/(\\d+)\"").matcher(dom);
        assertTrue(m.find(), "chromium did not run the check: " + dom.substring(0, Math.min(300, dom.length())));
        assertEquals(FIGURES.size(), Integer.parseInt(m.group(2)), "images in the page");
        assertEquals(m.group(2), m.group(1), "every image rendered");
        assertEquals(TABLES.size(), Integer.parseInt(m.group(4)), "tables in the page");
        assertEquals(m.group(4), m.group(3), "every table rendered");
    }
}
