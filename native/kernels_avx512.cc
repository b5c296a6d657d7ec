// trident native kernels: AVX-512 ISA (Ice Lake / Zen 4 and later).
//
// Formula:   MaxSim(q, d) = (1/|q|) * sum_i max_j <q_i, d_j>; dots(q, r) = <q, r>.
// Precision: f32 / f16 MaxSim: exact (every per-query maximum is a full-precision f32 dot), found
//            by int8 screening with a rigorous error bound (see "Exact f32 / f16 MaxSim by int8
//            screening" below): documents are quantised on the fly, all pairs scored with VNNI,
//            only pairs whose upper bound reaches the best full-precision dot are recomputed;
//            candidates where the bound cannot prune fall back to brute-force FMA tiles.
//            f32 dots: 16-lane f32 FMA accumulators, horizontal sum at the end of the dot;
//            f16: documents widened exactly with F16C-class vcvtph2ps (_mm512_cvtph_ps), then f32;
//            i8:  VNNI vpdpbusd (u8 x s8 -> i32, exact). vpdpbusd needs one unsigned operand, so
//                 each document vector is biased: u = d XOR 0x80 = d + 128 (one op per loaded
//                 document chunk, shared by every query vector of the tile), and the bias is
//                 removed afterwards: sum q*d = sum q*u - 128 * sum q, with sum q precomputed
//                 once per query vector by the shim (QueryI8::sums). Zero query padding makes
//                 the masked tail (where u = 128) contribute nothing. Exact while
//                 255*127*dim < 2^31 (the shim limits dim to 65536).
// Layout:    row-major arena (unaligned loads, masked tail loads, never reads past a vector);
//            query padded to a multiple of 64 values with zeros. MaxSim tiles: 4 query vectors
//            x 4 document vectors = 16 zmm accumulators, each loaded document chunk reused 4x;
//            the 16 sums are reduced 4 at a time by a transpose-and-add tree. Screening keeps a
//            per-call scratch: int8 copy of one candidate (count x round64(dim) bytes) and a
//            qCount x count score matrix. Dots tiles: 1 query x 4 rows.
// ISAs:      avx512 = AVX512F + BW + VL + DQ + VNNI (+ F16C/FMA/AVX2), selected at run time by
//            cpu.cc; compiled with per-function target attributes, the rest of the addon stays
//            baseline x86-64.
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

namespace trident {
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
// Exact f32 / f16 MaxSim by int8 screening (avx512 only).
//
// For each candidate, every document vector is quantised on the fly (symmetric, scale =
// maxabs/127, like the query), all pairs are scored with the VNNI tile above (a_ij), and only
// pairs that could still be the maximum are recomputed in full precision:
//   |q·d - a_ij| <= e_ij = 1.01 * ( qs/2 * |d|_1 + (ds/2 * |q|_1 + qs*ds*dim/4)      quantisation
//                                   + (dim+2) * 2^-23 * |q|_1 * max|d|                 f32 dot rounding
//                                   + 1e-6 * |a_ij| )                                  rounding of a_ij
// so with m = the full-precision dot of the screening winner, any pair with a_ij + e_ij < m has
// a full-precision dot below m and cannot change max_j. The result therefore equals the maximum
// of the full-precision dots (exact MaxSim, not an approximation). If the bounds are too loose to
// prune (more than a quarter of the pairs survive, e.g. near-duplicate vectors), the candidate is
// scored by the brute-force 4x4 FMA tiles instead, so the worst case costs screening + brute force.
// ---------------------------------------------------------------------------------------

T512 inline __m512 load16(const float* p) { return _mm512_loadu_ps(p); }
T512 inline __m512 load16(const uint16_t* p) {
  return _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
}
T512 inline __m512 load16(const float* p, __mmask16 m) { return _mm512_maskz_loadu_ps(m, p); }
T512 inline __m512 load16(const uint16_t* p, __mmask16 m) { return _mm512_cvtph_ps(_mm256_maskz_loadu_epi16(m, p)); }


struct RowStats {
  float scale, l1, maxabs;
};

inline size_t round_up(size_t v, size_t m) { return (v + m - 1) / m * m; }

// Quantises one vector into `out` (round_up(dim, 64) bytes, zero tail); returns its stats.
template <typename T>
T512 RowStats quant_row(const T* x, size_t dim, int8_t* out) {
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
  if (!(st.scale > 0.0f)) {
    std::memset(out, 0, padded);
    return RowStats{0.0f, st.l1, st.maxabs};
  }
  // |x| <= maxabs, so |x * inv| <= 127 * (1 + 2^-22) rounds to at most 127: no clamp needed
  // (the saturating pack below is a second guard).
  const __m512 inv = _mm512_set1_ps(127.0f / st.maxabs);
  for (k = 0; k + 16 <= dim; k += 16) {
    const __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(load16(x + k), inv));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm512_cvtsepi32_epi8(q));
  }
  if (k < dim) {
    const __m512i q = _mm512_cvtps_epi32(_mm512_mul_ps(load16(x + k, tail), inv));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm512_cvtsepi32_epi8(q));
    k += 16;
  }
  for (; k < padded; k += 16) _mm_storeu_si128(reinterpret_cast<__m128i*>(out + k), _mm_setzero_si128());
  return st;
}

template <typename T>
T512 float dot1(const float* q, const T* d, size_t dim) {
  __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps();
  size_t k = 0;
  for (; k + 32 <= dim; k += 32) {
    a0 = _mm512_fmadd_ps(_mm512_loadu_ps(q + k), load16(d + k), a0);
    a1 = _mm512_fmadd_ps(_mm512_loadu_ps(q + k + 16), load16(d + k + 16), a1);
  }
  for (; k < dim; k += 16) {
    const size_t rem = dim - k;
    const __mmask16 m = rem >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << rem) - 1u);
    a0 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + k), load16(d + k, m), a0);
  }
  return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1));
}

constexpr size_t kScreenMinDocVectors = 8, kScreenMinQueryVectors = 4, kScreenMaxDim = 65536;

// The screening bound assumes a quantisable row: finite values (|x|_1 finite) and a finite
// 127 / maxabs (a row whose largest value is subnormal overflows it and quantises to garbage).
// Rows that fail (never real embeddings) take the brute-force path instead.
inline bool screenable(const RowStats& st) {
  return std::isfinite(st.l1) && (st.maxabs == 0.0f || std::isfinite(127.0f / st.maxabs));
}

template <typename T, typename Brute>
T512 void maxsim_screened(const QueryF32& q, const T* docs, const Candidates& c, Brute brute) {
  const size_t nq = q.count, dim = q.dim, s8 = round_up(dim, 64);
  if (nq == 0) {
    for (size_t n = 0; n < c.n; n++) c.out[n] = 0.0f;
    return;
  }
  size_t maxc = 0;
  for (size_t n = 0; n < c.n; n++) maxc = std::max<size_t>(maxc, c.counts[n]);
  const size_t cpad = round_up(std::max<size_t>(maxc, 1), 16);
  // query: int8 copy, sums, and the per-query bound coefficients
  std::vector<int8_t> q8(nq * s8);
  std::vector<float> qs(nq), alpha(nq), beta(nq), gam(nq), best(nq);
  std::vector<int32_t> qsum(nq);
  const float g = static_cast<float>(dim + 2) * 0x1p-23f;
  for (size_t i = 0; i < nq; i++) {
    const RowStats st = quant_row(q.data + i * q.stride, dim, q8.data() + i * s8);
    if (!screenable(st)) {  // the int8 bound does not hold for this query: exact path
      brute(c);
      return;
    }
    int32_t sum = 0;
    for (size_t k = 0; k < dim; k++) sum += q8[i * s8 + k];
    qsum[i] = sum;
    qs[i] = st.scale;
    alpha[i] = 1.01f * 0.5f * st.scale;
    beta[i] = 1.01f * (0.5f * st.l1 + 0.25f * st.scale * static_cast<float>(dim));
    gam[i] = 1.01f * g * st.l1;
  }
  std::vector<int8_t> d8(maxc * s8 + 64);
  std::vector<float> ds(cpad), dl1(cpad), dmax(cpad), a(round_up(nq, 4) * cpad);
  std::vector<int32_t> raw(round_up(nq, 4) * cpad);
  const int8_t* qp[4];
  const int8_t* dp[4];
  int32_t r[16];
  for (size_t n = 0; n < c.n; n++) {
    const size_t start = c.starts[n], cnt = c.counts[n];
    if (cnt == 0) {
      c.out[n] = 0.0f;
      continue;
    }
    if (cnt < kScreenMinDocVectors || nq < kScreenMinQueryVectors || dim > kScreenMaxDim) {
      // too small to repay the on-the-fly quantisation, or int8 sums could overflow
      const uint32_t s32 = static_cast<uint32_t>(start), c32 = static_cast<uint32_t>(cnt);
      brute(Candidates{&s32, &c32, 1, c.out + n});
      continue;
    }
    const T* base = docs + start * dim;
    bool ok = true;
    for (size_t j = 0; j < cnt; j++) {
      const RowStats st = quant_row(base + j * dim, dim, d8.data() + j * s8);
      ok = ok && screenable(st);
      ds[j] = st.scale;
      dl1[j] = st.l1;
      dmax[j] = st.maxabs;
    }
    if (!ok) {  // a document vector the int8 bound does not cover: exact path for this candidate
      const uint32_t s32 = static_cast<uint32_t>(start), c32 = static_cast<uint32_t>(cnt);
      brute(Candidates{&s32, &c32, 1, c.out + n});
      continue;
    }
    const size_t cp = round_up(cnt, 16);
    for (size_t j0 = 0; j0 < cnt; j0 += 4) {
      for (int b = 0; b < 4; b++) dp[b] = d8.data() + std::min(j0 + b, cnt - 1) * s8;
      for (size_t i0 = 0; i0 < nq; i0 += 4) {
        for (int t = 0; t < 4; t++) qp[t] = q8.data() + std::min(i0 + t, nq - 1) * s8;
        tile_i8<4, 4>(qp, dp, s8, r);
        for (int t = 0; t < 4; t++) std::memcpy(&raw[(i0 + t) * cp + j0], r + t * 4, 16);
      }
    }
    // a_ij and the pruning test, 16 document vectors at a time
    const __m512 ninf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
    const __m512 tiny = _mm512_set1_ps(1e-6f * 1.01f);
    size_t survivors = 0;
    for (size_t i = 0; i < nq; i++) {
      const __m512i corr = _mm512_set1_epi32(128 * qsum[i]);
      const __m512 vqs = _mm512_set1_ps(qs[i]), va = _mm512_set1_ps(alpha[i]), vb = _mm512_set1_ps(beta[i]),
                   vg = _mm512_set1_ps(gam[i]);
      __m512 lower = ninf;
      for (size_t j = 0; j < cp; j += 16) {
        const __mmask16 valid = cnt - j >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (cnt - j)) - 1u);
        const __m512i isum = _mm512_sub_epi32(_mm512_loadu_si512(&raw[i * cp + j]), corr);
        const __m512 av = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum), vqs), _mm512_loadu_ps(&ds[j]));
        __m512 e = _mm512_mul_ps(va, _mm512_loadu_ps(&dl1[j]));
        e = _mm512_fmadd_ps(vb, _mm512_loadu_ps(&ds[j]), e);
        e = _mm512_fmadd_ps(vg, _mm512_loadu_ps(&dmax[j]), e);
        e = _mm512_fmadd_ps(tiny, _mm512_abs_ps(av), e);
        _mm512_storeu_ps(&a[i * cp + j], _mm512_mask_blend_ps(valid, ninf, _mm512_add_ps(av, e)));  // upper bounds
        lower = _mm512_mask_max_ps(lower, valid, lower, _mm512_sub_ps(av, e));
      }
      const float lo = _mm512_reduce_max_ps(lower);
      best[i] = lo;  // a lower bound of the true maximum, used to count survivors
      const __m512 vlo = _mm512_set1_ps(lo);
      for (size_t j = 0; j < cp; j += 16)
        survivors += static_cast<size_t>(__builtin_popcount(_mm512_cmp_ps_mask(_mm512_loadu_ps(&a[i * cp + j]), vlo, _CMP_GE_OQ)));
    }
    if (survivors * 4 > nq * cnt) {  // bounds too loose: brute force is cheaper
      const uint32_t s32 = static_cast<uint32_t>(start), c32 = static_cast<uint32_t>(cnt);
      brute(Candidates{&s32, &c32, 1, c.out + n});
      continue;
    }
    for (size_t i = 0; i < nq; i++) {
      const float* up = &a[i * cp];
      const float* qi = q.data + i * q.stride;
      size_t jstar = 0;
      for (size_t j = 1; j < cnt; j++)
        if (up[j] > up[jstar]) jstar = j;
      float m = dot1(qi, base + jstar * dim, dim);
      const __m512 vm0 = _mm512_set1_ps(m);
      for (size_t j = 0; j < cp; j += 16) {
        __mmask16 cand = _mm512_cmp_ps_mask(_mm512_loadu_ps(up + j), vm0, _CMP_GE_OQ);
        while (cand) {
          const size_t jj = j + static_cast<size_t>(__builtin_ctz(cand));
          cand &= static_cast<__mmask16>(cand - 1);
          if (jj == jstar || up[jj] < m) continue;
          const float v = dot1(qi, base + jj * dim, dim);
          if (v > m) m = v;
        }
      }
      best[i] = m;
    }
    c.out[n] = finish_maxsim(best.data(), nq);
  }
}

// i8 MaxSim: the 4x4 VNNI tiles write raw sums into a qCount x count matrix, then each query
// row is scored 16 document vectors at a time: f32(f32(isum) * qscale) * dscale (the same two
// roundings as i8_pair_score and the TS twin, so results stay bit-identical) and reduced to
// its maximum, instead of one scalar scoring call per pair.
T512 void maxsim_i8_rows(const QueryI8& q, const int8_t* docs, const float* scales, const Candidates& c) {
  const size_t nq = q.count, dim = q.dim;
  size_t maxc = 0;
  for (size_t n = 0; n < c.n; n++) maxc = std::max<size_t>(maxc, c.counts[n]);
  const size_t cpad = round_up(std::max<size_t>(maxc, 1), 16);
  std::vector<int32_t> raw(round_up(std::max<size_t>(nq, 1), 4) * cpad);
  std::vector<float> best(nq);
  const int8_t* qp[4];
  const int8_t* dp[4];
  int32_t r[16];
  const __m512 ninf = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (size_t n = 0; n < c.n; n++) {
    const size_t start = c.starts[n], cnt = c.counts[n];
    if (cnt == 0 || nq == 0) {
      c.out[n] = 0.0f;
      continue;
    }
    const size_t cp = round_up(cnt, 16);
    for (size_t j0 = 0; j0 < cnt; j0 += 4) {
      for (int b = 0; b < 4; b++) dp[b] = docs + (start + std::min(j0 + b, cnt - 1)) * dim;
      // software prefetch of the next block (4 vectors), spread over the query tiles
      const size_t ahead = j0 + 4 < cnt ? std::min<size_t>(4, cnt - j0 - 4) : 0;
      const char* next = reinterpret_cast<const char*>(docs + (start + j0 + (ahead > 0 ? 4 : 0)) * dim);
      const size_t lines = (ahead * dim + 63) / 64, per = (lines + (nq + 3) / 4 - 1) / ((nq + 3) / 4);
      size_t line = 0;
      for (size_t i0 = 0; i0 < nq; i0 += 4) {
        for (size_t p = 0; p < per && line < lines; p++, line++) _mm_prefetch(next + line * 64, _MM_HINT_T0);
        for (int t = 0; t < 4; t++) qp[t] = q.data + std::min(i0 + t, nq - 1) * q.stride;
        tile_i8<4, 4>(qp, dp, dim, r);
        for (int t = 0; t < 4; t++) std::memcpy(&raw[(i0 + t) * cp + j0], r + t * 4, 16);
      }
    }
    const float* ds = scales + start;
    for (size_t i = 0; i < nq; i++) {
      const __m512i corr = _mm512_set1_epi32(128 * q.sums[i]);
      const __m512 vqs = _mm512_set1_ps(q.scales[i]);
      __m512 m = ninf;
      for (size_t j = 0; j < cnt; j += 16) {
        const __mmask16 valid = cnt - j >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (cnt - j)) - 1u);
        const __m512i isum = _mm512_sub_epi32(_mm512_loadu_si512(&raw[i * cp + j]), corr);
        const __m512 v = _mm512_mul_ps(_mm512_mul_ps(_mm512_cvtepi32_ps(isum), vqs), _mm512_maskz_loadu_ps(valid, ds + j));
        m = _mm512_mask_max_ps(m, valid, m, v);
      }
      best[i] = _mm512_reduce_max_ps(m);
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
  maxsim_screened(q, docs, c, [&](const Candidates& one) { maxsim_f32_brute_avx512(q, docs, one); });
}

void maxsim_f16_avx512(const QueryF32& q, const uint16_t* docs, const Candidates& c) {
  maxsim_screened(q, docs, c, [&](const Candidates& one) { maxsim_f16_brute_avx512(q, docs, one); });
}

void maxsim_i8_avx512(const QueryI8& q, const int8_t* docs, const float* scales, const Candidates& c) {
  maxsim_i8_rows(q, docs, scales, c);
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
