package neurosteer.grade;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GraderTest {

    @Test
    void gradesAWholeCompletionAgainstASolution() {
        String solution = "We compute $1+1 = 2$, then halve: $\\boxed{\\dfrac{1}{2}}$.";
        GradeResult result = Grader.grade(solution, "Let me think step by step. Thus the value is $\\boxed{0.5}$.");
        assertTrue(result.equal());
        assertEquals("\\dfrac{1}{2}", result.goldAnswer());
        assertEquals("0.5", result.predictedAnswer());
        assertEquals("\\frac{1}{2}", result.normalizedGold());
        assertFalse(result.timedOut());
    }

    @Test
    void missingPredictionIsNotEqual() {
        GradeResult result = Grader.grade("5", "I have no idea whatsoever about this problem, sorry.");
        assertFalse(result.equal());
        assertNull(result.predictedAnswer());
    }

    @Test
    void pathologicalInputsFinishQuickly() {
        StringBuilder deep = new StringBuilder();
        for (int i = 0; i < 5000; i++) deep.append('{');
        deep.append('1');
        for (int i = 0; i < 5000; i++) deep.append('}');
        String[][] cases = {
            {"10^{10^{10}}", "10^{10^{10^{10}}}"},
            {"2^{2^{2^{2^{2^{2}}}}}", "2"},
            {"\\boxed{" + deep + "}", "2"},
            {"\\boxed{" + "(".repeat(4000) + "1" + ")".repeat(4000) + "}", "2"},
            {"(((((((((((((((((((((((((((((((((((((((((1", "1"},
            {"1000!", "2"},
            {"x^{x^{x^{x^{x^{x}}}}}", "x"},
            {"\\frac{".repeat(3000), "1"},
        };
        for (String[] c : cases) {
            long start = System.nanoTime();
            GradeResult result = Grader.grade(c[0], c[1], Duration.ofSeconds(2));
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 3, c[0].substring(0, Math.min(40, c[0].length())) + " took " + seconds + " s");
            assertFalse(result.equal(), c[0].substring(0, Math.min(40, c[0].length())));
        }
    }

    @Test
    void deadlineStopsALongComparison() {
        StringBuilder big = new StringBuilder();
        for (int i = 0; i < 3000; i++) big.append(i == 0 ? "" : "+").append("\\sin(x").append(i).append(")");
        long start = System.nanoTime();
        GradeResult result = Grader.grade(big.toString(), big + "+1", Duration.ofMillis(1));
        assertTrue((System.nanoTime() - start) / 1e9 < 2);
        assertFalse(result.equal());
    }

    @Test
    void simpleCasesAreFast() {
        String[][] cases = {{"\\frac{1}{2}", "0.5"}, {"5", "5"}, {"(1,2)", "(2,1)"}, {"2x+2", "2(x+1)"}, {"10\\%", "10"}};
        for (int i = 0; i < 150; i++) for (String[] c : cases) Grader.grade(c[0], c[1]);
        long start = System.nanoTime();
        int n = 0;
        for (int i = 0; i < 150; i++) for (String[] c : cases) { Grader.grade(c[0], c[1]); n++; }
        double perSecond = n / ((System.nanoTime() - start) / 1e9);
        // generous floor for a shared, overloaded CI machine (typically several thousand per second); a regression to 10 ms per case fails
        assertTrue(perSecond > 100, "only " + perSecond + " cases per second");
    }
}
