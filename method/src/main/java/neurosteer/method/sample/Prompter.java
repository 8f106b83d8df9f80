package neurosteer.method.sample;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import neurosteer.data.Problem;
import neurosteer.data.PromptBuilder;
import neurosteer.engine.Model;

/** Problem → chat messages (per model family, overridable) → the model's chat template → token ids. */
public final class Prompter {
    private final Model model;
    private final PromptBuilder builder;

    public Prompter(Model model, String userTemplate, String systemMessage) {
        this.model = model;
        PromptBuilder.Family family = PromptBuilder.Family.parse(model.config().architecture());
        this.builder = userTemplate == null && systemMessage == null ? new PromptBuilder(family)
                : new PromptBuilder(family, userTemplate, systemMessage);
    }

    public List<Map<String, String>> messages(Problem p) { return builder.messages(p); }

    public int[] promptTokens(Problem p) {
        return model.encodeChat(messages(p), true);
    }

    /** Every id that ends a completion: the tokenizer's EOS / end-of-turn ids and the config's. */
    public Set<Integer> stopTokens() {
        Set<Integer> s = new HashSet<>(model.tokenizer().eosIds());
        s.addAll(model.config().eosTokenIds());
        return s;
    }
}
