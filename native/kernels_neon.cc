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
// Codes:     (codes.h) binary / residual codes expanded 16 dimensions at a time into int8 rows by
//            a table lookup (vqtbl1q_s8 over the 2^bits levels), then the i8 tile: exact int32
//            sums, the same f32 pair score as serial, so results equal serial bit for bit.
// ISAs:      neon (always present on aarch64). Compiled only on aarch64 (#if below); on x86
//            the harness test/native/neon-parity.cc checks it against serial under qemu-aarch64
//            (test/parity/neon.test.ts, where a cross compiler and qemu are installed).
#include "kernels.h"
#if TRIDENT_NEON
#include <arm_neon.h>

#include <cstring>

#include "codes.h"
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

// One vector's codes -> `stride` int8 levels (stride = dim rounded up to 64; see codes.h's layout).
void expand_codes(const uint8_t* v, const Codes& cd, size_t stride, int8_t* out) {
  int8_t lv[16] = {};
  const size_t levels = size_t{1} << cd.bits;
  for (size_t i = 0; i < levels; i++) lv[i] = cd.table[i];
  const int8x16_t table = vld1q_s8(lv);
  const size_t blocks = stride / 64;
  if (cd.bits == 1) {
    // byte j, bit t <-> dimension 8j + t: two bytes spread over 16 lanes, one bit per lane
    static const uint8_t kBit[16] = {1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128};
    const uint8x16_t bit = vld1q_u8(kBit);
    for (size_t blk = 0; blk < blocks; blk++) {
      const uint8_t* b = v + blk * 8;
      for (int j = 0; j < 8; j += 2) {
        const uint8x16_t pair = vcombine_u8(vdup_n_u8(b[j]), vdup_n_u8(b[j + 1]));
        const uint8x16_t idx = vshrq_n_u8(vtstq_u8(pair, bit), 7);
        vst1q_s8(out + blk * 64 + j * 8, vqtbl1q_s8(table, idx));
      }
    }
  } else if (cd.bits == 2) {
    // byte j (0..15), bits 2t..2t+1 <-> dimension 16t + j
    const uint8x16_t three = vdupq_n_u8(3);
    for (size_t blk = 0; blk < blocks; blk++) {
      const uint8x16_t b = vld1q_u8(v + blk * 16);
      int8_t* o = out + blk * 64;
      vst1q_s8(o, vqtbl1q_s8(table, vandq_u8(b, three)));
      vst1q_s8(o + 16, vqtbl1q_s8(table, vandq_u8(vshrq_n_u8(b, 2), three)));
      vst1q_s8(o + 32, vqtbl1q_s8(table, vandq_u8(vshrq_n_u8(b, 4), three)));
      vst1q_s8(o + 48, vqtbl1q_s8(table, vshrq_n_u8(b, 6)));
    }
  } else {
    // byte j (0..31), bits 4t..4t+3 <-> dimension 32t + j
    const uint8x16_t fifteen = vdupq_n_u8(15);
    for (size_t blk = 0; blk < blocks; blk++) {
      const uint8x16_t lo = vld1q_u8(v + blk * 32), hi = vld1q_u8(v + blk * 32 + 16);
      int8_t* o = out + blk * 64;
      vst1q_s8(o, vqtbl1q_s8(table, vandq_u8(lo, fifteen)));
      vst1q_s8(o + 16, vqtbl1q_s8(table, vandq_u8(hi, fifteen)));
      vst1q_s8(o + 32, vqtbl1q_s8(table, vshrq_n_u8(lo, 4)));
      vst1q_s8(o + 48, vqtbl1q_s8(table, vshrq_n_u8(hi, 4)));
    }
  }
}

}  // namespace

void maxsim_codes_neon(const QueryI8& q, const Codes& cd, const Candidates& c) {
  codes_drive<kQT, kDT>(q, cd, c, expand_codes, tile_i8<kQT, kDT>);
}

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
