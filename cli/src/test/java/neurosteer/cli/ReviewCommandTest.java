package neurosteer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import neurosteer.method.contrast.ContrastStep;
import neurosteer.method.run.RunFolder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ReviewCommandTest {
    @TempDir
    Path dir;

    @Test
    void servesTheRunUntilInterruptedAndSavesMarks() throws Exception {
        Path train = dir.resolve("train.jsonl");
        Files.writeString(train, """
                {"problem":"What is 1+2 when a<b?","solution":"Add: 1+2=\\\\boxed{3}.","subject":"Algebra","level":"Level 1","unique_id":"train/algebra/1.json"}
                """);
        RunFolder run = new RunFolder(dir.resolve("run"));
        Files.createDirectories(run.root());
        Files.writeString(run.samples(), """
                {"problem_id":"train/algebra/1.json","sample":0,"subject":"Algebra","level":1,"gold":"3","extracted":"3","correct":true,"completion":"1+2 & so <b> \\\\boxed{3}"}
                {"problem_id":"train/algebra/1.json","sample":1,"subject":"Algebra","level":1,"gold":"3","extracted":"4","correct":false,"completion":"\\\\boxed{4}"}
                """);

        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int[] code = {-1};
        Thread serving = new Thread(() -> code[0] = cl.execute("review", run.root().toString(), "--train", train.toString(), "--port", "0"));
        serving.setDaemon(true);
        serving.start();
        Pattern url = Pattern.compile("http://127\\.0\\.0\\.1:\\d+/");
        Matcher m = null;
        for (int i = 0; i < 200 && (m == null || !m.find()); i++) {
            Thread.sleep(50);
            m = url.matcher(out.toString());
        }
        assertTrue(m != null && m.find(0), "prints the URL; out: " + out + " err: " + err);
        URI base = URI.create(m.group());
        assertTrue(out.toString().contains("1 right-answer chains of 1 problems, 1 unreviewed"), out.toString());

        HttpClient client = HttpClient.newHttpClient();
        String html = client.send(HttpRequest.newBuilder(base).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertTrue(html.contains("What is 1+2 when a&lt;b?"), "problem text from --train");
        assertTrue(html.contains("Add: 1+2=\\boxed{3}."), "gold solution from --train");
        assertTrue(html.contains("1+2 &amp; so &lt;b&gt; \\boxed{3}"));
        JsonNode chains = new ObjectMapper().readTree(client.send(HttpRequest.newBuilder(base.resolve("/api/chains")).build(), HttpResponse.BodyHandlers.ofString()).body());
        assertEquals(1, chains.path("chains").asInt());

        HttpResponse<String> r = client.send(HttpRequest.newBuilder(base.resolve("/api/mark"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"problem_id\":\"train/algebra/1.json\",\"sample\":0,\"flawed\":true}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Set.of("train/algebra/1.json#0"), ContrastStep.flawed(run));

        serving.interrupt();
        serving.join(10_000);
        assertFalse(serving.isAlive(), "an interrupt stops the server");
        assertEquals(0, code[0]);
        assertEquals(1, Files.readAllLines(run.review()).size());
    }

    @Test
    void missingSamplesIsAOneLineError() {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter(), err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        Path empty = dir.resolve("no-run");
        int code = cl.execute("review", empty.toString(), "--port", "0");
        assertEquals(1, code);
        assertTrue(err.toString().contains(empty.resolve("samples.jsonl") + ": not found"), err.toString());
    }
}
