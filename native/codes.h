// trident native kernels: MaxSim over compressed token vectors (binary and residual codes).
//
// Formula:   MaxSim(q, d) = (1/|q|) * sum_i max_j s(i, j), 0 if |q| = 0 or |d| = 0, with the pair score
//              isum = sum_k q8[i][k] * m[code_j(k)]                       (exact int32)
//              r    = f32(f32(f32(isum) * qscale[i]) * scale)
//              s    = ct ? f32(f32(ct[i * k + cid[j]] + r) * norm[j]) : r
//            q8 / qscale: the query quantised per vector exactly as for i8 (addon.cc quantize_query);
//            m: the 2^bits signed levels of the codebook (|m| <= 127); scale: the codebook's step;
//            ct: centroid · query table (qCount x k, from the i8 dots kernel), cid: centroid of
//            each vector, norm: 1 / |centroid + residual| (decoded vectors are re-normalised). binary = bits 1, m = {-1, +1}, scale = 1/sqrt(dim), no centroids.
//            The decompressed vector is cscale[c] * c8[c] + scale * m[codes]; this is MaxSim over
//            it with the i8 query, the same arithmetic as the TS twin (bit-identical).
// Precision: integer sums exact (|m| <= 127, dim <= 65536); fixed f32 operation order, no FMA
//            contraction (-ffp-contract=off); per-query maxima summed in f64 (finish_maxsim).
// Layout:    per vector ceil(dim / 64) blocks of 8 * bits bytes; inside a 64-dimension block:
//              bits 1: byte j, bit t      <-> dimension 8j + t   (a little-endian u64 mask)
//              bits 2: byte j (0..15), bits 2t..2t+1 <-> dimension 16t + j
//              bits 4: byte j (0..31), bits 4t..4t+3 <-> dimension 32t + j
//            padding dimensions hold code 0 (the padded query is 0 there). Kernels expand DT
//            vectors at a time into int8 (or biased u8) rows of `stride` bytes, then run an int8
//            tile of QT query x DT document vectors over them.
// ISAs:      avx512 / amx: the query-lane VNNI engine / AMX tiles of kernels_avx512.cc over the
//            candidate's codes expanded once into int8 rows (maxsim_codes_lanes; the centroid
//            table transposed to query lanes); avx2 (vpmaddubsw sign trick), neon (vqtbl1q_s8 level
//            lookup + vmull_s8 tile) and serial run codes_drive below.
// Centroid table: callers may pass the centroids instead of ct (Codes::c8); every kernel then
//            fills ct with the i8 dot of each (query, centroid) pair first (codes_fill_ct_tiled on
//            the ISA's tile, or the lane engine on avx512 / amx).
#pragma once
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "kernels.h"

namespace trident {

// Bytes of one vector's codes.
inline size_t codes_bytes(size_t dim, int bits) { return (dim + 63) / 64 * 8 * static_cast<size_t>(bits); }

// Code of dimension k (scalar decode; the serial kernel and tests' reference).
inline unsigned code_at(const uint8_t* v, size_t k, int bits) {
  const size_t blk = k / 64, o = k % 64;
  const uint8_t* b = v + blk * 8 * bits;
  if (bits == 1) return (b[o / 8] >> (o % 8)) & 1u;
  if (bits == 2) return (b[o % 16] >> (2 * (o / 16))) & 3u;
  return (b[o % 32] >> (4 * (o / 32))) & 15u;
}

inline float codes_pair_score(const QueryI8& q, const Codes& cd, size_t i, size_t v, int32_t isum) {
  float r = static_cast<float>(isum) * q.scales[i];
  r = r * cd.scale;
  if (cd.ct != nullptr) {
    r = cd.ct[i * cd.k + cd.cids[v]] + r;
    r = r * cd.norms[v];
  }
  return r;
}

// Tile:   void(const int8_t* const* q, const int8_t* const* d, size_t stride, int32_t* r), r = QT x DT
//
// Fills cd.ct_fill when the caller passed the centroids (Codes::c8), on the MaxSim tile instead of
// one dots_i8 pass per query vector: DT centroid rows at a time are copied into the zero-padded
// aligned rows at `base` (DT x stride bytes, zeroed by the caller) and scored against every query
// tile, so each centroid row is read from memory once, not once per query vector (k x dim bytes
// of centroids — 2 MB at 2048 x 1024-d — outgrow L2, and the per-vector passes made the table
// as costly as re-ranking a few dozen documents). The integer sums are exact and scored with
// i8_pair_score, as dots_i8 does: the same values as one dots_i8 call per query vector, bit for bit.
template <int QT, int DT, typename Tile>
void codes_fill_ct_tiled(const QueryI8& q, const Codes& cd, Tile tile, int8_t* base) {
  if (cd.c8 == nullptr || q.count == 0) return;
  const size_t nq = q.count, stride = q.stride, dim = q.dim, k = cd.k;
  const int8_t* qp[QT];
  const int8_t* dp[DT];
  for (int b = 0; b < DT; b++) dp[b] = base + b * stride;
  int32_t r[QT * DT];
  for (size_t c0 = 0; c0 < k; c0 += DT) {
    const size_t cn = std::min<size_t>(DT, k - c0);
    for (int b = 0; b < DT; b++) std::memcpy(base + b * stride, cd.c8 + std::min(c0 + b, k - 1) * dim, dim);
    for (size_t i0 = 0; i0 < nq; i0 += QT) {
      for (int a = 0; a < QT; a++) qp[a] = q.data + std::min(i0 + a, nq - 1) * stride;
      tile(qp, dp, stride, r);
      const size_t in = std::min<size_t>(QT, nq - i0);
      for (size_t a = 0; a < in; a++)
        for (size_t b = 0; b < cn; b++) cd.ct_fill[(i0 + a) * k + c0 + b] = i8_pair_score(r[a * DT + b], q.scales[i0 + a], cd.cscales[c0 + b]);
    }
  }
}

// Expand: void(const uint8_t* codes_of_vector, const Codes&, size_t stride, int8_t* out_row)
template <int QT, int DT, typename Expand, typename Tile>
void codes_drive(const QueryI8& q, const Codes& cd, const Candidates& c, Expand expand, Tile tile) {
  const size_t nq = q.count, stride = q.stride;
  std::vector<float> best(nq);
  std::vector<int8_t> buf(DT * stride + 64, 0);
  int8_t* base = buf.data() + ((64 - (reinterpret_cast<uintptr_t>(buf.data()) & 63)) & 63);
  codes_fill_ct_tiled<QT, DT>(q, cd, tile, base);
  const int8_t* qp[QT];
  const int8_t* dp[DT];
  for (int b = 0; b < DT; b++) dp[b] = base + b * stride;
  int32_t r[QT * DT];
  for (size_t n = 0; n < c.n; n++) {
    const size_t start = c.starts[n], cnt = c.counts[n];
    if (cnt == 0 || nq == 0) {
      c.out[n] = 0.0f;
      continue;
    }
    std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
    for (size_t j0 = 0; j0 < cnt; j0 += DT) {
      const size_t jn = std::min<size_t>(DT, cnt - j0);
      for (int b = 0; b < DT; b++) expand(cd.codes + (start + std::min(j0 + b, cnt - 1)) * cd.bytes, cd, stride, base + b * stride);
      for (size_t i0 = 0; i0 < nq; i0 += QT) {
        for (int a = 0; a < QT; a++) qp[a] = q.data + std::min(i0 + a, nq - 1) * stride;
        tile(qp, dp, stride, r);
        const size_t in = std::min<size_t>(QT, nq - i0);
        for (size_t a = 0; a < in; a++) {
          float m = best[i0 + a];
          for (size_t b = 0; b < jn; b++) {
            const float s = codes_pair_score(q, cd, i0 + a, start + j0 + b, r[a * DT + b]);
            if (s > m) m = s;
          }
          best[i0 + a] = m;
        }
      }
    }
    c.out[n] = finish_maxsim(best.data(), nq);
  }
}

}  // namespace trident
