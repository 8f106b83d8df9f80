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
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import neurosteer.engine.util.Parallel;

/**
 * The engine's heaviest products in C ({@code native/prefill_gemm.c}, a resource of this package) called
 * through the FFM API: prefill of Q8_0, Q4_0 and Q4_K with 8-bit integer dot products, prefill of BF16 and
 * F16 with FP32 FMAs (AVX-512 only), and decode of Q8_0 (row-major and interleaved), interleaved Q4_0/Q4_K, BF16 and F16. On CPUs with AMX
 * (Sapphire Rapids on) prefill of every format but F16 runs in BF16 tiles instead ({@link #tileProduct}).
 *
 * <p>Why native: the Vector API of JDK 25 has no integer dot product, so the Java prefill kernels stop at the
 * FP32 FMA rate. With AVX-512 VNNI one {@code vpdpbusd} does 64 int8 multiply-adds (about twice what the
 * FMA kernel reaches; docs/BENCHMARKS.md, thirty-third run); with AVX2 one {@code vpmaddubsw} does 32, as
 * llama.cpp's own x86 kernels do. And Java cannot prefetch: on CPUs whose hardware prefetchers stop at each
 * 4 KiB page, decode kernels that prefetch ahead read the weights 1.5–2× as fast (thirty-fourth run). On other
 * CPUs the Java kernels run, and they stay the reference.
 *
 * <p>The library is compiled on the user's machine the first time it is needed, for the best {@link Isa}
 * this CPU has, with the C compiler on the path ({@code cc}, or {@code -Dneurosteer.native.cc=...}), into a
 * cache folder keyed by a hash of the source and the flags ({@code ~/.cache/neurosteer/native}, or
 * {@code -Dneurosteer.native.cache=...}). Nothing is downloaded and no binary ships in the jar.
 * {@code -Dneurosteer.native.isa=avx2} picks the AVX2 kernels on an AVX-512 CPU (for comparisons);
 * {@code -Dneurosteer.native=false} turns the kernels off, and so does {@code -Dneurosteer.vector=false} or
 * {@code -Dneurosteer.quantizedActivations=false}. {@link #status} says which and why.
 */
public final class NativeGemm {
    private static final String SOURCE = "native/prefill_gemm.c";
    private static final List<String> COMMON_FLAGS = List.of("-O3", "-fPIC", "-shared");

    /** The instruction sets the source compiles for, best first. */
    enum Isa {
        /**
         * The AVX-512 library plus prefill in AMX tiles (Sapphire Rapids on): {@code tdpbf16ps} does 8192 BF16
         * multiply-adds an instruction. Needs Linux to grant the tile registers (it asks, in {@code neurosteer_gemm_supported}).
         */
        AVX512_AMX("avx512-amx", List.of("-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni", "-mavx512vbmi", "-mf16c", "-mfma",
                "-mavx512bf16", "-mamx-tile", "-mamx-bf16"),
                List.of("avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512vbmi", "f16c", "fma", "avx512_bf16", "amx_tile", "amx_bf16")),
        /** 64 multiply-adds an instruction with {@code vpdpbusd}; VBMI packs the interleaved layouts. */
        AVX512_VNNI("avx512-vnni", List.of("-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512vnni", "-mavx512vbmi", "-mf16c", "-mfma"),
                List.of("avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512vbmi", "f16c", "fma")),
        /** 32 multiply-adds an instruction with {@code vpmaddubsw}: Haswell and Zen 1 on. */
        AVX2("avx2", List.of("-mavx2", "-mfma", "-mf16c"), List.of("avx2", "fma", "f16c"));

        /** The name in {@link #status} and {@code -Dneurosteer.native.isa}. */
        final String label;
        final List<String> compilerFlags;
        /** The {@code /proc/cpuinfo} flags the compiled code needs. */
        final List<String> cpuFlags;

        Isa(String label, List<String> compilerFlags, List<String> cpuFlags) {
            this.label = label;
            this.compilerFlags = compilerFlags;
            this.cpuFlags = cpuFlags;
        }
    }

    /**
     * The quantized weight layouts the library multiplies, each with its C function for prefill and the one
     * for decode, taken below {@code decodeBelow} rows of x (null and 0 where decode stays in Java; from
     * there up to {@link TiledMatmul#MIN_BATCH} rows the prefill kernel runs).
     */
    enum Layout {
        /**
         * GGUF Q8_0, row-major. Its decode kernel reads a row once for up to 8 tokens held in registers, with
         * no packing: below 12 tokens (a short prompt, a few sequences sampled together) it beats the panel
         * kernel, whose packing costs more than its arithmetic saves there (docs/BENCHMARKS.md, thirty-fifth run).
         */
        Q8_0("neurosteer_gemm_q8_0", "neurosteer_matvec_q8_0", 12, 1, 32, "neurosteer_amx_q8_0"),
        /** GGUF Q4_0, row-major (decode interleaves it first, see {@link Tensors#forInference}). */
        Q4_0("neurosteer_gemm_q4_0", null, 0, 1, 32, "neurosteer_amx_q4_0"),
        /** GGUF Q4_K, row-major. */
        Q4_K("neurosteer_gemm_q4_k", null, 0, 1, 256, "neurosteer_amx_q4_k"),
        /** {@link InterleavedQ4_0Tensor}: rows in groups of 16; decode has its own kernel on AVX-512, the prefill one on AVX2. */
        INTERLEAVED_Q4_0("neurosteer_gemm_interleaved_q4_0", "neurosteer_matvec_interleaved_q4_0", TiledMatmul.MIN_BATCH,
                InterleavedTensor.GROUP, 32, "neurosteer_amx_interleaved_q4_0"),
        /** {@link InterleavedQ4_KTensor}: rows in groups of 16, columns in super-blocks of 256; decode takes the prefill kernel. */
        INTERLEAVED_Q4_K("neurosteer_gemm_interleaved_q4_k", "neurosteer_gemm_interleaved_q4_k", TiledMatmul.MIN_BATCH,
                InterleavedTensor.GROUP, 256, "neurosteer_amx_interleaved_q4_k"),
        /**
         * {@link InterleavedQ8_0Tensor}: rows in groups of 16, each block the prefill kernel's panel as it is; decode has its
         * own kernel on AVX-512 (a row of x then gives the same floats alone as in any batch below 32), the prefill one on AVX2.
         */
        INTERLEAVED_Q8_0("neurosteer_gemm_interleaved_q8_0", "neurosteer_matvec_interleaved_q8_0", TiledMatmul.MIN_BATCH,
                InterleavedTensor.GROUP, 32, "neurosteer_amx_interleaved_q8_0"),
        /**
         * {@link InterleavedQ6_KTensor} (the Q6_K matrices of Q4_K_M files, its output head among them): prefill in AMX tiles
         * only, decode in its own kernel on AVX-512 only; elsewhere the Java kernels.
         */
        INTERLEAVED_Q6_K(null, "neurosteer_matvec_interleaved_q6_k", TiledMatmul.MIN_BATCH, InterleavedTensor.GROUP, 256,
                "neurosteer_amx_interleaved_q6_k", FEW_ROWS_IN_TILES);

        /** The AVX-512/AVX2 prefill product, or null where there is none. */
        final String symbol;
        final String decodeSymbol;
        /** The decode kernel runs below this many rows of x. */
        final int decodeBelow;
        /** Row ranges must start and end on multiples of this. */
        final int rowAlignment;
        /** The columns of a row must be a multiple of this (the format's block). */
        final int columnBlock;
        /** Prefill in AMX tiles, in the {@link Isa#AVX512_AMX} library. */
        final String amxSymbol;

        /** Products of this many rows of x and more run in the AMX tiles where they run. */
        final int tilesFrom;

        Layout(String symbol, String decodeSymbol, int decodeBelow, int rowAlignment, int columnBlock, String amxSymbol) {
            this(symbol, decodeSymbol, decodeBelow, rowAlignment, columnBlock, amxSymbol, TiledMatmul.MIN_BATCH);
        }

        Layout(String symbol, String decodeSymbol, int decodeBelow, int rowAlignment, int columnBlock, String amxSymbol, int tilesFrom) {
            this.tilesFrom = tilesFrom;
            this.symbol = symbol;
            this.amxSymbol = amxSymbol;
            this.decodeSymbol = decodeSymbol;
            this.decodeBelow = decodeBelow;
            this.rowAlignment = rowAlignment;
            this.columnBlock = columnBlock;
        }
    }

    /** The 16-bit float layouts (row-major) whose decode runs in the library, against x in floats. */
    enum FloatLayout {
        BF16("neurosteer_matvec_bf16", "neurosteer_gemm_bf16", "neurosteer_amx_bf16"),
        /** No AMX: its tiles take BF16, which would drop three bits of each F16 weight (llama.cpp keeps F16 products in F16). */
        F16("neurosteer_matvec_f16", "neurosteer_gemm_f16", null);

        final String symbol;
        /**
         * Prefill: FP32 FMAs on a converted, transposed panel, in the AVX-512 library only. The AVX2 version
         * ran 0.84–1.0× the Java tile with 256-bit vectors (docs/BENCHMARKS.md, thirty-fourth run) and was dropped.
         */
        final String gemmSymbol;
        /** Prefill in AMX tiles, in the {@link Isa#AVX512_AMX} library; null where the tiles would lose precision. */
        final String amxSymbol;

        FloatLayout(String symbol, String gemmSymbol, String amxSymbol) {
            this.symbol = symbol;
            this.gemmSymbol = gemmSymbol;
            this.amxSymbol = amxSymbol;
        }
    }

    /**
     * The library compiled for one instruction set: its products by {@link Layout}, decode products by layout, and by
     * {@link FloatLayout}; in the AMX library also its tile products by layout and float layout, and the conversion of x.
     * {@code bf16DecodeRoundsX}: its BF16 decode of one token rounds x to BF16 ({@code vdpbf16ps}, where the CPU has it).
     */
    record Library(Isa isa, MethodHandle[] products, MethodHandle[] decodes, MethodHandle[] floatDecodes, MethodHandle[] floatProducts,
                   MethodHandle amxActivations, MethodHandle[] amxProducts, MethodHandle[] amxFloatProducts, MethodHandle amxPeak,
                   boolean bf16DecodeRoundsX, MethodHandle readSum) {
        boolean tiles() { return amxActivations != null; }
    }

    /** {@code -Dneurosteer.native.decode=false} keeps decode in the Java kernels (prefill still native): for comparisons. */
    private static final boolean DECODE = !"false".equals(System.getProperty("neurosteer.native.decode"));

    /**
     * Products of interleaved Q6_K weights take the tiles from this many rows of x (BF16 too where the CPU lacks
     * AVX512_BF16, else from {@link #BF16_DOT_ROWS_IN_TILES}), and those of the other layouts from {@link TiledMatmul#MIN_BATCH}:
     * below that the BF16 decode tile and Java's few-rows kernel were the slower, Q8_0's and Q4_0's decode kernels and
     * the VNNI panels the faster (docs/BENCHMARKS.md, thirty-sixth run).
     */
    static final int FEW_ROWS_IN_TILES = 5;

    /** {@code -Dneurosteer.native.amx=false} keeps prefill out of the AMX tiles (in the AVX-512 kernels): for comparisons. */
    private static final boolean TILES = !"false".equals(System.getProperty("neurosteer.native.amx"));

    private static final Map<Isa, Library> LOADED = new ConcurrentHashMap<>();
    private static final Library DEFAULT;
    private static final String STATUS;

    static {
        Library library = null;
        String status = null;
        try {
            // the best that loads: the AMX library needs a C compiler that knows AMX and a kernel that grants the tiles
            List<Isa> candidates = candidateIsas();
            Unavailable first = null;
            for (Isa isa : candidates) {
                try {
                    library = library(isa);
                    status = isa.label;
                    if (first != null) System.getLogger("neurosteer.engine").log(System.Logger.Level.INFO,
                            "native kernels: " + first.getMessage() + "; using " + isa.label);
                    break;
                } catch (Unavailable e) {
                    if (first == null) first = e;
                }
            }
            if (library == null) throw first;
        } catch (Unavailable e) {
            status = "off: " + e.getMessage();
            // quiet where the CPU or the platform has no kernels; loud where a setting the user gave did not take
            boolean asked = System.getProperty("neurosteer.native.isa") != null || System.getProperty("neurosteer.native.cc") != null;
            System.getLogger("neurosteer.engine").log(asked ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG,
                    "native kernels " + status + (asked ? " (the Java kernels run instead)" : ""));
        }
        DEFAULT = library;
        STATUS = library != null && library.tiles() && !TILES ? status + " (tiles off: -Dneurosteer.native.amx=false)" : status;
    }

    private NativeGemm() {}

    /** True when prefill products of the supported formats run in the native kernel. */
    public static boolean available() { return DEFAULT != null; }

    /** The instruction set of the kernels in use ({@code "avx512-vnni"}, {@code "avx2"}), or {@code "off: "} and why: for logs and benchmark records. */
    public static String status() { return STATUS; }

    /** The library the engine uses, if any. */
    static java.util.Optional<Library> defaultLibrary() { return java.util.Optional.ofNullable(DEFAULT); }

    static final class Unavailable extends Exception {
        Unavailable(String why) { super(why, null, false, false); }
    }

    /** The instruction set {@code -Dneurosteer.native.isa} names, or else those this CPU has, best first. */
    private static List<Isa> candidateIsas() throws Unavailable {
        if (!Kernels.VECTORIZE) throw new Unavailable("-Dneurosteer.vector=false");
        if (!Kernels.QUANTIZE_ACTIVATIONS) throw new Unavailable("-Dneurosteer.quantizedActivations=false");
        if ("false".equals(System.getProperty("neurosteer.native"))) throw new Unavailable("-Dneurosteer.native=false");
        String wanted = System.getProperty("neurosteer.native.isa");
        if (wanted != null) {
            for (Isa isa : Isa.values()) if (isa.label.equals(wanted)) return List.of(isa);
            throw new Unavailable("-Dneurosteer.native.isa=" + wanted + " is not one of "
                    + Arrays.stream(Isa.values()).map(i -> i.label).toList());
        }
        List<String> present = cpuFlags();
        List<Isa> runnable = Arrays.stream(Isa.values()).filter(isa -> present.containsAll(isa.cpuFlags)).toList();
        if (!runnable.isEmpty()) return runnable;
        throw new Unavailable("this CPU has neither " + String.join(" ", Isa.AVX512_VNNI.cpuFlags) + " nor " + String.join(" ", Isa.AVX2.cpuFlags));
    }

    /** The instruction sets this CPU runs, best first. */
    static List<Isa> runnableIsas() {
        try {
            List<String> present = cpuFlags();
            return Arrays.stream(Isa.values()).filter(isa -> present.containsAll(isa.cpuFlags)).toList();
        } catch (Unavailable e) {
            return List.of();
        }
    }

    /** The library for {@code isa}, compiled and loaded on first use. */
    static Library library(Isa isa) throws Unavailable {
        Library loaded = LOADED.get(isa);
        if (loaded != null) return loaded;
        synchronized (LOADED) {
            loaded = LOADED.get(isa);
            if (loaded == null) {
                loaded = load(isa);
                LOADED.put(isa, loaded);
            }
            return loaded;
        }
    }

    private static Library load(Isa isa) throws Unavailable {
        String os = System.getProperty("os.name", ""), arch = System.getProperty("os.arch", "");
        if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || !(arch.equals("amd64") || arch.equals("x86_64")))
            throw new Unavailable("written for Linux on x86-64, this is " + os + " on " + arch);
        List<String> missing = new ArrayList<>(isa.cpuFlags);
        missing.removeAll(cpuFlags());
        if (!missing.isEmpty()) throw new Unavailable("this CPU lacks " + String.join(" ", missing) + " for the " + isa.label + " kernels");
        Path library = compiledLibrary(isa);
        try {
            SymbolLookup symbols = SymbolLookup.libraryLookup(library, Arena.global());
            Linker linker = Linker.nativeLinker();
            MethodHandle supported = linker.downcallHandle(symbols.findOrThrow("neurosteer_gemm_supported"),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            if ((int) supported.invokeExact() != 1) throw new Unavailable(library + " reports that this CPU cannot run it");
            var a = ValueLayout.ADDRESS;
            var i = ValueLayout.JAVA_INT;
            FunctionDescriptor product = FunctionDescriptor.ofVoid(a, i, i, i, i, a, a, a, i, a);
            FunctionDescriptor floatProduct = FunctionDescriptor.ofVoid(a, i, i, i, i, a, i, a);
            MethodHandle[] products = new MethodHandle[Layout.values().length], decodes = new MethodHandle[Layout.values().length];
            for (Layout layout : Layout.values()) {
                if (layout.symbol != null)
                    products[layout.ordinal()] = linker.downcallHandle(symbols.findOrThrow(layout.symbol), product, Linker.Option.critical(true));
                if (layout.decodeSymbol == null) continue;
                var decode = symbols.find(layout.decodeSymbol);  // the AVX2 library lacks some decode kernels (Q6_K's)
                if (decode.isEmpty() && isa != Isa.AVX2) throw new Unavailable(library + " has no " + layout.decodeSymbol);
                if (decode.isPresent()) decodes[layout.ordinal()] = linker.downcallHandle(decode.get(), product, Linker.Option.critical(true));
            }
            MethodHandle[] floatDecodes = new MethodHandle[FloatLayout.values().length], floatProducts = new MethodHandle[FloatLayout.values().length];
            for (FloatLayout layout : FloatLayout.values()) {
                floatDecodes[layout.ordinal()] = linker.downcallHandle(symbols.findOrThrow(layout.symbol), floatProduct, Linker.Option.critical(true));
                var gemm = symbols.find(layout.gemmSymbol);
                if (gemm.isPresent()) floatProducts[layout.ordinal()] = linker.downcallHandle(gemm.get(), floatProduct, Linker.Option.critical(true));
            }
            MethodHandle amxActivations = null, amxPeak = null;
            MethodHandle[] amxProducts = new MethodHandle[Layout.values().length], amxFloatProducts = new MethodHandle[FloatLayout.values().length];
            FunctionDescriptor tileProduct = FunctionDescriptor.of(i, a, i, i, i, i, a, i, a);
            if (isa == Isa.AVX512_AMX) {
                amxActivations = linker.downcallHandle(symbols.findOrThrow("neurosteer_amx_activations"),
                        FunctionDescriptor.ofVoid(a, i, i, a, i, i), Linker.Option.critical(true));
                amxPeak = linker.downcallHandle(symbols.findOrThrow("neurosteer_amx_peak"), FunctionDescriptor.of(ValueLayout.JAVA_FLOAT,
                        ValueLayout.JAVA_LONG));
                for (Layout layout : Layout.values())
                    amxProducts[layout.ordinal()] = linker.downcallHandle(symbols.findOrThrow(layout.amxSymbol), tileProduct, Linker.Option.critical(true));
                for (FloatLayout layout : FloatLayout.values())
                    if (layout.amxSymbol != null) amxFloatProducts[layout.ordinal()] = linker.downcallHandle(symbols.findOrThrow(layout.amxSymbol), tileProduct,
                            Linker.Option.critical(true));
            }
            MethodHandle roundsX = linker.downcallHandle(symbols.findOrThrow("neurosteer_bf16_decode_rounds_x"), FunctionDescriptor.of(i));
            boolean bf16DecodeRoundsX = (int) roundsX.invokeExact() == 1;
            MethodHandle readSum = linker.downcallHandle(symbols.findOrThrow("neurosteer_read_sum"), FunctionDescriptor.of(ValueLayout.JAVA_FLOAT,
                    a, ValueLayout.JAVA_LONG));
            return new Library(isa, products, decodes, floatDecodes, floatProducts, amxActivations, amxProducts, amxFloatProducts, amxPeak,
                    bf16DecodeRoundsX, readSum);
        } catch (Unavailable e) {
            throw e;
        } catch (Throwable e) {
            throw new Unavailable("cannot load " + library + ": " + e);
        }
    }

    private static List<String> cpuFlags() throws Unavailable {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("flags")).findFirst()
                    .map(l -> List.of(l.substring(l.indexOf(':') + 1).trim().split("\\s+"))).orElse(List.of());
        } catch (IOException e) {
            throw new Unavailable("cannot read /proc/cpuinfo: " + e.getMessage());
        }
    }

    /** The library for this source and {@code isa}'s flags, compiled now unless the cache holds it. */
    private static Path compiledLibrary(Isa isa) throws Unavailable {
        byte[] source;
        try (InputStream in = NativeGemm.class.getResourceAsStream(SOURCE)) {
            if (in == null) throw new Unavailable("resource " + SOURCE + " is missing from the jar");
            source = in.readAllBytes();
        } catch (IOException e) {
            throw new Unavailable("cannot read resource " + SOURCE + ": " + e.getMessage());
        }
        String compiler = System.getProperty("neurosteer.native.cc", "cc");
        List<String> flags = new ArrayList<>(COMMON_FLAGS);
        flags.addAll(isa.compilerFlags);
        Path dir = cacheRoot().resolve(hash(source, flags, compiler));
        Path library = dir.resolve("libneurosteer_prefill_" + isa.label + ".so");
        if (Files.isRegularFile(library)) return library;
        System.getLogger("neurosteer.engine").log(System.Logger.Level.INFO,
                "compiling the native prefill kernels (" + isa.label + ") with " + compiler + " into " + dir + " (once per machine)");
        try {
            Files.createDirectories(dir);
            Path src = Files.createTempFile(dir, "prefill_gemm", ".c"), out = Files.createTempFile(dir, "lib", ".so.part");
            try {
                Files.write(src, source);
                List<String> command = new ArrayList<>(List.of(compiler));
                command.addAll(flags);
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

    private static String hash(byte[] source, List<String> flags, String compiler) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(source);
            sha.update(String.join(" ", flags).getBytes(StandardCharsets.UTF_8));
            sha.update(compiler.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Rows per parallel chunk: two of the kernel's 16-row panels. */
    private static final int CHUNK_ROWS = 32;

    /** True when {@link #multiply} takes products of {@code layout} with {@code batch} rows of x. */
    static boolean runs(Layout layout, int batch) {
        Library library = DEFAULT;
        if (library == null) return false;
        if (batch >= layout.tilesFrom && TILES && library.tiles()) return true;
        if (batch < TiledMatmul.MIN_BATCH) return decodes(layout);
        return library.products[layout.ordinal()] != null;
    }

    /**
     * Whether Q8_0 matrices are best interleaved ({@link InterleavedQ8_0Tensor}): where the AVX-512 decode kernel of that
     * layout runs. With AVX2 its decode is the prefill kernel a panel at a time, and the model's Q8_0 decode read 8.9–9.1
     * tok/s that way against 14.7–16.0 with the row-major kernel (docs/BENCHMARKS.md, thirty-seventh run).
     */
    static boolean interleavesQ8_0() {
        return decodes(Layout.INTERLEAVED_Q8_0) && DEFAULT.isa != Isa.AVX2;
    }

    /** True when decode products of {@code layout} run in the native kernels ({@link #multiply} at any batch). */
    static boolean decodes(Layout layout) { return DECODE && DEFAULT != null && DEFAULT.decodes[layout.ordinal()] != null; }

    /**
     * {@code out = W x} for {@code batch} rows of {@code x}, quantized here, the rows of {@code w} split over
     * the {@link Parallel} team: the decode kernel below {@link Layout#decodeBelow} rows, the prefill kernel
     * from there. Callers take this from {@link TiledMatmul#MIN_BATCH} rows on, and below that where
     * {@link #decodes} says so.
     */
    static void multiply(Layout layout, Tensor w, float[] x, int batch, float[] out, float[] spare) {
        if (batch >= layout.tilesFrom && TILES && DEFAULT.tiles()) {
            checkLayout(layout, w.segment(), w.byteSize(), w.rows(), w.cols(), 0, w.rows());
            tileProduct(DEFAULT, DEFAULT.amxProducts[layout.ordinal()], w, x, batch, out, spare);
            return;
        }
        int rows = w.rows(), cols = w.cols();
        boolean decode = batch < layout.decodeBelow;
        QuantizedActivations a = QuantizedActivations.forThread().quantizeToBytes(x, batch, cols);
        Parallel.forRange((rows + CHUNK_ROWS - 1) / CHUNK_ROWS, 1, (start, end) -> product(DEFAULT, layout, decode, w.segment(),
                w.byteSize(), rows, cols, start * CHUNK_ROWS, Math.min(rows, end * CHUNK_ROWS), a, out));
    }

    /**
     * Rows {@code [rowStart, rowEnd)} of {@code out[t * rows + r] = Σ_k W[r, k] x[t, k]} for every batch
     * row of {@code a} (quantized by {@link QuantizedActivations#quantizeToBytes}), with
     * {@code weights} a {@code rows × cols} matrix in {@code layout} of {@code weightBytes} bytes.
     */
    static void product(Layout layout, MemorySegment weights, long weightBytes, int rows, int cols, int rowStart, int rowEnd,
                        QuantizedActivations a, float[] out) {
        if (DEFAULT == null) throw new IllegalStateException("native kernels are " + STATUS);
        product(DEFAULT, layout, false, weights, weightBytes, rows, cols, rowStart, rowEnd, a, out);
    }

    /** {@link #product(Layout, MemorySegment, long, int, int, int, int, QuantizedActivations, float[])} in {@code library}'s prefill kernel, or its decode kernel. */
    static void product(Library library, Layout layout, boolean decode, MemorySegment weights, long weightBytes, int rows, int cols,
                        int rowStart, int rowEnd, QuantizedActivations a, float[] out) {
        checkArguments(layout, weights, weightBytes, rows, cols, rowStart, rowEnd, a, out);
        MethodHandle kernel = decode ? library.decodes[layout.ordinal()] : library.products[layout.ordinal()];
        if (kernel == null) throw new IllegalArgumentException(layout + " has no native " + (decode ? "decode" : "prefill") + " kernel for "
                + library.isa.label);
        try {
            kernel.invokeExact(weights, rows, cols, rowStart, rowEnd, MemorySegment.ofArray(a.int8),
                    MemorySegment.ofArray(a.scales), MemorySegment.ofArray(a.groupSums), a.batch, MemorySegment.ofArray(out));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Rows {@code [rowStart, rowEnd)} of {@code out[t * rows + r] = Σ_k W[r, k] x[t * cols + k]}, {@code t < batch},
     * for {@code w} in {@code layout}, in the native kernel that should take {@code batch} rows of x, if any; returns
     * false, having done nothing, where the Java kernels should run instead. From {@link TiledMatmul#MIN_BATCH} rows
     * the panel kernel (AVX-512 only: 1.45× the Java tile; the AVX2 version was no faster). Below
     * {@link FewRowsMatmul#MIN_BATCH} rows the decode kernel; between the two also the decode kernel, which reads
     * each weight row once for a tile of rows of x, but with AVX-512 only: it read an 8-token BF16 prompt 1.45× as
     * fast as Java's few-rows kernel there, and the AVX2 one was no faster (docs/BENCHMARKS.md, thirty-fifth run).
     */
    static boolean multipliedFloats(FloatLayout layout, Tensor w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        Library library = DEFAULT;
        FloatKernel kernel = library == null ? FloatKernel.JAVA : floatKernel(library, layout, batch);
        if (kernel == FloatKernel.JAVA) return false;
        floats(library, layout, kernel == FloatKernel.PANEL, w.segment(), w.rows(), w.cols(), x, batch, out, rowStart, rowEnd);
        return true;
    }

    /**
     * Whether {@link #multipliedFloats} rounds x to BF16 for {@code batch} rows of x against BF16 weights: where the
     * library's decode kernel takes them with {@code vdpbf16ps}.
     */
    static boolean multipliedFloatsRoundBf16X(int batch) {
        Library library = DEFAULT;
        return library != null && library.bf16DecodeRoundsX() && floatKernel(library, FloatLayout.BF16, batch) == FloatKernel.DECODE;
    }

    /** Which kernel {@link #multipliedFloats} runs. */
    enum FloatKernel { PANEL, DECODE, JAVA }

    /** The kernel of {@code library} that takes {@code batch} rows of x against {@code layout} weights in {@link #multipliedFloats}. */
    static FloatKernel floatKernel(Library library, FloatLayout layout, int batch) {
        if (batch >= TiledMatmul.MIN_BATCH) return FLOAT_PREFILL && library.floatProducts[layout.ordinal()] != null ? FloatKernel.PANEL : FloatKernel.JAVA;
        // the AVX-512 decode tile (also in the AMX library) beats Java's few-rows kernel; the AVX2 one did not
        return DECODE && (batch < FewRowsMatmul.MIN_BATCH || library.isa != Isa.AVX2) ? FloatKernel.DECODE : FloatKernel.JAVA;
    }

    /**
     * BF16 products take the tiles from this many rows of x where the {@code vdpbf16ps} decode kernel runs below them
     * ({@code -Dneurosteer.native.bf16TilesFrom}): at 8 rows that kernel was the faster, at 16 the two were even, at 24
     * the tiles were (docs/BENCHMARKS.md, thirty-seventh run).
     */
    static final int BF16_DOT_ROWS_IN_TILES = Integer.getInteger("neurosteer.native.bf16TilesFrom", 16);

    /** The rows of x from which products of {@code layout} weights take the tiles. */
    static int floatRowsInTiles(Library library, FloatLayout layout) {
        return layout == FloatLayout.BF16 && library.bf16DecodeRoundsX() ? BF16_DOT_ROWS_IN_TILES : FEW_ROWS_IN_TILES;
    }

    /**
     * {@code out = W x} for {@code w} in {@code layout} in AMX tiles, where they run and {@code batch} is at least
     * {@link #floatRowsInTiles} (a prefill, a short prompt, several sequences sampled together); returns false, having
     * done nothing, otherwise.
     */
    static boolean multipliedByTiles(FloatLayout layout, Tensor w, float[] x, int batch, float[] out, float[] spare) {
        Library library = DEFAULT;
        if (library == null || !library.tiles() || !TILES || !FLOAT_PREFILL || batch < floatRowsInTiles(library, layout) || w.cols() % 32 != 0
                || library.amxFloatProducts[layout.ordinal()] == null)
            return false;
        if (w.segment().byteSize() < 2L * w.rows() * w.cols())
            throw new IllegalArgumentException("weights of " + w.segment().byteSize() + " bytes, " + 2L * w.rows() * w.cols() + " needed for "
                    + w.rows() + " × " + w.cols());
        tileProduct(library, library.amxFloatProducts[layout.ordinal()], w, x, batch, out, spare);
        return true;
    }


    /**
     * x rounded to BF16 for the tile products, rows padded to a multiple of {@link #TILE_TOKENS}: one buffer per calling
     * thread, for the products whose caller lends no spare array large enough.
     */
    private static final ThreadLocal<short[]> TILE_X = ThreadLocal.withInitial(() -> new short[0]);
    /** The tile kernels take x 32 rows at a time. */
    static final int TILE_TOKENS = 32;

    /**
     * {@code out = W x} in {@code kernel}, an AMX product of {@code library}: x rounded to BF16 once, then the weight
     * rows in chunks of 32 over the {@link Parallel} team. x in BF16 goes to {@code spare} where the caller lends one
     * large enough (see {@link Tensor#matmul(float[], int, float[], float[])}), else to this thread's {@link #TILE_X}:
     * a 512-row pass of Llama-3.2-1B would keep 8 MiB there for its FFN's down projection alone. The callers have
     * checked the weights' layout and size.
     */
    static void tileProduct(Library library, MethodHandle kernel, Tensor w, float[] x, int batch, float[] out, float[] spare) {
        int rows = w.rows(), cols = w.cols();
        MemorySegment xb = tileActivations(library, x, batch, cols, out, rows, spare);
        MemorySegment weights = w.segment();
        Parallel.forRange((rows + CHUNK_ROWS - 1) / CHUNK_ROWS, 1, (start, end) ->
                tiles(kernel, weights, rows, cols, start * CHUNK_ROWS, Math.min(rows, end * CHUNK_ROWS), xb, batch, out));
    }

    /** Rows {@code [rowStart, rowEnd)} of {@code out = W x} in {@code library}'s AMX kernel for {@code layout}, on this thread. */
    static void tileProduct(Library library, Layout layout, Tensor w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        checkLayout(layout, w.segment(), w.byteSize(), w.rows(), w.cols(), rowStart, rowEnd);
        MemorySegment xb = tileActivations(library, x, batch, w.cols(), out, w.rows(), null);
        tiles(library.amxProducts[layout.ordinal()], w.segment(), w.rows(), w.cols(), rowStart, rowEnd, xb, batch, out);
    }

    /** The same for 16-bit float weights. */
    static void tileProduct(Library library, FloatLayout layout, Tensor w, float[] x, int batch, float[] out, int rowStart, int rowEnd) {
        if (rowStart < 0 || rowStart > rowEnd || rowEnd > w.rows()) throw new IndexOutOfBoundsException("rows " + rowStart + ".." + rowEnd + " of " + w.rows());
        if (w.cols() % 32 != 0 || w.segment().byteSize() < 2L * w.rows() * w.cols())
            throw new IllegalArgumentException(layout + " tiles need columns in 32s and " + 2L * w.rows() * w.cols() + " bytes");
        if (library.amxFloatProducts[layout.ordinal()] == null) throw new IllegalArgumentException(layout + " has no tile product");
        MemorySegment xb = tileActivations(library, x, batch, w.cols(), out, w.rows(), null);
        tiles(library.amxFloatProducts[layout.ordinal()], w.segment(), w.rows(), w.cols(), rowStart, rowEnd, xb, batch, out);
    }

    /**
     * x rounded to BF16, rows past {@code batch} zero up to a multiple of {@link #TILE_TOKENS}: in {@code spare} where it is
     * not null and large enough (and is neither x nor out), else in this thread's {@link #TILE_X}.
     */
    private static MemorySegment tileActivations(Library library, float[] x, int batch, int cols, float[] out, int rows, float[] spare) {
        if (batch < 0 || x.length < (long) batch * cols || out.length < (long) batch * rows)
            throw new IllegalArgumentException("buffers too small for " + batch + " rows of " + cols + " and " + rows + " outputs");
        long padded = (long) (batch + TILE_TOKENS - 1) / TILE_TOKENS * TILE_TOKENS * cols;
        if (padded > Integer.MAX_VALUE - 16) throw new IllegalArgumentException(batch + " rows of " + cols + " are too many for one product");
        MemorySegment buffer;
        if (spare != null && spare != x && spare != out && 2L * spare.length >= padded) buffer = MemorySegment.ofArray(spare);
        else {
            short[] xb = TILE_X.get();
            if (xb.length < padded) TILE_X.set(xb = new short[(int) padded]);
            buffer = MemorySegment.ofArray(xb);
        }
        int rowsOfX = (batch + TILE_TOKENS - 1) / TILE_TOKENS * TILE_TOKENS;
        Parallel.forRange(rowsOfX, TILE_TOKENS, (from, to) -> {
            try {
                library.amxActivations.invokeExact(MemorySegment.ofArray(x), batch, cols, buffer, from, to);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        });
        return buffer;
    }

    private static void tiles(MethodHandle kernel, MemorySegment weights, int rows, int cols, int rowStart, int rowEnd, MemorySegment xb, int batch,
                              float[] out) {
        int failed;
        try {
            failed = (int) kernel.invokeExact(weights, rows, cols, rowStart, rowEnd, xb, batch, MemorySegment.ofArray(out));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        if (failed != 0) throw new OutOfMemoryError("no native memory for the AMX weight tiles (" + 64L * cols + " bytes a thread)");
    }

    /** True when prefill products run in AMX tiles here. */
    public static boolean tiles() { return TILES && DEFAULT != null && DEFAULT.tiles(); }

    /**
     * The AMX BF16 ceiling: GFLOP/s (two per multiply-add) of {@code tdpbf16ps} on L1-resident tiles, on every
     * thread of the {@link Parallel} team at once, best of rounds over about {@code seconds}; NaN where the tiles do not run.
     */
    public static double tilePeakGflops(double seconds) {
        if (!tiles()) return Double.NaN;
        int threads = Parallel.threads();
        long reps = 20_000; // 4 x 8192 multiply-adds each: about a millisecond a round on one Sapphire Rapids core
        float[] sink = new float[threads];
        double best = 0;
        long end = System.nanoTime() + (long) (seconds * 1e9);
        do {
            long t0 = System.nanoTime();
            Parallel.forRange(threads, 1, (lo, hi) -> {
                for (int t = lo; t < hi; t++) {
                    try {
                        sink[t] += (float) DEFAULT.amxPeak.invokeExact(reps);
                    } catch (Throwable e) {
                        throw new IllegalStateException(e);
                    }
                }
            });
            best = Math.max(best, 2.0 * 4 * 8192 * reps * threads / (System.nanoTime() - t0));
        } while (System.nanoTime() < end);
        if (Float.isNaN(sink[0])) throw new AssertionError();
        return best;
    }

    /**
     * The sum of {@code floats} floats at {@code at} (a multiple of 32), read by the native library as its decode kernels
     * read weights (four streams, software prefetch): for the read ceiling. NaN where no library loaded.
     */
    static float nativeReadSum(MemorySegment at, long floats) {
        Library library = DEFAULT;
        if (library == null) return Float.NaN;
        if (floats % 32 != 0 || at.byteSize() < floats * 4) throw new IllegalArgumentException(floats + " floats in " + at.byteSize() + " bytes");
        try {
            return (float) library.readSum.invokeExact(at, floats);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code -Dneurosteer.native.floatPrefill=false} keeps BF16/F16 prefill in Java. */
    private static final boolean FLOAT_PREFILL = !"false".equals(System.getProperty("neurosteer.native.floatPrefill"));

    static void decodeFloats(Library library, FloatLayout layout, MemorySegment weights, int rows, int cols, float[] x, int batch,
                             float[] out, int rowStart, int rowEnd) {
        floats(library, layout, false, weights, rows, cols, x, batch, out, rowStart, rowEnd);
    }

    static void floats(Library library, FloatLayout layout, boolean prefill, MemorySegment weights, int rows, int cols, float[] x, int batch,
                       float[] out, int rowStart, int rowEnd) {
        if (rowStart < 0 || rowStart > rowEnd || rowEnd > rows) throw new IndexOutOfBoundsException("rows " + rowStart + ".." + rowEnd + " of " + rows);
        if (weights.byteSize() < 2L * rows * cols)
            throw new IllegalArgumentException("weights of " + weights.byteSize() + " bytes, " + 2L * rows * cols + " needed for " + rows + " × " + cols);
        if (batch < 0 || x.length < (long) batch * cols || out.length < (long) batch * rows)
            throw new IllegalArgumentException("buffers too small for " + batch + " rows of " + cols + " and " + rows + " outputs");
        MethodHandle kernel = (prefill ? library.floatProducts : library.floatDecodes)[layout.ordinal()];
        if (kernel == null) throw new IllegalArgumentException(layout + " has no native prefill kernel for " + library.isa.label);
        try {
            kernel.invokeExact(weights, rows, cols, rowStart, rowEnd, MemorySegment.ofArray(x), batch,
                    MemorySegment.ofArray(out));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** The C code trusts its arguments, so they are checked here: a wrong size would write past an array. */
    private static void checkArguments(Layout layout, MemorySegment weights, long weightBytes, int rows, int cols, int rowStart,
                                       int rowEnd, QuantizedActivations a, float[] out) {
        checkLayout(layout, weights, weightBytes, rows, cols, rowStart, rowEnd);
        if (!a.inBytes || a.block != 32 || a.cols != cols)
            throw new IllegalArgumentException("native product needs activations of " + cols + " columns quantized to bytes in blocks of 32, got "
                    + a.cols + " in blocks of " + a.block + (a.inBytes ? "" : " as shorts"));
        long n = (long) a.batch * cols;
        if (a.int8.length < n || a.scales.length < n / 32 || a.groupSums.length < n / 32 || out.length < (long) a.batch * rows)
            throw new IllegalArgumentException("buffers too small for " + a.batch + " rows of " + cols + " and " + rows + " outputs");
    }

    private static void checkLayout(Layout layout, MemorySegment weights, long weightBytes, int rows, int cols, int rowStart, int rowEnd) {
        if (cols % layout.columnBlock != 0)
            throw new IllegalArgumentException(layout + ": " + cols + " columns are not a multiple of " + layout.columnBlock);
        if (rowStart < 0 || rowStart > rowEnd || rowEnd > rows) throw new IndexOutOfBoundsException("rows " + rowStart + ".." + rowEnd + " of " + rows);
        if (rows % layout.rowAlignment != 0 || rowStart % layout.rowAlignment != 0 || rowEnd % layout.rowAlignment != 0)
            throw new IllegalArgumentException(layout + ": rows " + rowStart + ".." + rowEnd + " of " + rows + " are not in groups of "
                    + layout.rowAlignment);
        if (weights.byteSize() < weightBytes)
            throw new IllegalArgumentException("weights of " + weights.byteSize() + " bytes, " + weightBytes + " needed");
    }
}
