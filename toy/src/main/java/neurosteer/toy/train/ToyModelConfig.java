package neurosteer.toy.train;

/** Shape of the toy Llama. The output head is tied to the token embedding. */
public record ToyModelConfig(int vocabSize, int dim, int layers, int heads, int kvHeads, int headDim, int ffnDim,
                             int maxPositions, float rmsEps, double ropeTheta) {
    public ToyModelConfig {
        if (heads % kvHeads != 0) throw new IllegalArgumentException("heads (" + heads + ") must be a multiple of kvHeads (" + kvHeads + ")");
        if (headDim % 2 != 0) throw new IllegalArgumentException("headDim must be even, got " + headDim);
    }

    /** The bundled model's shape for a given vocabulary. */
    public static ToyModelConfig standard(int vocabSize) {
        return new ToyModelConfig(vocabSize, 128, 4, 4, 2, 32, 512, 256, 1e-5f, 10000.0);
    }

    public int qDim() { return heads * headDim; }
    public int kvDim() { return kvHeads * headDim; }

    public long parameterCount() {
        return ToyParameters.layout(this).total();
    }
}
