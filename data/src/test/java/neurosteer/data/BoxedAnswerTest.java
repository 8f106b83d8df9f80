package neurosteer.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class BoxedAnswerTest {
    @Test
    void takesTheLastBoxWithNestedBraces() {
        assertEquals("\\frac{1}{2}", BoxedAnswer.last("So $x = \\boxed{3}$ at first, but then $x=\\boxed{\\frac{1}{2}}$."));
        assertEquals("\\left\\{ 1, \\sqrt{\\frac{a}{b^{2}}} \\right\\}",
                BoxedAnswer.last("The set is $\\boxed{\\left\\{ 1, \\sqrt{\\frac{a}{b^{2}}} \\right\\}}$"));
        assertEquals("\\text{(C)}", BoxedAnswer.last("Answer: \\boxed{\\text{(C)}}"));
    }

    @Test
    void escapedBracesDoNotCount() {
        assertEquals("\\{1,2\\}", BoxedAnswer.last("$\\boxed{\\{1,2\\}}$"));
        assertEquals("[0,1\\}", BoxedAnswer.last("\\boxed{[0,1\\}}"));
    }

    @Test
    void otherSpellings() {
        assertEquals("5", BoxedAnswer.last("The answer is $\\boxed 5$."));
        assertEquals("12", BoxedAnswer.last("hence \\fbox{12}"));
        assertEquals("7", BoxedAnswer.last("\\boxed {7}"));
    }

    @Test
    void noBoxOrUnclosedBoxGivesNull() {
        assertNull(BoxedAnswer.last("The answer is 5."));
        assertNull(BoxedAnswer.last("$\\boxed{\\frac{1}{2}$"));
        assertNull(BoxedAnswer.last(null));
        assertEquals("4", BoxedAnswer.last("\\boxed{4} and \\boxedfoo"));
    }
}
