package neurosteer.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvTest {
    @TempDir
    Path dir;

    @Test
    void tokensWithCommasQuotesAndNewlinesSurviveARoundTrip() {
        Csv c = new Csv(List.of("token", "score"), List.of(List.of("a,b", "1"), List.of("say \"hi\"", "2.5"), List.of("line\nbreak", ""), List.of(" ", "-3")));
        Path f = dir.resolve("t.csv");
        c.write(f);
        Csv back = Csv.read(f);
        assertEquals(c, back);
        assertTrue(Double.isNaN(back.number(back.rows().get(2), "score")));
        assertEquals(-3, back.number(back.rows().get(3), "score"));
    }

    @Test
    void badFilesNameTheFileAndTheLine() throws Exception {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "a,b\n1,2\n3\n");
        var e = assertThrows(IllegalArgumentException.class, () -> Csv.read(f));
        assertTrue(e.getMessage().contains("bad.csv") && e.getMessage().contains("line 3"), e.getMessage());
        Files.writeString(f, "a,b\n\"1,2\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Csv.read(f)).getMessage().contains("unterminated"));
    }

    @Test
    void numbersAreShortAndExact() {
        assertEquals("1.1", Csv.num(1.1));
        assertEquals("0", Csv.num(0));
        assertEquals("1.15", Csv.num(1.15));
        assertEquals("0.333333", Csv.num(1.0 / 3));
        assertEquals("1e-05", Csv.num(1e-5));
        assertEquals("", Csv.num(Double.NaN));
    }

    @Test
    void histogramPutsOutliersInTheEdgeBinsAndCountsEveryValue() {
        long[] h = Analysis.histogram(new double[] {-5, 0, 0.5, 0.99, 1, 7}, 0, 1, 2);
        assertEquals(2, h[0], "-5 and 0");
        assertEquals(4, h[1], "0.5, 0.99, the upper edge 1 and 7");
    }
}
