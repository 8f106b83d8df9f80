package neurosteer.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import neurosteer.engine.tensor.GgmlType;
import neurosteer.engine.tensor.Quantizer;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.tensor.Tensors;

/** Benchmark weights: a Gaussian matrix in a format's file layout, off-heap and cache-line aligned as when memory-mapped. */
final class RandomWeights {
    private RandomWeights() {}

    static Tensor offHeap(String type, Random random, int rows, int cols) {
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian();
        GgmlType ggml = GgmlType.valueOf(type);
        byte[] bytes = Quantizer.quantize(ggml, values);
        MemorySegment segment = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, segment, 0, bytes.length);
        return Tensors.of(ggml, "w", segment, new long[] {rows, cols});
    }
}
