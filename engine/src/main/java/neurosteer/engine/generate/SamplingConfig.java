package neurosteer.engine.generate;

import java.util.List;
import java.util.Set;

/**
 * How to pick tokens. {@code temperature == 0} is greedy. {@code topK <= 0} and {@code topP >= 1}
 * disable those filters. Each sequence draws from its own generator seeded by {@code seed} and its
 * index, so a sequence samples the same tokens whether it runs alone or in a batch.
 */
public record SamplingConfig(int maxNewTokens, double temperature, double topP, int topK, long seed,
                             Set<Integer> stopTokens, List<String> stopStrings) {
    public SamplingConfig {
        if (maxNewTokens < 0) throw new IllegalArgumentException("max new tokens must be >= 0, got " + maxNewTokens);
        if (!(temperature >= 0) || Double.isInfinite(temperature)) throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        if (!(topP > 0 && topP <= 1)) throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        stopTokens = Set.copyOf(stopTokens);
        stopStrings = List.copyOf(stopStrings);
    }

    public static SamplingConfig greedy(int maxNewTokens, Set<Integer> stopTokens) {
        return new SamplingConfig(maxNewTokens, 0, 1, 0, 0, stopTokens, List.of());
    }

    public SamplingConfig withStopTokens(Set<Integer> tokens) {
        return new SamplingConfig(maxNewTokens, temperature, topP, topK, seed, tokens, stopStrings);
    }
}
