package neurosteer.cli;

import java.util.Optional;
import neurosteer.engine.Model;

/** Text to ids and back for the commands, through the model's own tokenizer. */
final class TextInput {
    private TextInput() {}

    static int[] encode(Model m, String text) {
        return m.tokenizer().encode(text, true);
    }

    static Optional<String> piece(Model m, int id) {
        return m.hasTokenizer() ? Optional.of(m.tokenizer().decode(new int[] {id}, false)) : Optional.empty();
    }
}
