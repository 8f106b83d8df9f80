package neurosteer.engine.format.gguf;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import neurosteer.engine.format.TensorSource;
import neurosteer.engine.tensor.Tensor;

/** The tensors of one GGUF file. */
public final class GgufSource implements TensorSource {
    private final GgufFile file;
    private final Set<String> names = new LinkedHashSet<>();

    public GgufSource(GgufFile file) {
        this.file = file;
        for (GgufTensorInfo t : file.tensorInfos()) names.add(t.name());
    }

    public GgufFile file() { return file; }

    @Override
    public boolean has(String name) { return file.hasTensor(name); }

    @Override
    public Tensor tensor(String name) { return file.tensor(name); }

    @Override
    public Path fileOf(String name) { return file.path(); }

    @Override
    public Set<String> names() { return names; }

    @Override
    public Path location() { return file.path(); }

    @Override
    public void close() { file.close(); }
}
