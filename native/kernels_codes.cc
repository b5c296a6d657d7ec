// trident native kernels: MaxSim over compressed token vectors, avx2 (see codes.h for the
// formula, precision policy and code layout; the avx512 and amx levels run the codes on the
// query-lane / AMX engine of kernels_avx512.cc, maxsim_codes_lanes).
//
// Expansion (once per DT document vectors, reused by every query tile): per 32 dimensions, bits
//   2 -> the 16 code bytes broadcast to both 128-bit lanes, shifted (vpsrlvq), masked, vpshufb
//   lookup; bits 4 -> low / high nibbles, vpshufb lookup; bits 1 via byte broadcast + bit test;
//   signed levels.
// Tiles:   4 query x 3 document rows, vpmaddubsw sign trick.
// ISAs:    avx2 (+FMA+F16C).
#include "kernels.h"
#if TRIDENT_X86
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12's AVX-512 headers trip -Wuninitialized on their own _mm*_undefined_* helpers.
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include "codes.h"

#define C256 __attribute__((target("avx2,fma,f16c")))

namespace trident {
namespace {

// ---- avx2 ------------------------------------------------------------------------------------

C256 void expand256(const uint8_t* v, const Codes& cd, size_t stride, int8_t* out) {
  alignas(32) int8_t lut[32];
  const int levels = 1 << cd.bits;
  for (int l = 0; l < 2; l++)
    for (int i = 0; i < 16; i++) lut[l * 16 + i] = i < levels ? cd.table[i] : 0;
  const __m256i tab = _mm256_load_si256(reinterpret_cast<const __m256i*>(lut));
  const size_t blocks = stride / 64;
  if (cd.bits == 1) {
    const __m256i m0 = _mm256_set1_epi8(lut[0]), m1 = _mm256_set1_epi8(lut[1]);
    const __m256i spread = _mm256_setr_epi8(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3);
    const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ULL));
    for (size_t b = 0; b < 2 * blocks; b++) {
      uint32_t w;
      std::memcpy(&w, v + b * 4, 4);
      const __m256i x = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(w)), spread);
      const __m256i on = _mm256_cmpeq_epi8(_mm256_and_si256(x, bit), bit);
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + b * 32), _mm256_blendv_epi8(m0, m1, on));
    }
  } else if (cd.bits == 2) {
    const __m256i sh0 = _mm256_set_epi64x(2, 2, 0, 0), sh1 = _mm256_set_epi64x(6, 6, 4, 4), three = _mm256_set1_epi8(3);
    for (size_t b = 0; b < blocks; b++) {
      const __m256i x = _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + b * 16)));
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + b * 64), _mm256_shuffle_epi8(tab, _mm256_and_si256(_mm256_srlv_epi64(x, sh0), three)));
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + b * 64 + 32), _mm256_shuffle_epi8(tab, _mm256_and_si256(_mm256_srlv_epi64(x, sh1), three)));
    }
  } else {
    const __m256i f = _mm256_set1_epi8(15);
    for (size_t b = 0; b < blocks; b++) {
      const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(v + b * 32));
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + b * 64), _mm256_shuffle_epi8(tab, _mm256_and_si256(x, f)));
      _mm256_store_si256(reinterpret_cast<__m256i*>(out + b * 64 + 32), _mm256_shuffle_epi8(tab, _mm256_and_si256(_mm256_srli_epi16(x, 4), f)));
    }
  }
}

template <int QT, int DT>
C256 void tile256(const int8_t* const* q, const int8_t* const* d, size_t stride, int32_t* r) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = _mm256_setzero_si256();
  for (size_t k = 0; k < stride; k += 32) {
    __m256i dv[DT], ad[DT];
    for (int b = 0; b < DT; b++) {
      dv[b] = _mm256_load_si256(reinterpret_cast<const __m256i*>(d[b] + k));
      ad[b] = _mm256_abs_epi8(dv[b]);
    }
    for (int a = 0; a < QT; a++) {
      const __m256i qv = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(q[a] + k));
      for (int b = 0; b < DT; b++) {
        const __m256i p = _mm256_maddubs_epi16(ad[b], _mm256_sign_epi8(qv, dv[b]));
        acc[a][b] = _mm256_add_epi32(acc[a][b], _mm256_madd_epi16(p, ones));
      }
    }
  }
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) {
      const __m256i v = acc[a][b];
      __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
      s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
      s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
      r[a * DT + b] = _mm_cvtsi128_si32(s);
    }
}

}  // namespace

void maxsim_codes_avx2(const QueryI8& q, const Codes& cd, const Candidates& c) {
  codes_drive<4, 3>(q, cd, c, expand256, tile256<4, 3>);
}

}  // namespace trident
#endif  // TRIDENT_X86
