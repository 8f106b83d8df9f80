package neurosteer.engine.model;

import neurosteer.engine.tensor.Tensor;

/** One transformer block. Norm weights and biases are small float copies; matrices stay mapped. */
public record LayerWeights(
        float[] attnNorm,
        Tensor wq, Tensor wk, Tensor wv, Tensor wo,
        float[] bq, float[] bk, float[] bv,
        float[] ffnNorm,
        Tensor gate, Tensor up, Tensor down) {}
