package neurosteer.cli;

import neurosteer.engine.model.KvCache;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/** {@code --kv-cache f32|f16}, checked as an option (a usage error naming the option, not a stack trace). */
final class KvCacheOption {
    private KvCacheOption() {}

    static KvCache.Precision parse(CommandSpec spec, String value) {
        try {
            return KvCache.Precision.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kv-cache: " + e.getMessage());
        }
    }
}
