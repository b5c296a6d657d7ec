// trident native kernels: AVX-512 ISA (Ice Lake / Zen 4 and later) and the amx level (Sapphire
// Rapids and later: the same kernels with the int8 engine on AMX tile units).
//
// Formula:   MaxSim(q, d) = (1/|q|) * sum_i max_j <q_i, d_j>; dots(q, r) = <q, r>.
// Precision: f32 / f16 MaxSim: exact (every per-query maximum is a full-precision f32 dot, bit-
//            identical to the brute-force tiles' value for that pair), found by int8 screening
//            with a rigorous error bound (see "Exact f32 / f16 MaxSim by int8 screening" below):
//            int8 images of the documents come from the store's screening sidecar
//            (maxsim_*_screen) or are quantised on the fly per candidate (maxsim_f32/f16), all
//            pairs are scored with the query-lane VNNI engine, only pairs whose upper bound
//            reaches the best full-precision dot are recomputed; candidates where the bound
//            cannot prune fall back to brute-force FMA tiles.
//            f32 dots: 16-lane f32 FMA accumulators, horizontal sum at the end of the dot;
//            f16: documents widened exactly with F16C-class vcvtph2ps (_mm512_cvtph_ps), then f32;
//            i8 MaxSim: VNNI vpdpbusd (u8 x s8 -> i32, exact) in the query-lane engine: the query
//                 is the unsigned operand (q8 + 128), each document dword is broadcast as the
//                 signed one, and the bias is removed with the document sums:
//                 sum q*d = sum (q+128)*d - 128 * sum d. Pair score f32(f32(isum)*qscale)*dscale,
//                 maxima per query vector, f64 mean: bit-identical to the TS twin.
//            i8 dots: vpdpbusd with the document biased (d XOR 0x80 = d + 128) and
//                 sum q*d = sum q*(d+128) - 128 * sum q (QueryI8::sums from the shim).
//            All i8 sums are exact while 255*127*dim < 2^31 (the shim limits dim to 65536).
// Layout:    row-major arena (unaligned loads, masked tail loads, never reads past a vector);
//            query padded to a multiple of 64 values with zeros. Query-lane engine: the int8
//            query re-laid out per call as blocks of [dim/4 groups][16 query vectors][4 bytes];
//            documents stay canonical (tiles of 12 consecutive rows, 2 query blocks x 12 rows =
//            24 zmm accumulators, no horizontal reductions; next tile prefetched). Screening
//            sidecar: canonical row-major int8 images + 6 stats floats per vector (kernels.h).
//            Brute-force tiles: 4 query x 4 document vectors = 16 zmm accumulators reduced 4 at
//            a time by a transpose-and-add tree. Dots tiles: 1 query x 4 rows.
//            amx: the query-lane sums come from TDPBSUD tiles instead (same values, see "AMX
//            walker"), the screened f32 / f16 MaxSim splits the query into two int8 images
//            (q8 + residual r8, see prepare_screen_query), which shrinks the bound and the pairs
//            refined (71 vs 142 per document at 32 x 200 x 1024 on ColBERT-like data).
//            Refinement (both levels) collects the pairs, then scores them four at a time with
//            the rows two batches ahead prefetched.
//            Compressed codes (binary / residual, codes.h) run on the same engine: each
//            candidate's codes are expanded once into int8 rows, then walked like an i8 arena
//            (see "Compressed codes" below).
// ISAs:      avx512 = AVX512F + BW + VL + DQ + VNNI (+ F16C/FMA/AVX2), amx = avx512 + AMX-TILE +
//            AMX-INT8, selected at run time by cpu.cc; compiled with per-function target
//            attributes, the rest of the addon stays baseline x86-64.
#include "kernels.h"
#if TRIDENT_X86
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 headers trip -Wuninitialized on their own _mm*_undefined_* helpers.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "drive.h"

#define T512 __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c")))
#define TAMX __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx2,fma,f16c,amx-tile,amx-int8")))
#define TAMXV __attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx512vnni,avx512vbmi,avx2,fma,f16c,amx-tile,amx-int8")))

namespace trident {

// AMX tile configuration for the amx level (see "AMX walker" below): tiles 0-7 all 16 rows x
// 64 bytes; amx_begin / amx_end bracket each kernel call.
struct alignas(64) AmxConfig {
  uint8_t palette = 1, start_row = 0;
  uint8_t reserved[14] = {};
  uint16_t colsb[16] = {};
  uint8_t rows[16] = {};
};

TAMX void amx_begin() {  // declared in kernels.h (the bench's tile peak probe uses it too)
  AmxConfig cfg;
  for (int t = 0; t < 8; t++) {
    cfg.rows[t] = 16;
    cfg.colsb[t] = 64;
  }
  // GCC 12 does not see ldtilecfg read its operand and drops the stores above without this.
  __asm__ volatile("" : : "r"(&cfg) : "memory");
  _tile_loadconfig(&cfg);
}

TAMX void amx_end() { _tile_release(); }

namespace {

// Horizontal sums of 4 accumulators at once (transpose-and-add tree, ~13 ops instead of
// 4 x ~9 for separate reductions): r[0..3] = sum of the lanes of x0..x3.
T512 inline void reduce4_ps(__m512 x0, __m512 x1, __m512 x2, __m512 x3, float* r) {
  const __m512 t0 = _mm512_add_ps(_mm512_unpacklo_ps(x0, x1), _mm512_unpackhi_ps(x0, x1));
  const __m512 t1 = _mm512_add_ps(_mm512_unpacklo_ps(x2, x3), _mm512_unpackhi_ps(x2, x3));
  const __m512d a = _mm512_castps_pd(t0), b = _mm512_castps_pd(t1);
  const __m512 u = _mm512_add_ps(_mm512_castpd_ps(_mm512_unpacklo_pd(a, b)), _mm512_castpd_ps(_mm512_unpackhi_pd(a, b)));
  const __m256 h = _mm256_add_ps(_mm512_castps512_ps256(u), _mm512_extractf32x8_ps(u, 1));
  _mm_storeu_ps(r, _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1)));
}

T512 inline void reduce4_epi32(__m512i x0, __m512i x1, __m512i x2, __m512i x3, int32_t* r) {
  const __m512i t0 = _mm512_add_epi32(_mm512_unpacklo_epi32(x0, x1), _mm512_unpackhi_epi32(x0, x1));
  const __m512i t1 = _mm512_add_epi32(_mm512_unpacklo_epi32(x2, x3), _mm512_unpackhi_epi32(x2, x3));
  const __m512i u = _mm512_add_epi32(_mm512_unpacklo_epi64(t0, t1), _mm512_unpackhi_epi64(t0, t1));
  const __m256i h = _mm256_add_epi32(_mm512_castsi512_si256(u), _mm512_extracti64x4_epi64(u, 1));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(r), _mm_add_epi32(_mm256_castsi256_si128(h), _mm256_extracti128_si256(h, 1)));
}

template <int QT, int DT>
T512 void tile_f32(const float* const* q, const float* const* d, size_t dim, float* r) {
  __m512 acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 16 <= dim; k += 16) {
    __m512 dv[DT];
    for (int b = 0; b < DT; b++) dv[b] = _mm512_loadu_ps(d[b] + k);
    for (int a = 0; a < QT; a++) {
      const __m512 qv = _mm512_loadu_ps(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm512_fmadd_ps(qv, dv[b], acc[a][b]);
    }
  }
  if (k < dim) {
    const __mmask16 m = static_cast<__mmask16>((1u << (dim - k)) - 1u);
    __m512 dv[DT];
    for (int b = 0; b < DT; b++) dv[b] = _mm512_maskz_loadu_ps(m, d[b] + k);
    for (int a = 0; a < QT; a++) {
      const __m512 qv = _mm512_loadu_ps(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm512_fmadd_ps(qv, dv[b], acc[a][b]);
    }
  }
  static_assert(DT == 4, "reduce4 assumes 4 document vectors per tile");
  for (int a = 0; a < QT; a++) reduce4_ps(acc[a][0], acc[a][1], acc[a][2], acc[a][3], r + a * DT);
}

template <int QT, int DT>
T512 void tile_f16(const float* const* q, const uint16_t* const* d, size_t dim, float* r) {
  __m512 acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 16 <= dim; k += 16) {
    __m512 dv[DT];
    for (int b = 0; b < DT; b++)
      dv[b] = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(d[b] + k)));
    for (int a = 0; a < QT; a++) {
      const __m512 qv = _mm512_loadu_ps(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm512_fmadd_ps(qv, dv[b], acc[a][b]);
    }
  }
  if (k < dim) {
    const __mmask16 m = static_cast<__mmask16>((1u << (dim - k)) - 1u);
    __m512 dv[DT];
    for (int b = 0; b < DT; b++) dv[b] = _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, d[b] + k));
    for (int a = 0; a < QT; a++) {
      const __m512 qv = _mm512_loadu_ps(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm512_fmadd_ps(qv, dv[b], acc[a][b]);
    }
  }
  static_assert(DT == 4, "reduce4 assumes 4 document vectors per tile");
  for (int a = 0; a < QT; a++) reduce4_ps(acc[a][0], acc[a][1], acc[a][2], acc[a][3], r + a * DT);
}

// Returns sum q*(d+128); the caller subtracts 128 * sum q.
template <int QT, int DT>
T512 void tile_i8(const int8_t* const* q, const int8_t* const* d, size_t dim, int32_t* r) {
  __m512i acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = _mm512_setzero_si512();
  const __m512i bias = _mm512_set1_epi8(static_cast<char>(0x80));
  size_t k = 0;
  for (; k + 64 <= dim; k += 64) {
    __m512i dv[DT];
    for (int b = 0; b < DT; b++) dv[b] = _mm512_xor_si512(_mm512_loadu_si512(d[b] + k), bias);
    for (int a = 0; a < QT; a++) {
      const __m512i qv = _mm512_loadu_si512(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm512_dpbusd_epi32(acc[a][b], dv[b], qv);
    }
  }
  if (k < dim) {
    const __mmask64 m = (1ull << (dim - k)) - 1ull;  // dim - k < 64
    __m512i dv[DT];
    for (int b = 0; b < DT; b++) dv[b] = _mm512_xor_si512(_mm512_maskz_loadu_epi8(m, d[b] + k), bias);
    for (int a = 0; a < QT; a++) {
      const __m512i qv = _mm512_loadu_si512(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm512_dpbusd_epi32(acc[a][b], dv[b], qv);
    }
  }
  static_assert(DT == 4, "reduce4 assumes 4 document vectors per tile");
  for (int a = 0; a < QT; a++) reduce4_epi32(acc[a][0], acc[a][1], acc[a][2], acc[a][3], r + a * DT);
}


// ---------------------------------------------------------------------------------------
// Query-lane VNNI engine (i8 MaxSim and the int8 screening of the exact f32 / f16 MaxSim).
//
// Lane = query vector: the query is re-laid out once per call into QB = ceil(|q|/16) blocks of
// [ceil(dim/4) groups][16 query vectors][4 bytes], values biased to u8 (q8 + 128; 0 for dims
// >= dim and for missing query vectors). Document rows stay canonical row-major int8: for each
// group g, one dword of each of NJ document vectors is broadcast ({1to16} memory operand, the
// signed operand of vpdpbusd) and multiplied into QBT query blocks:
//     acc[b][j] += vpdpbusd(qblock[b][g], broadcast(d_j[4g..4g+3]))
// so lane i of acc[b][j] = sum_k (q8_i,k + 128) * d8_j,k, exact in int32 (|.| <= 255*127*dim),
// and sum q8*d8 = that - 128 * sum_k d8_j,k (the document sums: computed per tile from the rows,
// or taken from the screening sidecar). No horizontal reductions: the per-query running maxima
// are vectors of 16 lanes, reduced only once per candidate. A candidate's vectors are covered
// by tiles of NJ = 12 consecutive rows; the last tile is shifted back to end at the last row
// (max is idempotent, so re-scoring a few rows changes nothing), candidates with fewer rows use
// NJ = 8 / 4 / 2 / 1: never a read outside the candidate. The next tile's rows are prefetched
// (one cache line per group iteration) while the current tile computes.
// ---------------------------------------------------------------------------------------

constexpr int kLanes = 16;

inline size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

// Query in lane layout (see above), plus per-lane f32 data (scales, bound coefficients).
struct LaneQuery {
  size_t nq = 0, qb = 0, groups = 0, dim = 0;
  std::vector<uint8_t> storage;   // blocks, 64-byte aligned inside
  const __m512i* blocks = nullptr;  // qb * groups zmm: block b, group g at [b * groups + g]
};

T512 void build_lane_query(const int8_t* q8, size_t nq, size_t qstride, size_t dim, LaneQuery& lq) {
  lq.nq = nq;
  lq.dim = dim;
  lq.qb = (nq + kLanes - 1) / kLanes;
  lq.groups = (dim + 3) / 4;
  lq.storage.assign(lq.qb * lq.groups * 64 + 64, 0);
  uint8_t* out = lq.storage.data() + ((64 - reinterpret_cast<uintptr_t>(lq.storage.data()) % 64) % 64);
  lq.blocks = reinterpret_cast<const __m512i*>(out);
  for (size_t i = 0; i < nq; i++) {
    const size_t b = i / kLanes, lane = i % kLanes;
    const int8_t* src = q8 + i * qstride;
    uint8_t* base = out + b * lq.groups * 64 + lane * 4;
    for (size_t k = 0; k < dim; k++) base[(k / 4) * 64 + (k % 4)] = static_cast<uint8_t>(static_cast<int>(src[k]) + 128);
  }
}

// Sum of the int8 values of one row (dim bytes, never reads past them).
T512 inline int32_t row_sum_i8(const int8_t* p, size_t dim) {
  const __m512i bias = _mm512_set1_epi8(static_cast<char>(0x80));
  __m512i acc = _mm512_setzero_si512();
  size_t k = 0;
  for (; k + 64 <= dim; k += 64)
    acc = _mm512_add_epi64(acc, _mm512_sad_epu8(_mm512_xor_si512(_mm512_loadu_si512(p + k), bias), _mm512_setzero_si512()));
  if (k < dim) {
    const __mmask64 m = (1ull << (dim - k)) - 1ull;
    const __m512i v = _mm512_maskz_xor_epi32(0xffff, _mm512_maskz_loadu_epi8(m, p + k), _mm512_maskz_mov_epi8(m, bias));
    acc = _mm512_add_epi64(acc, _mm512_sad_epu8(v, _mm512_setzero_si512()));
  }
  return static_cast<int32_t>(_mm512_reduce_add_epi64(acc) - 128 * static_cast<int64_t>(dim));
}

// acc[b][j] = sum over k < dim of (q-lane u8) * d8_j,k for rows p + j * rstride, j < NJ, and the
// QBT query blocks starting at q (blocks `groups` zmm apart). Prefetches [pf, pf + pf_bytes).
typedef int32_t i32_unaligned __attribute__((aligned(1), may_alias));

// (Written with a flat accumulator array, explicit query registers and unroll pragmas: GCC 12
// otherwise spills the 24 accumulators to the stack on every iteration.)
template <int QBT, int NJ>
T512 void lane_tile(const __m512i* q, size_t groups, const int8_t* p, size_t rstride, size_t dim,
                    const char* pf, size_t pf_bytes, __m512i* out) {
  static_assert(QBT == 1 || QBT == 2, "one or two query blocks per tile");
  __m512i acc[QBT * NJ];
#pragma GCC unroll 32
  for (int i = 0; i < QBT * NJ; i++) acc[i] = _mm512_setzero_si512();
  const size_t full = dim / 4;
  // prefetch: up to three cache lines per group iteration, from three consecutive chunks of
  // `full` lines each (the f32 rows of the next tile are 4x the int8 ones)
  const size_t pf_lines = (pf_bytes + 63) / 64;
  const size_t n0 = std::min(pf_lines, full), n1 = std::min(pf_lines - n0, full), n2 = std::min(pf_lines - n0 - n1, full);
  const char* pf1 = pf + full * 64;
  const char* pf2 = pf + 2 * full * 64;
  for (size_t g = 0; g < full; g++) {
    if (g < n0) _mm_prefetch(pf + g * 64, _MM_HINT_T0);
    if (g < n1) _mm_prefetch(pf1 + g * 64, _MM_HINT_T0);
    if (g < n2) _mm_prefetch(pf2 + g * 64, _MM_HINT_T0);
    const __m512i q0 = _mm512_load_si512(q + g);
    const __m512i q1 = QBT > 1 ? _mm512_load_si512(q + groups + g) : q0;
#pragma GCC unroll 32
    for (int j = 0; j < NJ; j++) {
      const __m512i d = _mm512_set1_epi32(*reinterpret_cast<const i32_unaligned*>(p + j * rstride + 4 * g));
      acc[j] = _mm512_dpbusd_epi32(acc[j], q0, d);
      if (QBT > 1) acc[NJ + j] = _mm512_dpbusd_epi32(acc[NJ + j], q1, d);
    }
  }
  for (size_t g = n0 + n1 + n2; g < pf_lines; g++) _mm_prefetch(pf + g * 64, _MM_HINT_T0);
  if (full * 4 < dim) {  // last partial group: the query's u8 beyond dim are 0
    const __m512i q0 = _mm512_load_si512(q + full);
    const __m512i q1 = QBT > 1 ? _mm512_load_si512(q + groups + full) : q0;
    for (int j = 0; j < NJ; j++) {
      int32_t w = 0;
      std::memcpy(&w, p + j * rstride + 4 * full, dim - 4 * full);
      const __m512i d = _mm512_set1_epi32(w);
      acc[j] = _mm512_dpbusd_epi32(acc[j], q0, d);
      if (QBT > 1) acc[NJ + j] = _mm512_dpbusd_epi32(acc[NJ + j], q1, d);
    }
  }
#pragma GCC unroll 32
  for (int i = 0; i < QBT * NJ; i++) out[i] = acc[i];
}

// Walks one candidate of `cnt` rows (rows at p + j * rstride) in tiles; for each tile and each
// pair of query blocks calls epi(b0, QBT, j0, NJ, acc) with the raw lane sums. `next` / `next_bytes`:
// memory to prefetch while the last tile runs (the next candidate's first rows).
template <int NJ, typename Epi>
T512 void walk_tiles(const LaneQuery& lq, const int8_t* p, size_t rstride, size_t cnt, const char* next,
                     size_t next_bytes, Epi& epi) {
  for (size_t j0 = 0;; j0 += NJ) {
    bool last = j0 + NJ >= cnt;
    const size_t js = last ? cnt - NJ : j0;  // the last tile ends at the last row
    const int8_t* tp = p + js * rstride;
    const char* pf = next;
    size_t pf_bytes = next_bytes;
    if (!last) epi.template prefetch<NJ>(js + NJ, std::min<size_t>(NJ, cnt - js - NJ), p, rstride, pf, pf_bytes);
    epi.template begin<NJ>(js, tp, rstride);
    for (size_t b = 0; b < lq.qb;) {
      if (lq.qb - b >= 2) {
        __m512i acc[2 * NJ];
        lane_tile<2, NJ>(lq.blocks + b * lq.groups, lq.groups, tp, rstride, lq.dim, pf, pf_bytes, acc);
        epi.template tile<2, NJ>(b, js, acc);
        b += 2;
      } else {
        __m512i acc[NJ];
        lane_tile<1, NJ>(lq.blocks + b * lq.groups, lq.groups, tp, rstride, lq.dim, pf, pf_bytes, acc);
        epi.template tile<1, NJ>(b, js, acc);
        b += 1;
      }
      pf_bytes = 0;  // prefetch once per tile
    }
    if (last) break;
  }
}

template <typename Epi>
T512 void walk_candidate(const LaneQuery& lq, const int8_t* p, size_t rstride, size_t cnt, const char* next,
                         size_t next_bytes, Epi& epi) {
  if (cnt >= 12) walk_tiles<12>(lq, p, rstride, cnt, next, next_bytes, epi);
  else if (cnt >= 8) walk_tiles<8>(lq, p, rstride, cnt, next, next_bytes, epi);
  else if (cnt >= 4) walk_tiles<4>(lq, p, rstride, cnt, next, next_bytes, epi);
  else if (cnt >= 2) walk_tiles<2>(lq, p, rstride, cnt, next, next_bytes, epi);
  else walk_tiles<1>(lq, p, rstride, cnt, next, next_bytes, epi);
}

// ---------------------------------------------------------------------------------------
// AMX walker (the `amx` level: the same engine on Sapphire Rapids-class tile units).
//
// Produces exactly the lane sums walk_candidate hands its epilogues (lane i of row j =
// sum_k (q8_i,k + 128) * d8_j,k, exact int32), with TDPBSUD (signed document bytes x unsigned
// query bytes): the document rows are the A tile as they lie in the arena (16 rows x 64 bytes,
// stride = the row stride), and the lane query's blocks already are B tiles ([16 groups]
// [16 lanes][4 bytes] = 1 KiB per 64 dimensions). Accumulators C[16 rows][16 lanes] are stored
// to a buffer whose row j is the zmm of lane sums for document row j, i.e. the epilogue's `acc`.
// Tiles: 0-3 accumulators (2 row tiles x 2 query blocks), 4-5 document rows, 6-7 query chunks;
// one configuration per kernel call (amx_begin / amx_end). Used when dim % 64 == 0 (no partial
// chunk, so no read past a row's dim bytes beyond the next row) and the candidate has >= 16 rows
// (the last row tile is shifted back to end at the last row, as in walk_tiles); other candidates
// take walk_candidate.
// ---------------------------------------------------------------------------------------

constexpr size_t kAmxRows = 16;


inline bool amx_walkable(size_t cnt, size_t dim) { return cnt >= kAmxRows && dim % 64 == 0; }

// C tiles for row tiles a0 (and a1 if NR == 2) x query blocks q0 (and q1 if NB == 2), summed over
// `chunks` 64-dimension chunks, stored to out[(r * 2 + b) * 16 + j]. While the tiles compute, the
// rows pf + r * rstride (r < pf_rows) are prefetched into L2, one cache line of each per chunk
// (the next row tiles, so their loads do not wait on memory: the walk is otherwise bound by DRAM
// latency; into L2 rather than L1 measured ~8 % faster on the f32 re-rank, L1 being busy with
// the query tiles).
// kSS: the query tiles hold signed q8 (TDPBSSD: the plain sum q8 * d8, no bias) instead of q8 + 128.
template <int NR, int NB, bool kSS = false>
TAMX void amx_tiles(const int8_t* a0, const int8_t* a1, size_t rstride, const uint8_t* q0, const uint8_t* q1,
                    size_t chunks, const int8_t* pf, size_t pf_rows, __m512i* out) {
  _tile_zero(0);
  if (NB > 1) _tile_zero(1);
  if (NR > 1) _tile_zero(2);
  if (NR > 1 && NB > 1) _tile_zero(3);
  for (size_t c = 0; c < chunks; c++) {
    for (size_t r = 0; r < pf_rows; r++) _mm_prefetch(reinterpret_cast<const char*>(pf + r * rstride + c * 64), _MM_HINT_T1);
    _tile_loadd(4, a0 + c * 64, rstride);
    _tile_loadd(6, q0 + c * 1024, 64);
    if (NB > 1) _tile_loadd(7, q1 + c * 1024, 64);
    if (kSS) {
      _tile_dpbssd(0, 4, 6);
      if (NB > 1) _tile_dpbssd(1, 4, 7);
    } else {
      _tile_dpbsud(0, 4, 6);
      if (NB > 1) _tile_dpbsud(1, 4, 7);
    }
    if (NR > 1) {
      _tile_loadd(5, a1 + c * 64, rstride);
      if (kSS) {
        _tile_dpbssd(2, 5, 6);
        if (NB > 1) _tile_dpbssd(3, 5, 7);
      } else {
        _tile_dpbsud(2, 5, 6);
        if (NB > 1) _tile_dpbsud(3, 5, 7);
      }
    }
  }
  _tile_stored(0, out, 64);
  if (NB > 1) _tile_stored(1, out + 16, 64);
  if (NR > 1) _tile_stored(2, out + 32, 64);
  if (NR > 1 && NB > 1) _tile_stored(3, out + 48, 64);
}

template <int NR, typename Epi, bool kSS = false>
TAMX void amx_row_tiles(const LaneQuery& lq, const int8_t* p, size_t rstride, size_t js0, size_t js1,
                        const int8_t* pf, size_t pf_rows, Epi& epi) {
  alignas(64) __m512i buf[4 * kAmxRows];
  const size_t chunks = lq.dim / 64;
  const uint8_t* qbase = reinterpret_cast<const uint8_t*>(lq.blocks);
  const size_t qbytes = lq.groups * 64;  // one query block
  epi.template begin<kAmxRows>(js0, p + js0 * rstride, rstride);
  if (NR > 1) epi.template begin<kAmxRows>(js1, p + js1 * rstride, rstride);
  for (size_t b = 0; b < lq.qb;) {
    const uint8_t* q0 = qbase + b * qbytes;
    if (lq.qb - b >= 2) {
      amx_tiles<NR, 2, kSS>(p + js0 * rstride, p + js1 * rstride, rstride, q0, q0 + qbytes, chunks, pf, pf_rows, buf);
      epi.template tile<2, kAmxRows>(b, js0, buf);
      if (NR > 1) epi.template tile<2, kAmxRows>(b, js1, buf + 32);
      b += 2;
    } else {
      amx_tiles<NR, 1, kSS>(p + js0 * rstride, p + js1 * rstride, rstride, q0, q0, chunks, pf, pf_rows, buf);
      epi.template tile<1, kAmxRows>(b, js0, buf);
      if (NR > 1) epi.template tile<1, kAmxRows>(b, js1, buf + 32);
      b += 1;
    }
    pf_rows = 0;  // prefetch once per row tile pair
  }
}

// Needs amx_walkable(cnt, lq.dim) and an active tile configuration (amx_begin). `next` /
// `next_rows`: the rows to prefetch while the last row tiles run (the next candidate's first).
template <typename Epi, bool kSS = false>
TAMX void walk_candidate_amx(const LaneQuery& lq, const int8_t* p, size_t rstride, size_t cnt, const int8_t* next,
                             size_t next_rows, Epi& epi) {
  const size_t tiles = (cnt + kAmxRows - 1) / kAmxRows;
  for (size_t t = 0; t < tiles; t += 2) {
    const size_t js0 = std::min(t * kAmxRows, cnt - kAmxRows);
    // the rows of the next two row tiles, else the next candidate's
    const size_t pf_from = (t + 2) * kAmxRows;
    const int8_t* pf = pf_from < cnt ? p + pf_from * rstride : next;
    const size_t pf_rows = pf_from < cnt ? std::min(2 * kAmxRows, cnt - pf_from) : next_rows;
    if (t + 1 < tiles) {
      amx_row_tiles<2, Epi, kSS>(lq, p, rstride, js0, std::min((t + 1) * kAmxRows, cnt - kAmxRows), pf, pf_rows, epi);
    } else {
      amx_row_tiles<1, Epi, kSS>(lq, p, rstride, js0, js0, pf, pf_rows, epi);
    }
  }
}

// One candidate through the AMX walker when it can take it, else the VNNI tiles.
template <bool kAmx, typename Epi>
T512 void walk_any(const LaneQuery& lq, const int8_t* p, size_t rstride, size_t cnt, const char* next,
                   size_t next_bytes, Epi& epi) {
  if constexpr (kAmx) {
    if (amx_walkable(cnt, lq.dim)) {
      // next / next_bytes: the next candidate's first rows (in the same arena, rstride apart)
      const int8_t* nx = next != nullptr && next_bytes >= rstride ? reinterpret_cast<const int8_t*>(next) : nullptr;
      walk_candidate_amx(lq, p, rstride, cnt, nx, nx != nullptr ? std::min<size_t>(2 * kAmxRows, next_bytes / rstride) : 0, epi);
      return;
    }
  }
  walk_candidate(lq, p, rstride, cnt, next, next_bytes, epi);
}

// Bytes of the first tile of candidate n + 1 (for the prefetch while candidate n finishes).
inline void next_candidate(const Candidates& c, size_t n, const int8_t* base, size_t rstride, const char*& next,
                           size_t& bytes) {
  next = nullptr;
  bytes = 0;
  if (n + 1 < c.n) {
    next = reinterpret_cast<const char*>(base + static_cast<size_t>(c.starts[n + 1]) * rstride);
    bytes = std::min<size_t>(12, c.counts[n + 1]) * rstride;
  }
}

// i8 MaxSim epilogue: pair score f32(f32(isum) * qscale) * dscale (the same two roundings as
// i8_pair_score and the TS twin, so results are bit-identical), running max per query lane.
struct I8Epi {
  const float* qscales;  // qb * 16 lanes
  const float* dscales;  // of the candidate's rows
  size_t dim;
  int32_t* sums;         // scratch: document sums of the candidate's rows, filled per tile
  const int32_t* known;  // the candidate's precomputed row sums (QueryI8::row_sums), or null
  __m512 best[64];       // per query block (qb <= 64 handled by the caller in chunks)

  template <int NJ>
  T512 void begin(size_t js, const int8_t* tp, size_t rstride) {
    if (known != nullptr) {
      for (int j = 0; j < NJ; j++) sums[js + j] = known[js + j];
    } else {
      for (int j = 0; j < NJ; j++) sums[js + j] = row_sum_i8(tp + j * rstride, dim);
    }
  }
  template <int NJ>
  void prefetch(size_t jn, size_t count, const int8_t* p, size_t rstride, const char*& pf, size_t& bytes) const {
    pf = reinterpret_cast<const char*>(p + jn * rstride);
    bytes = count * rstride;
  }

  template <int QBT, int NJ>
  T512 void tile(size_t b0, size_t js, const __m512i* acc) {
    for (int b = 0; b < QBT; b++) {
      const __m512 vqs = _mm512_loadu_ps(qscales + (b0 + b) * kLanes);
      __m512 m = best[b0 + b];
      for (int j = 0; j < NJ; j++) {
        const __m512i isum = _mm512_sub_epi32(acc[b * NJ + j], _mm512_set1_epi32(128 * sums[js + j]));
        const __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum), vqs), _mm512_set1_ps(dscales[js + j]));
        m = _mm512_max_ps(m, v);
      }
      best[b0 + b] = m;
    }
  }
};

constexpr size_t kMaxLaneBlocks = 64;  // 1024 query vectors per pass; longer queries run in passes

template <bool kAmx>
T512 void maxsim_i8_lanes(const QueryI8& q, const int8_t* docs, const float* scales, const Candidates& c) {
  const size_t nq = q.count, dim = q.dim;
  if (nq == 0) {
    for (size_t n = 0; n < c.n; n++) c.out[n] = 0.0f;
    return;
  }
  size_t maxc = 0;
  for (size_t n = 0; n < c.n; n++) maxc = std::max<size_t>(maxc, c.counts[n]);
  std::vector<int32_t> sums(maxc);
  std::vector<float> best(round_up(nq, kLanes));
  std::vector<float> qs(round_up(nq, kLanes), 0.0f);
  for (size_t i = 0; i < nq; i++) qs[i] = q.scales[i];
  // query passes of at most kMaxLaneBlocks blocks (1024 vectors): per pass, one lane query
  std::vector<LaneQuery> passes;
  for (size_t i0 = 0; i0 < nq; i0 += kMaxLaneBlocks * kLanes) {
    passes.emplace_back();
    build_lane_query(q.data + i0 * q.stride, std::min(nq - i0, kMaxLaneBlocks * kLanes), q.stride, dim, passes.back());
  }
  const __m512 ninf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (size_t n = 0; n < c.n; n++) {
    const size_t start = c.starts[n], cnt = c.counts[n];
    if (cnt == 0) {
      c.out[n] = 0.0f;
      continue;
    }
    const int8_t* p = docs + start * dim;
    const char* next;
    size_t next_bytes;
    next_candidate(c, n, docs, dim, next, next_bytes);
    for (size_t pi = 0; pi < passes.size(); pi++) {
      const size_t i0 = pi * kMaxLaneBlocks * kLanes;
      I8Epi epi{qs.data() + i0, scales + start, dim, sums.data(), q.row_sums != nullptr ? q.row_sums + start : nullptr, {}};
      for (size_t b = 0; b < passes[pi].qb; b++) epi.best[b] = ninf;
      walk_any<kAmx>(passes[pi], p, dim, cnt, next, next_bytes, epi);
      for (size_t b = 0; b < passes[pi].qb; b++) _mm512_storeu_ps(best.data() + i0 + b * kLanes, epi.best[b]);
    }
    c.out[n] = finish_maxsim(best.data(), nq);
  }
}

// ---------------------------------------------------------------------------------------
// Exact f32 / f16 MaxSim by int8 screening (avx512 only).
//
// Every document vector has an int8 image (symmetric, scale = maxabs/127, round to nearest) and
// per-vector stats {scale, |d|_1, max|d|, sum of its int8 values}: either from the screening
// sidecar kept by the store (Screen, built once when documents are added) or quantised on the fly
// per candidate (the canonical entry points). All pairs are scored with the query-lane VNNI
// engine above (a_ij), and only pairs that could still be the maximum are recomputed in full
// precision:
//   |q·d - a_ij| <= e_ij = 1.01 * ( min(E1, E2)                                        quantisation
//                                   + (dim+2) * 2^-23 * |q|_1 * max|d|                 f32 dot rounding
//                                   + 1e-6 * |a_ij| )                                  rounding of a_ij
//   E1 = qs/2 * |d|_1 + ds/2 * |q|_1 + qs*ds*dim/4          (Hoelder: each rounding error <= scale/2)
//   E2 = |q|_2 * |d - ds*d8|_2 + |q - qs*q8|_2 * |ds*d8|_2   (Cauchy-Schwarz on q·d - q^·d^ = q·ed + eq·d^,
//                                                            with the exact residual norms; ~1.4x tighter
//                                                            on embedding-like data)
// so with m = the full-precision dot of the screening winner, any pair with a_ij + e_ij < m has
// a full-precision dot below m and cannot change max_j. The result therefore equals the maximum
// of the full-precision dots (exact MaxSim, not an approximation). If the bounds are too loose to
// prune (more than a quarter of the pairs survive, e.g. near-duplicate vectors), the candidate is
// scored by the brute-force 4x4 FMA tiles instead, so the worst case costs screening + brute force.
// Refinement walks the surviving pairs document row by row, so a row is read once for all the
// query vectors that need it (from the f32 / f16 arena: ~dim*4 bytes per surviving row).
// ---------------------------------------------------------------------------------------

T512 inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
T512 inline __m512 load16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
T512 inline __m512 load16(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
T512 inline __m512 load16(const uint16_t* p, __mmask16 m) { return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p)); }

struct RowStats {
  float scale, l1, maxabs;
  float res2 = 0, img2 = 0, norm2 = 0;  // |x - scale*q|_2, |scale*q|_2, |x|_2
};

constexpr size_t kStats = 6;  // floats per vector in a screening sidecar (see kernels.h)

// Quantises one vector into `out` (round_up(dim, 64) bytes, zero tail); returns its stats and
// (in *sum) the sum of its int8 values.
template <bool kNorms = true, typename T>
T512 RowStats quant_row(const T* x, size_t dim, int8_t* out, int32_t* sum) {
  __m512 vmax = _mm512_setzero_ps(), vl1 = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 16 <= dim; k += 16) {
    const __m512 v = _mm512_abs_ps(load16(x + k));
    vmax = _mm512_max_ps(vmax, v);
    vl1 = _mm512_add_ps(vl1, v);
  }
  const __mmask16 tail = static_cast<__mmask16>((1u << (dim - k)) - 1u);
  if (k < dim) {
    const __m512 v = _mm512_abs_ps(load16(x + k, tail));
    vmax = _mm512_max_ps(vmax, v);
    vl1 = _mm512_add_ps(vl1, v);
  }
  const RowStats st{_mm512_reduce_max_ps(vmax) / 127.0f, _mm512_reduce_add_ps(vl1), _mm512_reduce_max_ps(vmax)};
  const size_t padded = round_up(dim, 64);
  *sum = 0;
  if (!(st.scale > 0.0f)) {
    std::memset(out, 0, padded);
    return RowStats{0.0f, st.l1, st.maxabs, 0.0f, 0.0f, 0.0f};  // all zero (or NaN: not screenable)
  }
  // |x| <= maxabs, so |x * inv| <= 127 * (1 + 2^-22) rounds to at most 127: no clamp needed
  // (the saturating pack below is a second guard).
  const __m512 inv = _mm512_set1_ps(127.0f / st.maxabs);
  const __m512 vsc = _mm512_set1_ps(st.scale);
  __m512i vs = _mm512_setzero_si512();
  __m512 r2 = _mm512_setzero_ps(), i2 = _mm512_setzero_ps(), x2 = _mm512_setzero_ps();
  for (k = 0; k < dim; k += 16) {
    const __mmask16 m = dim - k >= 16 ? static_cast<__mmask16>(0xffff) : tail;
    const __m512 xv = load16(x + k, m);
    const __m512i q = _mm512_max_epi32(_mm512_min_epi32(_mm512_cvtps_epi32(_mm512_mul_ps(xv, inv)), _mm512_set1_epi32(127)), _mm512_set1_epi32(-127));
    vs = _mm512_add_epi32(vs, q);
    if (kNorms) {
      const __m512 img = _mm512_mul_ps(vsc, _mm512_cvtepi32_ps(q));
      const __m512 res = _mm512_sub_ps(xv, img);
      r2 = _mm512_fmadd_ps(res, res, r2);
      i2 = _mm512_fmadd_ps(img, img, i2);
      x2 = _mm512_fmadd_ps(xv, xv, x2);
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm512_cvtsepi32_epi8(q));
  }
  for (; k < padded; k += 16) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm_setzero_si128());
  RowStats r = st;
  const float inf = std::numeric_limits<float>::infinity();  // without norms the L2 bound is off
  r.res2 = kNorms ? std::sqrt(_mm512_reduce_add_ps(r2)) : inf;
  r.img2 = kNorms ? std::sqrt(_mm512_reduce_add_ps(i2)) : inf;
  r.norm2 = kNorms ? std::sqrt(_mm512_reduce_add_ps(x2)) : inf;
  *sum = _mm512_reduce_add_epi32(vs);
  return r;
}

// Four independent full-precision dots r[t] = <q[t], d[t]>, each bit-identical to the brute-force
// tiles' value for the same pair (one 16-lane FMA chain over k in steps of 16, masked tail, then
// reduce4_ps's summation tree, whose result for one input does not depend on the others), so a
// candidate's result does not depend on whether it was screened or brute-forced. Four chains
// run side by side (one chain alone would wait on the FMA latency).
template <typename T>
T512 void dot4(const float* const* q, const T* const* d, size_t dim, float* r) {
  __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(), a3 = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 16 <= dim; k += 16) {
    a0 = _mm512_fmadd_ps(_mm512_loadu_ps(q[0] + k), load16(d[0] + k), a0);
    a1 = _mm512_fmadd_ps(_mm512_loadu_ps(q[1] + k), load16(d[1] + k), a1);
    a2 = _mm512_fmadd_ps(_mm512_loadu_ps(q[2] + k), load16(d[2] + k), a2);
    a3 = _mm512_fmadd_ps(_mm512_loadu_ps(q[3] + k), load16(d[3] + k), a3);
  }
  if (k < dim) {
    const __mmask16 m = static_cast<__mmask16>((1u << (dim - k)) - 1u);
    a0 = _mm512_fmadd_ps(_mm512_loadu_ps(q[0] + k), load16(d[0] + k, m), a0);
    a1 = _mm512_fmadd_ps(_mm512_loadu_ps(q[1] + k), load16(d[1] + k, m), a1);
    a2 = _mm512_fmadd_ps(_mm512_loadu_ps(q[2] + k), load16(d[2] + k, m), a2);
    a3 = _mm512_fmadd_ps(_mm512_loadu_ps(q[3] + k), load16(d[3] + k, m), a3);
  }
  reduce4_ps(a0, a1, a2, a3, r);
}

// Collects (query vector, row) pairs, then scores them four at a time keeping best[i] = max, with
// the rows of the batch kLookahead batches ahead prefetched while a batch computes: refinement
// rows are scattered over the arena (DRAM latency bound otherwise: ~0.5 us per f32 row).
template <typename T>
struct PairBatch {
  static constexpr size_t kLookahead = 2;
  struct Pair {
    const float* q;
    const T* d;
    size_t i;
  };
  std::vector<Pair> pairs;
  size_t dim;
  float* best;

  T512 void add(const float* qp, const T* dp, size_t i) {
    pairs.push_back(Pair{qp, dp, i});
  }
  T512 void prefetch(size_t k) const {
    const size_t bytes = dim * sizeof(T);
    for (size_t t = k; t < std::min(pairs.size(), k + 4); t++) {
      if (t > k && pairs[t].d == pairs[t - 1].d) continue;
      const char* p = reinterpret_cast<const char*>(pairs[t].d);
      for (size_t o = 0; o < bytes; o += 64) _mm_prefetch(p + o, _MM_HINT_T0);
    }
  }
  T512 void run() {
    const size_t np = pairs.size();
    for (size_t k = 0; k < kLookahead * 4 && k < np; k += 4) prefetch(k);
    for (size_t k = 0; k < np; k += 4) {
      prefetch(k + kLookahead * 4);
      const float* q[4];
      const T* d[4];
      for (size_t t = 0; t < 4; t++) {
        const Pair& p = pairs[std::min(k + t, np - 1)];
        q[t] = p.q;
        d[t] = p.d;
      }
      float r[4];
      dot4(q, d, dim, r);
      for (size_t t = 0; t < 4 && k + t < np; t++)
        if (r[t] > best[pairs[k + t].i]) best[pairs[k + t].i] = r[t];
    }
    pairs.clear();
  }
};

constexpr size_t kScreenMinDocVectors = 8, kScreenMinQueryVectors = 4, kScreenMaxDim = 65536;

// The screening bound assumes a quantisable row: finite values (|x|_1 finite) and a finite
// 127 / maxabs (a row whose largest value is subnormal overflows it and quantises to garbage).
// Rows that fail (never real embeddings) take the brute-force path instead.
inline bool screenable(float l1, float maxabs) {
  return std::isfinite(l1) && (maxabs == 0.0f || std::isfinite(127.0f / maxabs));
}

// Screening epilogue: upper bounds a_ij + e_ij per (row, query lane) into `up`, running max of
// the lower bounds a_ij - e_ij and argmax of the upper bounds per lane. Without a sidecar
// (qsrc set), each tile's rows are quantised just before the tile runs (into d8 / stats) and the
// next tile's full-precision rows are prefetched meanwhile, so the DRAM reads overlap the VNNI work.
template <typename T, bool kSplit = false>
struct ScreenEpi {
  const float* qs;     // lane arrays (qb * 16): scale, alpha, beta, gamma
  const float* alpha;
  const float* beta;
  const float* gam;
  const float* qn;     // 1.01 * |q|_2 per lane
  const float* eqn;    // 1.01 * |q - q^|_2 per lane (q^ = qs*q8, or qs*q8 + qrs*r8 when split)
  const float* stats;  // the candidate's rows: kStats floats per row (see kernels.h)
  float* up;           // cnt * qb * 16
  size_t qb;
  __m512 lower[kMaxLaneBlocks];
  __m512 ubest[kMaxLaneBlocks];
  __m512i uidx[kMaxLaneBlocks];
  const T* qsrc = nullptr;  // the candidate's full-precision rows when quantising on the fly
  int8_t* d8 = nullptr;     // their int8 images (rows round64(dim) bytes apart)
  float* dstats = nullptr;  // and stats (kStats per row; `stats` points here too)
  size_t dim = 0, s8 = 0;
  bool ok = true;           // false: a row the int8 bound does not cover (brute force instead)
  const float* qrs = nullptr;  // split query: residual scale per lane
  const float* rt = nullptr;   // split query: 1.01e-6 * |qrs*r8|_2 per lane (rounding of the residual term)

  template <int NJ>
  T512 void begin(size_t js, const int8_t*, size_t) {
    if (qsrc == nullptr) return;
    for (size_t j = js; j < js + NJ; j++) {
      int32_t sum;
      // no residual norms here: they cost more than the refinements they save on this path
      const RowStats st = quant_row<false>(qsrc + j * dim, dim, d8 + j * s8, &sum);
      ok = ok && screenable(st.l1, st.maxabs);
      float* o = dstats + kStats * j;
      o[0] = st.scale;
      o[1] = st.l1;
      o[2] = st.maxabs;
      o[3] = static_cast<float>(sum);
      o[4] = st.res2;
      o[5] = st.img2;
    }
  }
  template <int NJ>
  void prefetch(size_t jn, size_t count, const int8_t* p, size_t rstride, const char*& pf, size_t& bytes) const {
    if (qsrc != nullptr) {
      pf = reinterpret_cast<const char*>(qsrc + jn * dim);
      bytes = count * dim * sizeof(T);
    } else {
      pf = reinterpret_cast<const char*>(p + jn * rstride);
      bytes = count * rstride;
    }
  }

  // Lane sums for one lane block: `am` = the int8 query's, `ar` = the residual's (split only).
  template <int QBT, int NJ>
  T512 void tile(size_t b0, size_t js, const __m512i* acc) {
    if constexpr (kSplit) {
      // split query: blocks come in pairs (main, residual) of lane block b0 / 2
      static_assert(QBT == 2 || QBT == 1, "");
      if constexpr (QBT == 2) lanes<NJ>(b0 / 2, js, acc, acc + NJ);
      else __builtin_trap();  // never: a split lane query has an even number of blocks
    } else {
      for (int b = 0; b < QBT; b++) lanes<NJ>(b0 + b, js, acc + b * NJ, nullptr);
    }
  }

  template <int NJ>
  T512 void lanes(size_t bb, size_t js, const __m512i* am, const __m512i* ar) {
    const __m512 tiny = _mm512_set1_ps(1e-6f * 1.01f);
    const __m512 vqs = _mm512_loadu_ps(qs + bb * kLanes), va = _mm512_loadu_ps(alpha + bb * kLanes),
                 vb = _mm512_loadu_ps(beta + bb * kLanes), vg = _mm512_loadu_ps(gam + bb * kLanes),
                 vqn = _mm512_loadu_ps(qn + bb * kLanes), veqn = _mm512_loadu_ps(eqn + bb * kLanes);
    __m512 vqr = _mm512_setzero_ps(), vrt = _mm512_setzero_ps();
    if constexpr (kSplit) {
      vqr = _mm512_loadu_ps(qrs + bb * kLanes);
      vrt = _mm512_loadu_ps(rt + bb * kLanes);
    }
    __m512 lo = lower[bb], ub = ubest[bb];
    __m512i ui = uidx[bb];
    for (int j = 0; j < NJ; j++) {
      const float* st = stats + kStats * (js + j);
      const __m512 ds = _mm512_set1_ps(st[0]);
      const __m512i bias = _mm512_set1_epi32(128 * static_cast<int32_t>(st[3]));
      const __m512i isum = _mm512_sub_epi32(am[j], bias);
      __m512 av;
      if constexpr (kSplit) {
        // q^.d^ = (qs * sum q8 d8 + qrs * sum r8 d8) * ds
        const __m512 rs = _mm512_cvtepi32_ps(_mm512_sub_epi32(ar[j], bias));
        av = _mm512_mul_ps(_mm512_fmadd_ps(rs, vqr, _mm512_mul_ps(_mm512_cvtepi32_ps(isum), vqs)), ds);
      } else {
        av = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum), vqs), ds);
      }
      __m512 e = _mm512_mul_ps(va, _mm512_set1_ps(st[1]));  // L1 (Hoelder) quantisation bound
      e = _mm512_fmadd_ps(vb, ds, e);
      __m512 e2 = _mm512_mul_ps(vqn, _mm512_set1_ps(st[4]));  // L2 (Cauchy-Schwarz) bound
      e2 = _mm512_fmadd_ps(veqn, _mm512_set1_ps(st[5]), e2);
      e = _mm512_min_ps(e2, e);  // (a NaN e2, e.g. 0 * inf without norms, yields e)
      e = _mm512_fmadd_ps(vg, _mm512_set1_ps(st[2]), e);
      e = _mm512_fmadd_ps(tiny, _mm512_abs_ps(av), e);
      if constexpr (kSplit) e = _mm512_fmadd_ps(vrt, _mm512_set1_ps(st[5]), e);
      const __m512 u = _mm512_add_ps(av, e);
      _mm512_storeu_ps(up + ((js + j) * qb + bb) * kLanes, u);
      lo = _mm512_max_ps(lo, _mm512_sub_ps(av, e));
      const __mmask16 gt = _mm512_cmp_ps_mask(u, ub, _CMP_GT_OQ);
      ub = _mm512_mask_mov_ps(ub, gt, u);
      ui = _mm512_mask_mov_epi32(ui, gt, _mm512_set1_epi32(static_cast<int32_t>(js + j)));
    }
    lower[bb] = lo;
    ubest[bb] = ub;
    uidx[bb] = ui;
  }
};

// Sidecar view: int8 images (row-major, dim bytes per vector) and 4 stats floats per vector.
struct ScreenView {
  const int8_t* i8;
  const float* stats;
};

// The query side of the screening: int8 image in lane layout (split: interleaved main / residual
// blocks) and the per-lane bound coefficients (see ScreenEpi; arrays of round_up(nq, 16) lanes).
struct ScreenQuery {
  size_t nq = 0, qb = 0;  // query vectors, lane blocks of 16
  LaneQuery lq;
  std::vector<float> qs, qrs, alpha, beta, gam, qn, eqn, rt;
};

// Split query (amx): q^ = qs*q8 + qrs*r8, r8 the int8 image of the residual q - qs*q8 (own
// symmetric scale qrs = max|residual| / 127), so the query's quantisation error all but vanishes
// from the bound (the tile units score the second image for free: the walk is memory bound).
// Error terms are computed in f64 from the exact residual e = q - q^, then rounded up by 1.01:
//   Hoelder: |q.d - q^.d^| <= |q|_1 * ds/2 + max|e| * (|d|_1 + dim*ds/2)  -> alpha = max|e|,
//            beta = |q|_1/2 + max|e|*dim/2;  Cauchy-Schwarz: eqn = |e|_2.
// Returns false if a query vector cannot be screened (the caller takes the exact path).
T512 bool prepare_screen_query(const QueryF32& q, bool split, ScreenQuery& sq) {
  const size_t nq = q.count, dim = q.dim, s8 = round_up(dim, 64), nl = round_up(nq, kLanes);
  sq.nq = nq;
  sq.qb = nl / kLanes;
  for (auto* v : {&sq.qs, &sq.qrs, &sq.alpha, &sq.beta, &sq.gam, &sq.qn, &sq.eqn, &sq.rt}) v->assign(nl, 0.0f);
  const float g = static_cast<float>(dim + 2) * 0x1p-23f;
  // split: rows [32b, 32b + 16) = q8 of lane block b, [32b + 16, 32b + 32) = r8 (missing lanes 0)
  std::vector<int8_t> q8((split ? 2 * nl : nq) * s8, 0);
  for (size_t i = 0; i < nq; i++) {
    const float* x = q.data + i * q.stride;
    int8_t* row = q8.data() + (split ? (i / kLanes) * 2 * kLanes + i % kLanes : i) * s8;
    int32_t unused;
    const RowStats st = quant_row(x, dim, row, &unused);
    if (!screenable(st.l1, st.maxabs)) return false;
    sq.qs[i] = st.scale;
    sq.gam[i] = 1.01f * g * st.l1;
    sq.qn[i] = 1.01f * st.norm2;
    if (!split || !(st.scale > 0.0f)) {
      sq.alpha[i] = 1.01f * 0.5f * st.scale;
      sq.beta[i] = 1.01f * (0.5f * st.l1 + 0.25f * st.scale * static_cast<float>(dim));
      sq.eqn[i] = 1.01f * st.res2;
      continue;
    }
    int8_t* rrow = row + kLanes * s8;
    double rmax = 0;
    for (size_t k = 0; k < dim; k++) rmax = std::max(rmax, std::fabs(static_cast<double>(x[k]) - static_cast<double>(st.scale) * row[k]));
    const float qr = static_cast<float>(rmax / 127.0);
    double emax = 0, e2 = 0, t2 = 0;
    for (size_t k = 0; k < dim; k++) {
      const double r = static_cast<double>(x[k]) - static_cast<double>(st.scale) * row[k];
      const double v = qr > 0.0f ? std::nearbyint(r / qr) : 0.0;
      rrow[k] = static_cast<int8_t>(std::max(-127.0, std::min(127.0, v)));
      const double e = r - static_cast<double>(qr) * rrow[k];
      emax = std::max(emax, std::fabs(e));
      e2 += e * e;
      t2 += (static_cast<double>(qr) * rrow[k]) * (static_cast<double>(qr) * rrow[k]);
    }
    sq.qrs[i] = qr;
    sq.alpha[i] = static_cast<float>(1.01 * emax);
    sq.beta[i] = static_cast<float>(1.01 * (0.5 * st.l1 + 0.5 * emax * static_cast<double>(dim)));
    sq.eqn[i] = static_cast<float>(1.01 * std::sqrt(e2));
    sq.rt[i] = static_cast<float>(1.01e-6 * std::sqrt(t2));
  }
  build_lane_query(q8.data(), split ? 2 * nl : nq, s8, dim, sq.lq);
  return true;
}

template <bool kAmx, bool kSplit, typename T, typename Brute>
T512 void screen_candidates(const QueryF32& q, const T* docs, const ScreenView* side, const Candidates& c, Brute& brute,
                            const ScreenQuery& sq) {
  const size_t nq = q.count, dim = q.dim, s8 = round_up(dim, 64), qb = sq.qb;
  size_t maxc = 0;
  for (size_t n = 0; n < c.n; n++) maxc = std::max<size_t>(maxc, c.counts[n]);
  std::vector<float> up(std::max<size_t>(maxc, 1) * qb * kLanes), best(qb * kLanes);
  std::vector<int8_t> d8(side ? 0 : maxc * s8 + 64);
  std::vector<float> dstats(side ? 0 : kStats * maxc);
  const __m512 ninf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  __mmask16 valid[kMaxLaneBlocks];
  for (size_t b = 0; b < qb; b++)
    valid[b] = nq - b * kLanes >= kLanes ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (nq - b * kLanes)) - 1u);
  PairBatch<T> pb;
  pb.dim = dim;
  pb.best = best.data();
  pb.pairs.reserve(nq);
  for (size_t n = 0; n < c.n; n++) {
    const size_t start = c.starts[n], cnt = c.counts[n];
    if (cnt == 0) {
      c.out[n] = 0.0f;
      continue;
    }
    const uint32_t s32 = static_cast<uint32_t>(start), c32 = static_cast<uint32_t>(cnt);
    if (cnt < kScreenMinDocVectors) {  // too small to repay the screening
      brute(Candidates{&s32, &c32, 1, c.out + n});
      continue;
    }
    const T* base = docs + start * dim;
    const int8_t* rows;
    const float* stats;
    size_t rstride;
    bool ok = true;
    if (side) {
      rows = side->i8 + start * dim;
      stats = side->stats + kStats * start;
      rstride = dim;
      for (size_t j = 0; j < cnt; j++) ok = ok && screenable(stats[kStats * j + 1], stats[kStats * j + 2]);
    } else {  // quantised tile by tile inside the walk (ScreenEpi::begin)
      rows = d8.data();
      stats = dstats.data();
      rstride = s8;
    }
    if (!ok) {  // a document vector the int8 bound does not cover: exact path for this candidate
      brute(Candidates{&s32, &c32, 1, c.out + n});
      continue;
    }
    const char* next = nullptr;
    size_t next_bytes = 0;
    if (side) {
      next_candidate(c, n, side->i8, dim, next, next_bytes);
    } else if (n + 1 < c.n) {  // the next candidate's first full-precision rows
      next = reinterpret_cast<const char*>(docs + static_cast<size_t>(c.starts[n + 1]) * dim);
      next_bytes = std::min<size_t>(12, c.counts[n + 1]) * dim * sizeof(T);
    }
    ScreenEpi<T, kSplit> epi{sq.qs.data(), sq.alpha.data(), sq.beta.data(), sq.gam.data(), sq.qn.data(), sq.eqn.data(),
                             stats, up.data(), qb, {}, {}, {}};
    epi.qrs = sq.qrs.data();
    epi.rt = sq.rt.data();
    if (!side) {
      epi.qsrc = base;
      epi.d8 = d8.data();
      epi.dstats = dstats.data();
      epi.dim = dim;
      epi.s8 = s8;
    }
    for (size_t b = 0; b < qb; b++) {
      epi.lower[b] = ninf;
      epi.ubest[b] = ninf;
      epi.uidx[b] = _mm512_setzero_si512();
    }
    walk_any<kAmx>(sq.lq, rows, rstride, cnt, next, next_bytes, epi);
    if (!epi.ok) {  // a document vector the int8 bound does not cover: exact path for this candidate
      brute(Candidates{&s32, &c32, 1, c.out + n});
      continue;
    }
    // survivors: pairs whose upper bound reaches the best lower bound of their query vector
    size_t survivors = 0;
    for (size_t j = 0; j < cnt; j++)
      for (size_t b = 0; b < qb; b++)
        survivors += static_cast<size_t>(__builtin_popcount(
            _mm512_mask_cmp_ps_mask(valid[b], _mm512_loadu_ps(&up[(j * qb + b) * kLanes]), epi.lower[b], _CMP_GE_OQ)));
    if (survivors * 4 > nq * cnt) {  // bounds too loose: brute force is cheaper
      brute(Candidates{&s32, &c32, 1, c.out + n});
      continue;
    }
    // refinement: the screening winner of every query vector first, then the pairs whose upper
    // bound reaches the winner's full-precision dot (a superset of the pairs that can still
    // change a maximum; the result is the max over them, so exact)
    alignas(64) int32_t jstar[kMaxLaneBlocks][kLanes];
    for (size_t b = 0; b < qb; b++) {
      _mm512_store_si512(jstar[b], epi.uidx[b]);
      for (size_t l = 0; l < kLanes && b * kLanes + l < nq; l++) {
        const size_t i = b * kLanes + l;
        best[i] = -std::numeric_limits<float>::infinity();
        pb.add(q.data + i * q.stride, base + static_cast<size_t>(jstar[b][l]) * dim, i);
      }
    }
    pb.run();
    for (size_t j = 0; j < cnt; j++) {
      for (size_t b = 0; b < qb; b++) {
        const float* u = &up[(j * qb + b) * kLanes];
        __mmask16 cand = _mm512_mask_cmp_ps_mask(valid[b], _mm512_loadu_ps(u), _mm512_loadu_ps(&best[b * kLanes]), _CMP_GE_OQ);
        while (cand) {
          const size_t l = static_cast<size_t>(__builtin_ctz(cand));
          cand &= static_cast<__mmask16>(cand - 1);
          if (static_cast<size_t>(jstar[b][l]) == j) continue;
          pb.add(q.data + (b * kLanes + l) * q.stride, base + j * dim, b * kLanes + l);
        }
      }
    }
    pb.run();
    c.out[n] = finish_maxsim(best.data(), nq);
  }
}

template <bool kAmx, typename T, typename Brute>
T512 void maxsim_screened(const QueryF32& q, const T* docs, const ScreenView* side, const Candidates& c, Brute brute) {
  const size_t nq = q.count, dim = q.dim;
  if (nq == 0) {
    for (size_t n = 0; n < c.n; n++) c.out[n] = 0.0f;
    return;
  }
  if (nq < kScreenMinQueryVectors || nq > kMaxLaneBlocks * kLanes || dim > kScreenMaxDim) {
    brute(c);  // too few query vectors to repay screening, or a query too long for one lane pass
    return;
  }
  // the split query pays where the tile units score it (dims the amx walker takes)
  const bool split = kAmx && dim % 64 == 0;
  ScreenQuery sq;
  if (!prepare_screen_query(q, split, sq)) {  // the int8 bound does not hold for this query: exact path
    brute(c);
    return;
  }
  if (split) screen_candidates<kAmx, true>(q, docs, side, c, brute, sq);
  else screen_candidates<kAmx, false>(q, docs, side, c, brute, sq);
}

// ---------------------------------------------------------------------------------------
// Compressed codes (binary / residual) on the query-lane engine (maxsim_codes_avx512 / _amx).
//
// Per candidate, its vectors' codes are expanded once into an int8 scratch block: the signed
// levels m[code] (vpshufb / vpblendmb lookup, layout of codes.h), rows of `stride` = dim rounded
// up to 64 bytes (padding dims hold m[0]; the padded query is 0 there), plus each row's sum of
// levels. The block then goes through walk_any (VNNI lane tiles, or the AMX walker) like an i8
// arena: the expansion costs once per document vector, not once per query x document pair.
// Lane sum - 128 * row sum = the isum of codes.h exactly, and the epilogue applies
// codes_pair_score's f32 operations in the same order (x qscale, x scale, + ct, x norm; no FMA),
// so scores are bit-identical to the TS twin and the other ISAs. The centroid term
// ct[i][cid_j] is read as 16 contiguous query lanes from a [rows][nq rounded up to 16] table:
// the whole query x centroid table transposed once per call when k <= the candidates' vectors,
// else each candidate's rows gathered.
// ---------------------------------------------------------------------------------------

template <int BITS>
T512 void expand_candidate(const uint8_t* v, size_t bytes, size_t cnt, const int8_t* table, size_t stride,
                           int8_t* out, int32_t* sums) {
  alignas(64) int8_t lut[64];
  for (int l = 0; l < 4; l++)
    for (int i = 0; i < 16; i++) lut[l * 16 + i] = i < (1 << BITS) ? table[i] : 0;
  const __m512i tab = _mm512_load_si512(lut), ones = _mm512_set1_epi8(1), zero = _mm512_setzero_si512();
  const __m512i m0 = _mm512_set1_epi8(lut[0]), m1 = _mm512_set1_epi8(lut[1]);
  const __m512i sh = _mm512_set_epi64(6, 6, 4, 4, 2, 2, 0, 0), three = _mm512_set1_epi8(3);
  const __m256i f = _mm256_set1_epi8(15);
  const size_t blocks = stride / 64;
  for (size_t j = 0; j < cnt; j++, v += bytes) {
    int8_t* o = out + j * stride;
    __m512i acc = zero;
    for (size_t b = 0; b < blocks; b++) {
      __m512i x;
      if (BITS == 1) {
        uint64_t mask;
        std::memcpy(&mask, v + b * 8, 8);
        x = _mm512_mask_blend_epi8(mask, m0, m1);
      } else if (BITS == 2) {
        const __m512i c = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + b * 16)));
        x = _mm512_shuffle_epi8(tab, _mm512_and_si512(_mm512_srlv_epi64(c, sh), three));
      } else {
        const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + b * 32));
        const __m256i lo = _mm256_and_si256(c, f), hi = _mm256_and_si256(_mm256_srli_epi16(c, 4), f);
        x = _mm512_shuffle_epi8(tab, _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1));
      }
      _mm512_store_si512(o + b * 64, x);
      acc = _mm512_dpbusd_epi32(acc, ones, x);  // row sum: 1 x each signed level, 4 per dword
    }
    sums[j] = _mm512_reduce_add_epi32(acc);
  }
}

// The amx level's expansion for candidates the AMX walker takes with a signed query (TDPBSSD: no
// row sums needed): vpermb looks levels up by the low 6 index bits, so a 64-entry table with
// entry i = m[i mod 2^bits] needs no masking of the shifted codes.
template <int BITS>
TAMXV void expand_candidate_vbmi(const uint8_t* v, size_t bytes, size_t cnt, const int8_t* table, size_t stride, int8_t* out) {
  alignas(64) int8_t lut[64];
  for (int i = 0; i < 64; i++) lut[i] = table[i & ((1 << BITS) - 1)];
  const __m512i tab = _mm512_load_si512(lut);
  const __m512i m0 = _mm512_set1_epi8(lut[0]), m1 = _mm512_set1_epi8(lut[1]);
  const __m512i sh = _mm512_set_epi64(6, 6, 4, 4, 2, 2, 0, 0);
  const size_t blocks = stride / 64;
  for (size_t j = 0; j < cnt; j++, v += bytes) {
    int8_t* o = out + j * stride;
    for (size_t b = 0; b < blocks; b++) {
      __m512i x;
      if (BITS == 1) {
        uint64_t mask;
        std::memcpy(&mask, v + b * 8, 8);
        x = _mm512_mask_blend_epi8(mask, m0, m1);
      } else if (BITS == 2) {
        const __m512i c = _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + b * 16)));
        x = _mm512_permutexvar_epi8(_mm512_srlv_epi64(c, sh), tab);
      } else {
        const __m256i c = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + b * 32));
        x = _mm512_permutexvar_epi8(_mm512_inserti64x4(_mm512_castsi256_si512(c), _mm256_srli_epi16(c, 4), 1), tab);
      }
      _mm512_store_si512(o + b * 64, x);
    }
  }
}

// Codes MaxSim epilogue: codes_pair_score on 16 query lanes, running max per lane.
struct CodesEpi {
  const float* qscales;  // lanes of this pass
  float scale;
  const float* ct;         // null (binary), else row j's lanes at ct + ctrow[j] (this pass's first lane)
  const size_t* ctrow;
  const float* norms;      // the candidate's
  const int32_t* sums;     // the candidate's expanded row sums
  __m512 best[64];

  template <int NJ>
  void begin(size_t, const int8_t*, size_t) {}
  template <int NJ>
  void prefetch(size_t jn, size_t count, const int8_t* p, size_t rstride, const char*& pf, size_t& bytes) const {
    pf = reinterpret_cast<const char*>(p + jn * rstride);
    bytes = count * rstride;
  }

  template <int QBT, int NJ>
  T512 void tile(size_t b0, size_t js, const __m512i* acc) {
    const __m512 vsc = _mm512_set1_ps(scale);
    for (int b = 0; b < QBT; b++) {
      const __m512 vqs = _mm512_loadu_ps(qscales + (b0 + b) * kLanes);
      __m512 m = best[b0 + b];
      for (int j = 0; j < NJ; j++) {
        const __m512i isum = _mm512_sub_epi32(acc[b * NJ + j], _mm512_set1_epi32(128 * sums[js + j]));
        __m512 r = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum), vqs), vsc);
        if (ct != nullptr) {
          const __m512 t = _mm512_loadu_ps(ct + ctrow[js + j] + (b0 + b) * kLanes);
          r = _mm512_mul_ps(_mm512_add_ps(t, r), _mm512_set1_ps(norms[js + j]));
        }
        m = _mm512_max_ps(m, r);
      }
      best[b0 + b] = m;
    }
  }
};

// Centroid-table epilogue (Codes::c8 given): ctt[row * nqp + lane] = i8_pair_score(isum, qscale,
// cscale[row]), the same two roundings as dots_i8 and the TS twin.
struct CtEpi {
  const float* qscales;  // this pass's lanes
  const float* cscales;
  size_t dim;
  int32_t* sums;  // the centroid rows' sums, filled per tile
  float* ctt;     // this pass's first lane; row r at ctt + r * nqp
  size_t nqp;
  bool signed_q;  // the query is signed (TDPBSSD): no bias to remove, sums stay 0

  template <int NJ>
  T512 void begin(size_t js, const int8_t* tp, size_t rstride) {
    if (!signed_q)
      for (int j = 0; j < NJ; j++) sums[js + j] = row_sum_i8(tp + j * rstride, dim);
  }
  template <int NJ>
  void prefetch(size_t jn, size_t count, const int8_t* p, size_t rstride, const char*& pf, size_t& bytes) const {
    pf = reinterpret_cast<const char*>(p + jn * rstride);
    bytes = count * rstride;
  }
  template <int QBT, int NJ>
  T512 void tile(size_t b0, size_t js, const __m512i* acc) {
    for (int b = 0; b < QBT; b++) {
      const __m512 vqs = _mm512_loadu_ps(qscales + (b0 + b) * kLanes);
      for (int j = 0; j < NJ; j++) {
        const __m512i isum = _mm512_sub_epi32(acc[b * NJ + j], _mm512_set1_epi32(128 * sums[js + j]));
        const __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum), vqs), _mm512_set1_ps(cscales[js + j]));
        _mm512_storeu_ps(ctt + (js + j) * nqp + (b0 + b) * kLanes, v);
      }
    }
  }
};

// amx level, candidates of >= 16 vectors: each pair of 16-row tiles is expanded (vpermb) just
// before the tiles read it, into a block of at most 32 rows that stays in L1 (expanding the whole
// candidate first sent every row through L2 twice), then scored with TDPBSSD against the signed
// query (row sums not needed). Rows are addressed as the walker expects: row j at p + j * stride.
// While a pair's tiles compute, the codes of the next pair (or `next_bytes` at `next`, the next
// candidate's first ones) are prefetched: the expansion otherwise waits on memory for them.
template <int BITS>
TAMXV void walk_codes_amx(const LaneQuery& sq, const Codes& cd, const uint8_t* v, size_t cnt, size_t stride, int8_t* buf,
                          const uint8_t* next, size_t next_bytes, CodesEpi& epi) {
  const size_t tiles = (cnt + kAmxRows - 1) / kAmxRows;
  for (size_t t = 0; t < tiles; t += 2) {
    const size_t js0 = std::min(t * kAmxRows, cnt - kAmxRows);
    const bool two = t + 1 < tiles;
    const size_t js1 = two ? std::min((t + 1) * kAmxRows, cnt - kAmxRows) : js0;
    expand_candidate_vbmi<BITS>(v + js0 * cd.bytes, cd.bytes, js1 + kAmxRows - js0, cd.table, stride, buf);
    const size_t pf_from = (t + 2) * kAmxRows;
    const uint8_t* pf = pf_from < cnt ? v + pf_from * cd.bytes : next;
    const size_t pf_bytes = pf_from < cnt ? std::min<size_t>(2 * kAmxRows, cnt - pf_from) * cd.bytes : next_bytes;
    // the tiles prefetch rows pf + r * stride, one line per 64-byte chunk (stride / 64 of them),
    // i.e. the contiguous [pf, pf + rows * stride): spread over the tile loop, not one burst
    const int8_t* p = buf - static_cast<ptrdiff_t>(js0 * stride);
    const int8_t* pf8 = reinterpret_cast<const int8_t*>(pf);
    const size_t pf_rows = pf8 != nullptr ? (pf_bytes + stride - 1) / stride : 0;
    if (two) amx_row_tiles<2, CodesEpi, true>(sq, p, stride, js0, js1, pf8, pf_rows, epi);
    else amx_row_tiles<1, CodesEpi, true>(sq, p, stride, js0, js0, pf8, pf_rows, epi);
  }
}

template <bool kAmx>
T512 void maxsim_codes_lanes(const QueryI8& q, const Codes& cd, const Candidates& c) {
  const size_t nq = q.count, stride = q.stride;
  if (nq == 0) {
    for (size_t n = 0; n < c.n; n++) c.out[n] = 0.0f;
    return;
  }
  size_t maxc = 0, total = 0;
  for (size_t n = 0; n < c.n; n++) {
    maxc = std::max<size_t>(maxc, c.counts[n]);
    total += c.counts[n];
  }
  const size_t nqp = round_up(nq, kLanes);
  std::vector<float> best(nqp), qs(nqp, 0.0f);
  for (size_t i = 0; i < nq; i++) qs[i] = q.scales[i];
  // lane queries over the padded stride (dim % 64 == 0 for the AMX walker; the query is 0 there)
  std::vector<LaneQuery> passes;
  for (size_t i0 = 0; i0 < nq; i0 += kMaxLaneBlocks * kLanes) {
    passes.emplace_back();
    build_lane_query(q.data + i0 * stride, std::min(nq - i0, kMaxLaneBlocks * kLanes), stride, stride, passes.back());
  }
  // amx: the same passes with signed query bytes (q8 + 128 xor 0x80 = q8) for TDPBSSD, which
  // spares the expansion the row sums; lanes beyond the query hold -128 and are never read
  std::vector<LaneQuery> signed_passes;
  if (kAmx) {
    for (size_t i0 = 0; i0 < nq; i0 += kMaxLaneBlocks * kLanes) {
      signed_passes.emplace_back();
      LaneQuery& sp = signed_passes.back();
      build_lane_query(q.data + i0 * stride, std::min(nq - i0, kMaxLaneBlocks * kLanes), stride, stride, sp);
      uint8_t* b = reinterpret_cast<uint8_t*>(const_cast<__m512i*>(sp.blocks));
      for (size_t x = 0; x < sp.qb * sp.groups * 64; x++) b[x] ^= 0x80;
    }
  }
  std::vector<int8_t> buf(std::max<size_t>(maxc, 1) * stride + 64);
  int8_t* base = buf.data() + ((64 - (reinterpret_cast<uintptr_t>(buf.data()) & 63)) & 63);
  std::vector<int32_t> sums(maxc);
  std::vector<size_t> ctrow(maxc);
  const bool residual = cd.ct != nullptr;
  const bool whole = residual && (cd.c8 != nullptr || cd.k <= total);
  std::vector<float> ctt;
  if (whole) {
    ctt.resize(cd.k * nqp);
    if (cd.c8 != nullptr) {
      // the table itself on the same engine: the centroids are k int8 rows of dim bytes (every
      // lane of every row is written); on amx with the signed query, which needs no row sums
      std::vector<int32_t> csums(cd.k, 0);
      const bool ssc = kAmx && amx_walkable(cd.k, q.dim);
      for (size_t i0 = 0; i0 < nq; i0 += kMaxLaneBlocks * kLanes) {
        LaneQuery cq;
        build_lane_query(q.data + i0 * stride, std::min(nq - i0, kMaxLaneBlocks * kLanes), stride, q.dim, cq);
        CtEpi e{qs.data() + i0, cd.cscales, q.dim, csums.data(), ctt.data() + i0, nqp, ssc};
        if (ssc) {
          uint8_t* b = reinterpret_cast<uint8_t*>(const_cast<__m512i*>(cq.blocks));
          for (size_t x = 0; x < cq.qb * cq.groups * 64; x++) b[x] ^= 0x80;
          walk_candidate_amx<CtEpi, true>(cq, cd.c8, q.dim, cd.k, nullptr, 0, e);
        } else {
          walk_any<kAmx>(cq, cd.c8, q.dim, cd.k, reinterpret_cast<const char*>(cd.c8), 0, e);
        }
      }
      for (size_t k0 = 0; k0 < cd.k; k0 += 64)  // blocked transpose: 64 table rows stay in L1
        for (size_t i = 0; i < nq; i++)
          for (size_t k = k0, ke = std::min(cd.k, k0 + 64); k < ke; k++) cd.ct_fill[i * cd.k + k] = ctt[k * nqp + i];
    } else {
      for (size_t i = 0; i < nq; i++)
        for (size_t k = 0; k < cd.k; k++) ctt[k * nqp + i] = cd.ct[i * cd.k + k];
    }
  } else if (residual) {
    ctt.assign(maxc * nqp, 0.0f);
  }
  const __m512 ninf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (size_t n = 0; n < c.n; n++) {
    const size_t start = c.starts[n], cnt = c.counts[n];
    if (cnt == 0) {
      c.out[n] = 0.0f;
      continue;
    }
    const uint8_t* v = cd.codes + start * cd.bytes;
    const bool ss = kAmx && amx_walkable(cnt, stride);
    if (ss) {
      std::fill(sums.begin(), sums.begin() + cnt, 0);  // expanded per tile pair in walk_codes_amx
    } else if (cd.bits == 1) {
      expand_candidate<1>(v, cd.bytes, cnt, cd.table, stride, base, sums.data());
    } else if (cd.bits == 2) {
      expand_candidate<2>(v, cd.bytes, cnt, cd.table, stride, base, sums.data());
    } else {
      expand_candidate<4>(v, cd.bytes, cnt, cd.table, stride, base, sums.data());
    }
    if (residual) {
      for (size_t j = 0; j < cnt; j++) {
        const size_t cid = cd.cids[start + j];
        if (whole) {
          ctrow[j] = cid * nqp;
        } else {
          ctrow[j] = j * nqp;
          for (size_t i = 0; i < nq; i++) ctt[j * nqp + i] = cd.ct[i * cd.k + cid];
        }
      }
    }
    for (size_t pi = 0; pi < passes.size(); pi++) {
      const size_t i0 = pi * kMaxLaneBlocks * kLanes;
      CodesEpi epi{qs.data() + i0, cd.scale, residual ? ctt.data() + i0 : nullptr, ctrow.data(),
                   residual ? cd.norms + start : nullptr, sums.data(), {}};
      for (size_t b = 0; b < passes[pi].qb; b++) epi.best[b] = ninf;
      const uint8_t* nx = n + 1 < c.n ? cd.codes + static_cast<size_t>(c.starts[n + 1]) * cd.bytes : nullptr;
      const size_t nxb = n + 1 < c.n && pi + 1 == passes.size() ? std::min<size_t>(2 * kAmxRows, c.counts[n + 1]) * cd.bytes : 0;
      if (ss && cd.bits == 1) walk_codes_amx<1>(signed_passes[pi], cd, v, cnt, stride, base, nx, nxb, epi);
      else if (ss && cd.bits == 2) walk_codes_amx<2>(signed_passes[pi], cd, v, cnt, stride, base, nx, nxb, epi);
      else if (ss) walk_codes_amx<4>(signed_passes[pi], cd, v, cnt, stride, base, nx, nxb, epi);
      else walk_any<kAmx>(passes[pi], base, stride, cnt, reinterpret_cast<const char*>(base), 0, epi);
      for (size_t b = 0; b < passes[pi].qb; b++) _mm512_storeu_ps(best.data() + i0 + b * kLanes, epi.best[b]);
    }
    c.out[n] = finish_maxsim(best.data(), nq);
  }
}

constexpr int kQT = 4, kDT = 4, kRowsDT = 4;

}  // namespace

void maxsim_f32_brute_avx512(const QueryF32& q, const float* docs, const Candidates& c) {
  maxsim_drive<kQT, kDT, float, float, float>(q.data, q.count, q.stride, q.dim, docs, c, tile_f32<kQT, kDT>,
                                              [](size_t, size_t, float v) { return v; });
}

void maxsim_f16_brute_avx512(const QueryF32& q, const uint16_t* docs, const Candidates& c) {
  maxsim_drive<kQT, kDT, float, uint16_t, float>(q.data, q.count, q.stride, q.dim, docs, c, tile_f16<kQT, kDT>,
                                                 [](size_t, size_t, float v) { return v; });
}

void maxsim_f32_avx512(const QueryF32& q, const float* docs, const Candidates& c) {
  maxsim_screened<false>(q, docs, nullptr, c, [&](const Candidates& one) { maxsim_f32_brute_avx512(q, docs, one); });
}

void maxsim_f16_avx512(const QueryF32& q, const uint16_t* docs, const Candidates& c) {
  maxsim_screened<false>(q, docs, nullptr, c, [&](const Candidates& one) { maxsim_f16_brute_avx512(q, docs, one); });
}

void maxsim_f32_screen_avx512(const QueryF32& q, const float* docs, const Screen& s, const Candidates& c) {
  const ScreenView v{s.i8, s.stats};
  maxsim_screened<false>(q, docs, &v, c, [&](const Candidates& one) { maxsim_f32_brute_avx512(q, docs, one); });
}

void maxsim_f16_screen_avx512(const QueryF32& q, const uint16_t* docs, const Screen& s, const Candidates& c) {
  const ScreenView v{s.i8, s.stats};
  maxsim_screened<false>(q, docs, &v, c, [&](const Candidates& one) { maxsim_f16_brute_avx512(q, docs, one); });
}

void maxsim_i8_avx512(const QueryI8& q, const int8_t* docs, const float* scales, const Candidates& c) {
  maxsim_i8_lanes<false>(q, docs, scales, c);
}

// amx level: the same kernels with the AMX walker (tile configuration held for the call).
void maxsim_f32_screen_amx(const QueryF32& q, const float* docs, const Screen& s, const Candidates& c) {
  const ScreenView v{s.i8, s.stats};
  amx_begin();
  maxsim_screened<true>(q, docs, &v, c, [&](const Candidates& one) { maxsim_f32_brute_avx512(q, docs, one); });
  amx_end();
}

void maxsim_f16_screen_amx(const QueryF32& q, const uint16_t* docs, const Screen& s, const Candidates& c) {
  const ScreenView v{s.i8, s.stats};
  amx_begin();
  maxsim_screened<true>(q, docs, &v, c, [&](const Candidates& one) { maxsim_f16_brute_avx512(q, docs, one); });
  amx_end();
}

void maxsim_i8_amx(const QueryI8& q, const int8_t* docs, const float* scales, const Candidates& c) {
  amx_begin();
  maxsim_i8_lanes<true>(q, docs, scales, c);
  amx_end();
}

void maxsim_codes_avx512(const QueryI8& q, const Codes& cd, const Candidates& c) { maxsim_codes_lanes<false>(q, cd, c); }

void maxsim_codes_amx(const QueryI8& q, const Codes& cd, const Candidates& c) {
  amx_begin();
  maxsim_codes_lanes<true>(q, cd, c);
  amx_end();
}

void dots_f32_avx512(const QueryF32& q, const float* rows, const Rows& rs) {
  dots_drive<kRowsDT, float, float, float>(q.data, q.dim, rows, rs, tile_f32<1, kRowsDT>,
                                           [](size_t, float v) { return v; });
}

void dots_f16_avx512(const QueryF32& q, const uint16_t* rows, const Rows& rs) {
  dots_drive<kRowsDT, float, uint16_t, float>(q.data, q.dim, rows, rs, tile_f16<1, kRowsDT>,
                                              [](size_t, float v) { return v; });
}

void dots_i8_avx512(const QueryI8& q, const int8_t* rows, const float* scales, const Rows& rs) {
  dots_drive<kRowsDT, int8_t, int8_t, int32_t>(q.data, q.dim, rows, rs, tile_i8<1, kRowsDT>, [&](size_t r, int32_t s) {
    return i8_pair_score(s - 128 * q.sums[0], q.scales[0], scales[r]);
  });
}

}  // namespace trident
#endif  // TRIDENT_X86
