package neurosteer.engine.tensor;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Prefill products with 8-bit integer dot products, in C ({@code native/prefill_gemm.c}, a resource
 * of this package) called through the FFM API.
 *
 * <p>Why native: on CPUs with AVX-512 VNNI one {@code vpdpbusd} does 64 int8 multiply-adds, while the
 * Vector API of JDK 25 has no integer dot product, so the Java prefill kernels stop at the FP32 FMA rate
 * (about half of what this kernel reaches; docs/BENCHMARKS.md, thirty-third run). Elsewhere the Java kernels
 * run, and they stay the reference.
 *
 * <p>The library is compiled on the user's machine the first time it is needed, with the C compiler
 * on the path ({@code cc}, or {@code -Dneurosteer.native.cc=...}), into a cache folder keyed by a hash of
 * the source and the flags ({@code ~/.cache/neurosteer/native}, or {@code -Dneurosteer.native.cache=...}).
 * Nothing is downloaded and no binary ships in the jar. {@code -Dneurosteer.native=false} turns it off;
 * so does {@code -Dneurosteer.vector=false} or {@code -Dneurosteer.quantizedActivations=false}.
 * {@link #status} says which and why.
 */
public final class NativeGemm {
    private static final String SOURCE = "native/prefill_gemm.c";
    private static final List<String> FLAGS = List.of("-O3", "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni", "-mf16c",
            "-mfma", "-fPIC", "-shared");
    /** The {@code /proc/cpuinfo} flags the compiled code needs. */
    private static final List<String> CPU_FLAGS = List.of("avx512f", "avx512bw", "avx512vl", "avx512_vnni", "f16c");

    private static final MethodHandle Q8_0;
    private static final String STATUS;

    static {
        MethodHandle q8 = null;
        String status;
        try {
            q8 = load();
            status = "avx512-vnni";
        } catch (Unavailable e) {
            status = "off: " + e.getMessage();
        }
        Q8_0 = q8;
        STATUS = status;
    }

    private NativeGemm() {}

    /** True when prefill products of the supported formats run in the native kernel. */
    public static boolean available() { return Q8_0 != null; }

    /** {@code "avx512-vnni"}, or {@code "off: "} and why: for logs and benchmark records. */
    public static String status() { return STATUS; }

    private static final class Unavailable extends Exception {
        Unavailable(String why) { super(why, null, false, false); }
    }

    private static MethodHandle load() throws Unavailable {
        if (!Kernels.VECTORIZE) throw new Unavailable("-Dneurosteer.vector=false");
        if (!Kernels.QUANTIZE_ACTIVATIONS) throw new Unavailable("-Dneurosteer.quantizedActivations=false");
        if ("false".equals(System.getProperty("neurosteer.native"))) throw new Unavailable("-Dneurosteer.native=false");
        String os = System.getProperty("os.name", ""), arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64")))
            throw new Unavailable("written for Linux on x86-64, this is " + os + " on " + arch);
        String missing = missingCpuFlags();
        if (!missing.isEmpty()) throw new Unavailable("this CPU lacks " + missing);
        Path library = compiledLibrary();
        try {
            SymbolLookup symbols = SymbolLookup.libraryLookup(library, Arena.global());
            Linker linker = Linker.nativeLinker();
            MethodHandle supported = linker.downcallHandle(symbols.findOrThrow("neurosteer_gemm_supported"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            if ((int) supported.invokeExact() != 1) throw new Unavailable(library + " reports that this CPU cannot run it");
            var a = ValueLayout.ADDRESS;
            var i = ValueLayout.JAVA_INT;
            return linker.downcallHandle(symbols.findOrThrow("neurosteer_gemm_q8_0"),
                    FunctionDescriptor.ofVoid(a, i, i, i, i, a, a, a, i, a), Linker.Option.critical(true));
        } catch (Unavailable e) {
            throw e;
        } catch (Throwable e) {
            throw new Unavailable("cannot load " + library + ": " + e);
        }
    }

    private static String missingCpuFlags() throws Unavailable {
        List<String> present;
        try {
            present = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> List.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))).orElse(List.of());
        } catch (IOException e) {
            throw new Unavailable("cannot read /proc/cpuinfo: " + e.getMessage());
        }
        List<String> missing = new ArrayList<>(CPU_FLAGS);
        missing.removeAll(present);
        return String.join(" ", missing);
    }

    /** The library for this source and these flags, compiled now unless the cache holds it. */
    private static Path compiledLibrary() throws Unavailable {
        byte[] source;
        try (InputStream in = NativeGemm.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new Unavailable("resource " + SOURCE + " is missing from the jar");
            source = in.readAllBytes();
        } catch (IOException e) {
            throw new Unavailable("cannot read resource " + SOURCE + ": " + e.getMessage());
        }
        String compiler = System.getProperty("neurosteer.native.cc", "cc");
        Path dir = cacheRoot().resolve(hash(source, compiler));
        Path library = dir.resolve("libneurosteer_prefill.so");
        if (Files.isRegularFile(library)) return library;
        try {
            Files.createDirectories(dir);
            Path src = Files.createTempFile(dir, "prefill_gemm", ".c"), out = Files.createTempFile(dir, "lib", ".so.part");
            try {
                Files.write(src, source);
                List<String> command = new ArrayList<>(List.of(compiler));
                command.addAll(FLAGS);
                command.addAll(List.of("-o", out.toString(), src.toString()));
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                p.getOutputStream().close();
                byte[] log = p.getInputStream().readAllBytes();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new Unavailable(String.join(" ", command) + " did not finish in 120 s");
                }
                if (p.exitValue() != 0)
                    throw new Unavailable(String.join(" ", command) + " failed (exit " + p.exitValue() + "): "
                            + new String(log, StandardCharsets.UTF_8).strip());
                Files.move(out, library, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                return library;
            } finally {
                Files.deleteIfExists(src);
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new Unavailable("cannot compile " + SOURCE + " with '" + compiler + "' in " + dir + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Unavailable("interrupted while compiling " + SOURCE);
        }
    }

    private static Path cacheRoot() {
        String configured = System.getProperty("neurosteer.native.cache");
        if (configured != null) return Path.of(configured);
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("neurosteer").resolve("native");
    }

    private static String hash(byte[] source, String compiler) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(String.join(" ", FLAGS).getBytes(StandardCharsets.UTF_8));
            sha.update(compiler.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Rows {@code [rowStart, rowEnd)} of {@code out[t * rows + r] = Σ_k W[r, k] x[t, k]} for every batch
     * row of {@code a} (quantized in blocks of 32, {@link QuantizedActivations#int8Values} filled), with
     * {@code weights} a row-major Q8_0 matrix of {@code rows × cols}.
     */
    static void q8_0(MemorySegment weights, int rows, int cols, int rowStart, int rowEnd, QuantizedActivations a, float[] out) {
        checkArguments(weights, (long) rows * (cols / 32) * Q8_0Tensor.BYTES, rows, cols, rowStart, rowEnd, a, out);
        try {
            Q8_0.invokeExact(weights, rows, cols, rowStart, rowEnd, MemorySegment.ofArray(a.int8), MemorySegment.ofArray(a.scales),
                    MemorySegment.ofArray(a.groupSums), a.batch, MemorySegment.ofArray(out));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The C code trusts its arguments, so they are checked here: a wrong size would write past an array. */
    private static void checkArguments(MemorySegment weights, long weightBytes, int rows, int cols, int rowStart, int rowEnd,
                                       QuantizedActivations a, float[] out) {
        if (Q8_0 == null) throw new IllegalStateException("native prefill kernels are " + STATUS);
        if (cols % 32 != 0 || a.block != 32 || a.cols != cols)
            throw new IllegalArgumentException("native product needs activations of " + cols + " columns in blocks of 32, got "
                    + a.cols + " in blocks of " + a.block);
        if (rowStart < 0 || rowStart > rowEnd || rowEnd > rows) throw new IndexOutOfBoundsException("rows " + rowStart + ".." + rowEnd + " of " + rows);
        if (weights.byteSize() < weightBytes)
            throw new IllegalArgumentException("weights of " + weights.byteSize() + " bytes, " + weightBytes + " needed");
        long n = (long) a.batch * cols;
        if (a.int8.length < n || a.scales.length < n / 32 || a.groupSums.length < n / 32 || out.length < (long) a.batch * rows)
            throw new IllegalArgumentException("buffers too small for " + a.batch + " rows of " + cols + " and " + rows + " outputs");
    }
}
