package neurosteer.cli;

import java.util.Optional;
import neurosteer.engine.Model;

/** Text to ids and back for the commands, through the model's own tokenizer. */
final class TextInput {
    private TextInput() {}

    static int[] encode(Model m, String text) {
        throw new IllegalArgumentException(m.location() + ": no tokenizer support in this build; pass --tokens");
    }

    static Optional<String> piece(Model m, int id) {
        return Optional.empty();
    }
}
