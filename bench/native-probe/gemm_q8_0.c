// Probe: how fast can a Q8_0 matrix-matrix product (prefill) run with AVX-512 VNNI on this CPU, against
// the same product in FP32 FMAs (dequantized weights), both with one thread and a register tile.
// Not part of the engine: it answers whether native int8 kernels would lift quantized prefill.
//
//   gcc -O3 -march=native -o /tmp/gemm_q8_0 bench/native-probe/gemm_q8_0.c && /tmp/gemm_q8_0 ROWS COLS BATCH
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct { uint16_t d; int8_t q[32]; } __attribute__((packed)) block_q8_0;

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }

static float h2f(uint16_t h) { return _cvtsh_ss(h); }

// x quantized per 32: xu = q + 128 (unsigned), xs = scale. Scales expanded: xs16[t][pair] = 16 floats
// (8 of block 2p, 8 of block 2p+1), so one zmm load per (token, pair).
// out[t * rows + r] = sum_b dw[r,b] dx[t,b] sum_i w[r,b,i] x[t,b,i]
#define R 4
#define T 4
static void gemm_vnni(const block_q8_0 *w, int rows, int cols, const uint8_t *xu, const float *xs16, int batch, float *out) {
    int nb = cols / 32, np = nb / 2;
    const __m512i k80 = _mm512_set1_epi8((char) 0x80);
    for (int r0 = 0; r0 < rows; r0 += R) {
        for (int t0 = 0; t0 < batch; t0 += T) {
            __m512 acc[R][T];
            for (int i = 0; i < R; i++) for (int j = 0; j < T; j++) acc[i][j] = _mm512_setzero_ps();
            for (int p = 0; p < np; p++) {
                __m512i wv[R], corr[R];
                __m512 dw[R];
                for (int i = 0; i < R; i++) {
                    const block_q8_0 *b0 = &w[(size_t) (r0 + i) * nb + 2 * p];
                    __m256i lo = _mm256_loadu_si256((const __m256i *) b0[0].q), hi = _mm256_loadu_si256((const __m256i *) b0[1].q);
                    wv[i] = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
                    corr[i] = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_dpbusd_epi32(_mm512_setzero_si512(), k80, wv[i]));
                    __m256 d0 = _mm256_set1_ps(h2f(b0[0].d)), d1 = _mm256_set1_ps(h2f(b0[1].d));
                    dw[i] = _mm512_insertf32x8(_mm512_castps256_ps512(d0), d1, 1);
                }
                for (int j = 0; j < T; j++) {
                    __m512i xv = _mm512_loadu_si512(xu + (size_t) (t0 + j) * cols + 64 * p);
                    __m512 dx = _mm512_loadu_ps(xs16 + ((size_t) (t0 + j) * np + p) * 16);
                    for (int i = 0; i < R; i++) {
                        __m512i dot = _mm512_dpbusd_epi32(corr[i], xv, wv[i]);
                        acc[i][j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(dw[i], dx), acc[i][j]);
                    }
                }
            }
            for (int i = 0; i < R; i++) for (int j = 0; j < T; j++) out[(size_t) (t0 + j) * rows + r0 + i] = _mm512_reduce_add_ps(acc[i][j]);
        }
    }
}

// FP32 reference speed: a 6x16 tile over weights decoded to floats column-major in panels of 16 rows
// (what the Java TiledMatmul does, without its decode), ymm FMAs.
static void gemm_f32(const float *packed, int rows, int cols, const float *x, int batch, float *out) {
    for (int r0 = 0; r0 < rows; r0 += 16) {
        const float *pw = packed + (size_t) r0 * cols;
        for (int t0 = 0; t0 + 6 <= batch; t0 += 6) {
            __m256 a[6][2];
            for (int j = 0; j < 6; j++) a[j][0] = a[j][1] = _mm256_setzero_ps();
            for (int k = 0; k < cols; k++) {
                __m256 w0 = _mm256_load_ps(pw + (size_t) k * 16), w1 = _mm256_load_ps(pw + (size_t) k * 16 + 8);
                for (int j = 0; j < 6; j++) {
                    __m256 v = _mm256_broadcast_ss(x + (size_t) (t0 + j) * cols + k);
                    a[j][0] = _mm256_fmadd_ps(w0, v, a[j][0]);
                    a[j][1] = _mm256_fmadd_ps(w1, v, a[j][1]);
                }
            }
            for (int j = 0; j < 6; j++) {
                _mm256_storeu_ps(out + (size_t) (t0 + j) * rows + r0, a[j][0]);
                _mm256_storeu_ps(out + (size_t) (t0 + j) * rows + r0 + 8, a[j][1]);
            }
        }
    }
}

int main(int argc, char **argv) {
    int rows = argc > 1 ? atoi(argv[1]) : 512, cols = argc > 2 ? atoi(argv[2]) : 2048, batch = argc > 3 ? atoi(argv[3]) : 96;
    int nb = cols / 32, np = nb / 2;
    srand(7);
    block_q8_0 *w = malloc(sizeof(block_q8_0) * (size_t) rows * nb);
    float *wf = aligned_alloc(64, sizeof(float) * (size_t) rows * cols);
    for (size_t i = 0; i < (size_t) rows * nb; i++) {
        w[i].d = _cvtss_sh(0.001f + (rand() % 100) * 1e-5f, 0);
        for (int k = 0; k < 32; k++) w[i].q[k] = (int8_t) (rand() % 255 - 127);
    }
    for (int r = 0; r < rows; r++) for (int k = 0; k < cols; k++) {
        block_q8_0 *b = &w[(size_t) r * nb + k / 32];
        wf[(size_t) (r / 16) * 16 * cols + (size_t) k * 16 + r % 16] = h2f(b->d) * b->q[k % 32];
    }
    float *x = malloc(sizeof(float) * (size_t) batch * cols);
    for (size_t i = 0; i < (size_t) batch * cols; i++) x[i] = (rand() / (float) RAND_MAX - 0.5f) * 4;
    uint8_t *xu = malloc((size_t) batch * cols);
    float *xs16 = malloc(sizeof(float) * (size_t) batch * np * 16);
    float *xd = malloc(sizeof(float) * (size_t) batch * cols);
    for (int t = 0; t < batch; t++) for (int b = 0; b < nb; b++) {
        float amax = 0;
        for (int k = 0; k < 32; k++) { float v = x[(size_t) t * cols + b * 32 + k]; if (v < 0) v = -v; if (v > amax) amax = v; }
        float s = amax / 127, inv = s ? 1 / s : 0;
        for (int k = 0; k < 32; k++) {
            int q = (int) __builtin_roundf(x[(size_t) t * cols + b * 32 + k] * inv);
            xu[(size_t) t * cols + b * 32 + k] = (uint8_t) (q + 128);
            xd[(size_t) t * cols + b * 32 + k] = q * s;
        }
        for (int k = 0; k < 8; k++) xs16[((size_t) t * np + b / 2) * 16 + (b % 2) * 8 + k] = s;
    }
    float *o1 = calloc((size_t) batch * rows, sizeof(float)), *o2 = calloc((size_t) batch * rows, sizeof(float));
    double macs = (double) rows * cols * batch;
    for (int round = 0; round < 5; round++) {
        double t0 = now();
        gemm_vnni(w, rows, cols, xu, xs16, batch, o1);
        double t1 = now();
        gemm_f32(wf, rows, cols, xd, batch - batch % 6, o2);
        double t2 = now();
        printf("vnni %.1f GMAC/s   f32 %.1f GMAC/s   ratio %.2f\n", macs / (t1 - t0) * 1e-9, macs / (t2 - t1) * 1e-9 * (batch - batch % 6) / batch,
               (t2 - t1) / (t1 - t0) * batch / (batch - batch % 6));
    }
    double maxerr = 0, maxv = 0;
    for (int t = 0; t < batch - batch % 6; t++) for (int r = 0; r < rows; r++) {
        double e = o1[(size_t) t * rows + r] - o2[(size_t) t * rows + r];
        if (e < 0) e = -e;
        if (e > maxerr) maxerr = e;
        double v = o2[(size_t) t * rows + r]; if (v < 0) v = -v; if (v > maxv) maxv = v;
    }
    printf("max |vnni - f32| = %.3g (max |out| %.3g)\n", maxerr, maxv);
    return 0;
}
