// trident native kernels: CPU detection and the per-ISA dispatch tables.
//
// Detection runs once (first use): cpuid feature bits plus OS support for the wider
// register state (xgetbv: YMM for avx2, ZMM/opmask for avx512). Tables are ordered most
// capable first, serial last; the active table defaults to the first available one.
// Levels: amx = avx512 + AMX-TILE + AMX-INT8 with the OS's XTILECFG/XTILEDATA state enabled (XCR0
// bits 17-18) and this process granted tile data (Linux arch_prctl ARCH_REQ_XCOMP_PERM, asked
// once here; a refusal, e.g. a too small signal stack, leaves the avx512 level);
// avx512 = AVX512F+BW+VL+DQ+VNNI with AVX2/FMA/F16C (a CPU with AVX-512 but no VNNI,
// e.g. Skylake-X, runs the avx2 level); avx2 = AVX2+FMA+F16C; neon on aarch64; serial always.
#include <cstring>
#include <mutex>

#include "kernels.h"

#if TRIDENT_X86
#include <cpuid.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif
#endif

namespace trident {
namespace {

const KernelTable kSerial = {"serial", maxsim_f32_serial, maxsim_f16_serial, maxsim_i8_serial,
                             dots_f32_serial, dots_f16_serial, dots_i8_serial,
                             maxsim_f32_screen_ignore<maxsim_f32_serial>, maxsim_f16_screen_ignore<maxsim_f16_serial>, maxsim_codes_serial};
#if TRIDENT_X86
const KernelTable kAvx2 = {"avx2", maxsim_f32_avx2, maxsim_f16_avx2, maxsim_i8_avx2,
                           dots_f32_avx2, dots_f16_avx2, dots_i8_avx2,
                           maxsim_f32_screen_ignore<maxsim_f32_avx2>, maxsim_f16_screen_ignore<maxsim_f16_avx2>, maxsim_codes_avx2};
// amx: the tile walker where the int8 images are at hand (i8 arenas, screening sidecars); the
// canonical f32 / f16 entry points quantise each candidate on the fly, which the avx512 walker
// overlaps with its prefetches better (measured: 119 vs 151 us/doc f32 at 32x200x1024), so they
// stay avx512.
const KernelTable kAmx = {"amx", maxsim_f32_avx512, maxsim_f16_avx512, maxsim_i8_amx,
                          dots_f32_avx512, dots_f16_avx512, dots_i8_avx512,
                          maxsim_f32_screen_amx, maxsim_f16_screen_amx, maxsim_codes_amx};
const KernelTable kAvx512 = {"avx512", maxsim_f32_avx512, maxsim_f16_avx512, maxsim_i8_avx512,
                             dots_f32_avx512, dots_f16_avx512, dots_i8_avx512,
                             maxsim_f32_screen_avx512, maxsim_f16_screen_avx512, maxsim_codes_avx512};

// Linux grants AMX tile data per process on request (arch/x86 ARCH_REQ_XCOMP_PERM = 0x1023,
// XFEATURE_XTILEDATA = 18); other systems: not used.
bool request_amx() {
#if defined(__linux__) && defined(SYS_arch_prctl)
  return syscall(SYS_arch_prctl, 0x1023, 18) == 0;
#else
  return false;
#endif
}

uint64_t xgetbv0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}
#endif
#if TRIDENT_NEON
const KernelTable kNeon = {"neon", maxsim_f32_neon, maxsim_f16_neon, maxsim_i8_neon,
                           dots_f32_neon, dots_f16_neon, dots_i8_neon,
                           maxsim_f32_screen_ignore<maxsim_f32_neon>, maxsim_f16_screen_ignore<maxsim_f16_neon>, maxsim_codes_neon};
#endif

const KernelTable* g_tables[5];
size_t g_count = 0;
const KernelTable* g_active = nullptr;
std::once_flag g_once;

void detect() {
#if TRIDENT_X86
  unsigned a = 0, b = 0, c = 0, d = 0;
  bool avx2 = false, avx512 = false, amx = false;
  if (__get_cpuid(1, &a, &b, &c, &d)) {
    const bool osxsave = (c >> 27) & 1, fma = (c >> 12) & 1, f16c = (c >> 29) & 1, avx = (c >> 28) & 1;
    const uint64_t xcr0 = osxsave ? xgetbv0() : 0;
    const bool ymm_os = (xcr0 & 0x6) == 0x6, zmm_os = (xcr0 & 0xe6) == 0xe6;
    if (__get_cpuid_max(0, nullptr) >= 7) {
      __cpuid_count(7, 0, a, b, c, d);
      const bool has_avx2 = (b >> 5) & 1;
      const bool f = (b >> 16) & 1, dq = (b >> 17) & 1, bw = (b >> 30) & 1, vl = (b >> 31) & 1;
      const bool vnni = (c >> 11) & 1, vbmi = (c >> 1) & 1;
      avx2 = avx && has_avx2 && fma && f16c && ymm_os;
      avx512 = avx2 && zmm_os && f && dq && bw && vl && vnni;
      const bool amx_tile = (d >> 24) & 1, amx_int8 = (d >> 25) & 1, tile_os = (xcr0 & 0x60000) == 0x60000;
      // (every AMX CPU has VBMI; the amx codes expansion uses vpermb)
      amx = avx512 && vbmi && amx_tile && amx_int8 && tile_os && request_amx();
    }
  }
  if (amx) g_tables[g_count++] = &kAmx;
  if (avx512) g_tables[g_count++] = &kAvx512;
  if (avx2) g_tables[g_count++] = &kAvx2;
#endif
#if TRIDENT_NEON
  g_tables[g_count++] = &kNeon;
#endif
  g_tables[g_count++] = &kSerial;
  g_active = g_tables[0];
}

}  // namespace

size_t available_isas(const KernelTable** out, size_t cap) {
  std::call_once(g_once, detect);
  size_t n = g_count < cap ? g_count : cap;
  for (size_t i = 0; i < n; i++) out[i] = g_tables[i];
  return g_count;
}

const KernelTable* active_table() {
  std::call_once(g_once, detect);
  return g_active;
}

bool set_active_isa(const char* name) {
  std::call_once(g_once, detect);
  for (size_t i = 0; i < g_count; i++) {
    if (std::strcmp(g_tables[i]->isa, name) == 0) {
      g_active = g_tables[i];
      return true;
    }
  }
  return false;
}

}  // namespace trident
