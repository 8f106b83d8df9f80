package neurosteer.cli;

import java.util.Map;
import neurosteer.engine.Model;

/** Tokenizer and chat-template facts for {@code inspect}. */
final class ModelExtras {
    private ModelExtras() {}

    static void describe(Model m, Map<String, Object> out) {
        // filled in when the tokenizer and template land
    }
}
