package neurosteer.method.collect;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.method.run.Jsonl;
import neurosteer.method.run.Progress;
import neurosteer.method.run.RunFolder;

/**
 * METHOD §2: the teacher-forced pass over {@code contrast.jsonl}, streamed into statistics. With a
 * shard {@code i/n} it takes every n-th trajectory from the i-th; {@link #merge} sums shards into
 * the file an unsharded run would write. Saves partial statistics as it goes, so an interrupted run
 * resumes after the last saved trajectory.
 */
public final class CollectStep {
    public record Settings(boolean includePrompt, int maxRowsPerBatch, long halvesSeed, int shardIndex, int shardCount, int saveEvery) {}

    private CollectStep() {}

    public static List<Trajectory> trajectories(RunFolder run, int shardIndex, int shardCount) {
        if (!Files.exists(run.contrast())) throw new IllegalArgumentException(run.contrast() + " not found: run the contrast step first");
        List<Trajectory> out = new ArrayList<>();
        int i = 0;
        for (ObjectNode n : Jsonl.readValues(run.contrast())) {
            if (i++ % shardCount != shardIndex) continue;
            int[] prompt = ints(n.path("prompt_tokens")), completion = ints(n.path("completion_tokens"));
            int[] all = new int[prompt.length + completion.length];
            System.arraycopy(prompt, 0, all, 0, prompt.length);
            System.arraycopy(completion, 0, all, prompt.length, completion.length);
            out.add(new Trajectory(n.path("id").asText(), all, prompt.length, n.path("high").asBoolean(),
                    n.path("subject").isNull() ? null : n.path("subject").asText()));
        }
        return out;
    }

    private static int[] ints(com.fasterxml.jackson.databind.JsonNode arr) {
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) out[i] = arr.get(i).asInt();
        return out;
    }

    public static Path output(RunFolder run, Settings s) {
        return s.shardCount() == 1 ? run.stats() : run.statsShard(s.shardIndex(), s.shardCount());
    }

    /** Runs (or resumes) the pass; returns the statistics file. */
    public static Path run(Model model, RunFolder run, Settings s, Map<String, String> provenance, PrintStream log) {
        Path out = output(run, s);
        if (Files.exists(out)) {
            if (log != null) log.println("collect: " + out + " exists; nothing to do");
            return out;
        }
        List<Trajectory> all = trajectories(run, s.shardIndex(), s.shardCount());
        Path partial = run.statsPartial(out.getFileName().toString().replace(".safetensors", ""));
        StatsSet stats;
        int done = 0;
        if (Files.exists(partial)) {
            stats = StatsSet.load(partial);
            done = Integer.parseInt(stats.metadata().getOrDefault("neurosteer.done", "0"));
        } else {
            stats = new StatsSet(model.config().numLayers(), model.config().intermediateSize());
        }
        stats.metadata().putAll(provenance);
        stats.metadata().put("neurosteer.contrast_sha256", neurosteer.data.Datasets.hash(run.contrast()));
        stats.metadata().put("neurosteer.include_prompt", Boolean.toString(s.includePrompt()));
        stats.metadata().put("neurosteer.halves_seed", Long.toString(s.halvesSeed()));
        stats.metadata().put("neurosteer.shard", s.shardIndex() + "/" + s.shardCount());
        Collector collector = new Collector(model.transformer(), s.includePrompt(), s.maxRowsPerBatch(), s.halvesSeed());
        Progress progress = new Progress("collect", all.size(), done, log);
        try {
            for (int start = done; start < all.size(); start += s.saveEvery()) {
                List<Trajectory> chunk = all.subList(start, Math.min(all.size(), start + s.saveEvery()));
                collector.collect(chunk, stats, n -> {});
                long tokens = chunk.stream().mapToLong(t -> t.tokens().length).sum();
                done = start + chunk.size();
                stats.metadata().put("neurosteer.done", Integer.toString(done));
                stats.save(partial);
                progress.advance(chunk.size(), tokens);
            }
            stats.metadata().remove("neurosteer.done");
            stats.metadata().put("neurosteer.trajectories", Integer.toString(all.size()));
            stats.save(out);
            Files.deleteIfExists(partial);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + partial + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** Sums shard files into {@code out}; shapes and settings must agree. */
    public static StatsSet merge(List<Path> shards, Path out) {
        StatsSet total = null;
        String include = null;
        for (Path p : shards) {
            StatsSet s = StatsSet.load(p);
            String inc = s.metadata().get("neurosteer.include_prompt");
            if (total == null) {
                total = new StatsSet(s.layers(), s.width());
                total.metadata().putAll(s.metadata());
                include = inc;
            } else if (inc != null && !inc.equals(include)) {
                throw new IllegalArgumentException(p + ": collected with include_prompt=" + inc + ", the other shards with " + include);
            }
            total.merge(s);
        }
        if (total == null) throw new IllegalArgumentException("no shard files to merge");
        total.metadata().remove("neurosteer.shard");
        total.metadata().put("neurosteer.merged_from", shards.size() + " shards");
        try {
            total.save(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return total;
    }
}
