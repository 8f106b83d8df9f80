package neurosteer.method.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import neurosteer.data.Problem;
import neurosteer.method.run.Jsonl;
import neurosteer.method.run.RunFolder;

/**
 * A local web page for reviewing a run's right-answer chains (METHOD §1.4's optional review), bound to
 * 127.0.0.1. {@code GET /} is the page, {@code GET /api/chains} the same content as JSON, and
 * {@code POST /api/mark} with {@code {"problem_id", "sample", "flawed", "note"?}} appends one mark to
 * review.jsonl, flushed before the answer, so a killed server loses nothing.
 */
public final class ReviewServer implements AutoCloseable {
    private static final int MAX_BODY = 1 << 20;

    private final RunFolder run;
    private final Map<String, Problem> problems;
    private final HttpServer http;
    private final ExecutorService executor;
    private final Jsonl.Appender marks;
    private ReviewChains chains;
    private long samplesStamp;

    private ReviewServer(RunFolder run, List<Problem> problems, int port) throws IOException {
        this.run = run;
        this.problems = new HashMap<>();
        for (Problem p : problems) this.problems.put(p.id(), p);
        this.chains = ReviewChains.load(run, this.problems);
        this.samplesStamp = stamp();
        Mark.current(run);
        this.http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        try {
            this.marks = new Jsonl.Appender(run.review());
        } catch (RuntimeException e) {
            http.stop(0);
            throw e;
        }
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "neurosteer-review");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        http.createContext("/", this::handle);
    }

    /**
     * Serves {@code run} on 127.0.0.1:{@code port} (0: any free port). Fails with a clear message when
     * samples.jsonl is missing or malformed, or review.jsonl is malformed.
     */
    public static ReviewServer start(RunFolder run, List<Problem> problems, int port) {
        ReviewServer s;
        try {
            s = new ReviewServer(run, problems, port);
        } catch (java.net.BindException e) {
            throw new IllegalArgumentException("cannot listen on 127.0.0.1:" + port + " (" + e.getMessage() + "); pick another --port, or 0 for any free one", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the review server: " + e.getMessage(), e);
        }
        s.http.start();
        return s;
    }

    public int port() { return http.getAddress().getPort(); }

    public URI uri() { return URI.create("http://127.0.0.1:" + port() + "/"); }

    /** The chains as loaded now (reloaded when samples.jsonl changes). */
    public synchronized ReviewChains chains() {
        long now = stamp();
        if (now != samplesStamp) {
            chains = ReviewChains.load(run, problems);
            samplesStamp = now;
        }
        return chains;
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
        marks.close();
    }

    private long stamp() {
        try {
            return Files.getLastModifiedTime(run.samples()).toMillis() * 31 + Files.size(run.samples());
        } catch (IOException e) {
            return -1;
        }
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            route(ex);
        }
    }

    private void route(HttpExchange ex) throws IOException {
        try {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            if (!isLoopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
                error(ex, 403, "this server only answers requests for 127.0.0.1 or localhost");
                return;
            }
            switch (path) {
                case "/", "/index.html" -> {
                    if (!method.equals("GET")) { notAllowed(ex, "GET"); return; }
                    send(ex, 200, "text/html; charset=utf-8", ReviewPage.render(run.root().toString(), chains(), Mark.current(run)));
                }
                case "/api/chains" -> {
                    if (!method.equals("GET")) { notAllowed(ex, "GET"); return; }
                    send(ex, 200, "application/json", Jsonl.JSON.writeValueAsString(chainsJson(chains(), Mark.current(run))));
                }
                case "/api/mark" -> {
                    if (!method.equals("POST")) { notAllowed(ex, "POST"); return; }
                    String origin = ex.getRequestHeaders().getFirst("Origin");
                    if (origin != null && !origin.equals("http://" + ex.getRequestHeaders().getFirst("Host"))) {
                        error(ex, 403, "marks are only accepted from the review page itself, not from " + origin);
                        return;
                    }
                    mark(ex);
                }
                default -> error(ex, 404, "no such page: " + path + " (the page is /, the API /api/chains and /api/mark)");
            }
        } catch (RuntimeException e) {
            error(ex, 500, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void mark(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            error(ex, 413, "the body is larger than " + MAX_BODY + " bytes");
            return;
        }
        Mark m;
        try {
            JsonNode node = Jsonl.JSON.readTree(new String(body, StandardCharsets.UTF_8));
            m = Mark.fromRequest(node, Instant.now().toString());
        } catch (JsonProcessingException e) {
            error(ex, 400, "malformed JSON body: " + e.getOriginalMessage());
            return;
        } catch (IllegalArgumentException e) {
            error(ex, 400, e.getMessage());
            return;
        }
        Boolean correct = chains().correctByKey().get(m.key());
        if (correct == null) {
            error(ex, 404, "no sample " + m.sample() + " of problem '" + m.problemId() + "' in " + run.samples());
            return;
        }
        if (!correct) {
            error(ex, 400, "sample " + m.sample() + " of problem '" + m.problemId() + "' has a wrong answer; only right-answer chains are reviewed");
            return;
        }
        marks.append(m);
        send(ex, 200, "application/json", Jsonl.JSON.writeValueAsString(m));
    }

    static Map<String, Object> chainsJson(ReviewChains chains, Map<String, Mark> marks) {
        List<Object> groups = new ArrayList<>();
        int reviewed = 0, flawed = 0;
        for (ReviewChains.Group g : chains.groups()) {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("problem_id", g.problemId());
            o.put("subject", g.subject());
            o.put("level", g.level());
            o.put("question", g.problem() == null ? null : g.problem().question());
            o.put("gold_solution", g.problem() == null ? null : g.problem().goldSolution());
            o.put("gold", g.gold());
            o.put("samples", g.samples());
            List<Object> list = new ArrayList<>();
            for (ReviewChains.Chain c : g.right()) {
                Map<String, Object> co = new LinkedHashMap<>();
                co.put("sample", c.sample());
                co.put("extracted", c.extracted());
                co.put("completion", c.completion());
                Mark m = marks.get(c.key());
                co.put("mark", m);
                if (m != null) {
                    reviewed++;
                    if (m.flawed()) flawed++;
                }
                list.add(co);
            }
            o.put("chains", list);
            groups.add(o);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("chains", chains.chainCount());
        out.put("reviewed", reviewed);
        out.put("flawed", flawed);
        out.put("problems", groups);
        return out;
    }

    private static boolean isLoopbackHost(String host) {
        if (host == null) return true;
        String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1) : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
        return name.equals("127.0.0.1") || name.equals("localhost") || name.equals("[::1]");
    }

    private static void notAllowed(HttpExchange ex, String allowed) throws IOException {
        ex.getResponseHeaders().set("Allow", allowed);
        error(ex, 405, ex.getRequestMethod() + " is not allowed on " + ex.getRequestURI().getPath() + "; use " + allowed);
    }

    private static void error(HttpExchange ex, int status, String message) throws IOException {
        send(ex, status, "application/json", Jsonl.JSON.writeValueAsString(Map.of("error", message)));
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
