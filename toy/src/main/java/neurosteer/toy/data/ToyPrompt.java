package neurosteer.toy.data;

/**
 * The prompt the toy model is trained on: the problem, a blank line and the instruction that the
 * pipeline's default Llama-family prompt appends, as the one user message of the chat template.
 * Training on the same words the study later sends keeps the toy model's accuracy meaningful there.
 */
public final class ToyPrompt {
    public static final String INSTRUCTION = "Please reason step by step, and put your final answer within \\boxed{}.";

    private ToyPrompt() {}

    public static String userMessage(String problem) {
        return problem.strip() + "\n\n" + INSTRUCTION;
    }

    /** The chat-formatted prompt, ending where the assistant's reply starts. */
    public static String chat(String problem) {
        return ToyTokenizer.chatPrompt(userMessage(problem));
    }
}
