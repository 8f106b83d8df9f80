package neurosteer.method.collect;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.format.safetensors.SafetensorsFile;
import neurosteer.engine.format.safetensors.SafetensorsWriter;

/**
 * Neuron statistics for named groups of trajectories: {@code all/high}, {@code all/low}, the random
 * halves {@code half0/high} … (for the same-quality control of Figure 3a) and per subject
 * {@code subject=Algebra/high} …. Saved as safetensors (F64 {@code [layers, width]} per group and field)
 * with the counts and the provenance in the metadata.
 */
public final class StatsSet {
    public static final String HIGH = "high", LOW = "low";

    private final int layers, width;
    private final Map<String, NeuronStats> groups = new TreeMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public StatsSet(int layers, int width) {
        this.layers = layers;
        this.width = width;
    }

    public int layers() { return layers; }

    public int width() { return width; }

    public static String key(String scope, boolean high) { return scope + "/" + (high ? HIGH : LOW); }

    public NeuronStats group(String key) { return groups.computeIfAbsent(key, k -> new NeuronStats(layers, width)); }

    public NeuronStats find(String key) { return groups.get(key); }

    public Map<String, NeuronStats> groups() { return Collections.unmodifiableMap(groups); }

    public Map<String, String> metadata() { return metadata; }

    public void merge(StatsSet other) {
        if (other.layers != layers || other.width != width)
            throw new IllegalArgumentException("statistics shapes differ: " + other.layers + "x" + other.width + " vs " + layers + "x" + width);
        other.groups.forEach((k, v) -> group(k).merge(v));
    }

    public void save(Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter();
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        for (var e : groups.entrySet()) {
            counts.put(e.getKey(), Map.of("trajectories", e.getValue().trajectories(), "tokens", e.getValue().tokens()));
            for (NeuronStats.Field f : NeuronStats.Field.values())
                w.addF64(e.getKey() + "." + f.name().toLowerCase(), e.getValue().sums(f), layers, width);
        }
        ObjectMapper json = new ObjectMapper();
        w.metadata("neurosteer.groups", json.writeValueAsString(counts));
        w.metadata("neurosteer.shape", layers + "x" + width);
        metadata.forEach(w::metadata);
        w.write(file);
    }

    public static StatsSet load(Path file) {
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            String shape = f.metadata().get("neurosteer.shape");
            String groupsJson = f.metadata().get("neurosteer.groups");
            if (shape == null || groupsJson == null)
                throw new CheckpointException(file, "__metadata__", "not a neurosteer statistics file (no neurosteer.shape / neurosteer.groups)");
            String[] lw = shape.split("x");
            StatsSet set = new StatsSet(Integer.parseInt(lw[0]), Integer.parseInt(lw[1]));
            Map<String, Map<String, Long>> counts = new ObjectMapper().readValue(groupsJson, new TypeReference<>() {});
            for (var e : counts.entrySet()) {
                NeuronStats s = set.group(e.getKey());
                for (NeuronStats.Field field : NeuronStats.Field.values()) {
                    String name = e.getKey() + "." + field.name().toLowerCase();
                    s.restore(field, f.doubles(name), e.getValue().get("trajectories"), e.getValue().get("tokens"));
                }
            }
            f.metadata().forEach((k, v) -> {
                if (!k.equals("neurosteer.groups") && !k.equals("neurosteer.shape")) set.metadata.put(k, v);
            });
            return set;
        } catch (IOException e) {
            throw new CheckpointException(file, "__metadata__", "unreadable statistics metadata: " + e.getMessage(), e);
        }
    }
}
