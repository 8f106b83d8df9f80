package neurosteer.engine.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MergeTableTest {
    /** It answers as a map from pairs does, the first merge of a pair winning, with ranks in the order merges were kept. */
    @Test
    void answersAsAMapOfPairsWithRanksInOrder() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 30_000;
        MergeTable table = new MergeTable(n);
        Map<Long, long[]> expected = new HashMap<>();  // pair -> {rank, merged}
        int kept = 0;
        for (int i = 0; i < n; i++) {
            int left = r.nextInt(400), right = i % 3 == 0 ? r.nextInt(5) : r.nextInt(400), merged = r.nextInt(1 << 20);
            table.add(left, right, merged);
            long pair = (long) left << 32 | right;
            if (!expected.containsKey(pair)) expected.put(pair, new long[] {kept++, merged});
        }
        assertEquals(kept, table.size());
        for (Map.Entry<Long, long[]> e : expected.entrySet()) {
            int left = (int) (e.getKey() >>> 32), right = (int) (long) e.getKey();
            assertEquals(e.getValue()[0] << 32 | e.getValue()[1], table.get(left, right), left + " " + right);
        }
        for (int i = 0; i < 10_000; i++) {
            int left = r.nextInt(400), right = 400 + r.nextInt(400);  // never added
            assertEquals(MergeTable.MISSING, table.get(left, right));
        }
        assertEquals(MergeTable.MISSING, table.get(-1, -1));
        MergeTable full = new MergeTable(1);
        full.add(1, 2, 3);
        full.add(1, 2, 4);  // the same pair: kept once
        assertThrows(IllegalStateException.class, () -> full.add(2, 3, 5));
    }
}
