package neurosteer.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PairedTestTest {
    @Test
    void mcnemarMatchesHandComputedBinomialTails() {
        // b=0, c=5: 2 * 0.5^5
        assertEquals(2 * Math.pow(0.5, 5), PairedTest.mcnemarExact(0, 5), 1e-12);
        // b=2, c=8: 2 * (C(10,0)+C(10,1)+C(10,2)) / 1024 = 2 * 56 / 1024
        assertEquals(112.0 / 1024, PairedTest.mcnemarExact(2, 8), 1e-12);
        assertEquals(1.0, PairedTest.mcnemarExact(5, 5), 1e-12);
        assertEquals(1.0, PairedTest.mcnemarExact(0, 0), 1e-12);
    }

    @Test
    void bootstrapIntervalContainsTheDifferenceAndExcludesZeroForAClearGain() {
        int n = 400;
        boolean[] base = new boolean[n], treat = new boolean[n];
        for (int i = 0; i < n; i++) {
            base[i] = i % 2 == 0;
            treat[i] = base[i] || i % 5 == 1; // only gains
        }
        PairedTest.Result r = PairedTest.compare(base, treat, 0.95, 2000, 7);
        assertEquals(0, r.onlyBaseline());
        assertTrue(r.onlyTreatment() > 30);
        assertTrue(r.ciLow() <= r.delta() && r.delta() <= r.ciHigh());
        assertTrue(r.ciLow() > 0, "a one-sided gain of " + r.onlyTreatment() + " problems must exclude 0: " + r);
        assertTrue(r.mcnemarP() < 1e-6);
        PairedTest.Result same = PairedTest.compare(base, base, 0.95, 500, 7);
        assertEquals(0, same.delta());
        assertEquals(1.0, same.mcnemarP());
    }

    @Test
    void pooledAverageIsCountWeighted() {
        Accuracy.Table t = Accuracy.of(List.of(new Accuracy.Graded("a", "X", true), new Accuracy.Graded("b", "X", false),
                new Accuracy.Graded("c", "Y", true), new Accuracy.Graded("d", "X", false)));
        assertEquals(1.0 / 3, t.bySubject().get("X").accuracy(), 1e-12);
        assertEquals(1.0, t.bySubject().get("Y").accuracy(), 1e-12);
        assertEquals(0.5, t.pooled().accuracy(), 1e-12);
    }
}
