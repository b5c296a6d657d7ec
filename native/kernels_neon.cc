// trident native kernels: NEON ISA (aarch64, armv8-a baseline).
//
// Formula:   MaxSim(q, d) = (1/|q|) * sum_i max_j <q_i, d_j>; dots(q, r) = <q, r>.
// Precision: f32: 4-lane f32 FMA (vfmaq_f32) accumulators, horizontal sum at the end;
//            f16: documents widened exactly with vcvt_f32_f16, then f32;
//            i8:  vmull_s8 (exact s16 products, |q*d| <= 127*128) + vpadalq_s16 into s32 lanes
//                 (exact while 127*128*dim < 2^31); no dot-product extension required.
// Layout:    row-major arena, unaligned loads; the tail of each document vector is copied into
//            a zeroed stack block; query padded to a multiple of 64 values with zeros.
//            MaxSim tiles: 4 query vectors x 4 document vectors. Dots: 1 x 4 rows.
// ISAs:      neon (always present on aarch64). Compiled only on aarch64 (#if below); this file
//            is not exercised on x86 machines.
#include "kernels.h"
#if TRIDENT_NEON
#include <arm_neon.h>

#include <cstring>

#include "drive.h"

namespace trident {
namespace {

template <int QT, int DT>
void tile_f32(const float* const* q, const float* const* d, size_t dim, float* r) {
  float32x4_t acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = vdupq_n_f32(0.0f);
  size_t k = 0;
  float32x4_t dv[DT];
  for (; k + 4 <= dim; k += 4) {
    for (int b = 0; b < DT; b++) dv[b] = vld1q_f32(d[b] + k);
    for (int a = 0; a < QT; a++) {
      const float32x4_t qv = vld1q_f32(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = vfmaq_f32(acc[a][b], qv, dv[b]);
    }
  }
  if (k < dim) {
    for (int b = 0; b < DT; b++) {
      float buf[4] = {0, 0, 0, 0};
      std::memcpy(buf, d[b] + k, (dim - k) * sizeof(float));
      dv[b] = vld1q_f32(buf);
    }
    for (int a = 0; a < QT; a++) {
      const float32x4_t qv = vld1q_f32(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = vfmaq_f32(acc[a][b], qv, dv[b]);
    }
  }
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) r[a * DT + b] = vaddvq_f32(acc[a][b]);
}

template <int QT, int DT>
void tile_f16(const float* const* q, const uint16_t* const* d, size_t dim, float* r) {
  float32x4_t acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = vdupq_n_f32(0.0f);
  size_t k = 0;
  float32x4_t dv[DT];
  for (; k + 4 <= dim; k += 4) {
    for (int b = 0; b < DT; b++) dv[b] = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(d[b] + k)));
    for (int a = 0; a < QT; a++) {
      const float32x4_t qv = vld1q_f32(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = vfmaq_f32(acc[a][b], qv, dv[b]);
    }
  }
  if (k < dim) {
    for (int b = 0; b < DT; b++) {
      uint16_t buf[4] = {0, 0, 0, 0};
      std::memcpy(buf, d[b] + k, (dim - k) * sizeof(uint16_t));
      dv[b] = vcvt_f32_f16(vreinterpret_f16_u16(vld1_u16(buf)));
    }
    for (int a = 0; a < QT; a++) {
      const float32x4_t qv = vld1q_f32(q[a] + k);
      for (int b = 0; b < DT; b++) acc[a][b] = vfmaq_f32(acc[a][b], qv, dv[b]);
    }
  }
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) r[a * DT + b] = vaddvq_f32(acc[a][b]);
}

template <int QT, int DT>
void tile_i8(const int8_t* const* q, const int8_t* const* d, size_t dim, int32_t* r) {
  int32x4_t acc[QT][DT];
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) acc[a][b] = vdupq_n_s32(0);
  int8x16_t dv[DT];
  size_t k = 0;
  for (; k < dim; k += 16) {
    if (k + 16 <= dim) {
      for (int b = 0; b < DT; b++) dv[b] = vld1q_s8(d[b] + k);
    } else {
      for (int b = 0; b < DT; b++) {
        int8_t buf[16] = {};
        std::memcpy(buf, d[b] + k, dim - k);
        dv[b] = vld1q_s8(buf);
      }
    }
    for (int a = 0; a < QT; a++) {
      const int8x16_t qv = vld1q_s8(q[a] + k);
      for (int b = 0; b < DT; b++) {
        acc[a][b] = vpadalq_s16(acc[a][b], vmull_s8(vget_low_s8(qv), vget_low_s8(dv[b])));
        acc[a][b] = vpadalq_s16(acc[a][b], vmull_high_s8(qv, dv[b]));
      }
    }
  }
  for (int a = 0; a < QT; a++)
    for (int b = 0; b < DT; b++) r[a * DT + b] = vaddvq_s32(acc[a][b]);
}

constexpr int kQT = 4, kDT = 4, kRowsDT = 4;

}  // namespace

void maxsim_f32_neon(const QueryF32& q, const float* docs, const Candidates& c) {
  maxsim_drive<kQT, kDT, float, float, float>(q.data, q.count, q.stride, q.dim, docs, c, tile_f32<kQT, kDT>,
                                              [](size_t, size_t, float v) { return v; });
}

void maxsim_f16_neon(const QueryF32& q, const uint16_t* docs, const Candidates& c) {
  maxsim_drive<kQT, kDT, float, uint16_t, float>(q.data, q.count, q.stride, q.dim, docs, c, tile_f16<kQT, kDT>,
                                                 [](size_t, size_t, float v) { return v; });
}

void maxsim_i8_neon(const QueryI8& q, const int8_t* docs, const float* scales, const Candidates& c) {
  maxsim_drive<kQT, kDT, int8_t, int8_t, int32_t>(
      q.data, q.count, q.stride, q.dim, docs, c, tile_i8<kQT, kDT>,
      [&](size_t i, size_t v, int32_t s) { return i8_pair_score(s, q.scales[i], scales[v]); });
}

void dots_f32_neon(const QueryF32& q, const float* rows, const Rows& rs) {
  dots_drive<kRowsDT, float, float, float>(q.data, q.dim, rows, rs, tile_f32<1, kRowsDT>,
                                           [](size_t, float v) { return v; });
}

void dots_f16_neon(const QueryF32& q, const uint16_t* rows, const Rows& rs) {
  dots_drive<kRowsDT, float, uint16_t, float>(q.data, q.dim, rows, rs, tile_f16<1, kRowsDT>,
                                              [](size_t, float v) { return v; });
}

void dots_i8_neon(const QueryI8& q, const int8_t* rows, const float* scales, const Rows& rs) {
  dots_drive<kRowsDT, int8_t, int8_t, int32_t>(q.data, q.dim, rows, rs, tile_i8<1, kRowsDT>,
                                               [&](size_t r, int32_t s) { return i8_pair_score(s, q.scales[0], scales[r]); });
}

}  // namespace trident
#endif  // TRIDENT_NEON
