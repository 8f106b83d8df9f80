package neurosteer.data;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class PromptBuilderTest {
    static final Problem MATH = new Problem("p1", "What is $1+1$?", "2", null, "Algebra", 1, Problem.Kind.MATH, List.of());
    static final Problem CHOICE = new Problem("c1", "Pick one.\n\nAnswer choices:\n(A) x\n(B) y\n(C) z", "B", null, null, null,
            Problem.Kind.CHOICE, List.of("A", "B", "C"));
    static final Problem YES_NO = new Problem("y1", "Is water wet?", "yes", null, null, null, Problem.Kind.YES_NO, List.of());

    @Test
    void qwenUsesTheOfficialSystemMessage() {
        List<Map<String, String>> messages = new PromptBuilder(PromptBuilder.Family.parse("qwen2")).messages(MATH);
        assertEquals(List.of(
                Map.of("role", "system", "content", "Please reason step by step, and put your final answer within \\boxed{}."),
                Map.of("role", "user", "content", "What is $1+1$?")), messages);
    }

    @Test
    void llamaAndMistralPutTheInstructionAfterTheQuestion() {
        for (String family : List.of("llama", "mistral")) {
            List<Map<String, String>> messages = new PromptBuilder(PromptBuilder.Family.parse(family)).messages(MATH);
            assertEquals(1, messages.size(), family);
            assertEquals("user", messages.getFirst().get("role"));
            assertEquals("What is $1+1$?\n\nPlease reason step by step, and put your final answer within \\boxed{}.",
                    messages.getFirst().get("content"));
        }
    }

    @Test
    void choiceAndYesNoInstructions() {
        PromptBuilder llama = new PromptBuilder(PromptBuilder.Family.LLAMA);
        String choice = llama.messages(CHOICE).getFirst().get("content");
        assertTrue(choice.startsWith(CHOICE.question() + "\n\n"), choice);
        assertTrue(choice.contains("letter of your final answer (A, B, C) within \\boxed{}"), choice);
        String yesNo = llama.messages(YES_NO).getFirst().get("content");
        assertTrue(yesNo.contains("\\boxed{yes} or \\boxed{no}"), yesNo);
    }

    @Test
    void userTemplateAndSystemMessageOverride() {
        PromptBuilder custom = new PromptBuilder(PromptBuilder.Family.LLAMA, "Problem:\n{question}\n\n{instruction}", "You are a careful mathematician.");
        assertEquals(List.of(
                Map.of("role", "system", "content", "You are a careful mathematician."),
                Map.of("role", "user", "content", "Problem:\nWhat is $1+1$?\n\nPlease reason step by step, and put your final answer within \\boxed{}.")),
                custom.messages(MATH));
        PromptBuilder noSystem = new PromptBuilder(PromptBuilder.Family.QWEN2, "Q: {question}\nA:", "");
        assertEquals(List.of(Map.of("role", "user", "content", "Q: What is $1+1$?\nA:")), noSystem.messages(MATH));
        // Mistral's older templates refuse a system role: it is folded into the user message
        PromptBuilder mistral = new PromptBuilder(PromptBuilder.Family.MISTRAL, "{question}", "Be brief.");
        assertEquals(List.of(Map.of("role", "user", "content", "Be brief.\n\nWhat is $1+1$?")), mistral.messages(MATH));
    }

    @Test
    void badTemplateOrFamilyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new PromptBuilder(PromptBuilder.Family.LLAMA, "no placeholder", null));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PromptBuilder.Family.parse("gpt2"));
        assertTrue(e.getMessage().contains("gpt2"));
        assertEquals(PromptBuilder.Family.QWEN2, PromptBuilder.Family.parse("Qwen2.5"));
    }
}
