// trident native kernels: ISA-neutral loop drivers.
//
// Formula:   see kernels.h (MaxSim = mean over query vectors of the max dot over doc vectors).
// Precision: drivers only compare and sum; tiles decide the arithmetic (see each ISA file).
// Layout:    MaxSim walks each candidate in blocks of DT document vectors (the block stays in
//            L1 while every QT-vector query tile is scored against it), keeping one running
//            max per query vector. Edge tiles repeat the last valid vector; their results are
//            ignored, so every tile runs full width without masks on the query/doc count.
// ISAs:      all (the tile function carries the ISA; one call per tile, ~QT*DT*dim MACs).
#pragma once
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"

namespace trident {

// Tile: void(const QElem* const* q /*QT*/, const DocT* const* d /*DT*/, size_t dim, Res* r /*QT*DT*/)
// Score: float(size_t query_index, size_t arena_vector, Res raw)
template <int QT, int DT, typename QElem, typename DocT, typename Res, typename Tile, typename Score>
void maxsim_drive(const QElem* qdata, size_t nq, size_t stride, size_t dim, const DocT* docs, const Candidates& c,
                  Tile tile, Score score) {
  std::vector<float> best(nq);
  const QElem* qp[QT];
  const DocT* dp[DT];
  Res r[QT * DT];
  for (size_t n = 0; n < c.n; n++) {
    const size_t start = c.starts[n], cnt = c.counts[n];
    if (cnt == 0 || nq == 0) {
      c.out[n] = 0.0f;
      continue;
    }
    std::fill(best.begin(), best.end(), -std::numeric_limits<float>::infinity());
    for (size_t j0 = 0; j0 < cnt; j0 += DT) {
      for (int b = 0; b < DT; b++) dp[b] = docs + (start + std::min(j0 + b, cnt - 1)) * dim;
      const size_t jn = std::min<size_t>(DT, cnt - j0);
      for (size_t i0 = 0; i0 < nq; i0 += QT) {
        for (int a = 0; a < QT; a++) qp[a] = qdata + std::min(i0 + a, nq - 1) * stride;
        tile(qp, dp, dim, r);
        const size_t in = std::min<size_t>(QT, nq - i0);
        for (size_t a = 0; a < in; a++) {
          float m = best[i0 + a];
          for (size_t b = 0; b < jn; b++) {
            const float s = score(i0 + a, start + j0 + b, r[a * DT + b]);
            if (s > m) m = s;
          }
          best[i0 + a] = m;
        }
      }
    }
    c.out[n] = finish_maxsim(best.data(), nq);
  }
}

// Dots: one query vector against rows, DT rows per tile.
template <int DT, typename QElem, typename DocT, typename Res, typename Tile, typename Score>
void dots_drive(const QElem* q, size_t dim, const DocT* rows, const Rows& rs, Tile tile, Score score) {
  const QElem* qp[1] = {q};
  const DocT* dp[DT];
  size_t ids[DT];
  Res r[DT];
  for (size_t i0 = 0; i0 < rs.n; i0 += DT) {
    for (int b = 0; b < DT; b++) {
      const size_t i = std::min(i0 + b, rs.n - 1);
      ids[b] = rs.ids ? rs.ids[i] : i;
      dp[b] = rows + ids[b] * dim;
    }
    tile(qp, dp, dim, r);
    const size_t jn = std::min<size_t>(DT, rs.n - i0);
    for (size_t b = 0; b < jn; b++) rs.out[i0 + b] = score(ids[b], r[b]);
  }
}

}  // namespace trident
