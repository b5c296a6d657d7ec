// trident native kernels: serial (scalar) ISA — the honest baseline.
//
// Formula:   MaxSim(q, d) = (1/|q|) * sum_i max_j <q_i, d_j>; dots(q, r) = <q, r>.
// Precision: f32: one f32 accumulator per dot, no FMA (baseline x86-64 / armv8-a scalar);
//            f16: each half decoded exactly to f32 in software, then as f32;
//            i8:  exact int32 sum of q8*d8, score = f32(f32(isum) * qscale) * dscale.
// Layout:    row-major arena, padded query (see kernels.h); one query vector x one document
//            vector at a time (no tiling).
// ISAs:      serial only. Auto-vectorisation is disabled for this file (GCC optimize
//            pragma / clang loop pragmas) so it stays a scalar reference point.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-vectorize")
#endif
#include <cstring>

#include "codes.h"
#include "drive.h"

#if defined(__clang__)
#define TRIDENT_NOVEC _Pragma("clang loop vectorize(disable) interleave(disable)")
#else
#define TRIDENT_NOVEC
#endif

namespace trident {
namespace {

inline float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        exp--;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

void tile_f32(const float* const* q, const float* const* d, size_t dim, float* r) {
  float acc = 0.0f;
  TRIDENT_NOVEC
  for (size_t k = 0; k < dim; k++) acc += q[0][k] * d[0][k];
  r[0] = acc;
}

void tile_f16(const float* const* q, const uint16_t* const* d, size_t dim, float* r) {
  float acc = 0.0f;
  TRIDENT_NOVEC
  for (size_t k = 0; k < dim; k++) acc += q[0][k] * half_to_float(d[0][k]);
  r[0] = acc;
}

void tile_i8(const int8_t* const* q, const int8_t* const* d, size_t dim, int32_t* r) {
  int32_t acc = 0;
  TRIDENT_NOVEC
  for (size_t k = 0; k < dim; k++) acc += static_cast<int32_t>(q[0][k]) * static_cast<int32_t>(d[0][k]);
  r[0] = acc;
}

// Codes: one dimension at a time through the scalar decoder; padding dimensions get level m[0]
// (the padded query is zero there).
void expand_codes(const uint8_t* v, const Codes& cd, size_t stride, int8_t* out) {
  TRIDENT_NOVEC
  for (size_t k = 0; k < stride; k++) out[k] = cd.table[code_at(v, k, cd.bits)];
}

}  // namespace

void maxsim_codes_serial(const QueryI8& q, const Codes& cd, const Candidates& c) {
  codes_drive<1, 1>(q, cd, c, expand_codes, tile_i8);
}

void maxsim_f32_serial(const QueryF32& q, const float* docs, const Candidates& c) {
  maxsim_drive<1, 1, float, float, float>(q.data, q.count, q.stride, q.dim, docs, c, tile_f32,
                                          [](size_t, size_t, float v) { return v; });
}

void maxsim_f16_serial(const QueryF32& q, const uint16_t* docs, const Candidates& c) {
  maxsim_drive<1, 1, float, uint16_t, float>(q.data, q.count, q.stride, q.dim, docs, c, tile_f16,
                                             [](size_t, size_t, float v) { return v; });
}

void maxsim_i8_serial(const QueryI8& q, const int8_t* docs, const float* scales, const Candidates& c) {
  maxsim_drive<1, 1, int8_t, int8_t, int32_t>(
      q.data, q.count, q.stride, q.dim, docs, c, tile_i8,
      [&](size_t i, size_t v, int32_t s) { return i8_pair_score(s, q.scales[i], scales[v]); });
}

void dots_f32_serial(const QueryF32& q, const float* rows, const Rows& rs) {
  dots_drive<1, float, float, float>(q.data, q.dim, rows, rs, tile_f32, [](size_t, float v) { return v; });
}

void dots_f16_serial(const QueryF32& q, const uint16_t* rows, const Rows& rs) {
  dots_drive<1, float, uint16_t, float>(q.data, q.dim, rows, rs, tile_f16, [](size_t, float v) { return v; });
}

void dots_i8_serial(const QueryI8& q, const int8_t* rows, const float* scales, const Rows& rs) {
  dots_drive<1, int8_t, int8_t, int32_t>(q.data, q.dim, rows, rs, tile_i8,
                                         [&](size_t r, int32_t s) { return i8_pair_score(s, q.scales[0], scales[r]); });
}

}  // namespace trident
