package neurosteer.engine.format;

import java.nio.file.Path;
import java.util.Set;
import neurosteer.engine.tensor.Tensor;

/** Named tensors from one or more checkpoint files. */
public interface TensorSource extends AutoCloseable {
    boolean has(String name);

    Tensor tensor(String name);

    /** The file holding {@code name}, for error messages. */
    Path fileOf(String name);

    Set<String> names();

    /** The checkpoint (file or folder), for error messages. */
    Path location();

    @Override
    void close();
}
