package neurosteer.method.select;

/** FFN unit {@code index} of layer {@code layer}, with the figures it was chosen by. */
public record Neuron(int layer, int index, double mPlus, double mMinus, double ratio, double score) {}
