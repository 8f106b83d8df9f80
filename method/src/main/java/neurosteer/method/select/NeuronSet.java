package neurosteer.method.select;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A chosen set of neurons, as other tools can read it (JSON): the method, K, the settings, the model
 * shape it was made for and each neuron with layer, index and scores.
 */
public record NeuronSet(String method, int layers, int width, List<Neuron> neurons, Map<String, Object> settings) {

    public int size() { return neurons.size(); }

    public int[] perLayerCounts() {
        int[] c = new int[layers];
        for (Neuron n : neurons) c[n.layer()]++;
        return c;
    }

    public boolean contains(int layer, int index) {
        for (Neuron n : neurons) if (n.layer() == layer && n.index() == index) return true;
        return false;
    }

    public void save(Path file) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("method", method);
        root.put("k", neurons.size());
        root.put("model_shape", Map.of("layers", layers, "intermediate_size", width));
        root.put("settings", settings);
        root.put("per_layer", perLayerCounts());
        List<Map<String, Object>> list = new ArrayList<>();
        for (Neuron n : neurons) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("layer", n.layer());
            m.put("index", n.index());
            m.put("m_plus", n.mPlus());
            m.put("m_minus", n.mMinus());
            m.put("r", n.ratio());
            m.put("score", n.score());
            list.add(m);
        }
        root.put("neurons", list);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(tmp.toFile(), root);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public static NeuronSet load(Path file) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": not a readable neurons file (" + e.getMessage() + ")");
        }
        if (root == null || !root.has("neurons") || !root.get("neurons").isArray())
            throw new IllegalArgumentException(file + ": not a neurons file (no \"neurons\" array)");
        int layers = root.path("model_shape").path("layers").asInt(-1), width = root.path("model_shape").path("intermediate_size").asInt(-1);
        if (layers <= 0 || width <= 0) throw new IllegalArgumentException(file + ": missing model_shape {layers, intermediate_size}");
        List<Neuron> list = new ArrayList<>();
        int i = 0;
        for (JsonNode n : root.get("neurons")) {
            if (!n.has("layer") || !n.has("index"))
                throw new IllegalArgumentException(file + ": neurons[" + i + "] needs layer and index");
            int layer = n.get("layer").asInt(), index = n.get("index").asInt();
            if (layer < 0 || layer >= layers || index < 0 || index >= width)
                throw new IllegalArgumentException(file + ": neurons[" + i + "] (" + layer + ", " + index + ") is outside the " + layers + "x" + width + " shape");
            list.add(new Neuron(layer, index, n.path("m_plus").asDouble(Double.NaN), n.path("m_minus").asDouble(Double.NaN),
                    n.path("r").asDouble(Double.NaN), n.path("score").asDouble(Double.NaN)));
            i++;
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = root.has("settings") ? new ObjectMapper().convertValue(root.get("settings"), Map.class) : Map.of();
        return new NeuronSet(root.path("method").asText("unknown"), layers, width, List.copyOf(list), settings);
    }

    /** Fails with a clear message when this set was made for another model shape. */
    public void checkFits(int modelLayers, int modelWidth, Object source) {
        if (modelLayers != layers || modelWidth != width)
            throw new IllegalArgumentException(source + ": neurons were selected for a model with " + layers + " layers x " + width
                    + " FFN neurons, but this model has " + modelLayers + " x " + modelWidth);
    }
}
