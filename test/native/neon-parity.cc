// NEON kernels against the serial ones (the reference every ISA is tested against), for
// test/parity/neon.test.ts: built with an aarch64 cross compiler and run under qemu-aarch64.
// Random shapes (dimensions around the 4/16/64 boundaries, empty candidates, one-vector
// queries); f32 / f16 within 1e-5 of the magnitude of the dots (summation order differs), i8
// and compressed codes bit for bit (exact integer sums, the same f32 operations).
// Prints "neon-parity ok <cases>" and exits 0, or lists the first mismatches and exits 1.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>

#include "../../native/codes.h"
#include "../../native/kernels.h"

using namespace trident;

namespace {

std::mt19937 rng(12345);
int failures = 0;
size_t cases = 0;

float uni(float lo, float hi) { return std::uniform_real_distribution<float>(lo, hi)(rng); }
size_t pick(size_t lo, size_t hi) { return std::uniform_int_distribution<size_t>(lo, hi)(rng); }

uint16_t to_half(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  int32_t e = static_cast<int32_t>((x >> 23) & 0xff) - 127 + 15;
  uint32_t m = x & 0x7fffffu;
  if (e <= 0) return static_cast<uint16_t>(sign);  // small values flush to zero (inputs are [-1, 1])
  uint32_t h = sign | (static_cast<uint32_t>(e) << 10) | (m >> 13);
  const uint32_t rest = m & 0x1fffu;
  if (rest > 0x1000u || (rest == 0x1000u && (h & 1u))) h++;
  return static_cast<uint16_t>(h);
}

void fail(const char* what, size_t dim, size_t i, double a, double b) {
  if (failures++ < 20) std::printf("MISMATCH %s dim %zu out %zu: neon %.9g serial %.9g\n", what, dim, i, a, b);
}

void close_all(const char* what, size_t dim, const std::vector<float>& a, const std::vector<float>& b, double tol) {
  for (size_t i = 0; i < a.size(); i++)
    if (!(std::fabs(static_cast<double>(a[i]) - b[i]) <= tol)) fail(what, dim, i, a[i], b[i]);
}

void equal_all(const char* what, size_t dim, const std::vector<float>& a, const std::vector<float>& b) {
  for (size_t i = 0; i < a.size(); i++)
    if (std::memcmp(&a[i], &b[i], 4) != 0) fail(what, dim, i, a[i], b[i]);
}

void one_case(size_t dim) {
  const size_t stride = (dim + 63) / 64 * 64;
  const size_t nq = pick(1, 37), rows = pick(1, 300);
  std::vector<float> qf(nq * stride, 0.0f), arena(rows * dim);
  for (size_t i = 0; i < nq; i++)
    for (size_t k = 0; k < dim; k++) qf[i * stride + k] = uni(-1, 1);
  for (auto& x : arena) x = uni(-1, 1);
  std::vector<uint16_t> halves(arena.size());
  for (size_t i = 0; i < arena.size(); i++) halves[i] = to_half(arena[i]);
  std::vector<int8_t> q8(nq * stride, 0), d8(rows * dim);
  std::vector<float> qs(nq), ds(rows);
  std::vector<int32_t> qsum(nq, 0);
  for (size_t i = 0; i < nq; i++) {
    qs[i] = uni(0.001f, 0.02f);
    for (size_t k = 0; k < dim; k++) {
      q8[i * stride + k] = static_cast<int8_t>(pick(0, 254) - 127);
      qsum[i] += q8[i * stride + k];
    }
  }
  for (auto& x : d8) x = static_cast<int8_t>(pick(0, 255) - 128);
  for (auto& x : ds) x = uni(0.001f, 0.02f);

  // candidates: ranges of the arena, some empty
  const size_t n = pick(1, 9);
  std::vector<uint32_t> starts(n), counts(n);
  for (size_t i = 0; i < n; i++) {
    starts[i] = static_cast<uint32_t>(pick(0, rows - 1));
    counts[i] = pick(0, 5) == 0 ? 0 : static_cast<uint32_t>(pick(1, rows - starts[i]));
  }
  std::vector<float> a(n), b(n);
  const QueryF32 qF{qf.data(), nq, dim, stride};
  const QueryI8 qI{q8.data(), qs.data(), qsum.data(), nq, dim, stride};
  const double tol = 1e-5 * static_cast<double>(dim) + 1e-6;  // |q|, |d| <= 1 per value

  maxsim_f32_neon(qF, arena.data(), {starts.data(), counts.data(), n, a.data()});
  maxsim_f32_serial(qF, arena.data(), {starts.data(), counts.data(), n, b.data()});
  close_all("maxsim f32", dim, a, b, tol);
  maxsim_f16_neon(qF, halves.data(), {starts.data(), counts.data(), n, a.data()});
  maxsim_f16_serial(qF, halves.data(), {starts.data(), counts.data(), n, b.data()});
  close_all("maxsim f16", dim, a, b, tol);
  maxsim_i8_neon(qI, d8.data(), ds.data(), {starts.data(), counts.data(), n, a.data()});
  maxsim_i8_serial(qI, d8.data(), ds.data(), {starts.data(), counts.data(), n, b.data()});
  equal_all("maxsim i8", dim, a, b);

  // dots: the first query vector against some rows (with and without an id list)
  const size_t m = pick(1, rows);
  std::vector<uint32_t> ids(m);
  for (auto& id : ids) id = static_cast<uint32_t>(pick(0, rows - 1));
  for (const uint32_t* idp : {static_cast<const uint32_t*>(ids.data()), static_cast<const uint32_t*>(nullptr)}) {
    std::vector<float> da(m), db(m);
    dots_f32_neon(qF, arena.data(), {idp, m, da.data()});
    dots_f32_serial(qF, arena.data(), {idp, m, db.data()});
    close_all("dots f32", dim, da, db, tol);
    dots_f16_neon(qF, halves.data(), {idp, m, da.data()});
    dots_f16_serial(qF, halves.data(), {idp, m, db.data()});
    close_all("dots f16", dim, da, db, tol);
    dots_i8_neon(qI, d8.data(), ds.data(), {idp, m, da.data()});
    dots_i8_serial(qI, d8.data(), ds.data(), {idp, m, db.data()});
    equal_all("dots i8", dim, da, db);
  }

  // compressed codes: binary and residual, 1 / 2 / 4 bits
  for (int bits : {1, 2, 4}) {
    for (bool residual : {false, true}) {
      const size_t bytes = codes_bytes(dim, bits);
      std::vector<uint8_t> codes(rows * bytes);
      for (size_t r = 0; r < rows; r++)
        for (size_t j = 0; j < bytes; j++) codes[r * bytes + j] = static_cast<uint8_t>(pick(0, 255));
      std::vector<int8_t> table(size_t{1} << bits);
      for (auto& t : table) t = static_cast<int8_t>(pick(0, 254) - 127);
      const size_t k = residual ? pick(1, 40) : 0;
      std::vector<uint16_t> cids(rows);
      for (auto& c : cids) c = static_cast<uint16_t>(k ? pick(0, k - 1) : 0);
      std::vector<float> norms(rows), ct(nq * (k ? k : 1));
      for (auto& x : norms) x = uni(0.5f, 2.0f);
      for (auto& x : ct) x = uni(-1, 1);
      const Codes cd{codes.data(), bytes, bits, table.data(), uni(0.001f, 0.05f), residual ? cids.data() : nullptr, residual ? norms.data() : nullptr, residual ? ct.data() : nullptr, k};
      maxsim_codes_neon(qI, cd, {starts.data(), counts.data(), n, a.data()});
      maxsim_codes_serial(qI, cd, {starts.data(), counts.data(), n, b.data()});
      equal_all(bits == 1 ? "codes 1-bit" : bits == 2 ? "codes 2-bit" : "codes 4-bit", dim, a, b);
    }
  }
  cases++;
}

}  // namespace

int main() {
  const size_t dims[] = {1, 3, 4, 5, 15, 16, 17, 63, 64, 65, 96, 128, 200, 384, 1024};
  for (int round = 0; round < 6; round++)
    for (size_t dim : dims) one_case(dim);
  if (failures > 0) {
    std::printf("neon-parity FAILED: %d mismatches in %zu cases\n", failures, cases);
    return 1;
  }
  std::printf("neon-parity ok %zu\n", cases);
  return 0;
}
