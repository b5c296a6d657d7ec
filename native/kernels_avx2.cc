// trident native kernels: AVX2 + FMA + F16C ISA (Haswell / Zen 1 and later).
//
// Formula:   MaxSim(q, d) = (1/|q|) * sum_i max_j <q_i, d_j>; dots(q, r) = <q, r>.
// Precision: f32: 8-lane f32 FMA accumulators, horizontal sum at the end of the dot;
//            f16: documents widened exactly with F16C _mm256_cvtph_ps, then f32;
//            i8:  vpmaddubsw (u8 x s8 -> s16 pairs, saturating) made exact with the sign trick:
//                 u = |d| (vpabsb; |-128| = 128 read as u8), s = sign(q, d) (vpsignb: q negated
//                 where d < 0, zeroed where d = 0), so u*s = q*d; every pair sum is at most
//                 2*128*127 = 32512 < 32767 (no saturation, query values lie in [-127, 127]),
//                 then vpmaddwd with ones widens to i32. Exact while 127*128*dim < 2^31.
// Layout:    row-major arena (unaligned loads; the tail of each document vector is copied into
//            a zeroed stack block so nothing past the vector is read); query padded to a
//            multiple of 64 values with zeros. MaxSim tiles: 4 query vectors x 3 document
//            vectors = 12 ymm accumulators (16 architectural registers). Dots: 1 x 4 rows.
// ISAs:      avx2 = AVX2 + FMA + F16C, chosen at run time by cpu.cc; per-function target
//            attributes, the rest of the addon stays baseline x86-64.
#include "kernels.h"
#if TRIDENT_X86
#include <immintrin.h>

#include <cstring>

#include "drive.h"

#define T256 __attribute__((target("avx2,fma,f16c")))

namespace trident {
namespace {

T256 inline float hsum_ps(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

T256 inline int32_t hsum_epi32(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}

template <int QT, int DT>
T256 void tile_f32(const float* const* q, const float* const* d, size_t dim, float* r) {
  __m256 acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = _mm256_setzero_ps();
  size_t k = 0;
  for (; k + 8 <= dim; k += 8) {
    __m256 dv[DT];
    for (int b = 0; b < DT; b++) dv[b] = _mm256_loadu_ps(d[b] + k);
    for (int a = 0; a < QT; a++) {
      const __m256 qv = _mm256_loadu_ps(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm256_fmadd_ps(qv, dv[b], acc[a][b]);
    }
  }
  if (k < dim) {
    const __m256i m = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(dim - k)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    __m256 dv[DT];
    for (int b = 0; b < DT; b++) dv[b] = _mm256_maskload_ps(d[b] + k, m);
    for (int a = 0; a < QT; a++) {
      const __m256 qv = _mm256_loadu_ps(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm256_fmadd_ps(qv, dv[b], acc[a][b]);
    }
  }
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) r[a * DT + b] = hsum_ps(acc[a][b]);
}

template <int QT, int DT>
T256 void tile_f16(const float* const* q, const uint16_t* const* d, size_t dim, float* r) {
  __m256 acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = _mm256_setzero_ps();
  size_t k = 0;
  for (; k + 8 <= dim; k += 8) {
    __m256 dv[DT];
    for (int b = 0; b < DT; b++) dv[b] = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(d[b] + k)));
    for (int a = 0; a < QT; a++) {
      const __m256 qv = _mm256_loadu_ps(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm256_fmadd_ps(qv, dv[b], acc[a][b]);
    }
  }
  if (k < dim) {
    __m256 dv[DT];
    for (int b = 0; b < DT; b++) {
      alignas(16) uint16_t buf[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      std::memcpy(buf, d[b] + k, (dim - k) * sizeof(uint16_t));
      dv[b] = _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(buf)));
    }
    for (int a = 0; a < QT; a++) {
      const __m256 qv = _mm256_loadu_ps(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = _mm256_fmadd_ps(qv, dv[b], acc[a][b]);
    }
  }
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) r[a * DT + b] = hsum_ps(acc[a][b]);
}

template <int QT, int DT>
T256 inline void i8_step(const int8_t* const* q, size_t k, const __m256i* dv, __m256i (*acc)[DT]) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i ad[DT];
  for (int b = 0; b < DT; b++) ad[b] = _mm256_abs_epi8(dv[b]);
  for (int a = 0; a < QT; a++) {
    const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q[a] + k));
    for (int b = 0; b < DT; b++) {
      const __m256i p = _mm256_maddubs_epi16(ad[b], _mm256_sign_epi8(qv, dv[b]));
      acc[a][b] = _mm256_add_epi32(acc[a][b], _mm256_madd_epi16(p, ones));
    }
  }
}

template <int QT, int DT>
T256 void tile_i8(const int8_t* const* q, const int8_t* const* d, size_t dim, int32_t* r) {
  __m256i acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = _mm256_setzero_si256();
  size_t k = 0;
  __m256i dv[DT];
  for (; k + 32 <= dim; k += 32) {
    for (int b = 0; b < DT; b++) dv[b] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(d[b] + k));
    i8_step<QT, DT>(q, k, dv, acc);
  }
  if (k < dim) {
    for (int b = 0; b < DT; b++) {
      alignas(32) int8_t buf[32] = {};
      std::memcpy(buf, d[b] + k, dim - k);
      dv[b] = _mm256_load_si256(reinterpret_cast<const __m256i*>(buf));
    }
    i8_step<QT, DT>(q, k, dv, acc);
  }
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) r[a * DT + b] = hsum_epi32(acc[a][b]);
}

constexpr int kQT = 4, kDT = 3, kRowsDT = 4;

}  // namespace

void maxsim_f32_avx2(const QueryF32& q, const float* docs, const Candidates& c) {
  maxsim_drive<kQT, kDT, float, float, float>(q.data, q.count, q.stride, q.dim, docs, c, tile_f32<kQT, kDT>,
                                              [](size_t, size_t, float v) { return v; });
}

void maxsim_f16_avx2(const QueryF32& q, const uint16_t* docs, const Candidates& c) {
  maxsim_drive<kQT, kDT, float, uint16_t, float>(q.data, q.count, q.stride, q.dim, docs, c, tile_f16<kQT, kDT>,
                                                 [](size_t, size_t, float v) { return v; });
}

void maxsim_i8_avx2(const QueryI8& q, const int8_t* docs, const float* scales, const Candidates& c) {
  maxsim_drive<kQT, kDT, int8_t, int8_t, int32_t>(
      q.data, q.count, q.stride, q.dim, docs, c, tile_i8<kQT, kDT>,
      [&](size_t i, size_t v, int32_t s) { return i8_pair_score(s, q.scales[i], scales[v]); });
}

void dots_f32_avx2(const QueryF32& q, const float* rows, const Rows& rs) {
  dots_drive<kRowsDT, float, float, float>(q.data, q.dim, rows, rs, tile_f32<1, kRowsDT>,
                                           [](size_t, float v) { return v; });
}

void dots_f16_avx2(const QueryF32& q, const uint16_t* rows, const Rows& rs) {
  dots_drive<kRowsDT, float, uint16_t, float>(q.data, q.dim, rows, rs, tile_f16<1, kRowsDT>,
                                              [](size_t, float v) { return v; });
}

void dots_i8_avx2(const QueryI8& q, const int8_t* rows, const float* scales, const Rows& rs) {
  dots_drive<kRowsDT, int8_t, int8_t, int32_t>(q.data, q.dim, rows, rs, tile_i8<1, kRowsDT>,
                                               [&](size_t r, int32_t s) { return i8_pair_score(s, q.scales[0], scales[r]); });
}

}  // namespace trident
#endif  // TRIDENT_X86
