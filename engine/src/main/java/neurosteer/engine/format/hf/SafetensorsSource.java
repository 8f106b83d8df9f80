package neurosteer.engine.format.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import neurosteer.engine.format.CheckpointException;
import neurosteer.engine.format.TensorSource;
import neurosteer.engine.format.safetensors.SafetensorsFile;
import neurosteer.engine.tensor.Tensor;

/** The safetensors files of a Hugging Face folder: one file, shards with an index, or every *.safetensors. */
public final class SafetensorsSource implements TensorSource {
    private final Path folder;
    private final List<SafetensorsFile> files = new ArrayList<>();
    private final Map<String, SafetensorsFile> byName = new LinkedHashMap<>();

    public SafetensorsSource(Path folder) {
        this.folder = folder;
        try {
            Path index = folder.resolve("model.safetensors.index.json");
            Path single = folder.resolve("model.safetensors");
            if (Files.isRegularFile(index)) openIndexed(index);
            else if (Files.isRegularFile(single)) addFile(single);
            else {
                List<Path> all;
                try (Stream<Path> s = Files.list(folder)) {
                    all = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
                } catch (IOException e) {
                    throw new CheckpointException(folder, null, "cannot list: " + e.getMessage(), e);
                }
                if (all.isEmpty()) throw new CheckpointException(folder, null, "no model.safetensors, index or *.safetensors file");
                for (Path p : all) addFile(p);
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void openIndexed(Path index) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(index));
        } catch (IOException e) {
            throw new CheckpointException(index, null, "cannot read index: " + e.getMessage(), e);
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new CheckpointException(index, "weight_map", "missing or not an object");
        Map<String, SafetensorsFile> opened = new LinkedHashMap<>();
        for (var it = map.fields(); it.hasNext(); ) {
            var e = it.next();
            String shard = e.getValue().asText();
            SafetensorsFile f = opened.get(shard);
            if (f == null) {
                Path p = folder.resolve(shard);
                if (!Files.isRegularFile(p)) throw new CheckpointException(index, e.getKey(), "shard " + shard + " listed in the index does not exist");
                f = SafetensorsFile.open(p);
                files.add(f);
                opened.put(shard, f);
            }
            if (!f.has(e.getKey())) throw new CheckpointException(f.path(), e.getKey(), "tensor listed in " + index.getFileName() + " is missing from this shard");
            byName.put(e.getKey(), f);
        }
    }

    private void addFile(Path p) {
        SafetensorsFile f = SafetensorsFile.open(p);
        files.add(f);
        for (String name : f.tensorInfos().keySet()) byName.put(name, f);
    }

    @Override
    public boolean has(String name) { return byName.containsKey(name); }

    @Override
    public Tensor tensor(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) throw new CheckpointException(folder, name, "tensor not found in the checkpoint");
        return f.tensor(name);
    }

    @Override
    public Path fileOf(String name) {
        SafetensorsFile f = byName.get(name);
        return f == null ? folder : f.path();
    }

    @Override
    public Set<String> names() { return Collections.unmodifiableSet(byName.keySet()); }

    @Override
    public Path location() { return folder; }

    public long totalBytes() {
        long sum = 0;
        for (SafetensorsFile f : files) {
            try {
                sum += Files.size(f.path());
            } catch (IOException ignored) {
                // size is informational
            }
        }
        return sum;
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files) f.close();
        files.clear();
    }
}
