package neurosteer.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the chat messages for a problem: a per-family instruction to reason step by step and put the final answer in
 * {@code \boxed{}}, or a user template with a {@code {question}} placeholder (and optionally {@code {instruction}})
 * and an optional system message. The chat template itself is applied elsewhere.
 */
public final class PromptBuilder {

    /** Model families with their own prompt conventions. */
    public enum Family {
        /** Llama 3.x Instruct: the instruction follows the question in the user message. */
        LLAMA,
        /** Mistral Instruct: older templates refuse a system role, so everything goes in the user message. */
        MISTRAL,
        /** Qwen2 / Qwen2.5 (-Math): the official system message carries the instruction. */
        QWEN2;

        /** "llama", "mistral", "qwen2" (also "qwen", "qwen2.5"), any case. */
        public static Family parse(String name) {
            String key = name.strip().toLowerCase(Locale.ROOT);
            if (key.startsWith("llama")) return LLAMA;
            if (key.startsWith("mistral")) return MISTRAL;
            if (key.startsWith("qwen")) return QWEN2;
            throw new IllegalArgumentException("unknown model family '" + name + "' (known: llama, mistral, qwen2)");
        }
    }

    public static final String QUESTION = "{question}";
    public static final String INSTRUCTION = "{instruction}";

    private final Family family;
    private final String userTemplate;
    private final String systemMessage;

    /** The family's default prompt. */
    public PromptBuilder(Family family) {
        this(family, null, null);
    }

    /**
     * @param userTemplate  the user message with {@code {question}} (and optionally {@code {instruction}}), or null for the default
     * @param systemMessage the system message, "" for none, or null for the family's default
     */
    public PromptBuilder(Family family, String userTemplate, String systemMessage) {
        if (family == null) throw new IllegalArgumentException("no model family");
        if (userTemplate != null && !userTemplate.contains(QUESTION)) {
            throw new IllegalArgumentException("the prompt template has no " + QUESTION + " placeholder: " + userTemplate);
        }
        this.family = family;
        this.userTemplate = userTemplate;
        this.systemMessage = systemMessage;
    }

    public Family family() { return family; }

    /** The instruction for a kind of problem, e.g. "Please reason step by step, and put your final answer within \boxed{}." */
    public static String instruction(Problem problem) {
        return switch (problem.kind()) {
            case MATH, NUMBER -> "Please reason step by step, and put your final answer within \\boxed{}.";
            case CHOICE -> "Please reason step by step, and put the letter of your final answer ("
                    + String.join(", ", problem.choices()) + ") within \\boxed{}, for example \\boxed{"
                    + (problem.choices().isEmpty() ? "A" : problem.choices().getFirst()) + "}.";
            case YES_NO -> "Please reason step by step, and put your final answer, yes or no, within \\boxed{}: "
                    + "\\boxed{yes} or \\boxed{no}.";
        };
    }

    /** The messages, each a map with "role" ("system" or "user") and "content". */
    public List<Map<String, String>> messages(Problem problem) {
        String instruction = instruction(problem);
        String system;
        String user;
        if (userTemplate != null) {
            user = userTemplate.replace(INSTRUCTION, instruction).replace(QUESTION, problem.question());
            system = systemMessage != null ? systemMessage : (family == Family.QWEN2 ? instruction : "");
        } else if (family == Family.QWEN2) {
            user = problem.question();
            system = systemMessage != null ? systemMessage : instruction;
        } else {
            user = problem.question() + "\n\n" + instruction;
            system = systemMessage != null ? systemMessage : "";
        }
        List<Map<String, String>> messages = new ArrayList<>();
        if (family == Family.MISTRAL && !system.isEmpty()) {
            user = system + "\n\n" + user;
            system = "";
        }
        if (!system.isEmpty()) messages.add(Map.of("role", "system", "content", system));
        messages.add(Map.of("role", "user", "content", user));
        return List.copyOf(messages);
    }
}
