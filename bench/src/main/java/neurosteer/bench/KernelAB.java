package neurosteer.bench;

import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import neurosteer.engine.tensor.Tensor;
import neurosteer.engine.tensor.Tensors;
import neurosteer.engine.util.Parallel;

/**
 * Two builds of the engine in one JVM, one matrix product timed with each in turn: on a machine whose
 * speed drifts by ±15–30% between processes, alternating inside one process is what shows a 5–10%
 * change in a kernel. Each build is loaded twice, in the order A, B, B, A, by class loaders of their
 * own (engine classes from its folder, {@link Probe} from this module's jar), with the same seeded
 * weights and input; the four outputs are compared bit for bit at the end.
 *
 * <pre>KernelAB CLASSES_A CLASSES_B TYPE ROWS COLS THREADS BATCH ROUNDS</pre>
 *
 * Prints each build's best rate (multiply-adds a second), the ratio of the bests and the median of
 * the per-round ratios (rounds after the first two), B over A: above 1, B is faster.
 */
public final class KernelAB {
    private KernelAB() {}

    /** The part loaded once per build: it links to that build's engine classes. */
    public static final class Probe {
        private static Tensor weights;
        private static float[] x, out;
        private static int batch;

        public static void setup(String type, int rows, int cols, int threads, int batchRows) {
            Parallel.setThreads(threads);
            batch = batchRows;
            Random random = new Random(1);
            x = new float[cols * batchRows];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            weights = Tensors.forInference(RandomWeights.offHeap(type, random, rows, cols));
            out = new float[rows * batchRows];
        }

        /** Nanoseconds a product, over {@code reps} products. */
        public static double run(int reps) {
            long t0 = System.nanoTime();
            for (int k = 0; k < reps; k++) weights.matmul(x, batch, out);
            return (System.nanoTime() - t0) / (double) reps;
        }

        public static float[] out() { return out; }
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 8) {
            System.err.println("usage: KernelAB CLASSES_A CLASSES_B TYPE ROWS COLS THREADS BATCH ROUNDS");
            System.exit(2);
        }
        URL probeJar = KernelAB.class.getProtectionDomain().getCodeSource().getLocation();
        // A, B, B, A: whichever build is loaded (and set up) first, or second, the other is too, so that
        // load order, which on its own moved the median by up to 1.2x between two identical builds, cancels.
        int[] build = {0, 1, 1, 0};
        Method[] setup = new Method[4], run = new Method[4], out = new Method[4];
        for (int i = 0; i < 4; i++) {
            URLClassLoader loader = new URLClassLoader(new URL[] {probeJar, Path.of(args[build[i]]).toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> probe = loader.loadClass(KernelAB.class.getName() + "$Probe"); // by name: this loader must not link Probe itself
            setup[i] = probe.getMethod("setup", String.class, int.class, int.class, int.class, int.class);
            run[i] = probe.getMethod("run", int.class);
            out[i] = probe.getMethod("out");
        }
        String type = args[2];
        int rows = Integer.parseInt(args[3]), cols = Integer.parseInt(args[4]), threads = Integer.parseInt(args[5]);
        int batch = Integer.parseInt(args[6]), rounds = Math.max(3, Integer.parseInt(args[7]));
        for (int i = 0; i < 4; i++) setup[i].invoke(null, type, rows, cols, threads, batch);
        double work = (double) rows * cols * batch;
        int reps = (int) Math.max(2, 3e8 / work);
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE};
        List<Double> ratios = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            double[] time = new double[2];
            for (int k = 0; k < 4; k++) {
                int i = round % 2 == 0 ? k : 3 - k; // who goes first alternates
                double t = (double) run[i].invoke(null, reps);
                time[build[i]] += t;
                best[build[i]] = Math.min(best[build[i]], t);
            }
            if (round >= 2) ratios.add(time[0] / time[1]);
        }
        Collections.sort(ratios);
        float[] reference = (float[]) out[0].invoke(null);
        boolean same = true;
        for (int i = 1; i < 4; i++) same &= Arrays.equals(reference, (float[]) out[i].invoke(null));
        System.out.printf("%s %dx%d threads %d batch %d: A %.2f G/s, B %.2f G/s; B/A speed: best %.3f, median %.3f; outputs %s%n",
                type, rows, cols, threads, batch, work / best[0], work / best[1], best[0] / best[1], ratios.get(ratios.size() / 2),
                same ? "equal" : "DIFFER");
    }
}
