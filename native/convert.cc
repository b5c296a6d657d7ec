// trident native conversions: see convert.h for formula, precision, layout and ISAs.
#include "convert.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels.h"
#if TRIDENT_X86
#include <immintrin.h>
#define TCONV __attribute__((target("avx2,f16c")))
#endif

namespace trident {
namespace {

inline uint32_t bits_of(float x) {
  uint32_t b;
  std::memcpy(&b, &x, 4);
  return b;
}

inline float float_of(uint32_t b) {
  float x;
  std::memcpy(&x, &b, 4);
  return x;
}

// The same bit-level algorithm as f32ToF16 in src/kernels/f16.ts.
inline uint16_t f32_to_f16(float x) {
  const uint32_t b = bits_of(x);
  const uint32_t sign = (b >> 16) & 0x8000u;
  const uint32_t exp = (b >> 23) & 0xffu;
  const uint32_t mant = b & 0x7fffffu;
  if (exp == 0xffu) return static_cast<uint16_t>(sign | 0x7c00u | (mant != 0 ? 0x200u | (mant >> 13) : 0u));
  const int e = static_cast<int>(exp) - 112;
  if (e >= 0x1f) return static_cast<uint16_t>(sign | 0x7c00u);
  if (e <= 0) {
    if (e < -10) return static_cast<uint16_t>(sign);
    const uint32_t full = mant | 0x800000u;
    const int shift = 14 - e;
    const uint32_t half = 1u << (shift - 1);
    const uint32_t rem = full & ((1u << shift) - 1u);
    uint32_t r = full >> shift;
    if (rem > half || (rem == half && (r & 1u) == 1u)) r++;
    return static_cast<uint16_t>(sign | r);
  }
  uint32_t r = (static_cast<uint32_t>(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (r & 1u) == 1u)) r++;
  return static_cast<uint16_t>(sign | r);
}

// Exact binary16 -> f32 (the value f16Values() tables).
inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  const uint32_t mant = h & 0x3ffu;
  if (exp == 0) {
    const float v = static_cast<float>(mant) * 0x1p-24f;  // exact
    return sign ? -v : v;
  }
  if (exp == 0x1f) return mant == 0 ? float_of(sign | 0x7f800000u) : std::numeric_limits<float>::quiet_NaN();
  return float_of(sign | ((exp + 112u) << 23) | (mant << 13));
}

// One value of quantizeI8Row: RNE(f32(x / scale)) clamped to ±127; NaN stores 0 (as an Int8Array does).
inline int8_t quantize_one(float x, float scale) {
  float r = std::nearbyint(x / scale);  // f32 division, ties to even
  if (r > 127.0f) r = 127.0f;
  else if (r < -127.0f) r = -127.0f;
  return r == r ? static_cast<int8_t>(r) : 0;
}

// quantizeI8Row: returns the scale.
inline float quantize_row(const float* x, size_t dim, int8_t* out) {
  float max_abs = 0.0f;
  for (size_t k = 0; k < dim; k++) {
    const float a = std::fabs(x[k]);
    if (a > max_abs) max_abs = a;
  }
  const float scale = max_abs / 127.0f;
  if (scale == 0.0f) {
    std::memset(out, 0, dim);
    return 0.0f;
  }
  for (size_t k = 0; k < dim; k++) out[k] = quantize_one(x[k], scale);
  return scale;
}

#if TRIDENT_X86
// AVX2 + F16C variants (used when the active ISA is avx2 or avx512). Same results: vcvtps2ph
// with RNE is the algorithm above; max, division, RNE rounding and clamping are exact
// lane-wise operations, so only the order of the f64 sums matters, and those stay scalar.
TCONV void f32_to_f16_avx2(const float* src, uint16_t* dst, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), h);
  }
  for (; i < n; i++) dst[i] = f32_to_f16(src[i]);
}

TCONV void f16_to_f32_avx2(const uint16_t* src, float* dst, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
  for (; i < n; i++) dst[i] = f16_to_f32(src[i]);
}

TCONV float quantize_row_avx2(const float* x, size_t dim, int8_t* out) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  __m256 m = _mm256_setzero_ps();
  size_t k = 0;
  for (; k + 8 <= dim; k += 8) m = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + k)), m);  // NaN lanes keep m
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, m);
  float max_abs = 0.0f;
  for (int l = 0; l < 8; l++)
    if (lanes[l] > max_abs) max_abs = lanes[l];
  for (; k < dim; k++) {
    const float a = std::fabs(x[k]);
    if (a > max_abs) max_abs = a;
  }
  const float scale = max_abs / 127.0f;
  if (scale == 0.0f) {
    std::memset(out, 0, dim);
    return 0.0f;
  }
  const __m256 vs = _mm256_set1_ps(scale), hi = _mm256_set1_ps(127.0f), lo = _mm256_set1_ps(-127.0f);
  alignas(32) int32_t q[8];
  for (k = 0; k + 8 <= dim; k += 8) {
    const __m256 r = _mm256_round_ps(_mm256_div_ps(_mm256_loadu_ps(x + k), vs), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256 ordered = _mm256_cmp_ps(r, r, _CMP_ORD_Q);
    const __m256 c = _mm256_and_ps(_mm256_max_ps(_mm256_min_ps(r, hi), lo), ordered);  // NaN -> 0
    _mm256_store_si256(reinterpret_cast<__m256i*>(q), _mm256_cvtps_epi32(c));
    for (int l = 0; l < 8; l++) out[k + l] = static_cast<int8_t>(q[l]);
  }
  for (; k < dim; k++) out[k] = quantize_one(x[k], scale);
  return scale;
}
#endif

bool use_avx2() {
#if TRIDENT_X86
  const char* isa = active_table()->isa;
  return std::strcmp(isa, "avx2") == 0 || std::strcmp(isa, "avx512") == 0;
#else
  return false;
#endif
}

// Smallest f32 >= x (x >= 0; NaN and Inf pass through), as roundUpF32 in screen-reference.ts.
inline float round_up_f32(double x) {
  if (!std::isfinite(x)) return static_cast<float>(x);
  float f = static_cast<float>(x);
  if (static_cast<double>(f) >= x) return f;
  return float_of(bits_of(f) + 1u);
}

constexpr float kMinNormal = 0x1p-126f;

void screen_row(const float* x, size_t dim, int8_t* q8, float* st, bool vec) {
#if TRIDENT_X86
  const float scale = vec ? quantize_row_avx2(x, dim, q8) : quantize_row(x, dim, q8);
#else
  (void)vec;
  const float scale = quantize_row(x, dim, q8);
#endif
  // f64 sums in index order (the TS twin's order); four independent chains in one loop
  double l1 = 0.0, sum = 0.0, res2 = 0.0, img2 = 0.0;
  float max_abs = 0.0f;
  for (size_t k = 0; k < dim; k++) {
    const float a = std::fabs(x[k]);
    l1 += a;
    if (a > max_abs) max_abs = a;
    const int q = q8[k];
    sum += q;
    const double img = static_cast<double>(scale) * q;
    const double d = static_cast<double>(x[k]) - img;
    res2 += d * d;
    img2 += img * img;
  }
  const bool coverable = std::isfinite(l1) && (max_abs == 0.0f || scale >= kMinNormal);
  st[0] = scale;
  st[1] = coverable ? round_up_f32(l1) : std::numeric_limits<float>::infinity();
  st[2] = max_abs;
  st[3] = static_cast<float>(sum);
  st[4] = round_up_f32(std::sqrt(res2) * (1.0 + 0x1p-40));
  st[5] = round_up_f32(std::sqrt(img2) * (1.0 + 0x1p-40));
}

}  // namespace

void f32_to_f16_rows(const float* src, uint16_t* dst, size_t n) {
#if TRIDENT_X86
  if (use_avx2()) return f32_to_f16_avx2(src, dst, n);
#endif
  for (size_t i = 0; i < n; i++) dst[i] = f32_to_f16(src[i]);
}

void quantize_i8_rows(const float* src, size_t dim, size_t rows, int8_t* dst, float* scales) {
#if TRIDENT_X86
  if (use_avx2()) {
    for (size_t r = 0; r < rows; r++) scales[r] = quantize_row_avx2(src + r * dim, dim, dst + r * dim);
    return;
  }
#endif
  for (size_t r = 0; r < rows; r++) scales[r] = quantize_row(src + r * dim, dim, dst + r * dim);
}

void build_screen_f32(const float* rows, size_t dim, size_t from, size_t count, int8_t* i8, float* stats) {
  const bool vec = use_avx2();
  for (size_t v = from; v < from + count; v++) screen_row(rows + v * dim, dim, i8 + v * dim, stats + v * kScreenStats, vec);
}

void build_screen_f16(const uint16_t* rows, size_t dim, size_t from, size_t count, int8_t* i8, float* stats) {
  const bool vec = use_avx2();
  std::vector<float> x(dim);
  for (size_t v = from; v < from + count; v++) {
    const uint16_t* h = rows + v * dim;
#if TRIDENT_X86
    if (vec) f16_to_f32_avx2(h, x.data(), dim);
    else
#endif
      for (size_t k = 0; k < dim; k++) x[k] = f16_to_f32(h[k]);
    screen_row(x.data(), dim, i8 + v * dim, stats + v * kScreenStats, vec);
  }
}

}  // namespace trident
