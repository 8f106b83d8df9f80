package neurosteer.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class CsvTest {
    static final Path FILE = Path.of("x.csv");

    @Test
    void quotedFieldsHoldCommasNewlinesAndQuotes() {
        String text = "plain,\"with, comma\",\"line one\nline two\",\"say \"\"hi\"\"\"\r\n"
                + "a,,\"\",b\n"
                + "\n"
                + "last,row,\"x\ny\",z";
        List<Csv.Row> rows = Csv.parse(text, FILE);
        assertEquals(3, rows.size());
        assertEquals(List.of("plain", "with, comma", "line one\nline two", "say \"hi\""), rows.get(0).fields());
        assertEquals(1, rows.get(0).line());
        assertEquals(List.of("a", "", "", "b"), rows.get(1).fields());
        assertEquals(3, rows.get(1).line());
        assertEquals(List.of("last", "row", "x\ny", "z"), rows.get(2).fields());
        assertEquals(5, rows.get(2).line());
    }

    @Test
    void byteOrderMarkAndTrailingNewlineAreHarmless() {
        List<Csv.Row> rows = Csv.parse("\uFEFFq,A\n", FILE);
        assertEquals(List.of(new Csv.Row(List.of("q", "A"), 1)), rows);
    }

    @Test
    void malformedQuotingNamesFileAndLine() {
        DataException open = assertThrows(DataException.class, () -> Csv.parse("a,b\nc,\"never closed\nmore", FILE));
        assertEquals("x.csv:2: quoted field is never closed", open.getMessage());
        DataException stray = assertThrows(DataException.class, () -> Csv.parse("a,b\n\"q\"x,b", FILE));
        assertTrue(stray.getMessage().startsWith("x.csv:2: unexpected 'x' after a closing quote"), stray.getMessage());
    }
}
