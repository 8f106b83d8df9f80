package neurosteer.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Byte-pair encoding by merge rank (lowest rank first, leftmost first among equals), as Hugging Face
 * {@code tokenizers} and llama.cpp's BPE do. Results are cached per word.
 */
final class BpeMerges implements WordModel {
    private static final int CACHE_LIMIT = 200_000;
    private static final int CACHED_WORD_MAX_LENGTH = 256;

    private final TokenIds vocab;
    private final MergeTable merges;
    private final boolean ignoreMerges;
    private final boolean byteFallback;
    private final int unkId;
    private final boolean fuseUnk;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();

    BpeMerges(TokenIds vocab, MergeTable merges, boolean ignoreMerges, boolean byteFallback,
              int unkId, boolean fuseUnk) {
        this.vocab = vocab;
        this.merges = merges;
        this.ignoreMerges = ignoreMerges;
        this.byteFallback = byteFallback;
        this.unkId = unkId;
        this.fuseUnk = fuseUnk;
    }

    @Override
    public void encode(String word, IntList out) {
        if (word.isEmpty()) return;
        if (ignoreMerges) {
            int whole = vocab.id(word);
            if (whole >= 0) {
                out.add(whole);
                return;
            }
        }
        int[] cached = cache.get(word);
        if (cached == null) {
            cached = merge(word);
            if (word.length() <= CACHED_WORD_MAX_LENGTH) {
                if (cache.size() > CACHE_LIMIT) cache.clear();
                cache.put(word, cached);
            }
        }
        out.addAll(cached);
    }

    private int[] merge(String word) {
        IntList initial = new IntList();
        boolean lastWasUnk = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            int end = i + Character.charCount(cp);
            int id = vocab.id(word.substring(i, end));
            i = end;
            if (id >= 0) {
                initial.add(id);
                lastWasUnk = false;
                continue;
            }
            if (byteFallback && addByteTokens(Character.toString(cp), initial)) {
                lastWasUnk = false;
                continue;
            }
            if (unkId >= 0 && !(fuseUnk && lastWasUnk)) initial.add(unkId);
            lastWasUnk = unkId >= 0;
        }
        int n = initial.size();
        int[] ids = initial.toArray();
        if (n < 2) return ids;
        int[] prev = new int[n], next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        LongHeap queue = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) offer(queue, ids, i, i + 1);
        while (!queue.isEmpty()) {
            long top = queue.poll();
            int rank = (int) (top >>> 32);
            int pos = (int) top;
            int right = next[pos];
            if (ids[pos] < 0 || right < 0) continue;
            long merge = merges.get(ids[pos], ids[right]);
            if (merge == MergeTable.MISSING || (int) (merge >>> 32) != rank) continue;
            ids[pos] = (int) merge;
            ids[right] = -1;
            next[pos] = next[right];
            if (next[pos] >= 0) prev[next[pos]] = pos;
            if (prev[pos] >= 0) offer(queue, ids, prev[pos], pos);
            if (next[pos] >= 0) offer(queue, ids, pos, next[pos]);
        }
        IntList result = new IntList();
        for (int i = 0; i >= 0; i = next[i]) result.add(ids[i]);
        return result.toArray();
    }

    private void offer(LongHeap queue, int[] ids, int left, int right) {
        long merge = merges.get(ids[left], ids[right]);
        if (merge != MergeTable.MISSING) queue.add(((merge >>> 32) << 32) | left);
    }

    private boolean addByteTokens(String character, IntList out) {
        byte[] bytes = character.getBytes(StandardCharsets.UTF_8);
        int[] byteIds = new int[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            int id = vocab.id(byteTokenName(bytes[i]));
            if (id < 0) return false;
            byteIds[i] = id;
        }
        out.addAll(byteIds);
        return true;
    }

    static String byteTokenName(byte b) { return String.format("<0x%02X>", b & 0xFF); }

    /** A binary min-heap of longs. */
    static final class LongHeap {
        private long[] heap;
        private int size;

        LongHeap(int capacity) { heap = new long[Math.max(4, capacity)]; }

        boolean isEmpty() { return size == 0; }

        void add(long value) {
            if (size == heap.length) heap = java.util.Arrays.copyOf(heap, size * 2);
            int i = size++;
            while (i > 0) {
                int parent = (i - 1) >>> 1;
                if (heap[parent] <= value) break;
                heap[i] = heap[parent];
                i = parent;
            }
            heap[i] = value;
        }

        long poll() {
            long top = heap[0];
            long last = heap[--size];
            int i = 0;
            while (true) {
                int child = 2 * i + 1;
                if (child >= size) break;
                if (child + 1 < size && heap[child + 1] < heap[child]) child++;
                if (heap[child] >= last) break;
                heap[i] = heap[child];
                i = child;
            }
            heap[i] = last;
            return top;
        }
    }
}
