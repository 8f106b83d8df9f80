// Prefill and decode products for neurosteer's NativeGemm. Compiled on the user's machine the first time it
// is needed (see NativeGemm.java), for one of two instruction sets chosen by the compiler flags: AVX-512 with
// VNNI and VBMI, or AVX2 with FMA and F16C. The Java kernels remain the reference and the fallback.
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
//
// AVX2 has no vpdpbusd. There a 32-byte half of the same panel (8 rows) goes through vpmaddubsw, which
// multiplies unsigned bytes with signed ones and adds adjacent pairs into saturating 16-bit lanes. For
// 4-bit weights (u <= 15, |x| <= 127) a pair is at most 3810, so the 16-bit sums of a whole 32-column block
// (16 products a lane) stay below 32767 and one vpmaddwd per block widens them. 8-bit weights (Q8_0) would
// overflow a pair, so they take llama.cpp's sign trick: |q| times x with q's sign, a pair at most
// 2 * 128 * 127 = 32512, widened by vpmaddwd after every multiply.
#include <immintrin.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__AVX512F__) && defined(__AVX512BW__) && defined(__AVX512VL__) && defined(__AVX512VNNI__) && defined(__AVX512VBMI__)
#define WITH_AVX512 1
#define TILE_T 6 // tokens a sweep keeps in registers
#elif defined(__AVX2__) && defined(__FMA__) && defined(__F16C__)
#define WITH_AVX512 0
#define TILE_T 4
#else
#error "prefill_gemm.c needs AVX-512 (F, BW, VL, VNNI, VBMI) or AVX2 with FMA and F16C"
#endif

// The AMX build (NativeGemm.Isa.AVX512_AMX): the AVX-512 library plus BF16 tile products for prefill.
#if WITH_AVX512 && defined(__AMX_TILE__) && defined(__AMX_BF16__) && defined(__AVX512BF16__)
#define WITH_AMX 1
#else
#define WITH_AMX 0
#endif

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

// Software prefetch of the bytes [at, at + bytes), a line at a time. The Java kernels cannot issue it, and
// on some machines (a 2-core Sapphire Rapids VM) streaming a matrix without it reaches 55-65% of the read
// rate: the hardware prefetchers stop at every 4 KiB page (docs/BENCHMARKS.md, thirty-fourth run).
#ifndef PREFETCH_AHEAD
#define PREFETCH_AHEAD 4096 // decode kernels (interleaved Q4_0 read 4-15% faster than at 2048: thirty-seventh run)
#endif
#ifndef PACK_PREFETCH_AHEAD
#define PACK_PREFETCH_AHEAD 2048 // interleaved groups while packing
#endif
// (As an asm statement: GCC 12 dropped _mm_prefetch from the matrix-vector loops below.)
static inline void prefetch_lines(const uint8_t *at, int bytes) {
    for (int i = 0; i < bytes; i += 64) __asm__ volatile("prefetcht0 %0" : : "m"(*(const char *) (at + i)));
}

static inline float half_at(const uint8_t *at) {
    uint16_t bits;
    memcpy(&bits, at, 2);
    return half_to_float(bits);
}

static inline uint32_t nibbles_of_4(const uint8_t *bytes, int high) {
    uint32_t v;
    memcpy(&v, bytes, 4);
    return (high ? v >> 4 : v) & 0x0F0F0F0Fu;
}

static inline void put_4(panel_t *p, int group, int lane, uint32_t v) { memcpy(&p->q[group][4 * lane], &v, 4); }

static void zero_lanes_from(panel_t *p, int nrows, int blocks) {
    for (int i = nrows; i < LANES; i++) {
        for (int b = 0; b < blocks; b++) { p->scale[b][i] = 0; p->min[b][i] = 0; }
        for (int g = 0; g < blocks * GROUPS_PER_BLOCK; g++) memset(&p->q[g][4 * i], 0, 4);
    }
}

// Q8_0: 34-byte blocks, an f16 scale d then 32 int8 values q. u = q + 128, scale = d, min = 128 d.
// AVX-512: per block, the 16 rows' 8 four-byte groups transposed in registers (three rounds of vpermt2d); lanes
// past nrows hold zeros with scale and min 0. AVX2: a group at a time.
#if WITH_AVX512
static void pack_q8_0(panel_t *p, const uint8_t *w, int cols, int r0, int nrows, int k0, int klen) {
    size_t row_bytes = (size_t) cols / 32 * 34;
    int blocks = klen / 32;
    // round 1, from rows (4k, 4k+1 | 4k+2, 4k+3): lane 4g + r holds group g (of 0-3, or 4-7) of row 4k + r
    const __m512i first_groups = _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 25, 2, 10, 18, 26, 3, 11, 19, 27);
    const __m512i last_groups = _mm512_add_epi32(first_groups, _mm512_set1_epi32(4));
    // round 2, from rows 4k.. and 4k+4..: lane 8h + r holds group 2m + h of row r (of 8)
    const __m512i groups_01 = _mm512_setr_epi32(0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23);
    const __m512i groups_23 = _mm512_add_epi32(groups_01, _mm512_set1_epi32(8));
    // round 3, from rows 0-7 and 8-15: lane r holds group g of row r
    const __m512i even_group = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
    const __m512i odd_group = _mm512_add_epi32(even_group, _mm512_set1_epi32(8));
    const __m512i flip = _mm512_set1_epi8((char) 0x80);
    const uint8_t *rows_at = w + (size_t) r0 * row_bytes + (size_t) k0 / 32 * 34;
    for (int b = 0; b < blocks; b++) {
        const uint8_t *block = rows_at + (size_t) b * 34;
        __m512i pair[8];
        for (int k = 0; k < 8; k++) {
            int i = 2 * k;
            __m256i lo = _mm256_maskz_loadu_epi32(i < nrows ? 0xFF : 0, block + (size_t) i * row_bytes + 2);
            __m256i hi = _mm256_maskz_loadu_epi32(i + 1 < nrows ? 0xFF : 0, block + (size_t) (i + 1) * row_bytes + 2);
            pair[k] = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
        }
        __m512i four[8]; // [2k]: groups 0-3 of rows 4k..4k+3, [2k+1]: groups 4-7
        for (int k = 0; k < 4; k++) {
            four[2 * k] = _mm512_permutex2var_epi32(pair[2 * k], first_groups, pair[2 * k + 1]);
            four[2 * k + 1] = _mm512_permutex2var_epi32(pair[2 * k], last_groups, pair[2 * k + 1]);
        }
        __m512i eight[8]; // [4 half + 2 quarter + m]: rows 8 half.., groups 4 quarter + 2m, + 1
        for (int half = 0; half < 2; half++)
            for (int quarter = 0; quarter < 2; quarter++) {
                __m512i a = four[4 * half + quarter], c = four[4 * half + 2 + quarter];
                eight[4 * half + 2 * quarter] = _mm512_permutex2var_epi32(a, groups_01, c);
                eight[4 * half + 2 * quarter + 1] = _mm512_permutex2var_epi32(a, groups_23, c);
            }
        for (int g = 0; g < GROUPS_PER_BLOCK; g++) {
            int source = g / 2; // groups 2 source, 2 source + 1 of rows 0-7 in eight[source], of rows 8-15 in eight[4 + source]
            __m512i rows16 = _mm512_permutex2var_epi32(eight[source], g % 2 ? odd_group : even_group, eight[4 + source]);
            _mm512_store_si512(p->q[b * GROUPS_PER_BLOCK + g], _mm512_xor_si512(rows16, flip));
        }
        for (int i = 0; i < LANES; i++) {
            float d = i < nrows ? half_at(block + (size_t) i * row_bytes) : 0;
            p->scale[b][i] = d;
            p->min[b][i] = 128 * d;
        }
    }
}
#else
static void pack_q8_0(panel_t *p, const uint8_t *w, int cols, int r0, int nrows, int k0, int klen) {
    size_t row_bytes = (size_t) cols / 32 * 34;
    int blocks = klen / 32;
    zero_lanes_from(p, nrows, blocks);
    for (int i = 0; i < nrows; i++) {
        const uint8_t *row = w + (size_t) (r0 + i) * row_bytes + (size_t) k0 / 32 * 34;
        for (int b = 0; b < blocks; b++) {
            const uint8_t *block = row + (size_t) b * 34;
            float d = half_at(block);
            p->scale[b][i] = d;
            p->min[b][i] = 128 * d;
            for (int g = 0; g < GROUPS_PER_BLOCK; g++) {
                uint32_t v;
                memcpy(&v, block + 2 + 4 * g, 4);
                put_4(p, b * GROUPS_PER_BLOCK + g, i, v ^ 0x80808080u);
            }
        }
    }
}
#endif

// Q4_0, row-major: 18-byte blocks, an f16 scale d then 16 bytes; byte j holds column j in its low nibble and
// column j + 16 in its high one. W = d (q - 8).
static void pack_q4_0(panel_t *p, const uint8_t *w, int cols, int r0, int nrows, int k0, int klen) {
    size_t row_bytes = (size_t) cols / 32 * 18;
    int blocks = klen / 32;
    zero_lanes_from(p, nrows, blocks);
    for (int i = 0; i < nrows; i++) {
        const uint8_t *row = w + (size_t) (r0 + i) * row_bytes + (size_t) k0 / 32 * 18;
        for (int b = 0; b < blocks; b++) {
            const uint8_t *block = row + (size_t) b * 18;
            float d = half_at(block);
            p->scale[b][i] = d;
            p->min[b][i] = d * 8;
            for (int g = 0; g < 4; g++) {
                put_4(p, b * GROUPS_PER_BLOCK + g, i, nibbles_of_4(block + 2 + 4 * g, 0));
                put_4(p, b * GROUPS_PER_BLOCK + 4 + g, i, nibbles_of_4(block + 2 + 4 * g, 1));
            }
        }
    }
}

// Q4_K, row-major: 144-byte super-blocks of 256 columns: f16 d, f16 dmin, 12 bytes of 6-bit scales and mins,
// 128 bytes of nibbles (columns 64 c + l and 64 c + 32 + l in the low and high nibble of byte 32 c + l).
// Sub-block j: W = d scale_j q - dmin min_j.
static void pack_q4_k(panel_t *p, const uint8_t *w, int cols, int r0, int nrows, int k0, int klen) {
    size_t row_bytes = (size_t) cols / 256 * 144;
    zero_lanes_from(p, nrows, klen / 32);
    for (int i = 0; i < nrows; i++) {
        const uint8_t *row = w + (size_t) (r0 + i) * row_bytes + (size_t) k0 / 256 * 144;
        for (int sb = 0; sb < klen / 256; sb++) {
            const uint8_t *super = row + (size_t) sb * 144, *sc = super + 4, *qs = super + 16;
            float d = half_at(super), dmin = half_at(super + 2);
            for (int j = 0; j < 8; j++) {
                int scale, min;
                if (j < 4) {
                    scale = sc[j] & 63;
                    min = sc[j + 4] & 63;
                } else {
                    scale = (sc[j + 4] & 0xF) | (sc[j - 4] >> 6) << 4;
                    min = (sc[j + 4] >> 4) | (sc[j] >> 6) << 4;
                }
                int b = sb * 8 + j;
                p->scale[b][i] = d * (float) scale;
                p->min[b][i] = dmin * (float) min;
                for (int g = 0; g < GROUPS_PER_BLOCK; g++)
                    put_4(p, b * GROUPS_PER_BLOCK + g, i, nibbles_of_4(qs + 32 * (j / 2) + 4 * g, j & 1));
            }
        }
    }
}

// The interleaved formats (neurosteer's InterleavedTensor): groups of 16 rows whose lanes hold rows
// 0, 8, 1, 9, ..., 7, 15. For 32 columns, 16 lines of 16 bytes: line l holds, per lane, column l in its low
// nibble and column l + 16 in its high one. ROW_ORDER reads lanes back in row order: row i is lane ROW_ORDER[i].
static const int ROW_ORDER[LANES] __attribute__((unused)) = {0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15};

// 16 lines of interleaved nibbles (256 bytes at lines) into the 8 column groups of one 32-column block.
#if WITH_AVX512
// One vpermb takes 4 lines (64 bytes) to 4 consecutive columns of each row, row after row.
#define GATHER(r) r, 16 + r, 32 + r, 48 + r
static const uint8_t NIBBLE_GATHER[64] __attribute__((aligned(64))) = {
    GATHER(0), GATHER(2), GATHER(4), GATHER(6), GATHER(8), GATHER(10), GATHER(12), GATHER(14),
    GATHER(1), GATHER(3), GATHER(5), GATHER(7), GATHER(9), GATHER(11), GATHER(13), GATHER(15)};

static inline void pack_nibbles(uint8_t (*q)[64], const uint8_t *lines) {
    const __m512i low = _mm512_set1_epi8(0x0F), gather = _mm512_load_si512(NIBBLE_GATHER);
    for (int part = 0; part < 4; part++) {
        __m512i t = _mm512_permutexvar_epi8(gather, _mm512_loadu_si512(lines + 64 * part));
        _mm512_store_si512(q[part], _mm512_and_si512(t, low));
        _mm512_store_si512(q[4 + part], _mm512_and_si512(_mm512_srli_epi16(t, 4), low));
    }
}
#else
// Each line is put in row order with pshufb, then 4 lines are transposed to 4 bytes a row by unpacking.
static inline void pack_nibbles(uint8_t (*q)[64], const uint8_t *lines) {
    const __m128i low = _mm_set1_epi8(0x0F);
    const __m128i order = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    for (int part = 0; part < 4; part++) {
        __m128i l[4];
        for (int m = 0; m < 4; m++) l[m] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (lines + 64 * part + 16 * m)), order);
        __m128i a = _mm_unpacklo_epi8(l[0], l[1]), b = _mm_unpacklo_epi8(l[2], l[3]);
        __m128i c = _mm_unpackhi_epi8(l[0], l[1]), d = _mm_unpackhi_epi8(l[2], l[3]);
        __m128i rows[4] = {_mm_unpacklo_epi16(a, b), _mm_unpackhi_epi16(a, b), _mm_unpacklo_epi16(c, d), _mm_unpackhi_epi16(c, d)};
        for (int k = 0; k < 4; k++) {
            _mm_store_si128((__m128i *) (q[part] + 16 * k), _mm_and_si128(rows[k], low));
            _mm_store_si128((__m128i *) (q[4 + part] + 16 * k), _mm_and_si128(_mm_srli_epi16(rows[k], 4), low));
        }
    }
}
#endif

static void zero_panel(panel_t *p, int klen) {
    memset(p->q, 0, (size_t) klen / 4 * 64);
    memset(p->scale, 0, sizeof(float) * LANES * (size_t) (klen / 32));
    memset(p->min, 0, sizeof(float) * LANES * (size_t) (klen / 32));
}

// 16 values of the interleaved lanes put in row order: out[i] = lanes[ROW_ORDER[i]], i.e. the even lanes then the odd ones.
#if WITH_AVX512
static inline void store_in_row_order(float *out, __m512 lanes) {
    _mm512_store_ps(out, _mm512_permutexvar_ps(_mm512_loadu_si512(ROW_ORDER), lanes));
}
static inline __m512 halves_at(const uint8_t *at) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) at)); }
static inline __m512 bytes_as_floats(__m128i b) { return _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(b)); }
typedef __m512 lanes16_t;
#define LANES_MUL(a, b) _mm512_mul_ps(a, b)
#define LANES_SET1(v) _mm512_set1_ps(v)
#else
typedef struct { __m256 lo, hi; } lanes16_t; // lanes 0-7 and 8-15
static inline void store_in_row_order(float *out, lanes16_t v) {
    const __m256i quads = _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7);
    _mm256_store_ps(out, _mm256_permutevar8x32_ps(_mm256_shuffle_ps(v.lo, v.hi, 0x88), quads));
    _mm256_store_ps(out + 8, _mm256_permutevar8x32_ps(_mm256_shuffle_ps(v.lo, v.hi, 0xDD), quads));
}
static inline lanes16_t halves_at(const uint8_t *at) {
    return (lanes16_t) {_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) at)), _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (at + 16)))};
}
static inline lanes16_t bytes_as_floats(__m128i b) {
    return (lanes16_t) {_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(b)), _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(b, 8)))};
}
static inline lanes16_t lanes_mul(lanes16_t a, lanes16_t b) { return (lanes16_t) {_mm256_mul_ps(a.lo, b.lo), _mm256_mul_ps(a.hi, b.hi)}; }
#define LANES_MUL(a, b) lanes_mul(a, b)
#define LANES_SET1(v) ((lanes16_t) {_mm256_set1_ps(v), _mm256_set1_ps(v)})
#endif

// Interleaved Q4_0: per group and 32 columns, 288 bytes: 16 f16 scales, then the 16 lines. W = d (q - 8).
static void pack_interleaved_q4_0(panel_t *p, const uint8_t *w, int cols, int r0, int nrows, int k0, int klen) {
    if (nrows == 0) { zero_panel(p, klen); return; }
    int blocks_per_row = cols / 32;
    const uint8_t *group = w + (size_t) (r0 / LANES) * blocks_per_row * 288;
    for (int b = 0; b < klen / 32; b++) {
        const uint8_t *block = group + (size_t) (k0 / 32 + b) * 288;
        prefetch_lines(block + PACK_PREFETCH_AHEAD, 288);
        lanes16_t d = halves_at(block);
        store_in_row_order(p->scale[b], d);
        store_in_row_order(p->min[b], LANES_MUL(d, LANES_SET1(8)));
        pack_nibbles(&p->q[b * GROUPS_PER_BLOCK], block + 32);
    }
}

// Interleaved Q8_0: per group and 32 columns, 544 bytes: the 16 rows' f16 scales in row order, then the panel's
// 8 groups of 4 columns as they are (u = q + 128 at 64 g + 4 row + column % 4). W = d u - 128 d.
static void pack_interleaved_q8_0(panel_t *p, const uint8_t *w, int cols, int r0, int nrows, int k0, int klen) {
    if (nrows == 0) { zero_panel(p, klen); return; }
    int blocks_per_row = cols / 32;
    const uint8_t *group = w + (size_t) (r0 / LANES) * blocks_per_row * 544;
    for (int b = 0; b < klen / 32; b++) {
        const uint8_t *block = group + (size_t) (k0 / 32 + b) * 544;
        prefetch_lines(block + PACK_PREFETCH_AHEAD, 544);
        for (int i = 0; i < LANES; i++) {
            float d = half_at(block + 2 * i);
            p->scale[b][i] = d;
            p->min[b][i] = 128 * d;
        }
        memcpy(p->q[b * GROUPS_PER_BLOCK], block + 32, 512);
    }
}

// Interleaved Q4_K: per group and 256 columns, 2304 bytes: a 256-byte header (16 f16 d, 16 f16 dmin, then
// 12 bytes of repacked 6-bit scales and mins per lane, byte t of the lanes at 64 + 16 t) and 8 sub-blocks of
// 16 lines. Sub-block j: W = d scale_j q - dmin min_j, scale_j = byte j & 63,
// min_j = (byte 8 + j/2 >> 4 (j & 1)) & 15 | (byte j >> 6) << 4, for all 16 lanes at once.
static void pack_interleaved_q4_k(panel_t *p, const uint8_t *w, int cols, int r0, int nrows, int k0, int klen) {
    if (nrows == 0) { zero_panel(p, klen); return; }
    int supers_per_row = cols / 256;
    const uint8_t *group = w + (size_t) (r0 / LANES) * supers_per_row * 2304;
    for (int sb = 0; sb < klen / 256; sb++) {
        const uint8_t *super = group + (size_t) (k0 / 256 + sb) * 2304, *bytes = super + 64;
        prefetch_lines(super + PACK_PREFETCH_AHEAD, 256);
        lanes16_t d = halves_at(super), dmin = halves_at(super + 32);
        for (int j = 0; j < 8; j++) {
            int b = sb * 8 + j;
            __m128i six = _mm_loadu_si128((const __m128i *) (bytes + 16 * j));
            __m128i low = _mm_loadu_si128((const __m128i *) (bytes + 16 * (8 + j / 2)));
            if (j & 1) low = _mm_srli_epi16(low, 4);
            __m128i scale = _mm_and_si128(six, _mm_set1_epi8(63));
            __m128i min = _mm_or_si128(_mm_and_si128(low, _mm_set1_epi8(15)),
                                       _mm_slli_epi16(_mm_and_si128(_mm_srli_epi16(six, 6), _mm_set1_epi8(3)), 4));
            store_in_row_order(p->scale[b], LANES_MUL(d, bytes_as_floats(scale)));
            store_in_row_order(p->min[b], LANES_MUL(dmin, bytes_as_floats(min)));
            prefetch_lines(super + 256 + 256 * j + PACK_PREFETCH_AHEAD, 256);
            pack_nibbles(&p->q[b * GROUPS_PER_BLOCK], super + 256 + 256 * j);
        }
    }
}

#if WITH_AVX512
static __mmask16 rows_mask(int n) { return n >= LANES ? (__mmask16) 0xFFFF : n <= 0 ? 0 : (__mmask16) ((1u << n) - 1); }

// 32 rows (two masked halves) of T tokens into out[t * rows + r0 ...]: written by the first column chunk, added to after.
static inline __attribute__((always_inline)) void store_tile(float *out, int rows, int r0, int t0, const int T, __m512 *acc0,
        __m512 *acc1, __mmask16 m0, __mmask16 m1, int first) {
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

// T tokens against two packed panels (32 rows, n0 and n1 of them real), every 32-column block of the chunk.
static inline __attribute__((always_inline)) void sweep(const panel_t *p0, const panel_t *p1, int blocks, const int8_t *xq,
        const float *dx, const float *sx, int cols, int nb, int t0, const int T, float *out, int rows, int r0,
        int n0, int n1, int first, const int wide) {
    (void) wide; // vpdpbusd sums 4 products of u <= 255 into 32 bits: no overflow for any byte range
    __mmask16 m0 = rows_mask(n0), m1 = rows_mask(n1);
    __m512 acc0[TILE_T], acc1[TILE_T];
    for (int j = 0; j < T; j++) { acc0[j] = _mm512_setzero_ps(); acc1[j] = _mm512_setzero_ps(); }
    for (int b = 0; b < blocks; b++) {
        __m512i dot0[TILE_T], dot1[TILE_T];
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
    store_tile(out, rows, r0, t0, T, acc0, acc1, m0, m1, first);
}
#else
// T tokens against one packed panel (16 rows in two 8-row halves, n of them real), every 32-column block.
static inline __attribute__((always_inline)) void sweep_panel(const panel_t *p, int blocks, const int8_t *xq, const float *dx,
        const float *sx, int cols, int nb, int t0, const int T, float *out, int rows, int r0, int n, int first, const int wide) {
    const __m256i ones = _mm256_set1_epi16(1), flip = _mm256_set1_epi8((char) 0x80);
    __m256 acc[TILE_T][2];
    for (int j = 0; j < T; j++) acc[j][0] = acc[j][1] = _mm256_setzero_ps();
    for (int b = 0; b < blocks; b++) {
        __m256i dot[TILE_T][2];
        for (int j = 0; j < T; j++) dot[j][0] = dot[j][1] = _mm256_setzero_si256();
        for (int g = 0; g < GROUPS_PER_BLOCK; g++) {
            const uint8_t *q = p->q[b * GROUPS_PER_BLOCK + g];
            __m256i w[2] = {_mm256_load_si256((const __m256i *) q), _mm256_load_si256((const __m256i *) (q + 32))}, magnitude[2];
            if (wide)
                for (int h = 0; h < 2; h++) {
                    w[h] = _mm256_xor_si256(w[h], flip); // u - 128 as a signed byte
                    magnitude[h] = _mm256_abs_epi8(w[h]);
                }
            for (int j = 0; j < T; j++) {
                int32_t four;
                memcpy(&four, xq + (size_t) (t0 + j) * cols + 32 * b + 4 * g, 4);
                __m256i xv = _mm256_set1_epi32(four);
                for (int h = 0; h < 2; h++) {
                    if (wide)
                        dot[j][h] = _mm256_add_epi32(dot[j][h],
                                _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude[h], _mm256_sign_epi8(xv, w[h])), ones));
                    else
                        dot[j][h] = _mm256_add_epi16(dot[j][h], _mm256_maddubs_epi16(w[h], xv));
                }
            }
        }
        for (int h = 0; h < 2; h++) {
            __m256 scale = _mm256_load_ps(p->scale[b] + 8 * h), min = _mm256_load_ps(p->min[b] + 8 * h);
            // wide: the dot product is of u - 128, which takes 128 scale off the min
            if (wide) min = _mm256_fnmadd_ps(scale, _mm256_set1_ps(128), min);
            for (int j = 0; j < T; j++) {
                size_t xb = (size_t) (t0 + j) * nb + b;
                __m256i sums = wide ? dot[j][h] : _mm256_madd_epi16(dot[j][h], ones);
                __m256 d = _mm256_set1_ps(dx[xb]), s = _mm256_set1_ps(sx[xb]);
                acc[j][h] = _mm256_fmadd_ps(scale, _mm256_mul_ps(_mm256_cvtepi32_ps(sums), d), acc[j][h]);
                acc[j][h] = _mm256_fnmadd_ps(min, s, acc[j][h]);
            }
        }
    }
    const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    __m256i mask[2] = {_mm256_cmpgt_epi32(_mm256_set1_epi32(n), lane), _mm256_cmpgt_epi32(_mm256_set1_epi32(n - 8), lane)};
    for (int j = 0; j < T; j++) {
        float *o = out + (size_t) (t0 + j) * rows + r0;
        for (int h = 0; h < 2; h++) {
            if (n >= LANES) {
                __m256 v = first ? acc[j][h] : _mm256_add_ps(acc[j][h], _mm256_loadu_ps(o + 8 * h));
                _mm256_storeu_ps(o + 8 * h, v);
            } else {
                __m256 v = first ? acc[j][h] : _mm256_add_ps(acc[j][h], _mm256_maskload_ps(o + 8 * h, mask[h]));
                _mm256_maskstore_ps(o + 8 * h, mask[h], v);
            }
        }
    }
}

static inline __attribute__((always_inline)) void sweep(const panel_t *p0, const panel_t *p1, int blocks, const int8_t *xq,
        const float *dx, const float *sx, int cols, int nb, int t0, const int T, float *out, int rows, int r0,
        int n0, int n1, int first, const int wide) {
    sweep_panel(p0, blocks, xq, dx, sx, cols, nb, t0, T, out, rows, r0, n0, first, wide);
    if (n1 > 0) sweep_panel(p1, blocks, xq, dx, sx, cols, nb, t0, T, out, rows, r0 + LANES, n1, first, wide);
}
#endif

typedef void (*packer_t)(panel_t *, const uint8_t *, int, int, int, int, int);

// rows [row_start, row_end): in chunks of KC columns, two panels (32 rows) packed at a time, then every
// token against them in tiles of TILE_T. wide: the packed bytes use the whole range 0..255 (Q8_0).
static inline __attribute__((always_inline)) void gemm(packer_t pack, const int wide, const uint8_t *w, int rows, int cols,
        int row_start, int row_end, const int8_t *xq, const float *dx, const float *sx, int batch, float *out) {
    int nb = cols / 32;
    for (int k0 = 0; k0 < cols; k0 += KC) {
        int klen = cols - k0 < KC ? cols - k0 : KC, blocks = klen / 32, first = k0 == 0;
        for (int r0 = row_start; r0 < row_end; r0 += 2 * LANES) {
            int n0 = row_end - r0, n1 = row_end - r0 - LANES;
            pack(&panels[0], w, cols, r0, n0 < LANES ? n0 : LANES, k0, klen);
            pack(&panels[1], w, cols, r0 + LANES, n1 <= 0 ? 0 : n1 < LANES ? n1 : LANES, k0, klen);
            const int8_t *xk = xq + k0;
            const float *dk = dx + k0 / 32, *sk = sx + k0 / 32;
#define SWEEP(T) sweep(&panels[0], &panels[1], blocks, xk, dk, sk, cols, nb, t0, T, out, rows, r0, n0, n1, first, wide)
            int t0 = 0;
            for (; t0 + TILE_T <= batch; t0 += TILE_T) SWEEP(TILE_T);
            switch (batch - t0) {
                case 1: SWEEP(1); break;
                case 2: SWEEP(2); break;
                case 3: SWEEP(3); break;
#if TILE_T > 4
                case 4: SWEEP(4); break;
                case 5: SWEEP(5); break;
#endif
                default: break;
            }
#undef SWEEP
        }
    }
}

/** 1 when this CPU runs the kernels below, as compiled. */
#if WITH_AMX
static int amx_permitted(void);
#endif

int neurosteer_gemm_supported(void) {
    __builtin_cpu_init();
#if WITH_AMX
    if (!__builtin_cpu_supports("avx512bf16") || !amx_permitted()) return 0;
#endif
#if WITH_AVX512
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl")
           && __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("f16c");
#else
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
#endif
}

// The exported products, one per weight layout (NativeGemm.Layout): rows [row_start, row_end) of
// out[t * rows + r] for t < batch. cols is a multiple of 32 (of 256 for Q4_K); for the interleaved layouts
// rows, row_start and row_end are multiples of 16.
#define PRODUCT(name, packer, wide)                                                                           \
    void neurosteer_gemm_##name(const uint8_t *w, int rows, int cols, int row_start, int row_end, const int8_t *xq, \
                                const float *dx, const float *sx, int batch, float *out) {                      \
        gemm(packer, wide, w, rows, cols, row_start, row_end, xq, dx, sx, batch, out);                          \
    }

PRODUCT(q8_0, pack_q8_0, 1)
PRODUCT(q4_0, pack_q4_0, 0)
PRODUCT(q4_k, pack_q4_k, 0)
PRODUCT(interleaved_q4_0, pack_interleaved_q4_0, 0)
PRODUCT(interleaved_q4_k, pack_interleaved_q4_k, 0)
PRODUCT(interleaved_q8_0, pack_interleaved_q8_0, 1)

// ---- Decode: a few tokens against row-major weights, each row read from memory once ----
//
// matvec_*: out[t * rows + r] for rows [row_start, row_end) and t < batch, one row at a time, every token
// against it while it sits in L1, the rows ahead prefetched.

#if WITH_AVX512
#define FLOAT_LANES 16
typedef __m512 floats_t;
#define FLOATS_ZERO() _mm512_setzero_ps()
#define FLOATS_LOAD(p) _mm512_loadu_ps(p)
#define FLOATS_FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define FLOATS_ADD(a, b) _mm512_add_ps(a, b)
#define FLOATS_SUM(v) _mm512_reduce_add_ps(v)
static inline floats_t bf16_at(const uint16_t *p) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(_mm256_loadu_si256((const __m256i *) p)), 16));
}
static inline floats_t f16_at(const uint16_t *p) { return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) p)); }
#else
#define FLOAT_LANES 8
typedef __m256 floats_t;
#define FLOATS_ZERO() _mm256_setzero_ps()
#define FLOATS_LOAD(p) _mm256_loadu_ps(p)
#define FLOATS_FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define FLOATS_ADD(a, b) _mm256_add_ps(a, b)
static inline float FLOATS_SUM(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}
static inline floats_t bf16_at(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *) p)), 16));
}
static inline floats_t f16_at(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) p)); }
#endif

static inline float bf16_scalar(uint16_t h) {
    uint32_t bits = (uint32_t) h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

// 16-bit floats: bf16 (upper halves of floats) or IEEE half. A row at a time, tokens in tiles of FLOAT_TOKENS
// held in registers: each FLOAT_LANES weights are widened once a tile and multiplied into every token of it,
// so a few sequences read and widen the row once. A lone token (decode) takes four rows side by side instead.
#if WITH_AVX512
#define FLOAT_TOKENS 8
#else
#define FLOAT_TOKENS 4
#endif
static inline __attribute__((always_inline)) floats_t widen(const uint16_t *at, const int bf16) { return bf16 ? bf16_at(at) : f16_at(at); }

// One token against S (a constant, up to 4) rows `gap` rows apart, side by side: four streams from memory (see
// four_rows_bf16_dot). Each row's sum takes the same steps whatever S, so a row gets the same bits in any range.
static inline __attribute__((always_inline)) void rows_apart_of_16bit(const uint16_t *row, size_t gap, const int S, int cols,
        const float *x, float *out, size_t out_gap, const int bf16) {
    floats_t a[4] = {FLOATS_ZERO(), FLOATS_ZERO(), FLOATS_ZERO(), FLOATS_ZERO()};
    int c = 0;
    for (; c + FLOAT_LANES <= cols; c += FLOAT_LANES) {
        const floats_t xc = FLOATS_LOAD(x + c);
        for (int s = 0; s < S; s++) {
            const uint16_t *at = row + s * gap + c;
            if (c % 32 == 0) prefetch_lines((const uint8_t *) at + PREFETCH_AHEAD, 64);
            a[s] = FLOATS_FMA(widen(at, bf16), xc, a[s]);
        }
    }
    for (int s = 0; s < S; s++) {
        const uint16_t *r = row + s * gap;
        float sum = FLOATS_SUM(a[s]);
        for (int k = c; k < cols; k++) sum += (bf16 ? bf16_scalar(r[k]) : half_to_float(r[k])) * x[k];
        out[s * out_gap] = sum;
    }
}

// Columns [k0, k0 + klen) of row r against tokens [t0, t0 + T), T a constant so that the sums stay in registers;
// written to out by the first column chunk, added to after.
static inline __attribute__((always_inline)) void row_tile_of_16bit(const uint16_t *row, int cols, int k0, int klen, int rows, int r,
        const float *x, int t0, const int T, int prefetch, float *out, const int bf16) {
    floats_t acc[FLOAT_TOKENS];
    for (int j = 0; j < T; j++) acc[j] = FLOATS_ZERO();
    const float *xt = x + (size_t) t0 * cols + k0;
    const uint16_t *w = row + k0;
    int c = 0;
    for (; c + FLOAT_LANES <= klen; c += FLOAT_LANES) {
        if (prefetch && c % 32 == 0) prefetch_lines((const uint8_t *) (w + c) + PREFETCH_AHEAD, 64);
        floats_t wc = widen(w + c, bf16);
        for (int j = 0; j < T; j++) acc[j] = FLOATS_FMA(wc, FLOATS_LOAD(xt + (size_t) j * cols + c), acc[j]);
    }
    float sums[FLOAT_TOKENS];
    for (int j = 0; j < T; j++) sums[j] = FLOATS_SUM(acc[j]);
    for (; c < klen; c++) {
        float wc = bf16 ? bf16_scalar(w[c]) : half_to_float(w[c]);
        for (int j = 0; j < T; j++) sums[j] += wc * xt[(size_t) j * cols + c];
    }
    for (int j = 0; j < T; j++) {
        float *o = out + (size_t) (t0 + j) * rows + r;
        *o = k0 == 0 ? sums[j] : *o + sums[j];
    }
}

// Columns a pass over the rows takes for a tile of tokens: their x (FLOAT_TOKENS x 512 floats, 16 KiB with
// AVX-512) stays in L1 while every row of the range is multiplied against it.
#define DECODE_KC 512
// Rows multiplied chunk after chunk of columns: they stay in L2 from the first chunk to the last.
#define DECODE_ROWS 16

static inline __attribute__((always_inline)) void matvec_16bit(const uint16_t *w, int rows, int cols, int row_start, int row_end,
        const float *x, int batch, float *out, const int bf16) {
    if (batch == 1) {
        const int quarter = (row_end - row_start) / 4;
        for (int r = row_start; r < row_start + quarter; r++)
            rows_apart_of_16bit(w + (size_t) r * cols, (size_t) quarter * cols, 4, cols, x, out + r, (size_t) quarter, bf16);
        for (int r = row_start + 4 * quarter; r < row_end; r++) rows_apart_of_16bit(w + (size_t) r * cols, 0, 1, cols, x, out + r, 0, bf16);
        return;
    }
    for (int t0 = 0; t0 < batch; t0 += FLOAT_TOKENS) {
        const int T = batch - t0 < FLOAT_TOKENS ? batch - t0 : FLOAT_TOKENS;
        for (int r0 = row_start; r0 < row_end; r0 += DECODE_ROWS)
        for (int k0 = 0; k0 < cols; k0 += DECODE_KC) {
            int klen = cols - k0 < DECODE_KC ? cols - k0 : DECODE_KC;
            for (int r = r0; r < row_end && r < r0 + DECODE_ROWS; r++) {
                const uint16_t *row = w + (size_t) r * cols;
#define ROW_TILE(T) row_tile_of_16bit(row, cols, k0, klen, rows, r, x, t0, T, t0 == 0, out, bf16)
                switch (T) {
                    case 1: ROW_TILE(1); break;
                    case 2: ROW_TILE(2); break;
                    case 3: ROW_TILE(3); break;
#if FLOAT_TOKENS > 4
                    case 4: ROW_TILE(4); break;
                    case 5: ROW_TILE(5); break;
                    case 6: ROW_TILE(6); break;
                    case 7: ROW_TILE(7); break;
#endif
                    default: ROW_TILE(FLOAT_TOKENS); break;
                }
#undef ROW_TILE
            }
        }
    }
}

void neurosteer_matvec_f16(const uint16_t *w, int rows, int cols, int row_start, int row_end, const float *x, int batch, float *out) {
    matvec_16bit(w, rows, cols, row_start, row_end, x, batch, out, 0);
}

// NAME(bytes): a buffer of at least `bytes` for the calling thread, 64-byte aligned, kept for its next call and
// freed when the thread ends; NULL when there is no memory for it. One per caller: a second caller of one buffer
// changed how GCC inlined it into the Q8_0 decode kernel, which then read 10% slower.
#define THREAD_BUFFER(NAME)                                                          \
    static pthread_key_t NAME##_key;                                                 \
    static pthread_once_t NAME##_once = PTHREAD_ONCE_INIT;                           \
    static int NAME##_ready;                                                         \
    static void NAME##_create(void) { NAME##_ready = pthread_key_create(&NAME##_key, free) == 0; } \
    static __attribute__((unused)) void *NAME(size_t bytes) {                        \
        pthread_once(&NAME##_once, NAME##_create);                                   \
        if (!NAME##_ready) return NULL;                                              \
        size_t *held = pthread_getspecific(NAME##_key);                              \
        if (held == NULL || held[0] < bytes) {                                       \
            free(held);                                                              \
            held = aligned_alloc(64, 64 + (bytes + 63) / 64 * 64);                   \
            if (pthread_setspecific(NAME##_key, held) != 0) {                        \
                free(held);                                                          \
                return NULL;                                                         \
            }                                                                        \
            if (held == NULL) return NULL;                                           \
            held[0] = bytes;                                                         \
        }                                                                            \
        return (uint8_t *) held + 64;                                                \
    }

THREAD_BUFFER(thread_scratch)

// A few tokens (below NativeGemm's tile threshold) against BF16 rows with vdpbf16ps (AVX512_BF16: Cooper Lake,
// Sapphire Rapids and Zen 4 on). x is rounded to BF16 once a call, as the AMX tiles round it for prefill; then a 64-byte load of weights meets one
// of x, and one instruction does 32 multiply-adds, the products exact and summed in floats. Widening every 16
// weights to floats took two more instructions, and the model's decode read ~20% slower (docs/BENCHMARKS.md,
// thirty-seventh run). Compiled into every AVX-512 library and taken where the CPU has the instruction.
#if WITH_AVX512 && (defined(__clang__) ? __clang_major__ >= 11 : __GNUC__ >= 10)
#define WITH_BF16_DOT 1
#define DOT_TOKENS 8
THREAD_BUFFER(bf16_x_scratch)

static int bf16_dot_supported(void) {
    static int supported = -1;
    if (supported < 0) {
        __builtin_cpu_init();
        supported = __builtin_cpu_supports("avx512bf16") ? 1 : 0;
    }
    return supported;
}

// Rows of BF16 weights against tokens [t0, t0 + T) of x in BF16 (rows `stride` apart), T a constant so that the
// sums stay in registers: each 64-byte load of weights meets T of x, whose rows stay in L1 (2048 columns) or L2.
__attribute__((target("avx512bf16"))) static inline __attribute__((always_inline)) void rows_bf16_dot(const uint16_t *w, int rows, int cols,
        int row_start, int row_end, const uint16_t *xb, size_t stride, int t0, const int T, float *out) {
    const int left = cols & 31;
    const __mmask32 tail = (__mmask32) ((1ull << left) - 1);
    const uint16_t *xt = xb + (size_t) t0 * stride;
    for (int r = row_start; r < row_end; r++) {
        const uint16_t *row = w + (size_t) r * cols;
        __m512 acc[DOT_TOKENS];
        for (int j = 0; j < T; j++) acc[j] = _mm512_setzero_ps();
        int k = 0;
        for (; k + 32 <= cols; k += 32) {
            prefetch_lines((const uint8_t *) (row + k) + PREFETCH_AHEAD, 64);
            const __m512bh wk = (__m512bh) _mm512_loadu_si512(row + k);
            for (int j = 0; j < T; j++) acc[j] = _mm512_dpbf16_ps(acc[j], wk, (__m512bh) _mm512_load_si512(xt + j * stride + k));
        }
        if (left > 0) {
            const __m512bh wk = (__m512bh) _mm512_maskz_loadu_epi16(tail, row + k);
            for (int j = 0; j < T; j++) acc[j] = _mm512_dpbf16_ps(acc[j], wk, (__m512bh) _mm512_load_si512(xt + j * stride + k));
        }
        for (int j = 0; j < T; j++) out[(size_t) (t0 + j) * rows + r] = _mm512_reduce_add_ps(acc[j]);
    }
}

// One token against four rows at once, `gap` rows apart: four streams from memory instead of one. Reading a
// range as four quarters side by side made the model's BF16 decode ~30% faster in a C probe than row after row
// (docs/BENCHMARKS.md, thirty-seventh run), as if each stream had a ceiling of its own.
__attribute__((target("avx512bf16"))) static void four_rows_bf16_dot(const uint16_t *row, size_t gap, int cols, const uint16_t *xb,
        float *out, size_t out_gap) {
    const int left = cols & 31;
    const __mmask32 tail = (__mmask32) ((1ull << left) - 1);
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const uint16_t *r1 = row + gap, *r2 = row + 2 * gap, *r3 = row + 3 * gap;
    int k = 0;
    for (; k + 32 <= cols; k += 32) {
        prefetch_lines((const uint8_t *) (row + k) + PREFETCH_AHEAD, 64);
        prefetch_lines((const uint8_t *) (r1 + k) + PREFETCH_AHEAD, 64);
        prefetch_lines((const uint8_t *) (r2 + k) + PREFETCH_AHEAD, 64);
        prefetch_lines((const uint8_t *) (r3 + k) + PREFETCH_AHEAD, 64);
        const __m512bh xk = (__m512bh) _mm512_load_si512(xb + k);
        a0 = _mm512_dpbf16_ps(a0, (__m512bh) _mm512_loadu_si512(row + k), xk);
        a1 = _mm512_dpbf16_ps(a1, (__m512bh) _mm512_loadu_si512(r1 + k), xk);
        a2 = _mm512_dpbf16_ps(a2, (__m512bh) _mm512_loadu_si512(r2 + k), xk);
        a3 = _mm512_dpbf16_ps(a3, (__m512bh) _mm512_loadu_si512(r3 + k), xk);
    }
    if (left > 0) {
        const __m512bh xk = (__m512bh) _mm512_load_si512(xb + k);
        a0 = _mm512_dpbf16_ps(a0, (__m512bh) _mm512_maskz_loadu_epi16(tail, row + k), xk);
        a1 = _mm512_dpbf16_ps(a1, (__m512bh) _mm512_maskz_loadu_epi16(tail, r1 + k), xk);
        a2 = _mm512_dpbf16_ps(a2, (__m512bh) _mm512_maskz_loadu_epi16(tail, r2 + k), xk);
        a3 = _mm512_dpbf16_ps(a3, (__m512bh) _mm512_maskz_loadu_epi16(tail, r3 + k), xk);
    }
    out[0] = _mm512_reduce_add_ps(a0);
    out[out_gap] = _mm512_reduce_add_ps(a1);
    out[2 * out_gap] = _mm512_reduce_add_ps(a2);
    out[3 * out_gap] = _mm512_reduce_add_ps(a3);
}

// 0 when there is no memory for x in BF16 (the caller then takes the float kernel).
__attribute__((target("avx512bf16"))) static int matvec_bf16_dot(const uint16_t *w, int rows, int cols, int row_start, int row_end,
        const float *x, int batch, float *out) {
    const size_t stride = (size_t) ((cols + 31) & ~31);
    uint16_t *xb = bf16_x_scratch(stride * batch * 2);
    if (xb == NULL) return 0;
    for (int t = 0; t < batch; t++) {
        const float *xr = x + (size_t) t * cols;
        uint16_t *to = xb + t * stride;
        int c = 0;
        for (; c + 32 <= cols; c += 32)
            _mm512_store_si512(to + c, (__m512i) _mm512_cvtne2ps_pbh(_mm512_loadu_ps(xr + c + 16), _mm512_loadu_ps(xr + c)));
        const int left = cols - c;
        if (left > 0) {
            __mmask16 low = (__mmask16) ((1u << (left < 16 ? left : 16)) - 1), high = (__mmask16) (left > 16 ? (1u << (left - 16)) - 1 : 0);
            _mm512_store_si512(to + c, (__m512i) _mm512_cvtne2ps_pbh(_mm512_maskz_loadu_ps(high, xr + c + 16), _mm512_maskz_loadu_ps(low, xr + c)));
        }
    }
    if (batch == 1) {
        const int quarter = (row_end - row_start) / 4;
        for (int r = row_start; r < row_start + quarter; r++)
            four_rows_bf16_dot(w + (size_t) r * cols, (size_t) quarter * cols, cols, xb, out + r, (size_t) quarter);
        rows_bf16_dot(w, rows, cols, row_start + 4 * quarter, row_end, xb, stride, 0, 1, out);
        return 1;
    }
    for (int t0 = 0; t0 < batch; t0 += DOT_TOKENS) {
#define ROWS_DOT(T) rows_bf16_dot(w, rows, cols, row_start, row_end, xb, stride, t0, T, out)
        switch (batch - t0 < DOT_TOKENS ? batch - t0 : DOT_TOKENS) {
            case 1: ROWS_DOT(1); break;
            case 2: ROWS_DOT(2); break;
            case 3: ROWS_DOT(3); break;
            case 4: ROWS_DOT(4); break;
            case 5: ROWS_DOT(5); break;
            case 6: ROWS_DOT(6); break;
            case 7: ROWS_DOT(7); break;
            default: ROWS_DOT(DOT_TOKENS); break;
        }
#undef ROWS_DOT
    }
    return 1;
}
#else
#define WITH_BF16_DOT 0
#endif

/** 1 when neurosteer_matvec_bf16 rounds x to BF16 (matvec_bf16_dot), 0 when it multiplies x as floats. */
int neurosteer_bf16_decode_rounds_x(void) {
#if WITH_BF16_DOT
    return bf16_dot_supported();
#else
    return 0;
#endif
}

void neurosteer_matvec_bf16(const uint16_t *w, int rows, int cols, int row_start, int row_end, const float *x, int batch, float *out) {
#if WITH_BF16_DOT
    if (bf16_dot_supported() && matvec_bf16_dot(w, rows, cols, row_start, row_end, x, batch, out)) return;
#endif
    matvec_16bit(w, rows, cols, row_start, row_end, x, batch, out, 1);
}

// Q8_0 against activations quantized as for the products above, a row at a time and the tokens in tiles that
// stay in registers, so the row is read from memory once and each of its blocks decoded once a tile: a few
// sequences (up to NativeGemm's decode threshold) cost little more than one.
//
// AVX-512 takes two blocks a step: their 64 bytes in one register (u = q + 128) against 64 bytes of x, one
// vpdpbusd, the scales d and dx of the two blocks spread over the two halves of the lanes; the u offset,
// 128 d sx a block, comes off at the end of the row as one dot product over its blocks. The x of a tile is
// first copied pair by pair (xs[(p T + j) 64 + i] = x[t0 + j, 64 p + i], ds[(p T + j) 16 + 8 h + l] = dx[t0 + j, 2 p + h]
// for l < 8, an odd last block after the pairs), so a step finds its T tokens side by side and each pair's dx
// already spread over the halves of the lanes; one token needs no copy, its x being in that order already
// and its dx spread as it is used. AVX2 takes a block a step: |q| times x with q's sign (llama.cpp's
// trick), widened by vpmaddwd.
#if WITH_AVX512
#define Q8_TOKENS 8
// Tokens [t0, t0 + T) against row r: T a constant, so that the accumulators live in registers.
// spread: ds holds each pair's two dx already spread over the lanes' halves (16 floats), not the two alone.
static inline __attribute__((always_inline)) void q8_0_row_tile(const uint8_t *row, int nb, int rows, int r, const int8_t *xs,
        const float *ds, const float *sx, int t0, const int T, const int spread, int prefetch, float *d_row, float *out) {
    const __m512i flip = _mm512_set1_epi8((char) 0x80);
    const __m512i halves = _mm512_setr_epi32(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1);
    __m512 acc[Q8_TOKENS];
    for (int j = 0; j < T; j++) acc[j] = _mm512_setzero_ps();
    int pairs = nb / 2;
    for (int p = 0; p < pairs; p++) {
        const uint8_t *block = row + (size_t) p * 68;
        if (prefetch) prefetch_lines(block + PREFETCH_AHEAD, 68);
        __m512i u = _mm512_inserti64x4(_mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *) (block + 2))),
                                       _mm256_loadu_si256((const __m256i *) (block + 36)), 1);
        u = _mm512_xor_si512(u, flip);
        uint16_t h0, h1;
        memcpy(&h0, block, 2);
        memcpy(&h1, block + 34, 2);
        __m128 d2 = _mm_cvtph_ps(_mm_insert_epi16(_mm_cvtsi32_si128(h0), h1, 1));
        _mm_storel_pi((__m64 *) (d_row + 2 * p), d2);
        __m512 d = _mm512_permutexvar_ps(halves, _mm512_castps128_ps512(d2));
        const int8_t *xp = xs + (size_t) p * T * 64;
        const float *dp = ds + (size_t) p * T * (spread ? 16 : 2);
        for (int j = 0; j < T; j++) {
            __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), u, _mm512_loadu_si512(xp + 64 * j));
            __m512 dx = spread ? _mm512_load_ps(dp + 16 * j)
                               : _mm512_permutexvar_ps(halves, _mm512_castps128_ps512(_mm_castpd_ps(_mm_load_sd((const double *) (dp + 2 * j)))));
            acc[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(dot), _mm512_mul_ps(d, dx), acc[j]);
        }
    }
    if (nb & 1) { // the odd last block
        const uint8_t *block = row + (size_t) pairs * 68;
        __m256i u = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) (block + 2)), _mm256_set1_epi8((char) 0x80));
        float d = half_at(block);
        d_row[nb - 1] = d;
        const int8_t *xp = xs + (size_t) pairs * T * 64;
        const float *dp = ds + (size_t) pairs * T * (spread ? 16 : 2);
        for (int j = 0; j < T; j++) {
            __m256i dot = _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, _mm256_loadu_si256((const __m256i *) (xp + 64 * j)));
            __m256 term = _mm256_mul_ps(_mm256_cvtepi32_ps(dot), _mm256_set1_ps(d * dp[(spread ? 16 : 2) * j]));
            acc[j] = _mm512_add_ps(acc[j], _mm512_zextps256_ps512(term));
        }
    }
    float sums[Q8_TOKENS];
    for (int j = 0; j < T; j++) sums[j] = _mm512_reduce_add_ps(acc[j]); // (a loop with no loop inside: acc stays in registers)
    for (int j = 0; j < T; j++) {
        const float *st = sx + (size_t) (t0 + j) * nb;
        __m512 offset = _mm512_setzero_ps();
        for (int c = 0; c < nb; c += 16) {
            __mmask16 m = rows_mask(nb - c);
            offset = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, d_row + c), _mm512_maskz_loadu_ps(m, st + c), offset);
        }
        out[(size_t) (t0 + j) * rows + r] = sums[j] - 128 * _mm512_reduce_add_ps(offset);
    }
}

// Copies the x of tokens [t0, t0 + T) into xs and ds in the order above, each pair's dx spread (16 floats).
static void q8_0_tile_of_x(const int8_t *xq, const float *dx, int cols, int t0, int T, int8_t *xs, float *ds) {
    int nb = cols / 32, steps = (nb + 1) / 2;
    for (int j = 0; j < T; j++) {
        const int8_t *x = xq + (size_t) (t0 + j) * cols;
        const float *d = dx + (size_t) (t0 + j) * nb;
        for (int p = 0; p < steps; p++) {
            int two = 2 * p + 1 < nb;
            memcpy(xs + ((size_t) p * T + j) * 64, x + 64 * p, two ? 64 : 32);
            __m256 low = _mm256_set1_ps(d[2 * p]), high = two ? _mm256_set1_ps(d[2 * p + 1]) : _mm256_setzero_ps();
            _mm512_store_ps(ds + ((size_t) p * T + j) * 16,
                            _mm512_castpd_ps(_mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_castps_pd(low)), _mm256_castps_pd(high), 1)));
        }
    }
}

void neurosteer_matvec_q8_0(const uint8_t *w, int rows, int cols, int row_start, int row_end, const int8_t *xq, const float *dx,
                            const float *sx, int batch, float *out) {
    int nb = cols / 32, steps = (nb + 1) / 2;
    size_t row_bytes = (size_t) nb * 34;
    float d_row[nb + 16]; // the row's block scales, for the u offset
    int8_t *xs = NULL;
    float *ds = NULL;
    if (batch > 1) { // without the memory for a tile of x, one token at a time
        xs = thread_scratch((size_t) steps * Q8_TOKENS * (64 + 16 * sizeof(float)));
        ds = xs == NULL ? NULL : (float *) (xs + (size_t) steps * Q8_TOKENS * 64);
    }
    if (xs == NULL) {
        for (int t = 0; t < batch; t++)
            for (int r = row_start; r < row_end; r++)
                q8_0_row_tile(w + (size_t) r * row_bytes, nb, rows, r, xq + (size_t) t * cols, dx + (size_t) t * nb, sx, t, 1, 0, t == 0,
                              d_row, out);
        return;
    }
    for (int t0 = 0; t0 < batch; t0 += Q8_TOKENS) {
        const int T = batch - t0 < Q8_TOKENS ? batch - t0 : Q8_TOKENS;
        q8_0_tile_of_x(xq, dx, cols, t0, T, xs, ds);
        for (int r = row_start; r < row_end; r++) {
#define ROW_TILE(T) q8_0_row_tile(w + (size_t) r * row_bytes, nb, rows, r, xs, ds, sx, t0, T, 1, t0 == 0, d_row, out)
            switch (T) {
                case 1: ROW_TILE(1); break;
                case 2: ROW_TILE(2); break;
                case 3: ROW_TILE(3); break;
                case 4: ROW_TILE(4); break;
                case 5: ROW_TILE(5); break;
                case 6: ROW_TILE(6); break;
                case 7: ROW_TILE(7); break;
                default: ROW_TILE(Q8_TOKENS); break;
            }
#undef ROW_TILE
        }
    }
}
#else
#define Q8_TOKENS 4
static inline __attribute__((always_inline)) void q8_0_row_tile(const uint8_t *row, int nb, int cols, int rows, int r,
        const int8_t *xq, const float *dx, int t0, const int T, float *out) {
    const __m256i ones = _mm256_set1_epi16(1);
    __m256 acc[Q8_TOKENS];
    for (int j = 0; j < T; j++) acc[j] = _mm256_setzero_ps();
    for (int b = 0; b < nb; b++) {
        const uint8_t *block = row + (size_t) b * 34;
        if (t0 == 0 && (b & 1) == 0) prefetch_lines(block + PREFETCH_AHEAD, 68);
        __m256i q = _mm256_loadu_si256((const __m256i *) (block + 2)), magnitude = _mm256_abs_epi8(q);
        __m256 d = _mm256_set1_ps(half_at(block));
        for (int j = 0; j < T; j++) {
            __m256i xv = _mm256_loadu_si256((const __m256i *) (xq + (size_t) (t0 + j) * cols + 32 * b));
            __m256i dot = _mm256_madd_epi16(_mm256_maddubs_epi16(magnitude, _mm256_sign_epi8(xv, q)), ones);
            __m256 scale = _mm256_mul_ps(d, _mm256_broadcast_ss(dx + (size_t) (t0 + j) * nb + b));
            acc[j] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot), scale, acc[j]);
        }
    }
    for (int j = 0; j < T; j++) {
        __m128 s = _mm_add_ps(_mm256_castps256_ps128(acc[j]), _mm256_extractf128_ps(acc[j], 1));
        s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        out[(size_t) (t0 + j) * rows + r] = _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
    }
}

void neurosteer_matvec_q8_0(const uint8_t *w, int rows, int cols, int row_start, int row_end, const int8_t *xq, const float *dx,
                            const float *sx, int batch, float *out) {
    (void) sx;
    int nb = cols / 32;
    size_t row_bytes = (size_t) nb * 34;
    for (int r = row_start; r < row_end; r++) {
        const uint8_t *row = w + (size_t) r * row_bytes;
        int t0 = 0;
#define ROW_TILE(T) q8_0_row_tile(row, nb, cols, rows, r, xq, dx, t0, T, out)
        for (; t0 + Q8_TOKENS <= batch; t0 += Q8_TOKENS) ROW_TILE(Q8_TOKENS);
        switch (batch - t0) {
            case 1: ROW_TILE(1); break;
            case 2: ROW_TILE(2); break;
            case 3: ROW_TILE(3); break;
            default: break;
        }
#undef ROW_TILE
    }
}
#endif

// Interleaved Q4_0 and Q8_0 in decode. AVX-512: a block's 16 rows as 8 lines of 4 unsigned bytes a row (Q4_0: its
// nibbles spread by vpermb; Q8_0: its lines as stored, u = q + 128) go to vpdpbusd with 4 bytes of x broadcast, two dot
// products in flight per token, the sums landing per row with no horizontal reduction (Q8_0's row-major kernel
// reduced every row and read the model's decode ~15% slower in a C probe: docs/BENCHMARKS.md, thirty-seventh run). One
// token takes four groups a quarter of the range apart side by side, four streams (as four_rows_bf16_dot); a few
// tokens, up to 4 a pass over each group. AVX2: the prefill kernel, a panel at a time.
#if WITH_AVX512
// A block's 8 lines of unsigned bytes in u, and its 16 scales in row order as the result.
static inline __attribute__((always_inline)) __m512 interleaved_block(const uint8_t *block, __m512i u[8], const int q8) {
    if (q8) {
        for (int line = 0; line < 8; line++) u[line] = _mm512_loadu_si512(block + 32 + 64 * line);
        return _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) block));
    }
    const __m512i gather = _mm512_load_si512(NIBBLE_GATHER), low = _mm512_set1_epi8(0x0F), order = _mm512_loadu_si512(ROW_ORDER);
    for (int part = 0; part < 4; part++) {
        __m512i t = _mm512_permutexvar_epi8(gather, _mm512_loadu_si512(block + 32 + 64 * part));
        u[part] = _mm512_and_si512(t, low);
        u[4 + part] = _mm512_and_si512(_mm512_srli_epi16(t, 4), low);
    }
    return _mm512_permutexvar_ps(order, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) block)));
}

// acc + d (dx dot - offset sx) for one token's 32 values of x: W = d (u - offset), offset 8 (Q4_0) or 128 (Q8_0).
static inline __attribute__((always_inline)) __m512 interleaved_dot(__m512 acc, __m512 d, const __m512i u[8], const int8_t *x, float dx,
        float sx, const int offset) {
    __m512i even = _mm512_setzero_si512(), odd = _mm512_setzero_si512();
    for (int q = 0; q < 8; q += 2) {
        int32_t four0, four1;
        memcpy(&four0, x + 4 * q, 4);
        memcpy(&four1, x + 4 * q + 4, 4);
        even = _mm512_dpbusd_epi32(even, u[q], _mm512_set1_epi32(four0));
        odd = _mm512_dpbusd_epi32(odd, u[q + 1], _mm512_set1_epi32(four1));
    }
    __m512 term = _mm512_fmadd_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(even, odd)), _mm512_set1_ps(dx), _mm512_set1_ps(-offset * sx));
    return _mm512_fmadd_ps(d, term, acc);
}

static inline __attribute__((always_inline)) void matvec_interleaved(const uint8_t *w, int rows, int cols, int row_start, int row_end,
        const int8_t *xq, const float *dx, const float *sx, int batch, float *out, const int q8) {
    const int block_bytes = q8 ? 544 : 288, offset = q8 ? 128 : 8;
    int nb = cols / 32, g0 = row_start / LANES, g1 = row_end / LANES;
    const size_t group_bytes = (size_t) nb * block_bytes;
    if (batch == 1) {
        const int quarter = (g1 - g0) / 4;
        const size_t step = (size_t) quarter * group_bytes;
        for (int g = g0; g < g0 + quarter; g++) {
            const uint8_t *group = w + (size_t) g * group_bytes;
            __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
            for (int b = 0; b < nb; b++)
                for (int s = 0; s < 4; s++) {
                    const uint8_t *block = group + s * step + (size_t) b * block_bytes;
                    prefetch_lines(block + PREFETCH_AHEAD, block_bytes);
                    __m512i u[8];
                    __m512 d = interleaved_block(block, u, q8);
                    acc[s] = interleaved_dot(acc[s], d, u, xq + 32 * b, dx[b], sx[b], offset);
                }
            for (int s = 0; s < 4; s++) _mm512_storeu_ps(out + (size_t) (g + s * quarter) * LANES, acc[s]);
        }
        g0 += 4 * quarter;
    }
    for (int g = g0; g < g1; g++) {
        const uint8_t *group = w + (size_t) g * group_bytes;
        for (int t0 = 0; t0 < batch; t0 += 4) {
            int T = batch - t0 < 4 ? batch - t0 : 4;
            __m512 acc[4] = {_mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps(), _mm512_setzero_ps()};
            for (int b = 0; b < nb; b++) {
                const uint8_t *block = group + (size_t) b * block_bytes;
                prefetch_lines(block + PREFETCH_AHEAD, block_bytes);
                __m512i u[8];
                __m512 d = interleaved_block(block, u, q8);
                for (int j = 0; j < T; j++) {
                    size_t xb = (size_t) (t0 + j) * nb + b;
                    acc[j] = interleaved_dot(acc[j], d, u, xq + (size_t) (t0 + j) * cols + 32 * b, dx[xb], sx[xb], offset);
                }
            }
            for (int j = 0; j < T; j++) _mm512_storeu_ps(out + (size_t) (t0 + j) * rows + (size_t) g * LANES, acc[j]);
        }
    }
}
#endif

void neurosteer_matvec_interleaved_q4_0(const uint8_t *w, int rows, int cols, int row_start, int row_end, const int8_t *xq,
                                        const float *dx, const float *sx, int batch, float *out) {
#if WITH_AVX512
    matvec_interleaved(w, rows, cols, row_start, row_end, xq, dx, sx, batch, out, 0);
#else
    neurosteer_gemm_interleaved_q4_0(w, rows, cols, row_start, row_end, xq, dx, sx, batch, out);
#endif
}

void neurosteer_matvec_interleaved_q8_0(const uint8_t *w, int rows, int cols, int row_start, int row_end, const int8_t *xq,
                                        const float *dx, const float *sx, int batch, float *out) {
#if WITH_AVX512
    matvec_interleaved(w, rows, cols, row_start, row_end, xq, dx, sx, batch, out, 1);
#else
    neurosteer_gemm_interleaved_q8_0(w, rows, cols, row_start, row_end, xq, dx, sx, batch, out);
#endif
}

// Interleaved Q6_K in decode (AVX-512 only; the AVX2 library has no such kernel and Java decodes it there). Per group and
// super-block of 256 columns, 3360 bytes: the 16 rows' f16 d, their 16 int8 scales (scale t's bytes at 32 + 16 t), then
// for each half h and position l < 32 three lines of 16 bytes (one a row, lane order) that hold the 6-bit values of
// columns 128 h + 32 k + l, k < 4 (see InterleavedQ6_KTensor): q0 | (q2 >> 4) << 6, q1 | (q3 >> 4) << 6 and
// (q2 & 15) | (q3 & 15) << 4. Four positions' lines of one kind, gathered and transposed by vpermb, give each row's 4
// values of column 128 h + 32 k + l..l+3 in a 32-bit lane, in row order: vpdpbusd with 4 bytes of x. W = d sc (q - 32):
// per sub-block of 16 columns the integer sum less 32 times the sum of x's integers, times the scale, then dx and d.
#if WITH_AVX512
#define Q6_K_GROUP_BLOCK 3360
#define Q6_K_TOKENS 4

// Lines of kind t (0-2) of positions l..l+3 of half h, each row's 4 bytes side by side in row order.
static inline __attribute__((always_inline)) __m512i q6_k_lines(const uint8_t *body, int h, int l, int t, __m512i gather) {
    const uint8_t *at = body + 48 * (32 * h + l) + 16 * t;
    __m512i v = _mm512_castsi128_si512(_mm_loadu_si128((const __m128i *) at));
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *) (at + 48)), 1);
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *) (at + 96)), 2);
    v = _mm512_inserti32x4(v, _mm_loadu_si128((const __m128i *) (at + 144)), 3);
    return _mm512_permutexvar_epi8(gather, v);
}

void neurosteer_matvec_interleaved_q6_k(const uint8_t *w, int rows, int cols, int row_start, int row_end, const int8_t *xq,
                                        const float *dx, const float *sx, int batch, float *out) {
    (void) sx;
    const int nsb = cols / 256, nb = cols / 32, g0 = row_start / LANES, g1 = row_end / LANES;
    const size_t group_bytes = (size_t) nsb * Q6_K_GROUP_BLOCK;
    const __m512i gather = _mm512_load_si512(NIBBLE_GATHER), low6 = _mm512_set1_epi8(63), low4 = _mm512_set1_epi8(15),
                  top2 = _mm512_set1_epi8(0x30);
    const __m128i row_bytes = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    const __m512i row_order = _mm512_loadu_si512(ROW_ORDER);
    for (int t0 = 0; t0 < batch; t0 += Q6_K_TOKENS) {
        const int T = batch - t0 < Q6_K_TOKENS ? batch - t0 : Q6_K_TOKENS;
        // 32 times the sum of x's integers over each 16 columns, per token
        int32_t xsum[Q6_K_TOKENS][cols / 16];
        for (int j = 0; j < T; j++)
            for (int s = 0; s < cols / 16; s++) {
                const int8_t *x = xq + (size_t) (t0 + j) * cols + 16 * s;
                int32_t sum = 0;
                for (int i = 0; i < 16; i++) sum += x[i];
                xsum[j][s] = 32 * sum;
            }
        for (int g = g0; g < g1; g++) {
            const uint8_t *group = w + (size_t) g * group_bytes;
            __m512 acc[Q6_K_TOKENS];
            for (int j = 0; j < Q6_K_TOKENS; j++) acc[j] = _mm512_setzero_ps();
            for (int sb = 0; sb < nsb; sb++) {
                const uint8_t *block = group + (size_t) sb * Q6_K_GROUP_BLOCK, *body = block + 288;
                prefetch_lines(block + PREFETCH_AHEAD, Q6_K_GROUP_BLOCK);
                __m512 sums[Q6_K_TOKENS];
                for (int j = 0; j < Q6_K_TOKENS; j++) sums[j] = _mm512_setzero_ps();
                for (int h = 0; h < 2; h++)
                    for (int sub = 0; sub < 2; sub++) {
                        __m512i dot[Q6_K_TOKENS][4];
                        for (int j = 0; j < Q6_K_TOKENS; j++)
                            for (int k = 0; k < 4; k++) dot[j][k] = _mm512_setzero_si512();
                        for (int l = 16 * sub; l < 16 * sub + 16; l += 4) {
                            __m512i a = q6_k_lines(body, h, l, 0, gather), b = q6_k_lines(body, h, l, 1, gather),
                                    c = q6_k_lines(body, h, l, 2, gather);
                            __m512i q[4] = {
                                _mm512_and_si512(a, low6),
                                _mm512_and_si512(b, low6),
                                _mm512_or_si512(_mm512_and_si512(c, low4), _mm512_and_si512(_mm512_srli_epi16(a, 2), top2)),
                                _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(c, 4), low4), _mm512_and_si512(_mm512_srli_epi16(b, 2), top2))};
                            for (int j = 0; j < T; j++) {
                                const int8_t *x = xq + (size_t) (t0 + j) * cols + 256 * sb + 128 * h + l;
                                for (int k = 0; k < 4; k++) {
                                    int32_t four;
                                    memcpy(&four, x + 32 * k, 4);
                                    dot[j][k] = _mm512_dpbusd_epi32(dot[j][k], q[k], _mm512_set1_epi32(four));
                                }
                            }
                        }
                        for (int k = 0; k < 4; k++) {
                            const int s = 8 * h + 2 * k + sub;  // the sub-block within the super-block
                            const __m512i scale = _mm512_cvtepi8_epi32(_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) (block + 32 + 16 * s)), row_bytes));
                            for (int j = 0; j < T; j++) {
                                __m512i term = _mm512_mullo_epi32(scale, _mm512_sub_epi32(dot[j][k], _mm512_set1_epi32(xsum[j][16 * sb + s])));
                                sums[j] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(term), _mm512_set1_ps(dx[(size_t) (t0 + j) * nb + 8 * sb + 4 * h + k]), sums[j]);
                            }
                        }
                    }
                const __m512 d = _mm512_permutexvar_ps(row_order, _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) block)));
                for (int j = 0; j < T; j++) acc[j] = _mm512_fmadd_ps(d, sums[j], acc[j]);
            }
            for (int j = 0; j < T; j++) _mm512_storeu_ps(out + (size_t) (t0 + j) * rows + (size_t) g * LANES, acc[j]);
        }
    }
}
#endif

// ---- Prefill of 16-bit float weights (BF16, F16): FP32 FMA ----
//
// A panel of 32 rows and FKC columns is converted to floats and transposed, column k holding the 32 rows'
// weights side by side; then every token tile runs FMAs of those rows against x[t, k] broadcast, the
// accumulators of 32 rows x TILE_F tokens held in registers over the whole panel.
#if WITH_AVX512 // the AVX2 version ran no faster than the Java tile, so the AVX2 library has none
#define FKC 128
#define TILE_F 8

typedef struct {
    float w[FKC][32];
} float_panel_t;

static __thread float_panel_t float_panel __attribute__((aligned(64)));

static void pack_16bit(float_panel_t *p, const uint16_t *w, int cols, int r0, int nrows, int k0, int klen, int bf16) {
    for (int i = 0; i < 32; i++) {
        if (i >= nrows) {
            for (int k = 0; k < klen; k++) p->w[k][i] = 0;
            continue;
        }
        const uint16_t *row = w + (size_t) (r0 + i) * cols + k0;
        for (int k = 0; k < klen; k++) p->w[k][i] = bf16 ? bf16_scalar(row[k]) : half_to_float(row[k]);
    }
}

static inline __attribute__((always_inline)) void float_sweep(const float_panel_t *p, int klen, const float *x, int cols, int t0,
        const int T, float *out, int rows, int r0, int n, int first) {
    __m512 acc0[TILE_F], acc1[TILE_F];
    for (int j = 0; j < T; j++) acc0[j] = acc1[j] = _mm512_setzero_ps();
    for (int k = 0; k < klen; k++) {
        __m512 w0 = _mm512_load_ps(p->w[k]), w1 = _mm512_load_ps(p->w[k] + 16);
        for (int j = 0; j < T; j++) {
            __m512 xv = _mm512_set1_ps(x[(size_t) (t0 + j) * cols + k]);
            acc0[j] = _mm512_fmadd_ps(w0, xv, acc0[j]);
            acc1[j] = _mm512_fmadd_ps(w1, xv, acc1[j]);
        }
    }
    __mmask16 m0 = rows_mask(n), m1 = rows_mask(n - LANES);
    store_tile(out, rows, r0, t0, T, acc0, acc1, m0, m1, first);
}

static inline __attribute__((always_inline)) void gemm_16bit(const uint16_t *w, int rows, int cols, int row_start, int row_end,
        const float *x, int batch, float *out, const int bf16) {
    for (int k0 = 0; k0 < cols; k0 += FKC) {
        int klen = cols - k0 < FKC ? cols - k0 : FKC, first = k0 == 0;
        for (int r0 = row_start; r0 < row_end; r0 += 32) {
            int n = row_end - r0 < 32 ? row_end - r0 : 32;
            pack_16bit(&float_panel, w, cols, r0, n, k0, klen, bf16);
            const float *xk = x + k0;
#define FLOAT_SWEEP(T) float_sweep(&float_panel, klen, xk, cols, t0, T, out, rows, r0, n, first)
            int t0 = 0;
            for (; t0 + TILE_F <= batch; t0 += TILE_F) FLOAT_SWEEP(TILE_F);
            switch (batch - t0) {
                case 1: FLOAT_SWEEP(1); break;
                case 2: FLOAT_SWEEP(2); break;
                case 3: FLOAT_SWEEP(3); break;
                case 4: FLOAT_SWEEP(4); break;
                case 5: FLOAT_SWEEP(5); break;
                case 6: FLOAT_SWEEP(6); break;
                case 7: FLOAT_SWEEP(7); break;
                default: break;
            }
#undef FLOAT_SWEEP
        }
    }
}

void neurosteer_gemm_bf16(const uint16_t *w, int rows, int cols, int row_start, int row_end, const float *x, int batch, float *out) {
    gemm_16bit(w, rows, cols, row_start, row_end, x, batch, out, 1);
}

void neurosteer_gemm_f16(const uint16_t *w, int rows, int cols, int row_start, int row_end, const float *x, int batch, float *out) {
    gemm_16bit(w, rows, cols, row_start, row_end, x, batch, out, 0);
}
#endif

// ---- Prefill with AMX tiles (Sapphire Rapids on): BF16 products ----
//
// One tdpbf16ps multiplies a 16 x 32 BF16 tile (16 tokens of x, 32 columns) by a 32 x 16 one (the same 32
// columns of 16 weight rows, in pairs) into 16 x 16 FP32 sums: 8192 multiply-adds an instruction, several
// times what vpdpbusd does in the same time. Every weight format is first turned into BF16 tiles, 32 rows and
// all columns at a time: the quantized ones through their panel packers above (W = scale * u - min, rounded
// to BF16), BF16 as it is. (F16 weights keep the FMA kernel: BF16 would drop three bits of each.) x arrives
// already rounded to BF16 (neurosteer_amx_activations, once per product, before NativeGemm splits the rows over
// threads). The result tiles are 16 tokens x 16 rows of out and go straight into it.
#if WITH_AMX
#include <sys/syscall.h>
#include <unistd.h>

#define ARCH_REQ_XCOMP_PERM 0x1023
#define XFEATURE_XTILEDATA 18
#define AMX_TOKENS 32 // x rows a sweep takes: two tiles of 16
#define TILE_ELEMS 512 // BF16 values in a 16 x 64-byte tile

// Linux hands out the tile registers only to processes that ask for them.
static int amx_permitted(void) { return syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) == 0; }

typedef struct {
    uint8_t palette, start_row, reserved[14];
    uint16_t bytes_per_row[16];
    uint8_t rows[16];
} tile_config_t;

// Tiles 0-3 hold sums (tokens half i, rows half j in tile 2i + j), 4-5 x, 6-7 weights: all 16 rows of 64 bytes.
static void amx_begin(void) {
    tile_config_t config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int i = 0; i < 8; i++) {
        config.bytes_per_row[i] = 64;
        config.rows[i] = 16;
    }
    _tile_loadconfig(&config);
}

// Rows [from, to) of x [batch x cols] floats as BF16 rows, rounded to nearest even; rows past batch (up to a
// multiple of AMX_TOKENS, where the products read them) zero.
void neurosteer_amx_activations(const float *x, int batch, int cols, uint16_t *xb, int from, int to) {
    for (int t = from; t < to; t++) {
        uint16_t *row = xb + (size_t) t * cols;
        if (t >= batch) {
            memset(row, 0, (size_t) cols * 2);
            continue;
        }
        const float *src = x + (size_t) t * cols;
        int k = 0;
        for (; k + 16 <= cols; k += 16) _mm256_storeu_si256((__m256i *) (row + k), (__m256i) _mm512_cvtneps_pbh(_mm512_loadu_ps(src + k)));
        __mmask16 rest = (__mmask16) ((1u << (cols - k)) - 1);
        if (rest) _mm256_mask_storeu_epi16(row + k, rest, (__m256i) _mm512_cvtneps_pbh(_mm512_maskz_loadu_ps(rest, src + k)));
    }
}

// Transposes 16 rows of 16 32-bit values in registers: four rounds, each swapping one bit of the row index
// with the same bit of the column index across pairs of registers.
static inline void transpose_16x16(__m512i r[16]) {
    for (int bit = 8; bit >= 1; bit >>= 1) {
        int16_t low_idx[16], high_idx[16];
        for (int j = 0; j < 16; j++) {
            low_idx[j] = (int16_t) ((j & bit) ? 16 + j - bit : j);
            high_idx[j] = (int16_t) ((j & bit) ? 16 + j : j + bit);
        }
        __m512i low = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *) low_idx));
        __m512i high = _mm512_cvtepi16_epi32(_mm256_loadu_si256((const __m256i *) high_idx));
        for (int i = 0; i < 16; i++) {
            if (i & bit) continue;
            __m512i a = r[i], b = r[i + bit];
            r[i] = _mm512_permutex2var_epi32(a, low, b);
            r[i + bit] = _mm512_permutex2var_epi32(a, high, b);
        }
    }
}

// A panel (16 rows x blocks of 32 columns, as the packers leave it) to BF16 weight tiles, one per block: tile row
// p holds columns 2p and 2p + 1 of the 16 rows side by side. Lanes past the panel's rows are zero (scale 0, min 0).
static void panel_to_tiles(const panel_t *p, int blocks, uint16_t *tiles) {
    const __m512i low_byte = _mm512_set1_epi32(0xFF);
    const __m512i pairs = _mm512_setr_epi32(0x00100000, 0x00110001, 0x00120002, 0x00130003, 0x00140004, 0x00150005, 0x00160006,
            0x00170007, 0x00180008, 0x00190009, 0x001A000A, 0x001B000B, 0x001C000C, 0x001D000D, 0x001E000E, 0x001F000F);
    for (int b = 0; b < blocks; b++) {
        __m512 scale = _mm512_load_ps(p->scale[b]), min = _mm512_load_ps(p->min[b]);
        uint16_t *tile = tiles + (size_t) b * TILE_ELEMS;
        for (int g = 0; g < GROUPS_PER_BLOCK; g++) {
            __m512i u = _mm512_load_si512(p->q[b * GROUPS_PER_BLOCK + g]);
            __m512 w[4];
            for (int j = 0; j < 4; j++)
                w[j] = _mm512_fmsub_ps(scale, _mm512_cvtepi32_ps(_mm512_and_si512(_mm512_srli_epi32(u, 8 * j), low_byte)), min);
            for (int h = 0; h < 2; h++) {
                __m512i both = (__m512i) _mm512_cvtne2ps_pbh(w[2 * h + 1], w[2 * h]); // values 0-15 from w[2h], 16-31 from w[2h + 1]
                _mm512_store_si512(tile + (size_t) (2 * g + h) * 32, _mm512_permutexvar_epi16(pairs, both));
            }
        }
    }
}

typedef void (*tile_packer_t)(uint16_t *tiles, const uint8_t *w, int cols, int r0, int nrows, packer_t pack);

// Rows [r0, r0 + nrows) of a quantized layout, all columns, through its panel packer.
static void quantized_tiles(uint16_t *tiles, const uint8_t *w, int cols, int r0, int nrows, packer_t pack) {
    for (int k0 = 0; k0 < cols; k0 += KC) {
        int klen = cols - k0 < KC ? cols - k0 : KC;
        pack(&panels[0], w, cols, r0, nrows, k0, klen);
        panel_to_tiles(&panels[0], klen / 32, tiles + (size_t) k0 / 32 * TILE_ELEMS);
    }
}

// Rows of BF16 weights, 32 columns of 16 rows at a time transposed in registers.
static void bf16_tiles(uint16_t *tiles, const uint8_t *w, int cols, int r0, int nrows, packer_t unused) {
    (void) unused;
    const uint16_t *rows_at = (const uint16_t *) w + (size_t) r0 * cols;
    for (int s = 0; s < cols / 32; s++) {
        __m512i r[16];
        for (int i = 0; i < 16; i++) {
            if (i >= nrows) {
                r[i] = _mm512_setzero_si512();
                continue;
            }
            r[i] = _mm512_loadu_si512(rows_at + (size_t) i * cols + 32 * s);
        }
        transpose_16x16(r);
        uint16_t *tile = tiles + (size_t) s * TILE_ELEMS;
        for (int p = 0; p < 16; p++) _mm512_store_si512(tile + 32 * p, r[p]);
    }
}

// Interleaved Q6_K (InterleavedQ6_KTensor): per group and 256 columns, 3360 bytes: 16 f16 d, then the 16 lanes'
// int8 scale of each 16 columns (scale t at 32 + 16 t), then for each half h and l < 32, 48 bytes: three bytes
// a lane (byte i of the lanes at 16 i) holding the 6-bit q of columns 128 h + 32 k + l, k < 4:
// q0 = b0 & 63, q1 = b1 & 63, q2 = b2 & 15 | (b0 >> 6) << 4, q3 = b2 >> 4 | (b1 >> 6) << 4. W = d scale (q - 32).
// A 32-column step is one quarter k of one half: its 32 columns are l = 0..31, two at a time to a tile row.
static void interleaved_q6_k_tiles(uint16_t *tiles, const uint8_t *w, int cols, int r0, int nrows, packer_t unused) {
    (void) unused;
    if (nrows == 0) {
        memset(tiles, 0, (size_t) cols / 32 * TILE_ELEMS * 2);
        return;
    }
    // tile row element 2n: the even column of row n, in lane 2n (n < 8) or 2(n - 8) + 1; 2n + 1: the odd column, 16 on
    int16_t order_of[32];
    for (int n = 0; n < 16; n++) {
        int lane = n < 8 ? 2 * n : 2 * (n - 8) + 1;
        order_of[2 * n] = (int16_t) lane;
        order_of[2 * n + 1] = (int16_t) (16 + lane);
    }
    const __m512i order = _mm512_loadu_si512(order_of);
    const __m512i six = _mm512_set1_epi32(63), four = _mm512_set1_epi32(15);
    int supers = cols / 256;
    const uint8_t *group = w + (size_t) (r0 / LANES) * supers * 3360;
    for (int sb = 0; sb < supers; sb++) {
        const uint8_t *super = group + (size_t) sb * 3360, *body = super + 288;
        prefetch_lines(super + 3360, 3360);
        __m512 d = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *) super));
        for (int s = 0; s < 8; s++) {
            int h = s / 4, k = s % 4;
            __m512 ds[2], offset[2];
            for (int i = 0; i < 2; i++) {
                __m512 scale = _mm512_cvtepi32_ps(_mm512_cvtepi8_epi32(_mm_loadu_si128((const __m128i *) (super + 32 + 16 * (2 * s + i)))));
                ds[i] = _mm512_mul_ps(d, scale);
                offset[i] = _mm512_mul_ps(ds[i], _mm512_set1_ps(32));
            }
            uint16_t *tile = tiles + (size_t) (sb * 8 + s) * TILE_ELEMS;
            for (int p = 0; p < 16; p++) {
                __m512 v[2];
                for (int j = 0; j < 2; j++) {
                    int l = 2 * p + j;
                    const uint8_t *at = body + 48 * (32 * h + l);
                    __m512i q;
                    if (k < 2) q = _mm512_and_si512(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *) (at + 16 * k))), six);
                    else {
                        __m512i b2 = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *) (at + 32)));
                        __m512i top = _mm512_srli_epi32(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *) (at + 16 * (k - 2)))), 6);
                        q = _mm512_or_si512(k == 2 ? _mm512_and_si512(b2, four) : _mm512_srli_epi32(b2, 4), _mm512_slli_epi32(top, 4));
                    }
                    v[j] = _mm512_fmsub_ps(_mm512_cvtepi32_ps(q), ds[l / 16], offset[l / 16]);
                }
                _mm512_store_si512(tile + 32 * p, _mm512_permutexvar_epi16(order, (__m512i) _mm512_cvtne2ps_pbh(v[1], v[0])));
            }
        }
    }
}

THREAD_BUFFER(tile_scratch) // the weight tiles of amx_gemm

#define STORE_SUMS(tile, ti, tj)                                                                       \
    do {                                                                                               \
        int tokens = batch - t0 - 16 * (ti), n = row_end - r0 - 16 * (tj);                             \
        if (tokens > 0 && n > 0) {                                                                     \
            float *to = out + (size_t) (t0 + 16 * (ti)) * rows + r0 + 16 * (tj);                       \
            if (tokens >= 16 && n >= 16) _tile_stored(tile, to, (long) rows * 4);                      \
            else {                                                                                     \
                _tile_stored(tile, sums, 64);                                                          \
                for (int t = 0; t < tokens && t < 16; t++)                                             \
                    _mm512_mask_storeu_ps(to + (size_t) t * rows, rows_mask(n), _mm512_load_ps(sums[t])); \
            }                                                                                          \
        }                                                                                              \
    } while (0)

// Rows [row_start, row_end) of out for every token: 32 rows turned into tiles, then every 32 tokens against them.
static int amx_gemm(tile_packer_t tiles_of, packer_t pack, const uint8_t *w, int rows, int cols, int row_start, int row_end,
                     const uint16_t *xb, int batch, float *out) {
    int steps = cols / 32;
    uint16_t *weights = tile_scratch((size_t) 2 * steps * TILE_ELEMS * 2);
    if (weights == NULL) return -1; // NativeGemm reports it
    static __thread float sums[16][16] __attribute__((aligned(64)));
    amx_begin();
    for (int r0 = row_start; r0 < row_end; r0 += 32) {
        int n0 = row_end - r0 < 16 ? row_end - r0 : 16, n1 = row_end - r0 - 16;
        n1 = n1 <= 0 ? 0 : n1 < 16 ? n1 : 16;
        tiles_of(weights, w, cols, r0, n0, pack);
        tiles_of(weights + (size_t) steps * TILE_ELEMS, w, cols, r0 + 16, n1, pack);
        const uint16_t *w0 = weights, *w1 = weights + (size_t) steps * TILE_ELEMS;
        for (int t0 = 0; t0 < batch; t0 += AMX_TOKENS) {
            const uint16_t *x0 = xb + (size_t) t0 * cols, *x1 = x0 + (size_t) 16 * cols;
            _tile_zero(0);
            _tile_zero(1);
            _tile_zero(2);
            _tile_zero(3);
            for (int s = 0; s < steps; s++) {
                _tile_loadd(4, x0 + 32 * s, cols * 2);
                _tile_loadd(5, x1 + 32 * s, cols * 2);
                _tile_loadd(6, w0 + (size_t) s * TILE_ELEMS, 64);
                _tile_loadd(7, w1 + (size_t) s * TILE_ELEMS, 64);
                _tile_dpbf16ps(0, 4, 6);
                _tile_dpbf16ps(1, 4, 7);
                _tile_dpbf16ps(2, 5, 6);
                _tile_dpbf16ps(3, 5, 7);
            }
            STORE_SUMS(0, 0, 0);
            STORE_SUMS(1, 0, 1);
            STORE_SUMS(2, 1, 0);
            STORE_SUMS(3, 1, 1);
        }
    }
    _tile_release();
    return 0;
}

// The tile ceiling for `bench --ceilings`: `reps` rounds of four tdpbf16ps on tiles loaded from two L1-resident
// 1 KiB arrays (as amx_gemm loads its operands), 4 x 8192 multiply-adds a round. Returns a sum so none is dropped.
float neurosteer_amx_peak(long reps) {
    static __thread uint16_t a[2][TILE_ELEMS] __attribute__((aligned(64))), b[2][TILE_ELEMS] __attribute__((aligned(64)));
    static __thread float sums[16][16] __attribute__((aligned(64)));
    for (int i = 0; i < TILE_ELEMS; i++) a[0][i] = a[1][i] = b[0][i] = b[1][i] = 0x3C00; // BF16 2^-7
    amx_begin();
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (long i = 0; i < reps; i++) {
        _tile_loadd(4, a[0], 64);
        _tile_loadd(5, a[1], 64);
        _tile_loadd(6, b[0], 64);
        _tile_loadd(7, b[1], 64);
        _tile_dpbf16ps(0, 4, 6);
        _tile_dpbf16ps(1, 4, 7);
        _tile_dpbf16ps(2, 5, 6);
        _tile_dpbf16ps(3, 5, 7);
    }
    _tile_stored(3, sums, 64);
    _tile_release();
    return sums[0][0];
}

// The exported AMX products: rows [row_start, row_end) of out[t * rows + r] for t < batch, x as
// neurosteer_amx_activations leaves it (rows padded to a multiple of 32). Sizes as for the products above.
// Returns 0, or -1 when the thread's buffer for the weight tiles (cols x 64 bytes) could not be allocated.
#define AMX_PRODUCT(name, tiles_of, packer)                                                                     \
    int neurosteer_amx_##name(const uint8_t *w, int rows, int cols, int row_start, int row_end, const uint16_t *xb,  \
                              int batch, float *out) {                                                         \
        return amx_gemm(tiles_of, packer, w, rows, cols, row_start, row_end, xb, batch, out);                  \
    }

AMX_PRODUCT(q8_0, quantized_tiles, pack_q8_0)
AMX_PRODUCT(q4_0, quantized_tiles, pack_q4_0)
AMX_PRODUCT(q4_k, quantized_tiles, pack_q4_k)
AMX_PRODUCT(interleaved_q4_0, quantized_tiles, pack_interleaved_q4_0)
AMX_PRODUCT(interleaved_q4_k, quantized_tiles, pack_interleaved_q4_k)
AMX_PRODUCT(interleaved_q8_0, quantized_tiles, pack_interleaved_q8_0)
AMX_PRODUCT(interleaved_q6_k, interleaved_q6_k_tiles, NULL)
AMX_PRODUCT(bf16, bf16_tiles, NULL)
#endif

// The read ceiling for `bench --ceilings` (MachineCeilings.readGbPerS): the sum of the floats [0, n) (n a multiple
// of 32), read as the decode kernels read weights: four quarters side by side, each prefetched PREFETCH_AHEAD ahead.
float neurosteer_read_sum(const float *p, long n) {
    const long quarter = n / 4 / 32 * 32;
    floats_t a[4] = {FLOATS_ZERO(), FLOATS_ZERO(), FLOATS_ZERO(), FLOATS_ZERO()};
    for (long i = 0; i < quarter; i += 32)
        for (int s = 0; s < 4; s++) {
            const float *at = p + s * quarter + i;
            prefetch_lines((const uint8_t *) at + PREFETCH_AHEAD, 128);
            for (int v = 0; v < 32; v += FLOAT_LANES) a[s] = FLOATS_ADD(a[s], FLOATS_LOAD(at + v));
        }
    float sum = FLOATS_SUM(FLOATS_ADD(FLOATS_ADD(a[0], a[1]), FLOATS_ADD(a[2], a[3])));
    for (long i = 4 * quarter; i < n; i++) sum += p[i];
    return sum;
}
