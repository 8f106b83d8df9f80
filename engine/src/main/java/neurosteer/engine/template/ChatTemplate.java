package neurosteer.engine.template;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A Hugging Face chat template ({@code tokenizer_config.json}'s {@code chat_template}), rendered the way
 * transformers renders it: Jinja2 with {@code trim_blocks}, {@code lstrip_blocks}, {@code raise_exception},
 * {@code strftime_now}, loop controls and HF's {@code tojson}.
 *
 * <pre>{@code
 * ChatTemplate t = ChatTemplate.fromTokenizerConfig(Path.of("tokenizer_config.json"));
 * String prompt = t.render(List.of(Map.of("role", "user", "content", "Hi")), true, Map.of());
 * }</pre>
 */
public final class ChatTemplate {
    private static final List<String> SPECIAL_TOKEN_KEYS =
            List.of("bos_token", "eos_token", "unk_token", "pad_token", "sep_token", "cls_token", "mask_token");

    private final String source;
    private final List<Node> program;
    private final Map<String, Object> specialTokens;

    private ChatTemplate(String source, List<Node> program, Map<String, Object> specialTokens) {
        this.source = source;
        this.program = program;
        this.specialTokens = Collections.unmodifiableMap(specialTokens);
    }

    /** Parses a template; syntax errors raise {@link TemplateException} with line and column. */
    public static ChatTemplate parse(String source) {
        return new ChatTemplate(source, Parser.parse(source), new LinkedHashMap<>());
    }

    /**
     * Reads {@code chat_template} (a string, or a list of {@code {name, template}} from which {@code default} is
     * taken) and the special-token strings ({@code bos_token} etc., plain or {@code {"content": ...}}).
     */
    public static ChatTemplate fromTokenizerConfig(Path tokenizerConfigJson) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(Files.readString(tokenizerConfigJson));
        } catch (IOException e) {
            throw new TemplateException("cannot read " + tokenizerConfigJson + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) throw new TemplateException(tokenizerConfigJson + ": not a JSON object");
        String source = templateSource(root.get("chat_template"), tokenizerConfigJson);
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (String key : SPECIAL_TOKEN_KEYS) {
            JsonNode node = root.get(key);
            if (node == null || node.isNull()) continue;
            if (node.isTextual()) tokens.put(key, node.textValue());
            else if (node.isObject() && node.path("content").isTextual()) tokens.put(key, node.get("content").textValue());
            else throw new TemplateException(tokenizerConfigJson + ": key '" + key + "' must be a string or an object with a string 'content'");
        }
        List<Node> program;
        try {
            program = Parser.parse(source);
        } catch (TemplateException e) {
            throw new TemplateException(tokenizerConfigJson + ": chat_template: " + e.templateMessage(), e.line(), e.column());
        }
        return new ChatTemplate(source, program, tokens);
    }

    private static String templateSource(JsonNode node, Path file) {
        if (node == null || node.isNull()) throw new TemplateException(file + ": key 'chat_template' is missing");
        if (node.isTextual()) return node.textValue();
        if (node.isArray()) {
            for (JsonNode entry : node) {
                if ("default".equals(entry.path("name").asText(null)) && entry.path("template").isTextual()) {
                    return entry.get("template").textValue();
                }
            }
            throw new TemplateException(file + ": key 'chat_template' lists no template named 'default'");
        }
        throw new TemplateException(file + ": key 'chat_template' must be a string or a list of {name, template}");
    }

    /** The special tokens read from the tokenizer config (empty for {@link #parse}). */
    public Map<String, Object> specialTokens() { return specialTokens; }

    /** The same template with these special-token strings ({@code bos_token}, {@code eos_token}, ...). */
    public ChatTemplate withSpecialTokens(Map<String, ?> tokens) {
        Map<String, Object> merged = new LinkedHashMap<>(specialTokens);
        merged.putAll(tokens);
        return new ChatTemplate(source, program, merged);
    }

    public String source() { return source; }

    /**
     * The variables a render sees: special tokens, {@code tools = documents = None} (as transformers passes them),
     * {@code messages}, {@code add_generation_prompt}, then everything in {@code extra} (which wins).
     */
    public Map<String, Object> variables(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt,
                                         Map<String, ?> extra) {
        Map<String, Object> vars = new LinkedHashMap<>(specialTokens);
        vars.put("tools", null);
        vars.put("documents", null);
        vars.put("messages", messages);
        vars.put("add_generation_prompt", addGenerationPrompt);
        if (extra != null) vars.putAll(extra);
        return vars;
    }

    public String render(List<? extends Map<String, ?>> messages, boolean addGenerationPrompt, Map<String, ?> extra) {
        return renderVariables(variables(messages, addGenerationPrompt, extra));
    }

    /** Renders with exactly these variables (plus the globals {@code range}, {@code namespace}, ...). */
    public String renderVariables(Map<String, ?> variables) {
        return new Interpreter().render(program, new LinkedHashMap<>(variables));
    }
}
