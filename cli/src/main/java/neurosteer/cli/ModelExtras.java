package neurosteer.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import neurosteer.engine.Model;
import neurosteer.engine.tokenizer.Tokenizer;

/** Tokenizer and chat-template facts for {@code inspect}. */
final class ModelExtras {
    private ModelExtras() {}

    static void describe(Model m, Map<String, Object> out) {
        if (m.hasTokenizer()) {
            Tokenizer t = m.tokenizer();
            Map<String, Object> tok = new LinkedHashMap<>();
            tok.put("vocab_size", t.vocabSize());
            t.bosId().ifPresent(id -> tok.put("bos", Map.of("id", id, "text", t.decode(new int[] {id}, false))));
            tok.put("eos_ids", t.eosIds());
            tok.put("special_tokens", t.specialIds().size());
            out.put("tokenizer", tok);
        } else out.put("tokenizer", null);
        out.put("chat_template", m.hasChatTemplate() ? m.chatTemplate().source() : null);
    }
}
