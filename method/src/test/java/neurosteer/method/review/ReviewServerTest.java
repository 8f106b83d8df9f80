package neurosteer.method.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import neurosteer.data.Problem;
import neurosteer.method.contrast.ContrastStep;
import neurosteer.method.run.Jsonl;
import neurosteer.method.run.RunFolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReviewServerTest {
    static final String TRICKY_CHAIN = "Since a<b && b>c, </pre><script>alert(1)</script> so \\frac{1}{2} & done: \\boxed{3}";
    static final String TRICKY_QUESTION = "Let x<y & \"z\" = 'w'. Find \\sqrt{4}.";

    @TempDir
    Path dir;
    RunFolder run;
    ReviewServer server;
    final HttpClient client = HttpClient.newHttpClient();

    @BeforeEach
    void writeRun() throws Exception {
        run = new RunFolder(dir.resolve("run"));
        Files.createDirectories(run.root());
        try (Jsonl.Appender out = new Jsonl.Appender(run.samples())) {
            out.append(sample("algebra/1", 0, "Algebra", true, TRICKY_CHAIN));
            out.append(sample("algebra/1", 1, "Algebra", false, "wrong <answer> \\boxed{4}"));
            out.append(sample("algebra/1", 2, "Algebra", true, "plain right chain \\boxed{3}"));
            out.append(sample("geometry/7", 0, "Geometry", true, "area is 2 \\boxed{2}"));
            out.append(sample("geometry/8", 0, "Geometry", false, "never right"));
        }
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    static Map<String, Object> sample(String id, int sample, String subject, boolean correct, String completion) {
        return Map.of("problem_id", id, "sample", sample, "subject", subject, "level", 2, "gold", "3", "extracted", correct ? "3" : "4",
                "correct", correct, "completion", completion);
    }

    List<Problem> problems() {
        return List.of(new Problem("algebra/1", TRICKY_QUESTION, "3", "We have <this> & \\boxed{3}.", "Algebra", 2, Problem.Kind.MATH, null),
                new Problem("geometry/7", "A square of side \\sqrt2.", "2", "side^2 = 2", "Geometry", 1, Problem.Kind.MATH, null));
    }

    HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri().resolve(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String body) throws Exception {
        return client.send(HttpRequest.newBuilder(server.uri().resolve("/api/mark")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void pageShowsEscapedChainsBesideProblemAndGoldSolution() throws Exception {
        server = ReviewServer.start(run, problems(), 0);
        assertTrue(server.port() > 0);
        HttpResponse<String> page = get("/");
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        String html = page.body();
        assertTrue(html.contains(ReviewPage.escape(TRICKY_CHAIN)), "chain text, escaped");
        assertTrue(html.contains("Since a&lt;b &amp;&amp; b&gt;c, &lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertFalse(html.contains("<script>alert(1)"), "raw markup from a completion must not reach the page");
        assertTrue(html.contains("Let x&lt;y &amp; &quot;z&quot; = &#39;w&#39;. Find \\sqrt{4}."), "problem text, escaped");
        assertTrue(html.contains("We have &lt;this&gt; &amp; \\boxed{3}."), "gold solution, escaped");
        assertTrue(html.contains("plain right chain"));
        assertTrue(html.contains("area is 2"));
        assertFalse(html.contains("wrong &lt;answer&gt;"), "wrong-answer chains are not listed");
        assertFalse(html.contains("never right"));
        assertFalse(html.contains("src=\"http") || html.contains("href=\"http"), "no external resources");
        assertTrue(html.contains("<option value=\"Geometry\">"), "subject filter");

        JsonNode chains = Jsonl.JSON.readTree(get("/api/chains").body());
        assertEquals(3, chains.path("chains").asInt());
        assertEquals(2, chains.path("problems").size());
        JsonNode algebra = chains.path("problems").get(0);
        assertEquals("algebra/1", algebra.path("problem_id").asText());
        assertEquals(TRICKY_QUESTION, algebra.path("question").asText());
        assertEquals(3, algebra.path("samples").asInt());
        assertEquals(List.of(0, 2), List.of(algebra.path("chains").get(0).path("sample").asInt(), algebra.path("chains").get(1).path("sample").asInt()));
        assertEquals(TRICKY_CHAIN, algebra.path("chains").get(0).path("completion").asText());
        assertTrue(algebra.path("chains").get(0).path("mark").isNull());
    }

    @Test
    void marksAreAppendedAtOnceAndTheLastOneWins() throws Exception {
        server = ReviewServer.start(run, problems(), 0);
        HttpResponse<String> r = post("{\"problem_id\":\"algebra/1\",\"sample\":0,\"flawed\":true,\"note\":\"skips a step <b>\"}");
        assertEquals(200, r.statusCode(), r.body());
        List<String> lines = Files.readAllLines(run.review());
        assertEquals(1, lines.size(), "written before the answer, one line per mark");
        JsonNode line = Jsonl.JSON.readTree(lines.get(0));
        assertEquals("algebra/1", line.path("problem_id").asText());
        assertEquals(0, line.path("sample").asInt());
        assertTrue(line.path("flawed").asBoolean());
        assertEquals("skips a step <b>", line.path("note").asText());
        assertFalse(line.path("time").asText().isEmpty());
        assertEquals(Set.of("algebra/1#0"), ContrastStep.flawed(run));

        assertEquals(200, post("{\"problem_id\":\"geometry/7\",\"sample\":0,\"flawed\":true}").statusCode());
        assertEquals(Set.of("algebra/1#0", "geometry/7#0"), ContrastStep.flawed(run));
        assertEquals(200, post("{\"problem_id\":\"algebra/1\",\"sample\":0,\"flawed\":false}").statusCode());
        assertEquals(3, Files.readAllLines(run.review()).size());
        assertEquals(Set.of("geometry/7#0"), ContrastStep.flawed(run), "the last mark wins");

        String html = get("/").body();
        assertTrue(html.contains("data-problem=\"geometry/7\" data-sample=\"0\" data-state=\"flawed\""), "reloading shows current marks");
        assertTrue(html.contains("data-problem=\"algebra/1\" data-sample=\"0\" data-state=\"sound\""));
        assertTrue(html.contains("data-problem=\"algebra/1\" data-sample=\"2\" data-state=\"unreviewed\""));
        JsonNode chains = Jsonl.JSON.readTree(get("/api/chains").body());
        assertEquals(2, chains.path("reviewed").asInt());
        assertEquals(1, chains.path("flawed").asInt());

        server.close();
        server = ReviewServer.start(run, problems(), 0);
        String again = get("/").body();
        assertTrue(again.contains("data-problem=\"geometry/7\" data-sample=\"0\" data-state=\"flawed\""), "marks survive a restart");
        assertEquals(Set.of("geometry/7#0"), ContrastStep.flawed(run));
    }

    @Test
    void badRequestsAreRefusedWithAMessageAndWriteNothing() throws Exception {
        server = ReviewServer.start(run, problems(), 0);
        record Case(String body, int status, String says) {}
        for (Case c : List.of(
                new Case("{not json", 400, "malformed JSON"),
                new Case("[1,2]", 400, "JSON object"),
                new Case("{\"sample\":0,\"flawed\":true}", 400, "problem_id"),
                new Case("{\"problem_id\":\"algebra/1\",\"sample\":\"zero\",\"flawed\":true}", 400, "'sample'"),
                new Case("{\"problem_id\":\"algebra/1\",\"sample\":0,\"flawed\":\"yes\"}", 400, "'flawed'"),
                new Case("{\"problem_id\":\"algebra/1\",\"sample\":0,\"flawed\":true,\"note\":5}", 400, "'note'"),
                new Case("{\"problem_id\":\"algebra/1\",\"sample\":1,\"flawed\":true}", 400, "wrong answer"),
                new Case("{\"problem_id\":\"algebra/1\",\"sample\":9,\"flawed\":true}", 404, "no sample 9"),
                new Case("{\"problem_id\":\"nope/3\",\"sample\":0,\"flawed\":true}", 404, "nope/3"))) {
            HttpResponse<String> r = post(c.body());
            assertEquals(c.status(), r.statusCode(), c.body() + " -> " + r.body());
            String error = Jsonl.JSON.readTree(r.body()).path("error").asText();
            assertTrue(error.contains(c.says()), c.body() + " -> " + error);
        }
        assertTrue(!Files.exists(run.review()) || Files.readAllLines(run.review()).isEmpty(), "no bad request wrote a mark");
        assertEquals(404, get("/nothing-here").statusCode());
        assertEquals(405, get("/api/mark").statusCode());
        HttpResponse<String> foreign = client.send(HttpRequest.newBuilder(server.uri().resolve("/api/mark")).header("Origin", "http://evil.example")
                .POST(HttpRequest.BodyPublishers.ofString("{\"problem_id\":\"algebra/1\",\"sample\":0,\"flawed\":true}")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, foreign.statusCode());
        assertTrue(ContrastStep.flawed(run).isEmpty());
    }

    @Test
    void missingOrMalformedSamplesSayWhichFile() throws Exception {
        RunFolder empty = new RunFolder(dir.resolve("empty"));
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> ReviewServer.start(empty, problems(), 0));
        assertTrue(missing.getMessage().contains(empty.samples().toString()) && missing.getMessage().contains("not found"), missing.getMessage());

        RunFolder bad = new RunFolder(dir.resolve("bad"));
        Files.createDirectories(bad.root());
        Files.writeString(bad.samples(), "{\"problem_id\":\"a\",\"sample\":0,\"correct\":true}\n{oops\n");
        Jsonl.BadRecordException e = assertThrows(Jsonl.BadRecordException.class, () -> ReviewServer.start(bad, problems(), 0));
        assertTrue(e.getMessage().contains(bad.samples() + ":2"), e.getMessage());
    }

    @Test
    void aProblemMissingFromTheProblemSetIsStillListed() throws Exception {
        server = ReviewServer.start(run, List.of(problems().get(0)), 0);
        String html = get("/").body();
        assertTrue(html.contains("area is 2"));
        assertTrue(html.contains("not in the problem set"));
        assertEquals(List.of("geometry/7"), server.chains().missingProblems());
    }

    @Test
    void newSamplesAppearWithoutARestart() throws Exception {
        server = ReviewServer.start(run, problems(), 0);
        assertEquals(404, post("{\"problem_id\":\"geometry/7\",\"sample\":1,\"flawed\":true}").statusCode());
        try (Jsonl.Appender out = new Jsonl.Appender(run.samples())) {
            out.append(sample("geometry/7", 1, "Geometry", true, "a later chain"));
        }
        Files.setLastModifiedTime(run.samples(), java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertTrue(get("/").body().contains("a later chain"));
        assertEquals(200, post("{\"problem_id\":\"geometry/7\",\"sample\":1,\"flawed\":true}").statusCode());
    }

    @Test
    void portInUseIsAClearError() throws Exception {
        server = ReviewServer.start(run, problems(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReviewServer.start(run, problems(), server.port()));
        assertTrue(e.getMessage().contains("--port"), e.getMessage());
    }


    @Test
    void pageScriptIsValidJavaScript() throws Exception {
        server = ReviewServer.start(run, problems(), 0);
        String html = get("/").body();
        int start = html.indexOf("<script>"), end = html.indexOf("</script>", start);
        assertTrue(start > 0 && end > start, "the page carries its script inline");
        assertFalse(html.contains("<script src") || html.contains("<link"), "nothing fetched from elsewhere");
        Path js = dir.resolve("page.js");
        Files.writeString(js, html.substring(start + "<script>".length(), end));
        Process node;
        try {
            node = new ProcessBuilder("node", "--check", js.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            assumeTrue(false, "node is not on PATH");
            return;
        }
        assertTrue(node.waitFor(30, TimeUnit.SECONDS), "node --check finishes");
        String said = new String(node.getInputStream().readAllBytes());
        assertEquals(0, node.exitValue(), "node --check: " + said);
    }

    /** Runs the page's script in a real browser when Debian's chromium is installed (nothing is installed for this test). */
    @Test
    void chromiumRendersThePageAndRunsItsScript() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(Files.isExecutable(chromium), "/usr/bin/chromium is not installed");
        server = ReviewServer.start(run, problems(), 0);
        assertEquals(200, post("{\"problem_id\":\"geometry/7\",\"sample\":0,\"flawed\":true}").statusCode());
        Path profile = Files.createDirectories(dir.resolve("chromium-profile"));
        Path shot = dir.resolve("review.png");
        Process dump = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile,
                "--virtual-time-budget=3000", "--dump-dom", server.uri().toString()).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String dom = new String(dump.getInputStream().readAllBytes());
        assertTrue(dump.waitFor(60, TimeUnit.SECONDS));
        assertTrue(dom.contains("3 chains · 1 reviewed · 1 flawed"), "the script filled in the counts: " + dom.substring(0, Math.min(400, dom.length())));
        assertFalse(dom.contains("<script>alert(1)"), "a completion's markup stays text");
        Process screenshot = new ProcessBuilder(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=" + profile,
                "--window-size=1200,900", "--screenshot=" + shot, server.uri().toString()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertTrue(screenshot.waitFor(60, TimeUnit.SECONDS));
        assertTrue(Files.isRegularFile(shot) && Files.size(shot) > 1000, "chromium wrote a screenshot of the page");
    }
}
