// Prefill products with 8-bit integer dot products (AVX-512 VNNI), for neurosteer's NativeGemm.
// Compiled on the user's machine the first time it is needed (see NativeGemm.java); the Java kernels
// remain the reference and the fallback.
//
// out[t * rows + r] = sum_k W[r, k] * x[t, k] for rows [rowStart, rowEnd) and tokens [0, batch), where x
// arrives quantized as llama.cpp quantizes the activation side of a product (QuantizedActivations):
// per 32 columns, int8 values xq, their scale dx, and sx = dx * sum(xq).
//
// A panel of 16 weight rows and KC columns is first packed: every weight becomes an unsigned byte u with
// W = scale * u - min per row and 32 columns, and the bytes are laid out so that one 64-byte load holds 4
// consecutive columns of each of the 16 rows (one 32-bit lane per row). vpdpbusd then multiplies a
// lane's 4 bytes with 4 bytes of x broadcast to every lane, and adds the 4 products into the lane: 64
// multiply-adds in one instruction, the sums landing per row with no horizontal reduction. Each 32
// columns end with the float step acc += scale * (dx * dot) - min * sx for 16 rows at once.
#include <immintrin.h>
#include <stdint.h>
#include <string.h>

#define LANES 16
#define KC 512
#define GROUPS_PER_BLOCK 8 // 32 columns in groups of 4

typedef struct {
    uint8_t q[KC / 4][64];      // [column group][row * 4 + column % 4]
    float scale[KC / 32][LANES];
    float min[KC / 32][LANES];
} panel_t;

static __thread panel_t panels[2] __attribute__((aligned(64)));

static inline float half_to_float(uint16_t h) { return _cvtsh_ss(h); }

// Q8_0: 34-byte blocks, an f16 scale d then 32 int8 values q. u = q + 128, scale = d, min = 128 d.
static void pack_q8_0(panel_t *p, const uint8_t *w, int cols, int r0, int nrows, int k0, int klen) {
    size_t row_bytes = (size_t) cols / 32 * 34;
    int blocks = klen / 32;
    for (int i = 0; i < LANES; i++) {
        if (i >= nrows) {
            for (int b = 0; b < blocks; b++) { p->scale[b][i] = 0; p->min[b][i] = 0; }
            for (int g = 0; g < blocks * GROUPS_PER_BLOCK; g++) memset(&p->q[g][4 * i], 0, 4);
            continue;
        }
        const uint8_t *row = w + (size_t) (r0 + i) * row_bytes + (size_t) k0 / 32 * 34;
        for (int b = 0; b < blocks; b++) {
            const uint8_t *block = row + (size_t) b * 34;
            uint16_t bits;
            memcpy(&bits, block, 2);
            float d = half_to_float(bits);
            p->scale[b][i] = d;
            p->min[b][i] = 128 * d;
            for (int g = 0; g < GROUPS_PER_BLOCK; g++) {
                uint32_t v;
                memcpy(&v, block + 2 + 4 * g, 4);
                v ^= 0x80808080u;
                memcpy(&p->q[b * GROUPS_PER_BLOCK + g][4 * i], &v, 4);
            }
        }
    }
}

// T tokens against two packed panels (32 rows), every 32-column block of the chunk.
static inline __attribute__((always_inline)) void sweep(const panel_t *p0, const panel_t *p1, int blocks, const int8_t *xq,
        const float *dx, const float *sx, int cols, int nb, int t0, const int T, float *out, int rows, int r0,
        __mmask16 m0, __mmask16 m1, int first) {
    __m512 acc0[6], acc1[6];
    for (int j = 0; j < T; j++) { acc0[j] = _mm512_setzero_ps(); acc1[j] = _mm512_setzero_ps(); }
    for (int b = 0; b < blocks; b++) {
        __m512i dot0[6], dot1[6];
        for (int j = 0; j < T; j++) { dot0[j] = _mm512_setzero_si512(); dot1[j] = _mm512_setzero_si512(); }
        for (int g = 0; g < GROUPS_PER_BLOCK; g++) {
            __m512i w0 = _mm512_load_si512(p0->q[b * GROUPS_PER_BLOCK + g]);
            __m512i w1 = _mm512_load_si512(p1->q[b * GROUPS_PER_BLOCK + g]);
            for (int j = 0; j < T; j++) {
                int32_t four;
                memcpy(&four, xq + (size_t) (t0 + j) * cols + 32 * b + 4 * g, 4);
                __m512i xv = _mm512_set1_epi32(four);
                dot0[j] = _mm512_dpbusd_epi32(dot0[j], w0, xv);
                dot1[j] = _mm512_dpbusd_epi32(dot1[j], w1, xv);
            }
        }
        __m512 s0 = _mm512_load_ps(p0->scale[b]), s1 = _mm512_load_ps(p1->scale[b]);
        __m512 n0 = _mm512_load_ps(p0->min[b]), n1 = _mm512_load_ps(p1->min[b]);
        for (int j = 0; j < T; j++) {
            size_t xb = (size_t) (t0 + j) * nb + b;
            __m512 d = _mm512_set1_ps(dx[xb]), s = _mm512_set1_ps(sx[xb]);
            acc0[j] = _mm512_fmadd_ps(s0, _mm512_mul_ps(_mm512_cvtepi32_ps(dot0[j]), d), acc0[j]);
            acc0[j] = _mm512_fnmadd_ps(n0, s, acc0[j]);
            acc1[j] = _mm512_fmadd_ps(s1, _mm512_mul_ps(_mm512_cvtepi32_ps(dot1[j]), d), acc1[j]);
            acc1[j] = _mm512_fnmadd_ps(n1, s, acc1[j]);
        }
    }
    for (int j = 0; j < T; j++) {
        float *o = out + (size_t) (t0 + j) * rows + r0;
        if (!first) {
            acc0[j] = _mm512_add_ps(acc0[j], _mm512_maskz_loadu_ps(m0, o));
            acc1[j] = _mm512_add_ps(acc1[j], _mm512_maskz_loadu_ps(m1, o + LANES));
        }
        _mm512_mask_storeu_ps(o, m0, acc0[j]);
        _mm512_mask_storeu_ps(o + LANES, m1, acc1[j]);
    }
}

static void sweep_tail(const panel_t *p0, const panel_t *p1, int blocks, const int8_t *xq, const float *dx, const float *sx,
                       int cols, int nb, int t0, int T, float *out, int rows, int r0, __mmask16 m0, __mmask16 m1, int first) {
    switch (T) {
        case 1: sweep(p0, p1, blocks, xq, dx, sx, cols, nb, t0, 1, out, rows, r0, m0, m1, first); break;
        case 2: sweep(p0, p1, blocks, xq, dx, sx, cols, nb, t0, 2, out, rows, r0, m0, m1, first); break;
        case 3: sweep(p0, p1, blocks, xq, dx, sx, cols, nb, t0, 3, out, rows, r0, m0, m1, first); break;
        case 4: sweep(p0, p1, blocks, xq, dx, sx, cols, nb, t0, 4, out, rows, r0, m0, m1, first); break;
        case 5: sweep(p0, p1, blocks, xq, dx, sx, cols, nb, t0, 5, out, rows, r0, m0, m1, first); break;
        default: break;
    }
}

static __mmask16 rows_mask(int n) { return n >= LANES ? (__mmask16) 0xFFFF : n <= 0 ? 0 : (__mmask16) ((1u << n) - 1); }

typedef void (*packer_t)(panel_t *, const uint8_t *, int, int, int, int, int);

static void gemm(packer_t pack, const uint8_t *w, int rows, int cols, int row_start, int row_end, const int8_t *xq,
                 const float *dx, const float *sx, int batch, float *out) {
    int nb = cols / 32;
    for (int k0 = 0; k0 < cols; k0 += KC) {
        int klen = cols - k0 < KC ? cols - k0 : KC, blocks = klen / 32, first = k0 == 0;
        for (int r0 = row_start; r0 < row_end; r0 += 2 * LANES) {
            int n0 = row_end - r0, n1 = row_end - r0 - LANES;
            pack(&panels[0], w, cols, r0, n0 < LANES ? n0 : LANES, k0, klen);
            pack(&panels[1], w, cols, r0 + LANES, n1 <= 0 ? 0 : n1 < LANES ? n1 : LANES, k0, klen);
            __mmask16 m0 = rows_mask(n0), m1 = rows_mask(n1);
            const int8_t *xk = xq + k0;
            const float *dk = dx + k0 / 32, *sk = sx + k0 / 32;
            int t0 = 0;
            for (; t0 + 6 <= batch; t0 += 6)
                sweep(&panels[0], &panels[1], blocks, xk, dk, sk, cols, nb, t0, 6, out, rows, r0, m0, m1, first);
            if (t0 < batch) sweep_tail(&panels[0], &panels[1], blocks, xk, dk, sk, cols, nb, t0, batch - t0, out, rows, r0, m0, m1, first);
        }
    }
}

/** 1 when this CPU runs the kernels below (AVX-512 F, BW, VL, VNNI and F16C). */
int neurosteer_gemm_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
           && __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("f16c");
}

/** The Q8_0 product; cols a multiple of 32, weights row-major GGUF blocks. */
void neurosteer_gemm_q8_0(const uint8_t *w, int rows, int cols, int row_start, int row_end, const int8_t *xq,
                          const float *dx, const float *sx, int batch, float *out) {
    gemm(pack_q8_0, w, rows, cols, row_start, row_end, xq, dx, sx, batch, out);
}
