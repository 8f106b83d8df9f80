package neurosteer.engine.util;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.ManagementFactory;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The one HotSpot setting the kernels need beyond the JVM's defaults.
 *
 * <p>C2 adds up the class-check traps recorded in every method it inlines into one compilation. Once
 * that sum passes {@code -XX:PerMethodTrapLimit} (default 100), it stops speculating on types anywhere
 * in that compilation and keeps real type checks with their exception paths; the Vector API's vectors
 * then live on the heap instead of in registers. The Vector API's shared methods collect such traps
 * from every kernel that inlines them (vectors of 256 and 512 bits, native and heap segments), so a
 * kernel compiled late in a run, such as Q4_K decode after a 512-token prefill, came out allocating
 * in its inner loop and ran at a third of its speed (docs/BENCHMARKS.md, thirtieth run). Raising the
 * limit turns that heuristic off; C2 still gives up speculating at a bytecode that has trapped.
 */
public final class JitSettings {
    public static final String FLAG = "PerMethodTrapLimit";
    /** What {@code ./neurosteer}, the tests and the bench scripts pass: {@code -XX:PerMethodTrapLimit=100000}. */
    public static final long RECOMMENDED_PER_METHOD_TRAP_LIMIT = 100_000;
    /** Below this the kernels were seen to box their vectors in a long run. */
    static final long LOWEST_SAFE = 10_000;

    private static final AtomicBoolean WARNED = new AtomicBoolean();

    private JitSettings() {}

    /** This JVM's {@code PerMethodTrapLimit}, or empty where it is not HotSpot. */
    public static OptionalLong perMethodTrapLimit() {
        try {
            HotSpotDiagnosticMXBean hotspot = ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
            return hotspot == null ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(hotspot.getVMOption(FLAG).getValue()));
        } catch (RuntimeException | LinkageError notHotSpot) {
            return OptionalLong.empty();
        }
    }

    /** What to tell a user whose JVM runs with {@code limit}; empty when nothing needs saying. */
    static String adviceFor(OptionalLong limit) {
        if (limit.isEmpty() || limit.getAsLong() >= LOWEST_SAFE) return "";
        return "this JVM runs with -XX:" + FLAG + "=" + limit.getAsLong() + "; the engine's Vector API kernels can be compiled "
                + "several times slower late in a long run (C2 boxes their vectors). Start the JVM with -XX:" + FLAG + "="
                + RECOMMENDED_PER_METHOD_TRAP_LIMIT + ", as ./neurosteer does.";
    }

    /** Logs {@link #adviceFor} this JVM once, at WARNING, the first time a model is built. */
    public static void warnOnceIfKernelsMaySlowDown() {
        if (WARNED.getAndSet(true)) return;
        String advice = adviceFor(perMethodTrapLimit());
        if (!advice.isEmpty()) System.getLogger("neurosteer.engine").log(System.Logger.Level.WARNING, advice);
    }
}
