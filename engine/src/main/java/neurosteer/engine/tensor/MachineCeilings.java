package neurosteer.engine.tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.DoubleAdder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import neurosteer.engine.util.Parallel;

/**
 * What this machine can do at best, measured the way the engine works: FP32 FMA throughput of a
 * register-tiled matrix product whose operands stay in L1 (the inner loop of {@link TiledMatmul},
 * without decoding), and the rate at which all threads together read a buffer much larger than the
 * caches. Prefill is bound by the first, decode by the second; benchmarks quote their figures as
 * fractions of these.
 */
public final class MachineCeilings {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_256;
    private static final int K = 256, PANEL = 16, ROWS = 6;

    /**
     * Ceilings measured on {@code threads} threads of the engine's pool; {@code tileGflops} is the AMX BF16 tiles'
     * ({@link NativeGemm#tilePeakGflops}), NaN where prefill does not run in them.
     */
    public record Result(int threads, double fmaGflops, double readGbPerS, double tileGflops) {}

    private MachineCeilings() {}

    /**
     * What a benchmark figure depends on besides the code, for its report: the CPU's model name
     * ({@code /proc/cpuinfo} on Linux, else the architecture), whether it has AVX-512, VNNI and AVX-512 BF16
     * (llama.cpp's CPU variant and so its speed depend on them), the processors the JVM sees, the widest
     * float vector the Vector API offers, and the Java runtime.
     */
    public record Machine(String cpu, boolean avx512, boolean vnni, boolean avx512bf16, int processors, int vectorBits, String java) {}

    public static Machine machine() {
        String name = null, family = null, model = null;
        Set<String> flags = new HashSet<>();
        Path info = Path.of("/proc/cpuinfo");
        if (Files.isReadable(info)) {
            try {
                for (String line : Files.readAllLines(info)) {
                    int colon = line.indexOf(':');
                    if (colon < 0) continue;
                    String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
                    if (key.equals("model name") && name == null) name = value;
                    if (key.equals("cpu family") && family == null) family = value;
                    if (key.equals("model") && model == null) model = value;
                    if (key.equals("flags") && flags.isEmpty()) flags.addAll(Arrays.asList(value.split("\\s+")));
                }
            } catch (IOException | RuntimeException e) {
                // unreadable: the architecture and no flags
            }
        }
        // virtual machines often show a bare brand name: family and model tell, say, Zen 1 (23/1) from Zen 4 (25/17)
        String cpu = name == null ? System.getProperty("os.arch")
                : family == null || model == null ? name : name + " (family " + family + ", model " + model + ")";
        return new Machine(cpu, flags.contains("avx512f"), flags.contains("avx512_vnni") || flags.contains("avx_vnni"),
                flags.contains("avx512_bf16"), Runtime.getRuntime().availableProcessors(),
                FloatVector.SPECIES_PREFERRED.vectorBitSize(), Runtime.version().toString());
    }

    public static Result measure(double secondsEach, long bandwidthBytes) {
        return new Result(Parallel.threads(), fmaGflops(secondsEach), readGbPerS(bandwidthBytes, secondsEach), NativeGemm.tilePeakGflops(secondsEach));
    }

    /**
     * GFLOP/s of a 6 × 16 register tile (twelve 8-lane FMA accumulators) sweeping an L1-resident
     * 16 × 256 panel for 6 rows of x, on every pool thread at once, best of several timed rounds.
     * Its own copy of {@link TiledMatmul}'s tile with constant row offsets; like the production
     * kernel's, the panel is off-heap and cache-line aligned (a heap array can start mid-line and
     * split every second load: docs/BENCHMARKS.md).
     */
    public static double fmaGflops(double seconds) {
        int threads = Parallel.threads();
        Arena arena = Arena.ofAuto();
        MemorySegment[] panels = new MemorySegment[threads];
        float[][] xs = new float[threads][ROWS * K];
        for (int t = 0; t < threads; t++) {
            panels[t] = arena.allocate((long) PANEL * K * Float.BYTES, 64);
            for (int i = 0; i < PANEL * K; i++) panels[t].setAtIndex(ValueLayout.JAVA_FLOAT, i, (i % 7 - 3) * 1e-3f);
            for (int i = 0; i < xs[t].length; i++) xs[t][i] = (i % 5 - 2) * 1e-3f;
        }
        float[] sink = new float[threads * 16];
        for (int warm = 0; warm < 20_000; warm++) tile(panels[0], xs[0], sink, 0);
        int sweeps = 2000; // about a millisecond a round: shorter rounds timed the pool's hand-off as much as the tile
        long flopsPerRound = 2L * ROWS * PANEL * K * sweeps * threads;
        double best = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long t0 = System.nanoTime();
            Parallel.forRange(threads, 1, (lo, hi) -> {
                for (int t = lo; t < hi; t++) for (int s = 0; s < sweeps; s++) tile(panels[t], xs[t], sink, t * 16);
            });
            double gflops = flopsPerRound / (double) (System.nanoTime() - t0);
            best = Math.max(best, gflops);
        } while (System.nanoTime() < end);
        if (Float.isNaN(sink[0])) throw new AssertionError();
        return best;
    }

    /**
     * The loop bound comes from {@code x}, not the constant {@link #K}: with a constant trip count C2
     * compiled this loop to about two thirds of the speed (76 against 116 GFLOP/s on one Zen 4 core),
     * while the production tile's bound is a variable too.
     */
    private static void tile(MemorySegment packed, float[] x, float[] sink, int sinkOffset) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
        FloatVector a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
        int kLen = x.length / ROWS;
        for (int k = 0; k < kLen; k++) {
            long at = (long) k * PANEL * Float.BYTES;
            FloatVector w0 = FloatVector.fromMemorySegment(F, packed, at, ByteOrder.nativeOrder());
            FloatVector w1 = FloatVector.fromMemorySegment(F, packed, at + 32, ByteOrder.nativeOrder());
            FloatVector v = FloatVector.broadcast(F, x[k]);
            a00 = w0.fma(v, a00);
            a01 = w1.fma(v, a01);
            v = FloatVector.broadcast(F, x[kLen + k]);
            a10 = w0.fma(v, a10);
            a11 = w1.fma(v, a11);
            v = FloatVector.broadcast(F, x[2 * kLen + k]);
            a20 = w0.fma(v, a20);
            a21 = w1.fma(v, a21);
            v = FloatVector.broadcast(F, x[3 * kLen + k]);
            a30 = w0.fma(v, a30);
            a31 = w1.fma(v, a31);
            v = FloatVector.broadcast(F, x[4 * kLen + k]);
            a40 = w0.fma(v, a40);
            a41 = w1.fma(v, a41);
            v = FloatVector.broadcast(F, x[5 * kLen + k]);
            a50 = w0.fma(v, a50);
            a51 = w1.fma(v, a51);
        }
        FloatVector sum = a00.add(a01).add(a10).add(a11).add(a20).add(a21).add(a30).add(a31).add(a40).add(a41).add(a50).add(a51);
        sum.add(FloatVector.fromArray(F, sink, sinkOffset)).intoArray(sink, sinkOffset);
    }

    /**
     * GB/s at which the pool's threads together read an off-heap buffer of {@code bytes} (each thread
     * its own contiguous part, read as four quarters side by side), best of several passes: by the native library
     * where it loads, as its decode kernels read (with software prefetch), else by 8-lane Java loads. One stream a
     * thread in Java read ~22 GB/s on a machine where the decode kernels read ~30 (docs/BENCHMARKS.md, thirty-seventh run).
     */
    public static double readGbPerS(long bytes, double seconds) {
        long floats = bytes / 4 / 64 * 64;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment buffer = arena.allocate(floats * 4, 64);
            for (long i = 0; i < floats; i += 1024) buffer.setAtIndex(ValueLayout.JAVA_FLOAT, i, 1f);
            int threads = Parallel.threads();
            boolean nativeReads = NativeGemm.available();
            double best = 0;
            DoubleAdder sink = new DoubleAdder();
            for (int warm = 0; warm < 20_000; warm++) sink.add(sum(buffer, 0, Math.min(floats, 4096)));
            long end = System.nanoTime() + (long) (seconds * 1e9);
            int passes = 0;
            do {
                long t0 = System.nanoTime();
                Parallel.forRange(threads, 1, (lo, hi) -> {
                    for (int t = lo; t < hi; t++) {
                        long from = floats * t / threads / 64 * 64, to = floats * (t + 1) / threads / 64 * 64;
                        sink.add(nativeReads ? NativeGemm.nativeReadSum(buffer.asSlice(from * 4, (to - from) * 4), to - from) : sum(buffer, from, to));
                    }
                });
                best = Math.max(best, floats * 4.0 / (System.nanoTime() - t0));
                passes++;
            } while (System.nanoTime() < end || passes < 3);
            if (Double.isNaN(sink.sum())) throw new AssertionError();
            return best;
        }
    }

    /** The floats {@code [from, to)} (multiples of 32 apart), four quarters read side by side and what is left after them. */
    private static float sum(MemorySegment s, long from, long to) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        long quarter = (to - from) / 4 / 32 * 32 * 4; // bytes
        long end = from * 4 + quarter;
        for (long b = from * 4; b < end; b += 32) {
            a0 = a0.add(FloatVector.fromMemorySegment(F, s, b, ByteOrder.nativeOrder()));
            a1 = a1.add(FloatVector.fromMemorySegment(F, s, b + quarter, ByteOrder.nativeOrder()));
            a2 = a2.add(FloatVector.fromMemorySegment(F, s, b + 2 * quarter, ByteOrder.nativeOrder()));
            a3 = a3.add(FloatVector.fromMemorySegment(F, s, b + 3 * quarter, ByteOrder.nativeOrder()));
        }
        for (long b = from * 4 + 4 * quarter; b < to * 4; b += 32) a0 = a0.add(FloatVector.fromMemorySegment(F, s, b, ByteOrder.nativeOrder()));
        return a0.add(a1).add(a2).add(a3).reduceLanes(VectorOperators.ADD);
    }
}
