package neurosteer.engine.tokenizer;

/**
 * A BPE merge list: the pair (left id, right id) of each merge to its rank and the merged token's id. The merges sit in
 * three int arrays by rank, and a table of slots holds ranks (open addressing, linear probing, at most three quarters
 * full): Llama 3's 280k merges take 5.4 MB here, where a map of long keys to long values took 8.4 (and 16 kept at most
 * half full). Ranks count the merges kept, so a pair listed twice (the first wins) leaves no gap; only their order matters.
 */
final class MergeTable {
    /** What {@link #get} returns for a pair that is not merged. */
    static final long MISSING = Long.MIN_VALUE;

    private final int[] lefts, rights, merged;
    /** {@code rank + 1} of the merge in each slot; 0 for none. */
    private final int[] slots;
    private final int mask;
    private int count;

    /** Room for {@code capacity} merges. */
    MergeTable(int capacity) {
        lefts = new int[capacity];
        rights = new int[capacity];
        merged = new int[capacity];
        int size = 16;
        while ((long) capacity * 4 > (long) size * 3) size *= 2;
        slots = new int[size];
        mask = size - 1;
    }

    /** Adds the merge of {@code left} and {@code right} into {@code mergedId} after every one added so far, unless the pair is there already. */
    void add(int left, int right, int mergedId) {
        int slot = slot(left, right);
        for (; slots[slot] != 0; slot = (slot + 1) & mask) {
            int rank = slots[slot] - 1;
            if (lefts[rank] == left && rights[rank] == right) return;
        }
        if (count == lefts.length) throw new IllegalStateException("more than the " + lefts.length + " merges this table was made for");
        lefts[count] = left;
        rights[count] = right;
        merged[count] = mergedId;
        slots[slot] = ++count;
    }

    /** {@code rank << 32 | mergedId} of the pair's merge, or {@link #MISSING}. */
    long get(int left, int right) {
        for (int slot = slot(left, right); ; slot = (slot + 1) & mask) {
            int entry = slots[slot];
            if (entry == 0) return MISSING;
            int rank = entry - 1;
            if (lefts[rank] == left && rights[rank] == right) return (long) rank << 32 | (merged[rank] & 0xFFFFFFFFL);
        }
    }

    /** Merges kept. */
    int size() { return count; }

    private int slot(int left, int right) {
        long h = ((long) left << 32 | (right & 0xFFFFFFFFL)) * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }
}
