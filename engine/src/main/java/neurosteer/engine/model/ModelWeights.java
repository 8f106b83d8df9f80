package neurosteer.engine.model;

import java.util.List;
import neurosteer.engine.tensor.Tensor;

/** All weights of a model; {@code output} is the embedding itself when embeddings are tied. */
public record ModelWeights(Tensor tokenEmbedding, List<LayerWeights> layers, float[] finalNorm, Tensor output) {}
