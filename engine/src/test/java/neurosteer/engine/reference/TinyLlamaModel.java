package neurosteer.engine.reference;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import neurosteer.engine.format.gguf.GgufWriter;
import neurosteer.engine.tensor.GgmlType;
import neurosteer.engine.tensor.Quantizer;
import neurosteer.engine.tensor.Tensors;

/**
 * A tiny random Llama with a SentencePiece-style vocabulary, written as GGUF that llama.cpp loads:
 * the metadata keys and tensor names llama.cpp's "llama" architecture requires, weights drawn from
 * a seed. Sizes are multiples of 256 so every quantization applies to every matrix.
 */
public final class TinyLlamaModel {
    public final int layers, embedding, feedForward, heads, kvHeads, contextLength;
    public final float ropeTheta = 10000f, rmsEpsilon = 1e-5f;
    public final List<String> tokens = new ArrayList<>();
    public final List<Float> scores = new ArrayList<>();
    public final List<Integer> tokenTypes = new ArrayList<>();
    /** Row-major weights by GGUF tensor name, with their row-major shapes. */
    public final Map<String, float[]> weights = new LinkedHashMap<>();
    public final Map<String, long[]> shapes = new LinkedHashMap<>();

    public static final int UNK = 0, BOS = 1, EOS = 2, FIRST_BYTE = 3;
    /** Multi-character pieces after the bytes, each reachable by merging two smaller ones. */
    public static final String[] PIECES = {"▁", "h", "e", "l", "o", "w", "r", "d", "he", "ll", "llo", "hello", "▁hello"};

    public TinyLlamaModel(long seed) {
        this(seed, 2, 256, 512, 4, 2, 128);
    }

    public TinyLlamaModel(long seed, int layers, int embedding, int feedForward, int heads, int kvHeads, int contextLength) {
        this.layers = layers;
        this.embedding = embedding;
        this.feedForward = feedForward;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.contextLength = contextLength;
        addToken("<unk>", 0, 2);
        addToken("<s>", 0, 3);
        addToken("</s>", 0, 3);
        for (int b = 0; b < 256; b++) addToken(String.format("<0x%02X>", b), 0, 6);
        for (int i = 0; i < PIECES.length; i++) addToken(PIECES[i], -i, 1);

        Random random = new Random(seed);
        int headDim = embedding / heads, vocab = tokens.size();
        add(random, "token_embd.weight", 1f, vocab, embedding);
        for (int l = 0; l < layers; l++) {
            String p = "blk." + l + ".";
            addNorm(random, p + "attn_norm.weight");
            add(random, p + "attn_q.weight", 1f / (float) Math.sqrt(embedding), heads * headDim, embedding);
            add(random, p + "attn_k.weight", 1f / (float) Math.sqrt(embedding), kvHeads * headDim, embedding);
            add(random, p + "attn_v.weight", 1f / (float) Math.sqrt(embedding), kvHeads * headDim, embedding);
            add(random, p + "attn_output.weight", 1f / (float) Math.sqrt(embedding), embedding, heads * headDim);
            addNorm(random, p + "ffn_norm.weight");
            add(random, p + "ffn_gate.weight", 1f / (float) Math.sqrt(embedding), feedForward, embedding);
            add(random, p + "ffn_up.weight", 1f / (float) Math.sqrt(embedding), feedForward, embedding);
            add(random, p + "ffn_down.weight", 1f / (float) Math.sqrt(feedForward), embedding, feedForward);
        }
        addNorm(random, "output_norm.weight");
        add(random, "output.weight", 3f / (float) Math.sqrt(embedding), vocab, embedding);
    }

    private void addToken(String text, float score, int type) {
        tokens.add(text);
        scores.add(score);
        tokenTypes.add(type);
    }

    public int vocabSize() { return tokens.size(); }

    public int id(String piece) {
        int id = tokens.indexOf(piece);
        if (id < 0) throw new IllegalArgumentException("no token " + piece);
        return id;
    }

    private void add(Random random, String name, float std, int rows, int cols) {
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) w[i] = (float) random.nextGaussian() * std;
        weights.put(name, w);
        shapes.put(name, new long[] {rows, cols});
    }

    private void addNorm(Random random, String name) {
        float[] w = new float[embedding];
        for (int i = 0; i < w.length; i++) w[i] = 1f + 0.1f * (float) random.nextGaussian();
        weights.put(name, w);
        shapes.put(name, new long[] {embedding});
    }

    /** Writes the model with every matrix stored as {@code matrixType}; norms stay F32. */
    public Path write(Path file, GgmlType matrixType) throws IOException {
        return write(file, matrixType, false);
    }

    /**
     * With {@code storeDecoded}, matrices are stored as F32 holding what {@code matrixType} decodes to
     * (our quantizer then our dequantizer): llama.cpp should see the same numbers in both files.
     */
    public Path write(Path file, GgmlType matrixType, boolean storeDecoded) throws IOException {
        return write(file, matrixType, storeDecoded, false);
    }

    /**
     * With {@code scrambleDecoded} as well, every run of 32 decoded values is stored reversed: the kind of
     * damage a wrong block layout does, as a control for tests that check layouts through llama.cpp.
     */
    public Path write(Path file, GgmlType matrixType, boolean storeDecoded, boolean scrambleDecoded) throws IOException {
        writer(matrixType, storeDecoded, scrambleDecoded).write(file);
        return file;
    }

    /** The F32 model without the given metadata keys and tensors: for tests of what a loader requires. */
    public Path writeWithout(Path file, String... keysAndTensors) throws IOException {
        GgufWriter w = writer(GgmlType.F32, false, false);
        for (String k : keysAndTensors)
            if (!w.removeMetadata(k) && !w.removeTensor(k)) throw new IllegalArgumentException("no key or tensor " + k);
        w.write(file);
        return file;
    }

    /** A writer holding the whole model, ready to be changed or written. */
    public GgufWriter writer(GgmlType matrixType, boolean storeDecoded, boolean scrambleDecoded) {
        GgufWriter w = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "tiny-random-llama")
                .putUInt32("llama.block_count", layers)
                .putUInt32("llama.context_length", contextLength)
                .putUInt32("llama.embedding_length", embedding)
                .putUInt32("llama.feed_forward_length", feedForward)
                .putUInt32("llama.attention.head_count", heads)
                .putUInt32("llama.attention.head_count_kv", kvHeads)
                .putUInt32("llama.rope.dimension_count", embedding / heads)
                .putFloat32("llama.rope.freq_base", ropeTheta)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", rmsEpsilon)
                .putUInt32("llama.vocab_size", vocabSize())
                .putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloat32Array("tokenizer.ggml.scores", toFloats(scores))
                .putInt32Array("tokenizer.ggml.token_type", tokenTypes.stream().mapToInt(Integer::intValue).toArray())
                .putUInt32("tokenizer.ggml.bos_token_id", BOS)
                .putUInt32("tokenizer.ggml.eos_token_id", EOS)
                .putUInt32("tokenizer.ggml.unknown_token_id", UNK)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false);
        for (Map.Entry<String, float[]> e : weights.entrySet()) {
            long[] shape = shapes.get(e.getKey());
            boolean matrix = shape.length == 2;
            float[] values = e.getValue();
            GgmlType type = matrix ? matrixType : GgmlType.F32;
            if (matrix && storeDecoded) {
                values = Tensors.of(matrixType, e.getKey(), MemorySegment.ofArray(Quantizer.quantize(matrixType, values)), shape)
                        .toFloatArray();
                if (scrambleDecoded)
                    for (int from = 0; from < values.length; from += 32)
                        for (int i = 0, j = 31; i < j; i++, j--) {
                            float t = values[from + i];
                            values[from + i] = values[from + j];
                            values[from + j] = t;
                        }
                type = GgmlType.F32;
            }
            w.addTensor(e.getKey(), values, shape, type);
        }
        return w;
    }

    private static float[] toFloats(List<Float> list) {
        float[] a = new float[list.size()];
        for (int i = 0; i < a.length; i++) a[i] = list.get(i);
        return a;
    }
}
