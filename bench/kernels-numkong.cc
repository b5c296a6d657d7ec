// Same-process comparison of trident's MaxSim kernels with NumKong's packed MaxSim.
//
// Built at bench time by bench/kernels.bench.ts into bench/.cache/ (git-ignored) from
// native/{cpu,convert,kernels_*}.cc plus NumKong's headers found in node_modules/usearch/numkong/include
// (nothing of NumKong is committed). Usage: kernels-numkong Q T D N REPS
// Prints one JSON object: { ours: { <isa>: { f32, f16, i8, f32+sidecar, f16+sidecar } },
// numkong: { <isa>: { f32, f16 } } (sapphireamx on an amx machine, icelake on avx512, haswell),
// peak: { fma512MacPerNs, dpbusd512MacPerNs, tdpbssdMacPerNs (amx only) } }
// with median microseconds per document (one call = one query against N documents of T tokens).
//
// What is timed, for both libraries: query preparation (our padding / int8 quantisation; NumKong's
// query pack) plus scoring all N documents; document preparation (NumKong's pack, our f16/i8
// conversion and screening sidecars) happens once, outside the timed region, as at index time.
// NumKong's MaxSim screens with int8 dot products and refines the winning pair in full precision
// (an approximation of max_j q_i·d_j, returning angular distance), whereas trident's f32/f16
// kernels compute every pair exactly; trident's i8 kernel is the like-for-like comparison.
#include <algorithm>
#include <ctime>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <immintrin.h>

#include "convert.h"
#include "kernels.h"
#include "numkong/maxsim.h"

using namespace trident;

namespace {

uint64_t g_state = 0x9e3779b97f4a7c15ull;
float uniform() {
  g_state ^= g_state << 13;
  g_state ^= g_state >> 7;
  g_state ^= g_state << 17;
  return static_cast<float>((g_state >> 11) * (1.0 / 9007199254740992.0)) * 2.0f - 1.0f;
}

std::vector<float> rows(size_t n, size_t dim) {
  std::vector<float> v(n * dim);
  for (size_t i = 0; i < n; i++) {
    double s = 0;
    for (size_t k = 0; k < dim; k++) {
      v[i * dim + k] = uniform();
      s += double(v[i * dim + k]) * v[i * dim + k];
    }
    const float inv = float(1.0 / std::sqrt(s));
    for (size_t k = 0; k < dim; k++) v[i * dim + k] *= inv;
  }
  return v;
}

uint16_t to_half(float f) {  // round to nearest even, normal range only (inputs are |x| <= 1)
  uint32_t b;
  std::memcpy(&b, &f, 4);
  const uint32_t sign = (b >> 16) & 0x8000u;
  const int e = int((b >> 23) & 0xff) - 112;
  const uint32_t mant = b & 0x7fffffu;
  if (e <= 0) return uint16_t(sign);  // flush tiny values (never hit by this data's magnitude ~0.03)
  uint32_t r = (uint32_t(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (r & 1u))) r++;
  return uint16_t(sign | r);
}

float quantize(const float* x, size_t dim, int8_t* out) {
  float m = 0;
  for (size_t k = 0; k < dim; k++) m = std::max(m, std::fabs(x[k]));
  const float s = m / 127.0f;
  for (size_t k = 0; k < dim; k++) out[k] = s == 0 ? 0 : int8_t(std::max(-127.0f, std::min(127.0f, std::nearbyint(x[k] / s))));
  return s;
}

bool g_cpu_clock = true;  // thread CPU time (robust on a shared machine) or wall time

double now_us() {
  timespec ts;
  clock_gettime(g_cpu_clock ? CLOCK_THREAD_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
  return double(ts.tv_sec) * 1e6 + double(ts.tv_nsec) / 1e3;
}

template <typename F>
double median_us_per_doc(size_t reps, size_t n, F&& f) {
  std::vector<double> t;
  f();  // warm-up
  for (size_t r = 0; r < reps; r++) {
    const double a = now_us();
    f();
    t.push_back((now_us() - a) / double(n));
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

volatile double g_sink = 0;

// Register-only throughput probes (12 independent accumulators, no memory traffic): the
// machine's current peak for the instructions the kernels are built on, measured with the
// same clock, so kernel timings can be read as a fraction of what this core delivers now.
#define TRIDENT_X12(M) M(0) M(1) M(2) M(3) M(4) M(5) M(6) M(7) M(8) M(9) M(10) M(11)

// AMX int8 tile peak: four independent 16x16 accumulators fed from two A and two B tiles
// (TDPBSSD = 16 x 16 x 64 MACs each), in the tile configuration trident's amx kernels use.
__attribute__((target("amx-tile,amx-int8"))) double peak_amx() {
  trident::amx_begin();
  alignas(64) static int8_t a[1024], b[1024];
  for (int i = 0; i < 1024; i++) a[i] = int8_t(i % 7 - 3), b[i] = int8_t(i % 5 - 2);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  _tile_loadd(4, a, 64);
  _tile_loadd(5, a, 64);
  _tile_loadd(6, b, 64);
  _tile_loadd(7, b, 64);
  const long n = 5000000;
  const double t0 = now_us();
  for (long i = 0; i < n; i++) {
    _tile_dpbssd(0, 4, 6);
    _tile_dpbssd(1, 4, 7);
    _tile_dpbssd(2, 5, 6);
    _tile_dpbssd(3, 5, 7);
  }
  const double t1 = now_us();
  alignas(64) static int32_t c[256];
  _tile_stored(0, c, 64);
  g_sink = g_sink + c[0];
  trident::amx_end();
  return double(n) * 4 * 16 * 16 * 64 / ((t1 - t0) * 1e3);
}
__attribute__((target("avx512f,avx512vnni,avx512bw"))) void peak_avx512(double& fma_mac_ns, double& dp_mac_ns) {
  const long n = 20000000;
#define DECL_F(i) __m512 a##i = _mm512_set1_ps(float(i) * 1e-3f);
  TRIDENT_X12(DECL_F)
  const __m512 x = _mm512_set1_ps(0.999f), y = _mm512_set1_ps(1e-4f);
  double t0 = now_us();
  for (long i = 0; i < n; i++) {
#define STEP_F(i) a##i = _mm512_fmadd_ps(a##i, x, y);
    TRIDENT_X12(STEP_F)
    __asm__ volatile("" : "+v"(a0), "+v"(a6));
  }
  double t1 = now_us();
  fma_mac_ns = double(n) * 12 * 16 / ((t1 - t0) * 1e3);
#define SUM_F(i) s = _mm512_add_ps(s, a##i);
  __m512 s = _mm512_setzero_ps();
  TRIDENT_X12(SUM_F)
  g_sink = g_sink + _mm512_reduce_add_ps(s);
#define DECL_I(i) __m512i b##i = _mm512_set1_epi32(i);
  TRIDENT_X12(DECL_I)
  const __m512i u = _mm512_set1_epi8(3), v = _mm512_set1_epi8(-2);
  t0 = now_us();
  for (long i = 0; i < n; i++) {
#define STEP_I(i) b##i = _mm512_dpbusd_epi32(b##i, u, v);
    TRIDENT_X12(STEP_I)
    __asm__ volatile("" : "+v"(b0), "+v"(b6));
  }
  t1 = now_us();
  dp_mac_ns = double(n) * 12 * 64 / ((t1 - t0) * 1e3);
#define SUM_I(i) si = _mm512_add_epi32(si, b##i);
  __m512i si = _mm512_setzero_si512();
  TRIDENT_X12(SUM_I)
  g_sink = g_sink + _mm512_reduce_add_epi32(si);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    std::fprintf(stderr, "usage: %s Q T D N REPS\n", argv[0]);
    return 2;
  }
  const size_t Q = std::strtoul(argv[1], nullptr, 10), T = std::strtoul(argv[2], nullptr, 10),
               D = std::strtoul(argv[3], nullptr, 10), N = std::strtoul(argv[4], nullptr, 10),
               R = std::strtoul(argv[5], nullptr, 10);
  g_cpu_clock = !(argc > 6 && std::strcmp(argv[6], "wall") == 0);
  const std::vector<float> query = rows(Q, D);
  const std::vector<float> docs = rows(N * T, D);
  std::vector<uint16_t> docs16(docs.size());
  for (size_t i = 0; i < docs.size(); i++) docs16[i] = to_half(docs[i]);
  std::vector<int8_t> docs8(docs.size());
  std::vector<float> scales8(N * T);
  for (size_t v = 0; v < N * T; v++) scales8[v] = quantize(&docs[v * D], D, &docs8[v * D]);
  std::vector<int32_t> row_sums8(N * T, 0);
  for (size_t v = 0; v < N * T; v++)
    for (size_t kk = 0; kk < D; kk++) row_sums8[v] += docs8[v * D + kk];
  std::vector<uint32_t> starts(N), counts(N, uint32_t(T));
  for (size_t i = 0; i < N; i++) starts[i] = uint32_t(i * T);
  // screening sidecars, built at index time by the store (like NumKong's packing)
  std::vector<int8_t> scr32(N * T * D), scr16(N * T * D);
  std::vector<float> st32(N * T * 6), st16(N * T * 6);
  build_screen_f32(docs.data(), D, 0, N * T, scr32.data(), st32.data());
  build_screen_f16(docs16.data(), D, 0, N * T, scr16.data(), st16.data());
  std::vector<float> out(N);

  const size_t stride = (D + 63) / 64 * 64;
  std::string json = "{\"ours\":{";
  const KernelTable* tables[8];
  const size_t nt = available_isas(tables, 8);
  for (size_t t = 0; t < nt; t++) {
    const KernelTable* k = tables[t];
    if (std::strcmp(k->isa, "serial") == 0) continue;
    const Candidates c{starts.data(), counts.data(), N, out.data()};
    auto prep = [&] {
      std::vector<float> qp(Q * stride, 0.0f);
      for (size_t i = 0; i < Q; i++) std::memcpy(&qp[i * stride], &query[i * D], D * 4);
      return qp;
    };
    const double f32 = median_us_per_doc(R, N, [&] {
      auto qp = prep();
      k->maxsim_f32(QueryF32{qp.data(), Q, D, stride}, docs.data(), c);
      g_sink = g_sink + out[0];
    });
    const double f16 = median_us_per_doc(R, N, [&] {
      auto qp = prep();
      k->maxsim_f16(QueryF32{qp.data(), Q, D, stride}, docs16.data(), c);
      g_sink = g_sink + out[0];
    });
    const double i8 = median_us_per_doc(R, N, [&] {
      std::vector<int8_t> q8(Q * stride, 0);
      std::vector<float> qs(Q);
      std::vector<int32_t> sums(Q, 0);
      for (size_t i = 0; i < Q; i++) {
        qs[i] = quantize(&query[i * D], D, &q8[i * stride]);
        for (size_t kk = 0; kk < D; kk++) sums[i] += q8[i * stride + kk];
      }
      QueryI8 qi{q8.data(), qs.data(), sums.data(), Q, D, stride};
      qi.row_sums = row_sums8.data();  // kept by the store at index time, like NumKong's packing
      k->maxsim_i8(qi, docs8.data(), scales8.data(), c);
      g_sink = g_sink + out[0];
    });
    const double f32s = median_us_per_doc(R, N, [&] {
      auto qp = prep();
      k->maxsim_f32_screen(QueryF32{qp.data(), Q, D, stride}, docs.data(), Screen{scr32.data(), st32.data()}, c);
      g_sink = g_sink + out[0];
    });
    const double f16s = median_us_per_doc(R, N, [&] {
      auto qp = prep();
      k->maxsim_f16_screen(QueryF32{qp.data(), Q, D, stride}, docs16.data(), Screen{scr16.data(), st16.data()}, c);
      g_sink = g_sink + out[0];
    });
    char buf[320];
    std::snprintf(buf, sizeof buf, "%s\"%s\":{\"f32\":%.3f,\"f16\":%.3f,\"i8\":%.3f,\"f32+sidecar\":%.3f,\"f16+sidecar\":%.3f}",
                  t ? "," : "", k->isa, f32, f16, i8, f32s, f16s);
    json += buf;
  }
  json += "},\"numkong\":{";

  // NumKong: documents packed once (index time), query packed per call.
  auto run_nk = [&](const char* name, auto size_fn, auto pack_fn, auto score_fn, const void* src, size_t elem, bool first) {
    const size_t doc_bytes = size_fn(T, D);
    std::vector<char> packed(doc_bytes * N + 64);
    for (size_t i = 0; i < N; i++) pack_fn(static_cast<const char*>(src) + i * T * D * elem, T, D, D * elem, packed.data() + i * doc_bytes);
    const void* qsrc = elem == 4 ? static_cast<const void*>(query.data()) : nullptr;
    std::vector<uint16_t> q16;
    if (elem == 2) {
      q16.resize(Q * D);
      for (size_t i = 0; i < Q * D; i++) q16[i] = to_half(query[i]);
      qsrc = q16.data();
    }
    const double us = median_us_per_doc(R, N, [&] {
      std::vector<char> qp(size_fn(Q, D));
      pack_fn(static_cast<const char*>(qsrc), Q, D, D * elem, qp.data());
      double acc = 0;
      for (size_t i = 0; i < N; i++) acc += score_fn(qp.data(), packed.data() + i * doc_bytes);
      g_sink = g_sink + acc;
    });
    char buf[128];
    std::snprintf(buf, sizeof buf, "%s\"%s\":%.3f", first ? "" : ",", name, us);
    return std::string(buf);
  };
  auto nk_isa = [&](const char* isa, auto sz32, auto pk32, auto sc32, auto sz16, auto pk16, auto sc16, bool first) {
    json += std::string(first ? "" : ",") + "\"" + isa + "\":{";
    json += run_nk(
        "f32", sz32, [&](const char* v, size_t n, size_t d, size_t s, void* p) { pk32(reinterpret_cast<const nk_f32_t*>(v), n, d, s, p); },
        [&](const void* qp, const void* dp) {
          nk_f64_t r;
          sc32(qp, dp, Q, T, D, &r);
          return double(r);
        },
        docs.data(), 4, true);
    json += run_nk(
        "f16", sz16, [&](const char* v, size_t n, size_t d, size_t s, void* p) { pk16(reinterpret_cast<const nk_f16_t*>(v), n, d, s, p); },
        [&](const void* qp, const void* dp) {
          nk_f32_t r;
          sc16(qp, dp, Q, T, D, &r);
          return double(r);
        },
        docs16.data(), 2, false);
    json += "}";
  };
  bool first = true;
  const bool amx = nt > 0 && std::strcmp(tables[0]->isa, "amx") == 0;  // cpu.cc granted tile data
  const bool avx512 = amx || (nt > 0 && std::strcmp(tables[0]->isa, "avx512") == 0);
#if NK_TARGET_SAPPHIREAMX
  if (amx) {
    nk_isa("sapphireamx", nk_maxsim_packed_size_f32_sapphireamx, nk_maxsim_pack_f32_sapphireamx,
           nk_maxsim_packed_f32_sapphireamx, nk_maxsim_packed_size_f16_sapphireamx, nk_maxsim_pack_f16_sapphireamx,
           nk_maxsim_packed_f16_sapphireamx, first);
    first = false;
  }
#endif
#if NK_TARGET_ICELAKE
  if (avx512) {
    nk_isa("icelake", nk_maxsim_packed_size_f32_icelake, nk_maxsim_pack_f32_icelake, nk_maxsim_packed_f32_icelake,
           nk_maxsim_packed_size_f16_icelake, nk_maxsim_pack_f16_icelake, nk_maxsim_packed_f16_icelake, first);
    first = false;
  }
#endif
#if NK_TARGET_HASWELL
  nk_isa("haswell", nk_maxsim_packed_size_f32_haswell, nk_maxsim_pack_f32_haswell, nk_maxsim_packed_f32_haswell,
         nk_maxsim_packed_size_f16_haswell, nk_maxsim_pack_f16_haswell, nk_maxsim_packed_f16_haswell, first);
#endif
  json += "}";
  if (avx512) {
    double fma = 0, dp = 0, tile = 0;
    peak_avx512(fma, dp);
    if (amx) tile = peak_amx();
    char buf[200];
    std::snprintf(buf, sizeof buf, ",\"peak\":{\"fma512MacPerNs\":%.2f,\"dpbusd512MacPerNs\":%.2f%s", fma, dp, amx ? "" : "}");
    json += buf;
    if (amx) {
      std::snprintf(buf, sizeof buf, ",\"tdpbssdMacPerNs\":%.2f}", tile);
      json += buf;
    }
  }
  json += "}";
  std::printf("%s\n", json.c_str());
  return g_sink == 12345.678 ? 1 : 0;
}
