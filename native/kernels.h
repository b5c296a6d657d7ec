// trident native kernels: shared declarations.
//
// Formula:   MaxSim(q, d) = (1/|q|) * sum_i max_j <q_i, d_j>   (0 if |q| = 0 or |d| = 0)
//            dots:  out[i] = <query, rows[ids ? ids[i] : i]>
// Precision: f32 and f16 (documents decoded exactly to f32) multiply-add in f32 lanes (the
//            avx512 MaxSim finds the same maxima faster by int8 screening with a rigorous error
//            bound, recomputing in f32 only the pairs that can still win; the *_screen entry
//            points take the int8 images from the store's screening sidecar instead of
//            quantising every candidate on each call, same results);
//            i8 dots are exact int32 sums scaled as f32((f32(isum) * qscale) * dscale);
//            per-query maxima are summed in f64, divided by |q|, stored as f32.
// Layout:    row-major; a candidate is starts[i] / counts[i] vectors of the arena; the
//            query handed to kernels is padded by the shim to `stride` values per vector
//            (stride = dim rounded up to 64, padding = 0), the arena is not padded.
//            Screening sidecar (Screen): canonical row-major int8 images, never ISA-packed.
// ISAs:      amx (avx512 + AMX-TILE/INT8: the int8 engine on tile units), avx512 (F+BW+VL+DQ+VNNI, F16C), avx2 (AVX2+FMA+F16C), neon (aarch64), serial.
#pragma once
#include <cstddef>
#include <cstdint>

namespace trident {

// Query as the kernels see it: `count` vectors of `dim` values, `stride` apart, zero-padded.
struct QueryF32 {
  const float* data;
  size_t count, dim, stride;
};

// i8 query: quantised per vector (scale = maxabs/127, ties-to-even, clamp ±127), zero-padded;
// sums[i] = sum_k q8[i][k] (used by the +128 offset correction of vpdpbusd).
struct QueryI8 {
  const int8_t* data;
  const float* scales;
  const int32_t* sums;
  size_t count, dim, stride;
  // Optional: Σ_k d8[r][k] of every arena row r (kept by the store when rows are added), so
  // the i8 MaxSim need not sum each candidate row; null = computed by the kernel. Only the
  // avx512 / amx query-lane engine reads it (results are identical either way).
  const int32_t* row_sums = nullptr;
};

struct Candidates {
  const uint32_t* starts;
  const uint32_t* counts;
  size_t n;
  float* out;
};

// Screening sidecar of an f32 / f16 arena (runtime only, canonical row-major): per vector its
// int8 image q (dim bytes, symmetric scale = maxabs/127, round to nearest) and 6 stats floats
// {scale, |x|_1, max|x|, sum of q, |x - scale*q|_2, |scale*q|_2} (norms rounded up). Only the avx512 / amx MaxSim reads it; the other
// ISAs compute the same exact result without it.
struct Screen {
  const int8_t* i8;
  const float* stats;
};

// Compressed token vectors (codes.h): `bytes` per vector, `bits` (1, 2, 4) per dimension, the
// 2^bits int8 levels `table` times `scale`, plus, for residual codes, each vector's centroid id
// `cids` and the query x centroid table `ct` (count x k floats). ct == nullptr: no centroids.
struct Codes {
  const uint8_t* codes;
  size_t bytes;
  int bits;
  const int8_t* table;
  float scale;
  const uint16_t* cids;
  const float* norms;  // with cids: each vector's 1 / |decoded vector| (ColBERTv2 re-normalisation)
  const float* ct;
  size_t k;
  // Optional: the centroids (k x dim int8 rows, one f32 scale each). When set, `ct` is not given
  // but filled by the kernel: ct_fill[i * k + c] = the i8 dot of query vector i and centroid c
  // (i8_pair_score, exactly as dots_i8), then scored from as usual.
  const int8_t* c8 = nullptr;
  const float* cscales = nullptr;
  float* ct_fill = nullptr;
};

struct Rows {
  const uint32_t* ids;  // may be null: rows 0..n-1
  size_t n;
  float* out;
};

using maxsim_f32_fn = void (*)(const QueryF32&, const float*, const Candidates&);
using maxsim_f16_fn = void (*)(const QueryF32&, const uint16_t*, const Candidates&);
using maxsim_i8_fn = void (*)(const QueryI8&, const int8_t*, const float*, const Candidates&);
using maxsim_f32_screen_fn = void (*)(const QueryF32&, const float*, const Screen&, const Candidates&);
using maxsim_f16_screen_fn = void (*)(const QueryF32&, const uint16_t*, const Screen&, const Candidates&);
using maxsim_codes_fn = void (*)(const QueryI8&, const Codes&, const Candidates&);
using dots_f32_fn = void (*)(const QueryF32&, const float*, const Rows&);
using dots_f16_fn = void (*)(const QueryF32&, const uint16_t*, const Rows&);
using dots_i8_fn = void (*)(const QueryI8&, const int8_t*, const float*, const Rows&);

struct KernelTable {
  const char* isa;
  maxsim_f32_fn maxsim_f32;
  maxsim_f16_fn maxsim_f16;
  maxsim_i8_fn maxsim_i8;
  dots_f32_fn dots_f32;
  dots_f16_fn dots_f16;
  dots_i8_fn dots_i8;
  maxsim_f32_screen_fn maxsim_f32_screen;
  maxsim_f16_screen_fn maxsim_f16_screen;
  maxsim_codes_fn maxsim_codes;
};

// ISAs without a screened kernel: the sidecar is ignored (the canonical kernel is exact).
template <maxsim_f32_fn F>
void maxsim_f32_screen_ignore(const QueryF32& q, const float* d, const Screen&, const Candidates& c) { F(q, d, c); }
template <maxsim_f16_fn F>
void maxsim_f16_screen_ignore(const QueryF32& q, const uint16_t* d, const Screen&, const Candidates& c) { F(q, d, c); }

// Per-ISA entry points (<op>_<dtype>_<isa>).
void maxsim_f32_serial(const QueryF32&, const float*, const Candidates&);
void maxsim_f16_serial(const QueryF32&, const uint16_t*, const Candidates&);
void maxsim_i8_serial(const QueryI8&, const int8_t*, const float*, const Candidates&);
void dots_f32_serial(const QueryF32&, const float*, const Rows&);
void dots_f16_serial(const QueryF32&, const uint16_t*, const Rows&);
void dots_i8_serial(const QueryI8&, const int8_t*, const float*, const Rows&);
void maxsim_codes_serial(const QueryI8&, const Codes&, const Candidates&);

#if defined(__x86_64__) || defined(_M_X64)
#define TRIDENT_X86 1
void maxsim_f32_avx2(const QueryF32&, const float*, const Candidates&);
void maxsim_f16_avx2(const QueryF32&, const uint16_t*, const Candidates&);
void maxsim_i8_avx2(const QueryI8&, const int8_t*, const float*, const Candidates&);
void dots_f32_avx2(const QueryF32&, const float*, const Rows&);
void dots_f16_avx2(const QueryF32&, const uint16_t*, const Rows&);
void dots_i8_avx2(const QueryI8&, const int8_t*, const float*, const Rows&);
void maxsim_codes_avx2(const QueryI8&, const Codes&, const Candidates&);
void maxsim_codes_avx512(const QueryI8&, const Codes&, const Candidates&);
void maxsim_codes_amx(const QueryI8&, const Codes&, const Candidates&);
void maxsim_f32_avx512(const QueryF32&, const float*, const Candidates&);
void maxsim_f32_brute_avx512(const QueryF32&, const float*, const Candidates&);
void maxsim_f16_brute_avx512(const QueryF32&, const uint16_t*, const Candidates&);
void maxsim_f16_avx512(const QueryF32&, const uint16_t*, const Candidates&);
void maxsim_f32_screen_avx512(const QueryF32&, const float*, const Screen&, const Candidates&);
void maxsim_f16_screen_avx512(const QueryF32&, const uint16_t*, const Screen&, const Candidates&);
void maxsim_i8_avx512(const QueryI8&, const int8_t*, const float*, const Candidates&);
void dots_f32_avx512(const QueryF32&, const float*, const Rows&);
void dots_f16_avx512(const QueryF32&, const uint16_t*, const Rows&);
void dots_i8_avx512(const QueryI8&, const int8_t*, const float*, const Rows&);
void maxsim_f32_screen_amx(const QueryF32&, const float*, const Screen&, const Candidates&);
void maxsim_f16_screen_amx(const QueryF32&, const uint16_t*, const Screen&, const Candidates&);
void maxsim_i8_amx(const QueryI8&, const int8_t*, const float*, const Candidates&);
// AMX tile state for the calling thread: all 8 tiles 16 rows x 64 bytes (amx_begin), released by
// amx_end. Needs the amx level (cpu.cc has asked Linux for the tile data permission).
void amx_begin();
void amx_end();
#endif

#if defined(__aarch64__)
#define TRIDENT_NEON 1
void maxsim_f32_neon(const QueryF32&, const float*, const Candidates&);
void maxsim_f16_neon(const QueryF32&, const uint16_t*, const Candidates&);
void maxsim_i8_neon(const QueryI8&, const int8_t*, const float*, const Candidates&);
void dots_f32_neon(const QueryF32&, const float*, const Rows&);
void dots_f16_neon(const QueryF32&, const uint16_t*, const Rows&);
void dots_i8_neon(const QueryI8&, const int8_t*, const float*, const Rows&);
void maxsim_codes_neon(const QueryI8&, const Codes&, const Candidates&);
#endif

// cpu.cc: ISA tables, most capable first, serial last; detection runs once.
size_t available_isas(const KernelTable** out, size_t cap);
const KernelTable* active_table();
bool set_active_isa(const char* name);

// Shared helpers (inline, ISA-neutral).
inline float i8_pair_score(int32_t isum, float qscale, float dscale) {
  float v = static_cast<float>(isum) * qscale;
  return v * dscale;
}

// Running per-query maxima -> MaxSim value (f64 sum in query order, divided by |q|).
inline float finish_maxsim(const float* best, size_t nq) {
  double total = 0;
  for (size_t i = 0; i < nq; i++) total += static_cast<double>(best[i]);
  return static_cast<float>(total / static_cast<double>(nq));
}

}  // namespace trident
