/*
 * The engine's own native decode kernels (engine/.../native/prefill_gemm.c, included here) over the weight
 * matrices of one Llama-3.2-1B token, in the order a forward pass runs them (per layer q, k, v, o, gate, up,
 * down; then the tied output head), one token of x, on two threads: the calling one and a worker spinning
 * for work, each product cut into 16 chunks claimed in order, as neurosteer.engine.util.Parallel does.
 * What the kernels read from memory with nothing of the engine around them (no Java, no attention).
 *
 *   gcc -O3 -march=native -pthread -o /tmp/decode_sequence bench/native-probe/decode_sequence.c -lm
 *   /tmp/decode_sequence bf16|q8_0|q4_0 [PASSES=10]
 *
 * q8_0 and q4_0 are the interleaved layouts (InterleavedQ8_0Tensor, InterleavedQ4_0Tensor). The weights are
 * random bytes in anonymous memory with every f16 scale set to a small finite value; only speed is measured.
 * Prints the mean and the best of the passes after the first as tokens/s and GB/s of weights read.
 */
#define _GNU_SOURCE
#include "../../engine/src/main/resources/neurosteer/engine/tensor/native/prefill_gemm.c"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/mman.h>
#include <time.h>

enum { HIDDEN = 2048, KV = 512, FFN = 8192, LAYERS = 16, VOCAB = 128256, CHUNKS = 16 };

typedef enum { BF16, Q8_0, Q4_0 } format_t;
static format_t format;
static float x[FFN];
static int8_t xq[FFN];
static float dx[FFN / 32], sx[FFN / 32];

typedef struct { const uint8_t *w; int rows, cols; float *out; atomic_int next, done; } job_t;
static job_t job;
static atomic_int posted;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static size_t matrix_bytes(int rows, int cols) {
    size_t n = (size_t) rows * cols;
    return format == BF16 ? 2 * n : format == Q8_0 ? n / 32 * 34 : n / 32 * 18;
}

static void product(const uint8_t *w, int rows, int cols, int start, int end, float *out) {
    if (format == BF16) neurosteer_matvec_bf16((const uint16_t *) w, rows, cols, start, end, x, 1, out);
    else if (format == Q8_0) neurosteer_matvec_interleaved_q8_0(w, rows, cols, start, end, xq, dx, sx, 1, out);
    else neurosteer_matvec_interleaved_q4_0(w, rows, cols, start, end, xq, dx, sx, 1, out);
}

static void work(void) {
    for (int c; (c = atomic_fetch_add(&job.next, 1)) < CHUNKS; ) {
        // chunk edges on whole groups of 16 rows, as the engine cuts interleaved matrices
        int groups = job.rows / 16, start = 16 * (int) ((long) groups * c / CHUNKS), end = 16 * (int) ((long) groups * (c + 1) / CHUNKS);
        if (start < end) product(job.w, job.rows, job.cols, start, end, job.out);
        atomic_fetch_add(&job.done, 1);
    }
}

static void *worker(void *unused) {
    (void) unused;
    for (int seen = 0;;) {
        int p = atomic_load(&posted);
        if (p != seen) { seen = p; work(); }
        else __builtin_ia32_pause();
    }
    return NULL;
}

static void run(const uint8_t *w, int rows, int cols, float *out) {
    job.w = w; job.rows = rows; job.cols = cols; job.out = out;
    atomic_store(&job.next, 0);
    atomic_store(&job.done, 0);
    atomic_fetch_add(&posted, 1);
    work();
    while (atomic_load(&job.done) < CHUNKS) __builtin_ia32_pause();
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s bf16|q8_0|q4_0 [PASSES=10]\n", argv[0]); return 2; }
    format = !strcmp(argv[1], "bf16") ? BF16 : !strcmp(argv[1], "q8_0") ? Q8_0 : !strcmp(argv[1], "q4_0") ? Q4_0 : (format_t) -1;
    if ((int) format < 0) { fprintf(stderr, "unknown format %s\n", argv[1]); return 2; }
    int passes = argc > 2 ? atoi(argv[2]) : 10;
    if (!neurosteer_gemm_supported()) { fprintf(stderr, "this CPU cannot run the kernels as compiled\n"); return 1; }
    const int shapes[7][2] = {{HIDDEN, HIDDEN}, {KV, HIDDEN}, {KV, HIDDEN}, {HIDDEN, HIDDEN}, {FFN, HIDDEN}, {FFN, HIDDEN}, {HIDDEN, FFN}};
    size_t total = matrix_bytes(VOCAB, HIDDEN);
    for (int m = 0; m < 7; m++) total += LAYERS * matrix_bytes(shapes[m][0], shapes[m][1]);
    uint8_t *w = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (w == MAP_FAILED) { perror("mmap"); return 1; }
    uint64_t state = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < total; i += 8) { state ^= state << 13; state ^= state >> 7; state ^= state << 17; memcpy(w + i, &state, total - i < 8 ? total - i : 8); }
    if (format == BF16) for (size_t i = 1; i < total; i += 2) w[i] = (uint8_t) (0x3C + (w[i] & 3)); // |w| in [2^-7, 2^-3)
    else {
        size_t block = format == Q8_0 ? 544 : 288; // a group's 32 columns: 16 f16 scales first
        for (size_t b = 0; b + block <= total; b += block) for (int i = 0; i < 16; i++) { w[b + 2 * i] = 0; w[b + 2 * i + 1] = 0x20; }
    }
    for (int i = 0; i < FFN; i++) { x[i] = 0.01f * (i % 17) - 0.08f; xq[i] = (int8_t) (i * 37 % 255 - 127); }
    for (int i = 0; i < FFN / 32; i++) { dx[i] = 0.01f; sx[i] = 0.5f; }
    float *out = calloc(VOCAB, sizeof(float));
    pthread_t thread;
    pthread_create(&thread, NULL, worker, NULL);
    double sum = 0, best = 0;
    for (int pass = 0; pass <= passes; pass++) {
        double t0 = now();
        const uint8_t *at = w;
        for (int l = 0; l < LAYERS; l++)
            for (int m = 0; m < 7; m++) {
                run(at, shapes[m][0], shapes[m][1], out);
                at += matrix_bytes(shapes[m][0], shapes[m][1]);
            }
        run(at, VOCAB, HIDDEN, out);
        double rate = 1 / (now() - t0);
        if (pass > 0) { sum += rate; if (rate > best) best = rate; }
    }
    printf("%s: mean %.2f tok/s (%.1f GB/s), best %.2f tok/s (%.1f GB/s) over %d passes\n", argv[1], sum / passes, total * sum / passes / 1e9,
           best, total * best / 1e9, passes);
    return 0;
}
