/*
 * How fast a plain C kernel (AVX2 + FMA + F16C) multiplies one matrix by one vector, as decode does:
 * a probe of what native kernels would gain over the engine's Vector API ones, not part of the engine.
 *
 *   matvec q4_k|bf16 ROWS COLS THREADS ROUNDS
 *
 * Q4_K: GGML super-blocks (f16 d, f16 dmin, 12 bytes of 6-bit scales and mins, 128 bytes of nibbles)
 * against activations quantized to 8 bits per 256 (one float scale, the sums of each 16 values), the
 * products summed with vpmaddubsw (unsigned nibble times signed byte, pairs added) and vpmaddwd (times
 * the sub-block's scale, pairs added). BF16: each row widened to floats and multiplied with fused
 * multiply-adds. The weights are random but valid (finite scales), in anonymous memory; the rows are
 * split in two halves when THREADS is 2, the threads started inside each timed round (about 0.05 ms: keep
 * rounds well above that). Every row of the first round is checked against a scalar reference. Prints the best round as G multiply-adds/s and GB/s of weights read.
 */
#define _GNU_SOURCE
#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { QK = 256, Q4K_BYTES = 144 };

static int is_q4k, cols;
static long rows;
static uint8_t *weights;
static float *x, *out;
static int8_t *xq;        /* activations quantized, cols values */
static float *xscale;     /* one per 256 */
static int16_t *xsums16;  /* sum of each 16 quantized values */

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t next_random(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return (uint32_t) (rng >> 16); }
static float uniform(void) { return (next_random() & 0xFFFFFF) / 16777216.0f * 2 - 1; }
static double seconds(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static float half_to_float(uint16_t h) { return _cvtsh_ss(h); }
static uint16_t float_to_half(float f) { return _cvtss_sh(f, _MM_FROUND_TO_NEAREST_INT); }

static void unpack_scales(const uint8_t *s, uint8_t *scale, uint8_t *min) {
    for (int j = 0; j < 4; j++) {
        scale[j] = s[j] & 63;
        min[j] = s[j + 4] & 63;
        scale[j + 4] = (s[j + 8] & 0xF) | ((s[j] >> 6) << 4);
        min[j + 4] = (s[j + 8] >> 4) | ((s[j + 4] >> 6) << 4);
    }
}

static float hsum(__m256 v) {
    __m128 a = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    a = _mm_add_ps(a, _mm_movehl_ps(a, a));
    return _mm_cvtss_f32(_mm_add_ss(a, _mm_movehdup_ps(a)));
}

static float q4k_row(const uint8_t *w) {
    const __m256i nibble = _mm256_set1_epi8(0xF);
    __m256 acc = _mm256_setzero_ps();
    float min_total = 0;
    for (int b = 0; b < cols / QK; b++, w += Q4K_BYTES) {
        uint8_t scale[8], min[8];
        unpack_scales(w + 4, scale, min);
        const int16_t *sums = xsums16 + 16 * b;
        int min_dot = 0;
        for (int j = 0; j < 8; j++) min_dot += min[j] * (sums[2 * j] + sums[2 * j + 1]);
        min_total += half_to_float(*(const uint16_t *) (w + 2)) * xscale[b] * min_dot;
        const uint8_t *q = w + 16;
        const int8_t *a = xq + QK * b;
        __m256i total = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            __m256i packed = _mm256_loadu_si256((const __m256i *) (q + 32 * c));
            __m256i low = _mm256_maddubs_epi16(_mm256_and_si256(packed, nibble), _mm256_loadu_si256((const __m256i *) (a + 64 * c)));
            __m256i high = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(packed, 4), nibble),
                                                _mm256_loadu_si256((const __m256i *) (a + 64 * c + 32)));
            total = _mm256_add_epi32(total, _mm256_add_epi32(_mm256_madd_epi16(low, _mm256_set1_epi16(scale[2 * c])),
                                                             _mm256_madd_epi16(high, _mm256_set1_epi16(scale[2 * c + 1]))));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(*(const uint16_t *) w) * xscale[b]), _mm256_cvtepi32_ps(total), acc);
    }
    return hsum(acc) - min_total;
}

static double q4k_row_reference(const uint8_t *w) {
    double sum = 0;
    for (int b = 0; b < cols / QK; b++, w += Q4K_BYTES) {
        uint8_t scale[8], min[8];
        unpack_scales(w + 4, scale, min);
        double d = half_to_float(*(const uint16_t *) w), dmin = half_to_float(*(const uint16_t *) (w + 2));
        for (int e = 0; e < QK; e++) {
            int sub = e / 32, packed = w[16 + 32 * (e / 64) + e % 32];
            int q = (sub & 1) ? packed >> 4 : packed & 0xF;
            sum += (d * scale[sub] * q - dmin * min[sub]) * (double) xq[QK * b + e] * xscale[b];
        }
    }
    return sum;
}

static inline __m256 bf16_to_floats(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *) p)), 16));
}

static float bf16_row(const uint16_t *w) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int c = 0; c < cols; c += 32) {
        a0 = _mm256_fmadd_ps(bf16_to_floats(w + c), _mm256_loadu_ps(x + c), a0);
        a1 = _mm256_fmadd_ps(bf16_to_floats(w + c + 8), _mm256_loadu_ps(x + c + 8), a1);
        a2 = _mm256_fmadd_ps(bf16_to_floats(w + c + 16), _mm256_loadu_ps(x + c + 16), a2);
        a3 = _mm256_fmadd_ps(bf16_to_floats(w + c + 24), _mm256_loadu_ps(x + c + 24), a3);
    }
    return hsum(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
}

static double bf16_row_reference(const uint16_t *w) {
    double sum = 0;
    for (int c = 0; c < cols; c++) {
        uint32_t bits = (uint32_t) w[c] << 16;
        float f;
        memcpy(&f, &bits, 4);
        sum += (double) f * x[c];
    }
    return sum;
}

static size_t row_bytes(void) { return is_q4k ? (size_t) cols / QK * Q4K_BYTES : (size_t) cols * 2; }

struct range { long start, end; };

static void *multiply(void *arg) {
    struct range *r = arg;
    for (long i = r->start; i < r->end; i++)
        out[i] = is_q4k ? q4k_row(weights + i * row_bytes()) : bf16_row((const uint16_t *) (weights + i * row_bytes()));
    return NULL;
}

static void fill(void) {
    size_t bytes = rows * row_bytes();
    if (is_q4k) {
        for (size_t at = 0; at < bytes; at += Q4K_BYTES) {
            uint8_t *blk = weights + at;
            uint16_t d = float_to_half(0.001f + 0.01f * (uniform() + 1)), dmin = float_to_half(0.001f + 0.005f * (uniform() + 1));
            memcpy(blk, &d, 2);
            memcpy(blk + 2, &dmin, 2);
            for (int i = 4; i < Q4K_BYTES; i++) blk[i] = (uint8_t) next_random();
        }
        for (int b = 0; b < cols / QK; b++) {
            float amax = 0;
            for (int i = 0; i < QK; i++) amax = fmaxf(amax, fabsf(x[QK * b + i]));
            xscale[b] = amax / 127;
            for (int i = 0; i < QK; i++) xq[QK * b + i] = (int8_t) nearbyintf(x[QK * b + i] / xscale[b]);
            for (int g = 0; g < 16; g++) {
                int s = 0;
                for (int i = 0; i < 16; i++) s += xq[QK * b + 16 * g + i];
                xsums16[16 * b + g] = (int16_t) s;
            }
        }
    } else {
        uint16_t *w = (uint16_t *) weights;
        for (size_t i = 0; i < bytes / 2; i++) {
            float f = uniform() * 0.05f;
            uint32_t bits;
            memcpy(&bits, &f, 4);
            w[i] = (uint16_t) (bits >> 16);
        }
    }
}

int main(int argc, char **argv) {
    if (argc != 6 || (strcmp(argv[1], "q4_k") && strcmp(argv[1], "bf16"))) {
        fprintf(stderr, "usage: %s q4_k|bf16 ROWS COLS THREADS ROUNDS\n", argv[0]);
        return 2;
    }
    is_q4k = !strcmp(argv[1], "q4_k");
    rows = atol(argv[2]);
    cols = atoi(argv[3]);
    int threads = atoi(argv[4]), rounds = atoi(argv[5]);
    if (rows <= 0 || cols <= 0 || cols % QK || threads < 1 || threads > 64 || rounds < 1) {
        fprintf(stderr, "matvec: ROWS > 0, COLS a multiple of 256, THREADS 1-64, ROUNDS > 0\n");
        return 2;
    }
    size_t bytes = rows * row_bytes();
    weights = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    x = aligned_alloc(64, cols * sizeof(float));
    out = malloc(rows * sizeof(float));
    xq = aligned_alloc(64, cols);
    xscale = malloc(cols / QK * sizeof(float));
    xsums16 = malloc(cols / 16 * sizeof(int16_t));
    if (weights == MAP_FAILED || !x || !out || !xq || !xscale || !xsums16) { perror("matvec: allocation"); return 1; }
    for (int i = 0; i < cols; i++) x[i] = uniform();
    fill();
    double best = 1e30;
    for (int round = 0; round < rounds; round++) {
        pthread_t team[64];
        struct range part[64];
        double start = seconds();
        for (int t = 0; t < threads; t++) {
            part[t] = (struct range) {rows * t / threads, rows * (t + 1) / threads};
            pthread_create(&team[t], NULL, multiply, &part[t]);
        }
        for (int t = 0; t < threads; t++) pthread_join(team[t], NULL);
        double took = seconds() - start;
        if (took < best) best = took;
        if (round == 0)
            for (long i = 0; i < rows; i++) {
                double want = is_q4k ? q4k_row_reference(weights + i * row_bytes()) : bf16_row_reference((const uint16_t *) (weights + i * row_bytes()));
                if (fabs(out[i] - want) > 1e-3 * (1 + fabs(want))) {
                    fprintf(stderr, "matvec: row %ld is %g, the scalar reference %g\n", i, out[i], want);
                    return 1;
                }
            }
    }
    printf("{\"probe\":\"c-avx2\",\"type\":\"%s\",\"rows\":%ld,\"cols\":%d,\"threads\":%d,\"rounds\":%d,"
           "\"g_multiply_adds_per_s\":%.2f,\"gb_per_s\":%.2f}\n",
           argv[1], rows, cols, threads, rounds, (double) rows * cols / best / 1e9, bytes / best / 1e9);
    return 0;
}
