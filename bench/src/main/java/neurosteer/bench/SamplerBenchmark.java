package neurosteer.bench;

import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import neurosteer.engine.generate.Sampler;
import neurosteer.engine.generate.SamplingConfig;
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
 * One draw of the study's sampling (temperature 0.7, top-p 0.95) over Llama 3's 128256-token vocabulary.
 * {@code peaked}: 30 tokens far above the rest, as a trained model's next-token distribution mostly is;
 * {@code flat}: logits within about one unit of each other, as a random-weight model's are, where the
 * nucleus is most of the vocabulary and the draw sorts all of it (what every draw cost before the
 * sampler sorted only the likeliest tokens).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-XX:PerMethodTrapLimit=100000"})
public class SamplerBenchmark {
    @Param({"peaked", "flat"})
    public String distribution;

    @Param({"128256"})
    public int vocab;

    float[] logits;
    Sampler sampler;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        logits = new float[vocab];
        boolean peaked = distribution.equals("peaked");
        for (int i = 0; i < vocab; i++) logits[i] = (float) (r.nextGaussian() * (peaked ? 2 : 0.5));
        if (peaked) for (int i = 0; i < 30; i++) logits[r.nextInt(vocab)] += 14;
        sampler = new Sampler(new SamplingConfig(1, 0.7, 0.95, 0, 3, Set.of(), List.of()), 1L);
    }

    @Benchmark
    public int draw() { return sampler.sample(logits, 0, vocab); }
}
