package neurosteer.engine.random;

import java.util.SplittableRandom;
import neurosteer.engine.model.ModelConfig;

/**
 * Seeded random weights for a config, addressed by Hugging Face tensor name, so the same model can
 * be written in several formats. Matrices are uniform with standard deviation {@code 1/sqrt(in)}
 * (activations stay of order one and logits are far from uniform); norms are near one.
 */
public final class RandomWeights {
    private final ModelConfig config;
    private final long seed;

    public RandomWeights(ModelConfig config, long seed) {
        this.config = config;
        this.seed = seed;
    }

    public ModelConfig config() { return config; }

    /** Fills rows {@code [rowStart, rowStart + out.length / cols)} of the named tensor. */
    public void fill(String name, int rows, int cols, int rowStart, float[] out) {
        boolean norm = name.endsWith("norm.weight");
        boolean bias = name.endsWith(".bias");
        boolean embedding = name.contains("embed_tokens");
        double std = norm ? 0.1 : bias ? 0.5 : embedding ? 1.0 : 1.0 / Math.sqrt(cols);
        double center = norm ? 1.0 : 0.0;
        double halfWidth = std * Math.sqrt(3.0);
        int n = out.length / cols;
        for (int r = 0; r < n; r++) {
            SplittableRandom rnd = new SplittableRandom(mix(seed, name.hashCode(), rowStart + r));
            for (int c = 0; c < cols; c++) out[r * cols + c] = (float) (center + (rnd.nextDouble() * 2 - 1) * halfWidth);
        }
    }

    public float[] all(String name, int rows, int cols) {
        float[] out = new float[Math.multiplyExact(rows, cols)];
        fill(name, rows, cols, 0, out);
        return out;
    }

    private static long mix(long seed, int nameHash, int row) {
        long z = seed * 0x9E3779B97F4A7C15L + nameHash * 0xBF58476D1CE4E5B9L + row * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
