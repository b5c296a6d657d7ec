// Read-only memory mapping of index files (segment files, issue 16).
//
// Exports (registered by addon.cc's Init through register_mmap):
//   mmapOpen(path) -> { buffer: ArrayBuffer, slot: number }
//       maps the whole file PROT_READ / MAP_SHARED and returns an external ArrayBuffer over it.
//       The mapping is released (munmap) only by the ArrayBuffer's finalizer, i.e. when no JS
//       object references the buffer any more, so JS can never touch unmapped memory. An empty
//       file gives an ordinary zero-length ArrayBuffer and slot -1. The file descriptor is
//       closed right after mmap (the mapping keeps the file alive, even if it is unlinked).
//   mmapDamaged(slot) -> boolean   true once a read of the mapping hit a page beyond the file's
//       end (the file was truncated after mapping; see "SIGBUS" below).
//   mmapAdvise(buffer, offset, length, advice) -> boolean   madvise over the whole pages
//       covering [offset, offset + length): advice 0 normal, 1 random, 2 sequential,
//       3 willneed, 4 dontneed. Advice only; false where the OS refused or lacks it.
//   mmapPageSize() -> number
//   mmapPromote(buffer, slot) -> Promise<number>   (Linux; elsewhere resolves 0) copies the
//       mapping's bytes into fresh anonymous memory (2 MiB-aligned, MADV_HUGEPAGE) on a libuv
//       thread, then moves that memory over the mapping's own addresses (mremap MREMAP_FIXED,
//       atomic under the kernel's mmap lock): every ArrayBuffer and typed view keeps its pointer
//       and reads the same bytes, now from anonymous memory instead of the page cache (which
//       measured ~1.1-1.2x slower to scan on the VMs trident is benchmarked on; README "Segment
//       memory"). Resolves 1 when done; -1, changing nothing, when under 90 % of the file's
//       pages are in the page cache (mincore): the copy would read the disk, so a cold file, or
//       an index bigger than memory, stays mapped (the caller may try again later); 0, changing
//       nothing, when the slot is damaged (the file was truncated: the copy reads the guard's
//       zero pages, so it is dropped), already promoted, or memory is short. The buffer is referenced until the work ends. From the moment a
//       promotion starts, mmapAdvise refuses MADV_DONTNEED on that range: on anonymous memory it
//       would discard the bytes instead of dropping clean page-cache pages.
//
// SIGBUS: reading a MAP_SHARED page that lies beyond the current end of the file (another
// process truncated it after we mapped it) raises SIGBUS, which would kill Node. A process-wide
// SIGBUS handler (installed once, chained to the previous one) looks the faulting address up in
// a lock-free table of live mappings; when it belongs to one, the handler maps anonymous zero
// pages (MAP_FIXED) from the faulting page to the end of that mapping, marks the slot damaged
// and returns, so the faulting load is retried and reads zeros. The TS facade checks
// mmapDamaged after reads and raises a typed error. Faults outside our mappings go to the
// previous handler (or the default action). mmap is not on POSIX's async-signal-safe list, but
// it is a plain system call on Linux and macOS; this is the approach used by databases that
// serve from shared mappings.
// Errors: Error("TRIDENT_NATIVE:<CODE>: message"), CODE = INVALID_ARGUMENT or IO_ERROR:<errno name>.
#include <napi.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#if defined(__linux__) || defined(__APPLE__)
#define TRIDENT_HAS_MMAP 1
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

namespace trident {
namespace {

void raise_error(Napi::Env env, const std::string& code, const std::string& msg) {
  Napi::Error::New(env, std::string("TRIDENT_NATIVE:") + code + ": " + msg).ThrowAsJavaScriptException();
}

#if TRIDENT_HAS_MMAP
constexpr int kSlots = 8192;

struct Slot {
  std::atomic<uintptr_t> start{0};
  std::atomic<size_t> length{0};
  std::atomic<int> damaged{0};
  std::atomic<int> used{0};
  std::atomic<int> promoted{0};  // 1 while a promotion runs, 2 once the range is anonymous memory
};

Slot g_slots[kSlots];
struct sigaction g_previous;
std::once_flag g_install_once;
bool g_installed = false;
uintptr_t g_page = 4096;

void on_sigbus(int sig, siginfo_t* info, void* context) {
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (int i = 0; i < kSlots; i++) {
    const uintptr_t s = g_slots[i].start.load(std::memory_order_acquire);
    if (s == 0) continue;
    const size_t n = g_slots[i].length.load(std::memory_order_acquire);
    if (addr < s || addr >= s + n) continue;
    const uintptr_t page = addr & ~(g_page - 1);
    void* r = mmap(reinterpret_cast<void*>(page), s + n - page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    if (r != MAP_FAILED) {
      g_slots[i].damaged.store(1, std::memory_order_release);
      return;  // the faulting load is retried and now reads zeros
    }
    break;
  }
  // not ours (or the remap failed): what would have happened without us
  if (g_previous.sa_flags & SA_SIGINFO) {
    if (g_previous.sa_sigaction != nullptr) {
      g_previous.sa_sigaction(sig, info, context);
      return;
    }
  } else if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN && g_previous.sa_handler != nullptr) {
    g_previous.sa_handler(sig);
    return;
  }
  signal(SIGBUS, SIG_DFL);  // returning re-executes the load, which now takes the default action
}

void install_handler() {
  std::call_once(g_install_once, [] {
    g_page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    g_installed = sigaction(SIGBUS, &sa, &g_previous) == 0;
  });
}

int claim_slot(uintptr_t start, size_t length) {
  for (int i = 0; i < kSlots; i++) {
    int expected = 0;
    if (g_slots[i].used.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
      g_slots[i].damaged.store(0, std::memory_order_relaxed);
      g_slots[i].promoted.store(0, std::memory_order_relaxed);
      g_slots[i].length.store(length, std::memory_order_release);
      g_slots[i].start.store(start, std::memory_order_release);
      return i;
    }
  }
  return -1;
}

struct Mapping {
  void* data;
  size_t length;
  int slot;
};

void finalize_mapping(Napi::Env, void*, Mapping* m) {
  if (m->slot >= 0) {
    g_slots[m->slot].start.store(0, std::memory_order_release);
    g_slots[m->slot].length.store(0, std::memory_order_release);
  }
  munmap(m->data, m->length);
  if (m->slot >= 0) g_slots[m->slot].used.store(0, std::memory_order_release);
  delete m;
}

std::string errno_code(int e) {
  switch (e) {
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EISDIR: return "EISDIR";
    case ENOMEM: return "ENOMEM";
    case EMFILE: return "EMFILE";
    case ENFILE: return "ENFILE";
    case ENODEV: return "ENODEV";
    case EINVAL: return "EINVAL";
    case EPERM: return "EPERM";
    default: return "E" + std::to_string(e);
  }
}

Napi::Value MmapOpen(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) {
    raise_error(env, "INVALID_ARGUMENT", "mmapOpen: expected a file path string");
    return env.Undefined();
  }
  install_handler();
  const std::string path = info[0].As<Napi::String>().Utf8Value();
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int e = errno;
    raise_error(env, "IO_ERROR:" + errno_code(e), "cannot open " + path + ": " + std::strerror(e));
    return env.Undefined();
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    const int e = errno;
    close(fd);
    raise_error(env, "IO_ERROR:" + errno_code(e), "cannot stat " + path + ": " + std::strerror(e));
    return env.Undefined();
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    raise_error(env, "IO_ERROR:EISDIR", path + " is not a regular file");
    return env.Undefined();
  }
  Napi::Object out = Napi::Object::New(env);
  const size_t length = static_cast<size_t>(st.st_size);
  if (length == 0) {
    close(fd);
    out.Set("buffer", Napi::ArrayBuffer::New(env, 0));
    out.Set("slot", Napi::Number::New(env, -1));
    return out;
  }
  void* data = mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, 0);
  const int e = errno;
  close(fd);
  if (data == MAP_FAILED) {
    raise_error(env, "IO_ERROR:" + errno_code(e), "cannot map " + path + ": " + std::strerror(e));
    return env.Undefined();
  }
  // Without the SIGBUS guard (no free slot, handler refused) the mapping would be unsafe:
  // refuse it and let the caller read the file instead.
  const int slot = g_installed ? claim_slot(reinterpret_cast<uintptr_t>(data), length) : -1;
  if (slot < 0) {
    munmap(data, length);
    raise_error(env, "IO_ERROR:ENOMEM", "cannot map " + path + ": no SIGBUS-guarded mapping slot left (" + std::to_string(kSlots) + " files mapped)");
    return env.Undefined();
  }
  auto* m = new Mapping{data, length, slot};
  out.Set("buffer", Napi::ArrayBuffer::New(env, data, length, finalize_mapping, m));
  out.Set("slot", Napi::Number::New(env, slot));
  return out;
}


// True when [from, to) overlaps a mapping whose promotion started (anonymous memory, or soon).
bool promoted_overlap(uintptr_t from, uintptr_t to) {
  for (int i = 0; i < kSlots; i++) {
    if (g_slots[i].promoted.load(std::memory_order_acquire) == 0) continue;
    const uintptr_t s = g_slots[i].start.load(std::memory_order_acquire);
    const size_t n = g_slots[i].length.load(std::memory_order_acquire);
    if (s != 0 && from < s + n && s < to) return true;
  }
  return false;
}

#if defined(__linux__)
// The promotion itself (see the header comment): 1 done, 0 failed, -1 not warm. Runs on a libuv thread.
int promote_range(uintptr_t start, size_t length, int slot) {
  Slot& sl = g_slots[slot];
  if (sl.start.load(std::memory_order_acquire) != start || sl.length.load(std::memory_order_acquire) != length) return 0;
  int expected = 0;
  if (!sl.promoted.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) return 0;
  const auto fail = [&sl](void* anon, size_t n, int why = 0) {
    if (anon != nullptr) munmap(anon, n);
    sl.promoted.store(0, std::memory_order_release);
    return why;
  };
  if (sl.damaged.load(std::memory_order_acquire) != 0) return fail(nullptr, 0);
  const size_t len = (length + g_page - 1) & ~(g_page - 1);
  {  // warm only: at least 90 % of the pages cached
    std::vector<unsigned char> in(len / g_page);
    if (mincore(reinterpret_cast<void*>(start), len, in.data()) != 0) return fail(nullptr, 0);
    size_t cached = 0;
    for (unsigned char c : in) cached += c & 1;
    if (cached * 10 < in.size() * 9) return fail(nullptr, 0, -1);
  }
  constexpr size_t kHuge = size_t(2) << 20;
  void* raw = mmap(nullptr, len + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (raw == MAP_FAILED) return fail(nullptr, 0);
  // keep a 2 MiB-aligned run of len bytes (huge pages need aligned addresses), unmap the rest
  const auto r = reinterpret_cast<uintptr_t>(raw);
  const uintptr_t a = (r + kHuge - 1) & ~(kHuge - 1);
  if (a > r) munmap(raw, a - r);
  if (r + len + kHuge > a + len) munmap(reinterpret_cast<void*>(a + len), r + len + kHuge - (a + len));
  void* anon = reinterpret_cast<void*>(a);
  madvise(anon, len, MADV_HUGEPAGE);
  std::memcpy(anon, reinterpret_cast<const void*>(start), length);
  // a truncated file: the copy read the guard's zeros; keep the mapping (check() reports it)
  if (sl.damaged.load(std::memory_order_acquire) != 0) return fail(anon, len);
  if (mprotect(anon, len, PROT_READ) != 0) return fail(anon, len);
  if (mremap(anon, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, reinterpret_cast<void*>(start)) == MAP_FAILED) return fail(anon, len);
  sl.promoted.store(2, std::memory_order_release);
  return 1;
}
#else
int promote_range(uintptr_t, size_t, int) { return 0; }
#endif

class PromoteWorker : public Napi::AsyncWorker {
 public:
  PromoteWorker(Napi::Env env, Napi::ArrayBuffer buffer, int slot)
      : Napi::AsyncWorker(env, "trident:mmapPromote"),
        deferred_(Napi::Promise::Deferred::New(env)),
        start_(reinterpret_cast<uintptr_t>(buffer.Data())),
        length_(buffer.ByteLength()),
        slot_(slot) {
    buffer_ = Napi::Persistent(buffer.As<Napi::Object>());  // the mapping lives until the work ends
  }
  Napi::Promise Promise() const { return deferred_.Promise(); }
  void Execute() override { result_ = promote_range(start_, length_, slot_); }
  void OnOK() override {
    buffer_.Reset();
    deferred_.Resolve(Napi::Number::New(Env(), result_));
  }
  void OnError(const Napi::Error& e) override {
    buffer_.Reset();
    deferred_.Reject(e.Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference buffer_;
  uintptr_t start_;
  size_t length_;
  int slot_;
  int result_ = 0;
};

Napi::Value MmapPromote(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double s = info.Length() >= 2 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
  if (info.Length() < 2 || !info[0].IsArrayBuffer() || !(s >= 0 && s < kSlots) || static_cast<double>(static_cast<int>(s)) != s) {
    raise_error(env, "INVALID_ARGUMENT", "mmapPromote: expected (ArrayBuffer, slot)");
    return env.Undefined();
  }
  auto ab = info[0].As<Napi::ArrayBuffer>();
  const int slot = static_cast<int>(s);
  if (g_slots[slot].start.load(std::memory_order_acquire) != reinterpret_cast<uintptr_t>(ab.Data()) || ab.ByteLength() == 0) {
    raise_error(env, "INVALID_ARGUMENT", "mmapPromote: the buffer is not that slot's mapping");
    return env.Undefined();
  }
  auto* w = new PromoteWorker(env, ab, slot);
  Napi::Promise p = w->Promise();
  w->Queue();
  return p;
}

Napi::Value MmapDamaged(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double s = info.Length() >= 1 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -2;
  if (!(s >= -1 && s < kSlots) || static_cast<double>(static_cast<int>(s)) != s) {
    raise_error(env, "INVALID_ARGUMENT", "mmapDamaged: expected a slot number");
    return env.Undefined();
  }
  const int slot = static_cast<int>(s);
  return Napi::Boolean::New(env, slot >= 0 && g_slots[slot].damaged.load(std::memory_order_acquire) != 0);
}

Napi::Value MmapAdvise(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[0].IsArrayBuffer() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsNumber()) {
    raise_error(env, "INVALID_ARGUMENT", "mmapAdvise: expected (ArrayBuffer, offset, length, advice)");
    return env.Undefined();
  }
  auto ab = info[0].As<Napi::ArrayBuffer>();
  const double off = info[1].As<Napi::Number>().DoubleValue();
  const double len = info[2].As<Napi::Number>().DoubleValue();
  const int advice = info[3].As<Napi::Number>().Int32Value();
  const double total = static_cast<double>(ab.ByteLength());
  if (!(off >= 0) || !(len >= 0) || off + len > total || advice < 0 || advice > 4) {
    raise_error(env, "INVALID_ARGUMENT", "mmapAdvise: range outside the buffer or unknown advice");
    return env.Undefined();
  }
  if (len == 0) return Napi::Boolean::New(env, true);
  static const int kAdvice[] = {MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED};
  const auto base = reinterpret_cast<uintptr_t>(ab.Data());
  const uintptr_t from = (base + static_cast<uintptr_t>(off)) & ~(g_page - 1);
  const uintptr_t to = base + static_cast<uintptr_t>(off + len);
  if (kAdvice[advice] == MADV_DONTNEED && promoted_overlap(from, to)) return Napi::Boolean::New(env, false);
  return Napi::Boolean::New(env, madvise(reinterpret_cast<void*>(from), to - from, kAdvice[advice]) == 0);
}

Napi::Value MmapPageSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<double>(sysconf(_SC_PAGESIZE)));
}
#endif

}  // namespace

void register_mmap(Napi::Env env, Napi::Object exports) {
#if TRIDENT_HAS_MMAP
  exports.Set("mmapOpen", Napi::Function::New(env, MmapOpen));
  exports.Set("mmapDamaged", Napi::Function::New(env, MmapDamaged));
  exports.Set("mmapAdvise", Napi::Function::New(env, MmapAdvise));
  exports.Set("mmapPageSize", Napi::Function::New(env, MmapPageSize));
  exports.Set("mmapPromote", Napi::Function::New(env, MmapPromote));
#else
  (void)env;
  (void)exports;
#endif
}

}  // namespace trident
