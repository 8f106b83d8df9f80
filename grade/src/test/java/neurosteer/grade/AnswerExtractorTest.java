package neurosteer.grade;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class AnswerExtractorTest {

    @Test
    void takesTheLastBox() {
        assertEquals("7", AnswerExtractor.extract("First \\boxed{3}, then corrected: \\boxed{7}."));
        assertEquals("\\frac{1}{2}", AnswerExtractor.extract("So $x = \\boxed{\\frac{1}{2}}$."));
    }

    @Test
    void keepsNestedBraces() {
        assertEquals("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}",
                AnswerExtractor.extract("Hence \\boxed{\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}}"));
        assertEquals("\\frac{\\sqrt{3}}{\\{2\\}}", AnswerExtractor.extract("\\boxed{\\frac{\\sqrt{3}}{\\{2\\}}}"));
    }

    @Test
    void unwrapsBoxInsideBox() {
        assertEquals("5", AnswerExtractor.extract("\\boxed{\\boxed{5}}"));
    }

    @Test
    void understandsBoxWithoutBracesAndFbox() {
        assertEquals("5", AnswerExtractor.extract("The total is $\\boxed 5$."));
        assertEquals("12", AnswerExtractor.extract("so \\fbox{12} it is"));
    }

    @Test
    void skipsAnUnclosedTrailingBox() {
        assertEquals("4", AnswerExtractor.extract("\\boxed{4} and then \\boxed{\\frac{1"));
    }

    @Test
    void fallsBackToTheAnswerIs() {
        assertEquals("5", AnswerExtractor.extract("Adding them up.\nThe answer is 5."));
        assertEquals("3.5", AnswerExtractor.extract("Therefore the answer is 3.5. Done."));
        assertEquals("\\frac{1}{2}", AnswerExtractor.extract("Final Answer: The final answer is $\\frac{1}{2}$. I hope it is correct."));
        assertEquals("x = 4", AnswerExtractor.extract("Answer: x = 4"));
    }

    @Test
    void fallsBackToTheLastNumber() {
        assertEquals("42", AnswerExtractor.extract("We have 3 apples and 5 pears, which makes 42 in some sense"));
        assertEquals("1000", AnswerExtractor.extract("It costs 20 dollars per item, so we pay 1,000 in total overall"));
        assertEquals("-2.5", AnswerExtractor.extract("the slope comes out as -2.5 here"));
        assertNull(AnswerExtractor.extract("I do not know what to say about this problem"));
    }

    @Test
    void keepsABareAnswerWhole() {
        assertEquals("y = 2x", AnswerExtractor.extract("y = 2x"));
        assertEquals("\\text{Monday}", AnswerExtractor.extract("\\text{Monday}"));
        assertEquals("(1, 2)", AnswerExtractor.extract("(1, 2)"));
    }

    @Test
    void extractsChoiceLetters() {
        assertEquals("B", AnswerExtractor.extractChoice("Reasoning... \\boxed{B}", "ABCDE"));
        assertEquals("C", AnswerExtractor.extractChoice("Thus, the answer is (C) because it fits.", "ABCDE"));
        assertEquals("D", AnswerExtractor.extractChoice("The answer is: D", "ABCD"));
        assertEquals("A", AnswerExtractor.extractChoice("Let me think.\nA) is correct since it is mentioned.", "ABCDE"));
        assertEquals("E", AnswerExtractor.extractChoice("\\boxed{\\text{(E)}}", "ABCDE"));
        assertEquals("B", AnswerExtractor.extractChoice("B", "ABCDE"));
        assertNull(AnswerExtractor.extractChoice("The answer is (F).", "ABCDE"));
        assertNull(AnswerExtractor.extractChoice("No letter here at all.", "ABCDE"));
    }

    @Test
    void extractsYesNo() {
        assertEquals("yes", AnswerExtractor.extractYesNo("So \\boxed{yes}"));
        assertEquals("no", AnswerExtractor.extractYesNo("There is no way, so the answer is: No."));
        assertEquals("yes", AnswerExtractor.extractYesNo("Yes. Because penguins are birds."));
        assertEquals("no", AnswerExtractor.extractYesNo("\\boxed{\\text{False}}"));
        assertEquals("yes", AnswerExtractor.extractYesNo("Thinking about it, no doubt... final: yes"));
        assertNull(AnswerExtractor.extractYesNo("Penguins are birds."));
    }
}
