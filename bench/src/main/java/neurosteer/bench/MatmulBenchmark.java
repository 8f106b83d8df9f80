package neurosteer.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.tensor.Tensors;
import neurosteer.engine.util.Parallel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One thread, one weight matrix in off-heap memory (as when memory-mapped): the prefill kernel
 * ({@link Tensor#matmulRows}: the few-rows kernel for 4-31 batch rows, the tiled one from 32) against one dot product per weight row and batch
 * row ({@link Tensor#matmulRowsByDot}, the decode kernel), in the file's layout and as a model loads it.
 * GFLOP/s = 2 · rows · cols · batch / time.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000"})
public class MatmulBenchmark {
    @Param({"BF16", "F16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"})
    public String type;

    @Param({"64"})
    public int batch;

    @Param({"1024"})
    public int rows;

    @Param({"2048"})
    public int cols;

    /**
     * {@code file}: the row-major layout of the file; {@code loaded}: as a model loads it
     * ({@link Tensors#forInference}: Q4_0, Q4_K and Q6_K interleaved by groups of 16 rows, the rest as in the file).
     */
    @Param({"file", "loaded"})
    public String layout;

    Tensor weights;
    float[] x, out;

    @Setup
    public void setup() {
        Parallel.setThreads(1);
        Random random = new Random(1);
        weights = RandomWeights.offHeap(type, random, rows, cols);
        if (layout.equals("loaded")) weights = Tensors.forInference(weights);
        x = new float[batch * cols];
        for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
        out = new float[batch * rows];
    }

    @Benchmark
    public float[] tiled() {
        weights.matmulRows(x, batch, out, 0, rows);
        return out;
    }

    /**
     * Prefill as a forward pass runs it ({@link Tensor#matmul}, on one thread here): on CPUs with AMX the BF16
     * tiles for every format but F16 ({@code NativeGemm}); otherwise for Q8_0, Q4_0 and Q4_K the native integer
     * kernel where it runs (activations quantized to 8 bits), and the same as {@link #tiled} for the rest. Compare
     * against {@code -jvmArgsAppend -Dneurosteer.native.amx=false} and {@code -jvmArgsAppend -Dneurosteer.native=false}.
     */
    @Benchmark
    public float[] prefillMatmul() {
        weights.matmul(x, batch, out);
        return out;
    }

    @Benchmark
    public float[] rowByRowDots() {
        weights.matmulRowsByDot(x, batch, out, 0, rows);
        return out;
    }

    /** Decode in floats: one batch row, each weight read once. */
    @Benchmark
    public float[] decodeMatvec() {
        weights.matmulRows(x, 1, out, 0, rows);
        return out;
    }

    /**
     * Decode as a forward pass runs it ({@link Tensor#matmul}, on one thread here): for Q8_0, Q4_0 and
     * Q4_K, and Q6_K once interleaved, the activations are quantized to 8 bits and multiplied as
     * integers; other formats as above.
     */
    @Benchmark
    public float[] decodeMatmul() {
        weights.matmul(x, 1, out);
        return out;
    }
}
