// trident native conversions (storage precision), scalar and ISA-independent.
//
// Formula:   f32 -> binary16: round to nearest, ties to even; overflow -> ±Inf; NaN -> quiet NaN
//            with the top 10 payload bits (as F16C vcvtps2ph with imm 0);
//            i8 row: scale = f32(max|x| / 127), q_k = clamp(RNE(f32(x_k / scale)), ±127), NaN -> 0;
//            screening sidecar: the i8 image of each f32/f16 vector plus 6 stats
//            {scale, |x|_1 (f64 sum, rounded up to f32; +Inf if the bound cannot cover the
//            vector), max|x|, Σq, |x - scale q|_2, |scale q|_2 (f64 sums, rounded up)}.
// Precision: the exact results of the TS twins (src/kernels/f16.ts, src/kernels/screen-reference.ts):
//            the f64 sums run scalar in index order (the twins' order), compiled with
//            -ffp-contract=off so no multiply-add is fused; lane-wise steps (f16 conversion
//            with RNE, max, f32 division, RNE rounding, clamping) are exact in SIMD too.
//            Bit-identical to the twins (test/parity/convert.test.ts).
// Layout:    canonical row-major, never ISA-packed.
// ISAs:      AVX2 + F16C lanes when the active kernel ISA is avx2 or avx512 (vcvtps2ph,
//            vdivps, vroundps), otherwise plain C++; the `serial` ISA setting forces the latter.
#pragma once
#include <cstddef>
#include <cstdint>

namespace trident {

void f32_to_f16_rows(const float* src, uint16_t* dst, size_t n);
// Quantises `rows` vectors of `dim` values; writes rows*dim bytes and `rows` scales.
void quantize_i8_rows(const float* src, size_t dim, size_t rows, int8_t* dst, float* scales);
// Fills sidecar vectors [from, from+count) from f32 or f16 rows (row-major, dim per vector).
void build_screen_f32(const float* rows, size_t dim, size_t from, size_t count, int8_t* i8, float* stats);
void build_screen_f16(const uint16_t* rows, size_t dim, size_t from, size_t count, int8_t* i8, float* stats);

constexpr size_t kScreenStats = 6;

}  // namespace trident
