package neurosteer.engine.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.PriorityQueue;

/**
 * llama.cpp's SentencePiece BPE: start from single characters, repeatedly merge the adjacent pair
 * whose concatenation is a vocabulary entry with the highest score (leftmost first among equals);
 * characters without an entry become their {@code <0xNN>} byte tokens.
 */
final class SentencePieceScores implements WordModel {
    private final TokenIds vocab;
    private final float[] scores;
    private final int unkId;

    SentencePieceScores(TokenIds vocab, float[] scores, int unkId) {
        this.vocab = vocab;
        this.scores = scores;
        this.unkId = unkId;
    }

    private record Bigram(int left, int right, float score, int length) {}

    @Override
    public void encode(String text, IntList out) {
        if (text.isEmpty()) return;
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n], length = new int[n], prev = new int[n], next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            int len = Character.charCount(text.codePointAt(offset));
            start[i] = offset;
            length[i] = len;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            offset += len;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>((a, b) ->
                a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) tryAdd(text, start, length, i - 1, i, queue);
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int left = bigram.left, right = bigram.right;
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != bigram.length) continue;
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[left] >= 0) prev[next[left]] = left;
            if (prev[left] >= 0) tryAdd(text, start, length, prev[left], left, queue);
            if (next[left] >= 0) tryAdd(text, start, length, left, next[left], queue);
        }
        for (int i = 0; i >= 0; i = next[i]) {
            String piece = text.substring(start[i], start[i] + length[i]);
            int id = vocab.id(piece);
            if (id >= 0) {
                out.add(id);
                continue;
            }
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                int byteId = vocab.id(BpeMerges.byteTokenName(b));
                if (byteId >= 0) out.add(byteId);
                else if (unkId >= 0) out.add(unkId);
            }
        }
    }

    private void tryAdd(String text, int[] start, int[] length, int left, int right, PriorityQueue<Bigram> queue) {
        int total = length[left] + length[right];
        int id = vocab.id(text.substring(start[left], start[left] + total));
        if (id < 0 || id >= scores.length) return;
        queue.add(new Bigram(left, right, scores[id], total));
    }
}
