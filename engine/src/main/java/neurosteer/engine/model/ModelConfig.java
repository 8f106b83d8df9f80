package neurosteer.engine.model;

import java.util.List;

/**
 * Everything that makes one Llama-family checkpoint differ from another, as data. Read from
 * {@code config.json} or GGUF metadata, never assumed per family.
 *
 * @param architecture    {@code llama}, {@code mistral} or {@code qwen2}
 * @param ropeStyle       how RoPE pairs dimensions: {@link RopeStyle#HALF} (Hugging Face "rotate half")
 *                        or {@link RopeStyle#INTERLEAVED} (adjacent pairs, as llama.cpp stores llama-arch GGUF)
 * @param ropeFreqFactors per-frequency divisors (GGUF {@code rope_freqs}); null when none
 * @param attentionBias   whether q, k and v projections carry a bias (Qwen2)
 * @param slidingWindow   attention window in tokens, 0 for full attention
 */
public record ModelConfig(
        String architecture,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int vocabSize,
        int maxPositions,
        float rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        float[] ropeFreqFactors,
        RopeStyle ropeStyle,
        boolean attentionBias,
        boolean tieWordEmbeddings,
        int slidingWindow,
        int bosTokenId,
        List<Integer> eosTokenIds) {

    public enum RopeStyle { HALF, INTERLEAVED }

    /**
     * Hugging Face {@code rope_scaling}: {@code type} is {@code default}, {@code linear} or {@code llama3}.
     */
    public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {}

    public int qDim() { return numHeads * headDim; }

    public int kvDim() { return numKvHeads * headDim; }

    public long parameterCount() {
        long perLayer = 2L * hiddenSize
                + (long) hiddenSize * qDim() + 2L * hiddenSize * kvDim() + (long) qDim() * hiddenSize
                + (attentionBias ? qDim() + 2L * kvDim() : 0)
                + 3L * hiddenSize * intermediateSize;
        return (long) vocabSize * hiddenSize * (tieWordEmbeddings ? 1 : 2) + numLayers * perLayer + hiddenSize;
    }

    /** Inverse frequencies of RoPE, one per dimension pair, with scaling and frequency factors applied. */
    public double[] ropeInverseFrequencies() {
        int half = headDim / 2;
        double[] inv = new double[half];
        for (int i = 0; i < half; i++) inv[i] = 1.0 / Math.pow(ropeTheta, (2.0 * i) / headDim);
        if (ropeScaling != null) {
            switch (ropeScaling.type()) {
                case "default" -> {}
                case "linear" -> { for (int i = 0; i < half; i++) inv[i] /= ropeScaling.factor(); }
                case "llama3" -> {
                    double factor = ropeScaling.factor(), low = ropeScaling.lowFreqFactor(), high = ropeScaling.highFreqFactor();
                    double orig = ropeScaling.originalMaxPositions();
                    double lowWavelen = orig / low, highWavelen = orig / high;
                    for (int i = 0; i < half; i++) {
                        double wavelen = 2 * Math.PI / inv[i];
                        if (wavelen < highWavelen) continue;
                        if (wavelen > lowWavelen) inv[i] = inv[i] / factor;
                        else {
                            double smooth = (orig / wavelen - low) / (high - low);
                            inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
                        }
                    }
                }
                default -> throw new IllegalArgumentException("rope_scaling type '" + ropeScaling.type()
                        + "' is not supported (default, linear, llama3 are)");
            }
        }
        if (ropeFreqFactors != null) for (int i = 0; i < half; i++) inv[i] /= ropeFreqFactors[i];
        return inv;
    }
}
