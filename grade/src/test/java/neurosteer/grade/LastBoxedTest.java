package neurosteer.grade;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class LastBoxedTest {
    @Test
    void takesTheLastBoxWithNestedBraces() {
        assertEquals("\\frac{1}{2}", AnswerExtractor.lastBoxed("So $x = \\boxed{3}$ at first, but then $x=\\boxed{\\frac{1}{2}}$."));
        assertEquals("\\left\\{ 1, \\sqrt{\\frac{a}{b^{2}}} \\right\\}",
                AnswerExtractor.lastBoxed("The set is $\\boxed{\\left\\{ 1, \\sqrt{\\frac{a}{b^{2}}} \\right\\}}$"));
        assertEquals("\\text{(C)}", AnswerExtractor.lastBoxed("Answer: \\boxed{\\text{(C)}}"));
    }

    @Test
    void escapedBracesDoNotCount() {
        assertEquals("\\{1,2\\}", AnswerExtractor.lastBoxed("$\\boxed{\\{1,2\\}}$"));
        assertEquals("[0,1\\}", AnswerExtractor.lastBoxed("\\boxed{[0,1\\}}"));
    }

    @Test
    void otherSpellings() {
        assertEquals("5", AnswerExtractor.lastBoxed("The answer is $\\boxed 5$."));
        assertEquals("12", AnswerExtractor.lastBoxed("hence \\fbox{12}"));
        assertEquals("7", AnswerExtractor.lastBoxed("\\boxed {7}"));
    }

    @Test
    void noBoxOrUnclosedBoxGivesNull() {
        assertNull(AnswerExtractor.lastBoxed("The answer is 5."));
        assertNull(AnswerExtractor.lastBoxed("$\\boxed{\\frac{1}{2}$"));
        assertNull(AnswerExtractor.lastBoxed(null));
        assertEquals("4", AnswerExtractor.lastBoxed("\\boxed{4} and \\boxedfoo"));
    }
}
