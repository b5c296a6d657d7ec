// trident native addon: N-API shim (node-addon-api, C++ exceptions disabled).
//
// Formula:   forwards to the active kernel table (kernels.h): MaxSim and batched dots.
// Precision: the i8 entry points quantise the f32 query here, once per call, per query vector:
//            scale = f32(maxabs / 127); q8 = clamp(nearbyint(f32(x / scale)), -127, 127) with
//            the default ties-to-even rounding; all-zero vectors get scale 0. This is exactly
//            quantizeI8Row in src/kernels/f16.ts, so TS twin and SIMD kernels see the same q8.
//            The shim also precomputes sum_k q8 per query vector (vpdpbusd bias correction).
// Layout:    the query is copied into a zero-padded buffer (stride = dim rounded up to 64
//            values) so kernels can read whole SIMD blocks of it; arenas are used in place.
// Checks:    every argument's type, integer sizes, query length = qCount x dim, equal lengths
//            of starts/counts/out, starts[i] + counts[i] <= arena vectors (and <= scales for i8),
//            row ids < rows. Failures throw Error("TRIDENT_NATIVE:<CODE>: message"); native.ts
//            maps the code (INVALID_ARGUMENT, DIMENSION_MISMATCH, NATIVE_ERROR) to TridentError.
// ISAs:      setIsa(name) / isa() / available() expose cpu.cc's tables.
// Memory:    addressMod / adviseHugePages let TS place arenas on page boundaries and huge pages.
// Mapping:   mmapOpen / mmapDamaged / mmapAdvise / mmapPageSize (native/mmap.cc).
// Graphs:    hnswSearch (native/hnsw.cc).
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <string>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "codes.h"
#include "convert.h"
#include "kernels.h"

namespace trident {
// native/mmap.cc: read-only file mappings (mmapOpen, mmapDamaged, mmapAdvise, mmapPageSize)
void register_mmap(Napi::Env env, Napi::Object exports);
// native/analyze.cc: batch English analysis (analyzeEnglish)
void register_analyze(Napi::Env env, Napi::Object exports);
// native/hnsw.cc: HNSW search over several dense segments' graphs (hnswSearch)
void register_hnsw(Napi::Env env, Napi::Object exports);
}  // namespace trident

namespace {
using namespace trident;

constexpr size_t kMaxI8Dim = 65536;  // keeps every i8 integer sum exact in int32

void raise(Napi::Env env, const char* code, const std::string& msg) {
  Napi::Error::New(env, std::string("TRIDENT_NATIVE:") + code + ": " + msg).ThrowAsJavaScriptException();
}

template <typename T>
struct View {
  T* data = nullptr;
  size_t length = 0;
};

template <typename T>
bool get_array(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type type, const char* type_name,
               const std::string& op, const char* name, View<T>& out) {
  Napi::Value v = info[i];
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": " + name + " must be a " + type_name);
    return false;
  }
  auto ta = v.As<Napi::TypedArrayOf<T>>();
  out.data = ta.Data();
  out.length = ta.ElementLength();
  return true;
}

bool get_count(const Napi::CallbackInfo& info, size_t i, double min, const std::string& op, const char* name,
               size_t& out) {
  Napi::Value v = info[i];
  const double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : std::nan("");
  if (!(d >= min) || d > 4294967295.0 || std::floor(d) != d) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": " + name + " must be an integer >= " + std::to_string(int(min)));
    return false;
  }
  out = static_cast<size_t>(d);
  return true;
}

size_t padded(size_t dim) { return (dim + 63) / 64 * 64; }

// Cache-line-aligned storage for the padded queries (the kernels read query rows 64 bytes at a
// time; with malloc's 16-byte alignment every such load would span two lines).
template <typename T>
struct Aligned64 {
  using value_type = T;
  Aligned64() = default;
  template <typename U>
  Aligned64(const Aligned64<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  template <typename U>
  bool operator==(const Aligned64<U>&) const { return true; }
  template <typename U>
  bool operator!=(const Aligned64<U>&) const { return false; }
};
template <typename T>
using AlignedVec = std::vector<T, Aligned64<T>>;

AlignedVec<float> pad_query(const float* q, size_t count, size_t dim) {
  const size_t stride = padded(dim);
  AlignedVec<float> out(count * stride, 0.0f);
  for (size_t i = 0; i < count; i++)
    for (size_t k = 0; k < dim; k++) out[i * stride + k] = q[i * dim + k];
  return out;
}

struct QuantQuery {
  AlignedVec<int8_t> data;
  std::vector<float> scales;
  std::vector<int32_t> sums;
};

QuantQuery quantize_query(const float* q, size_t count, size_t dim) {
  const size_t stride = padded(dim);
  QuantQuery r{AlignedVec<int8_t>(count * stride, 0), std::vector<float>(count, 0.0f), std::vector<int32_t>(count, 0)};
  for (size_t i = 0; i < count; i++) {
    const float* x = q + i * dim;
    float m = 0.0f;
    for (size_t k = 0; k < dim; k++) {
      const float a = std::fabs(x[k]);
      if (a > m) m = a;
    }
    const float scale = m / 127.0f;
    r.scales[i] = scale;
    if (scale == 0.0f) continue;
    int32_t sum = 0;
    for (size_t k = 0; k < dim; k++) {
      float v = std::nearbyint(x[k] / scale);
      if (v > 127.0f) v = 127.0f;
      if (v < -127.0f) v = -127.0f;
      const int8_t b = static_cast<int8_t>(v);
      r.data[i * stride + k] = b;
      sum += b;
    }
    r.sums[i] = sum;
  }
  return r;
}

// Common MaxSim argument checks; `docs_len` and `scales_len` (or SIZE_MAX) bound the arena.
bool check_maxsim(const Napi::CallbackInfo& info, const std::string& op, size_t q_len, size_t q_count, size_t dim,
                  size_t docs_len, size_t scales_len, const View<uint32_t>& starts, const View<uint32_t>& counts,
                  const View<float>& out) {
  if (q_len != q_count * dim) {
    raise(info.Env(), "DIMENSION_MISMATCH", op + ": query has " + std::to_string(q_len) +
                                                " values, expected qCount x dim = " + std::to_string(q_count) + " x " +
                                                std::to_string(dim));
    return false;
  }
  if (starts.length != counts.length || out.length != starts.length) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": starts, counts and out must have the same length");
    return false;
  }
  size_t vectors = docs_len / dim;
  if (scales_len < vectors) vectors = scales_len;
  for (size_t i = 0; i < starts.length; i++) {
    const uint64_t end = static_cast<uint64_t>(starts.data[i]) + counts.data[i];
    if (end > vectors) {
      raise(info.Env(), "INVALID_ARGUMENT", op + ": candidate " + std::to_string(i) + " (start " +
                                                std::to_string(starts.data[i]) + ", count " +
                                                std::to_string(counts.data[i]) + ") lies outside the arena of " +
                                                std::to_string(vectors) + " vectors");
      return false;
    }
  }
  return true;
}

bool check_dots(const Napi::CallbackInfo& info, const std::string& op, size_t q_len, size_t dim, size_t rows_len,
                size_t scales_len, size_t ids_arg, View<uint32_t>& ids, bool& has_ids, const View<float>& out) {
  if (q_len != dim) {
    raise(info.Env(), "DIMENSION_MISMATCH", op + ": query has " + std::to_string(q_len) + " values, expected dim = " +
                                                std::to_string(dim));
    return false;
  }
  size_t n = rows_len / dim;
  if (scales_len < n) n = scales_len;
  Napi::Value v = info[ids_arg];
  has_ids = !(v.IsNull() || v.IsUndefined());
  if (!has_ids) {
    if (out.length > n) {
      raise(info.Env(), "INVALID_ARGUMENT", op + ": out asks for " + std::to_string(out.length) + " rows but only " +
                                                std::to_string(n) + " are available");
      return false;
    }
    return true;
  }
  if (!get_array(info, ids_arg, napi_uint32_array, "Uint32Array", op, "rowIds", ids)) return false;
  if (ids.length != out.length) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": rowIds and out must have the same length");
    return false;
  }
  for (size_t i = 0; i < ids.length; i++) {
    if (ids.data[i] >= n) {
      raise(info.Env(), "INVALID_ARGUMENT", op + ": rowIds[" + std::to_string(i) + "] = " +
                                                std::to_string(ids.data[i]) + " is outside the " + std::to_string(n) +
                                                " available rows");
      return false;
    }
  }
  return true;
}

constexpr size_t kNoLimit = static_cast<size_t>(-1);

// maxsimF32 / maxsimF16 (query, qCount, dim, docs, starts, counts, out)
template <typename DocT>
Napi::Value maxsim_float(const Napi::CallbackInfo& info, const char* opname, napi_typedarray_type doc_type,
                         const char* doc_type_name) {
  const std::string op(opname);
  View<float> query, out;
  View<DocT> docs;
  View<uint32_t> starts, counts;
  size_t q_count = 0, dim = 0;
  if (!get_array(info, 0, napi_float32_array, "Float32Array", op, "query", query) ||
      !get_count(info, 1, 0, op, "qCount", q_count) || !get_count(info, 2, 1, op, "dim", dim) ||
      !get_array(info, 3, doc_type, doc_type_name, op, "docs", docs) ||
      !get_array(info, 4, napi_uint32_array, "Uint32Array", op, "starts", starts) ||
      !get_array(info, 5, napi_uint32_array, "Uint32Array", op, "counts", counts) ||
      !get_array(info, 6, napi_float32_array, "Float32Array", op, "out", out) ||
      !check_maxsim(info, op, query.length, q_count, dim, docs.length, kNoLimit, starts, counts, out))
    return info.Env().Undefined();
  AlignedVec<float> qp = pad_query(query.data, q_count, dim);
  const QueryF32 q{qp.data(), q_count, dim, padded(dim)};
  const Candidates c{starts.data, counts.data, starts.length, out.data};
  if constexpr (std::is_same_v<DocT, float>) {
    active_table()->maxsim_f32(q, docs.data, c);
  } else {
    active_table()->maxsim_f16(q, docs.data, c);
  }
  return info.Env().Undefined();
}

// maxsimF32Screen / maxsimF16Screen (query, qCount, dim, docs, screenI8, screenStats, starts, counts, out)
template <typename DocT>
Napi::Value maxsim_screen(const Napi::CallbackInfo& info, const char* opname, napi_typedarray_type doc_type,
                          const char* doc_type_name) {
  const std::string op(opname);
  View<float> query, stats, out;
  View<DocT> docs;
  View<int8_t> side;
  View<uint32_t> starts, counts;
  size_t q_count = 0, dim = 0;
  if (!get_array(info, 0, napi_float32_array, "Float32Array", op, "query", query) ||
      !get_count(info, 1, 0, op, "qCount", q_count) || !get_count(info, 2, 1, op, "dim", dim) ||
      !get_array(info, 3, doc_type, doc_type_name, op, "docs", docs) ||
      !get_array(info, 4, napi_int8_array, "Int8Array", op, "screenI8", side) ||
      !get_array(info, 5, napi_float32_array, "Float32Array", op, "screenStats", stats) ||
      !get_array(info, 6, napi_uint32_array, "Uint32Array", op, "starts", starts) ||
      !get_array(info, 7, napi_uint32_array, "Uint32Array", op, "counts", counts) ||
      !get_array(info, 8, napi_float32_array, "Float32Array", op, "out", out))
    return info.Env().Undefined();
  // the sidecar must cover every candidate vector: bound the arena by it too
  const size_t side_vectors = std::min(side.length / dim, stats.length / 6);  // kStats floats per vector
  if (!check_maxsim(info, op, query.length, q_count, dim, docs.length, side_vectors, starts, counts, out))
    return info.Env().Undefined();
  AlignedVec<float> qp = pad_query(query.data, q_count, dim);
  const QueryF32 q{qp.data(), q_count, dim, padded(dim)};
  const Candidates c{starts.data, counts.data, starts.length, out.data};
  const Screen sc{side.data, stats.data};
  if constexpr (std::is_same_v<DocT, float>) {
    active_table()->maxsim_f32_screen(q, docs.data, sc, c);
  } else {
    active_table()->maxsim_f16_screen(q, docs.data, sc, c);
  }
  return info.Env().Undefined();
}

Napi::Value MaxsimF32Screen(const Napi::CallbackInfo& info) {
  return maxsim_screen<float>(info, "maxsimF32Screen", napi_float32_array, "Float32Array");
}
Napi::Value MaxsimF16Screen(const Napi::CallbackInfo& info) {
  return maxsim_screen<uint16_t>(info, "maxsimF16Screen", napi_uint16_array, "Uint16Array");
}

Napi::Value MaxsimF32(const Napi::CallbackInfo& info) {
  return maxsim_float<float>(info, "maxsimF32", napi_float32_array, "Float32Array");
}
Napi::Value MaxsimF16(const Napi::CallbackInfo& info) {
  return maxsim_float<uint16_t>(info, "maxsimF16", napi_uint16_array, "Uint16Array");
}

// maxsimI8(query, qCount, dim, docs, docScales, starts, counts, out)
Napi::Value MaxsimI8(const Napi::CallbackInfo& info) {
  const std::string op("maxsimI8");
  View<float> query, scales, out;
  View<int8_t> docs;
  View<uint32_t> starts, counts;
  size_t q_count = 0, dim = 0;
  if (!get_array(info, 0, napi_float32_array, "Float32Array", op, "query", query) ||
      !get_count(info, 1, 0, op, "qCount", q_count) || !get_count(info, 2, 1, op, "dim", dim) ||
      !get_array(info, 3, napi_int8_array, "Int8Array", op, "docs", docs) ||
      !get_array(info, 4, napi_float32_array, "Float32Array", op, "docScales", scales) ||
      !get_array(info, 5, napi_uint32_array, "Uint32Array", op, "starts", starts) ||
      !get_array(info, 6, napi_uint32_array, "Uint32Array", op, "counts", counts) ||
      !get_array(info, 7, napi_float32_array, "Float32Array", op, "out", out) ||
      !check_maxsim(info, op, query.length, q_count, dim, docs.length, scales.length, starts, counts, out))
    return info.Env().Undefined();
  if (dim > kMaxI8Dim) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": dim " + std::to_string(dim) + " exceeds 65536 (i8 sums must stay exact)");
    return info.Env().Undefined();
  }
  // optional 9th argument: Int32Array of Σ d8 per arena row (docs.length / dim values)
  View<int32_t> row_sums;
  if (info.Length() > 8 && !info[8].IsUndefined() && !info[8].IsNull()) {
    if (!get_array(info, 8, napi_int32_array, "Int32Array", op, "docSums", row_sums)) return info.Env().Undefined();
    if (row_sums.length != docs.length / dim) {
      raise(info.Env(), "INVALID_ARGUMENT", op + ": docSums must hold one sum per document vector (" + std::to_string(docs.length / dim) + "), got " + std::to_string(row_sums.length));
      return info.Env().Undefined();
    }
  }
  QuantQuery qq = quantize_query(query.data, q_count, dim);
  QueryI8 q{qq.data.data(), qq.scales.data(), qq.sums.data(), q_count, dim, padded(dim)};
  q.row_sums = row_sums.data;
  active_table()->maxsim_i8(q, docs.data, scales.data, Candidates{starts.data, counts.data, starts.length, out.data});
  return info.Env().Undefined();
}

// maxsimCodes(query, qCount, dim, codes: Uint8Array, bits, table: Int8Array, scale,
//             cids: Uint16Array | null, norms: Float32Array | null, ct: Float32Array | null, k, starts, counts, out,
//             centroids?: Int8Array | null, centroidScales?: Float32Array | null)
// With centroids (k x dim int8 rows + k scales), ct is an output: filled with the query x centroid
// i8 dots (as dotsI8) by the kernel, which then scores from it.
Napi::Value MaxsimCodes(const Napi::CallbackInfo& info) {
  const std::string op("maxsimCodes");
  View<float> query, out, ct, norms, cscales;
  View<uint8_t> codes;
  View<int8_t> table, c8;
  View<uint16_t> cids;
  View<uint32_t> starts, counts;
  size_t q_count = 0, dim = 0, bits = 0, k = 0;
  if (!get_array(info, 0, napi_float32_array, "Float32Array", op, "query", query) ||
      !get_count(info, 1, 0, op, "qCount", q_count) || !get_count(info, 2, 1, op, "dim", dim) ||
      !get_array(info, 3, napi_uint8_array, "Uint8Array", op, "codes", codes) ||
      !get_count(info, 4, 1, op, "bits", bits) ||
      !get_array(info, 5, napi_int8_array, "Int8Array", op, "table", table) ||
      !get_array(info, 11, napi_uint32_array, "Uint32Array", op, "starts", starts) ||
      !get_array(info, 12, napi_uint32_array, "Uint32Array", op, "counts", counts) ||
      !get_array(info, 13, napi_float32_array, "Float32Array", op, "out", out))
    return info.Env().Undefined();
  if (bits != 1 && bits != 2 && bits != 4) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": bits must be 1, 2 or 4");
    return info.Env().Undefined();
  }
  if (dim > kMaxI8Dim) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": dim " + std::to_string(dim) + " exceeds 65536 (sums must stay exact)");
    return info.Env().Undefined();
  }
  if (table.length != (size_t{1} << bits)) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": table must hold 2^bits levels");
    return info.Env().Undefined();
  }
  for (size_t i = 0; i < table.length; i++)
    if (table.data[i] == -128) {
      raise(info.Env(), "INVALID_ARGUMENT", op + ": table levels must lie in [-127, 127]");
      return info.Env().Undefined();
    }
  const double scale = info[6].IsNumber() ? info[6].As<Napi::Number>().DoubleValue() : std::nan("");
  if (!std::isfinite(scale)) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": scale must be a finite number");
    return info.Env().Undefined();
  }
  const bool has_c = !(info[7].IsNull() || info[7].IsUndefined());
  if (has_c != !(info[8].IsNull() || info[8].IsUndefined()) || has_c != !(info[9].IsNull() || info[9].IsUndefined())) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": cids, norms and ct come together (all or none)");
    return info.Env().Undefined();
  }
  const size_t bytes = codes_bytes(dim, static_cast<int>(bits));
  size_t vectors = codes.length / bytes;
  if (has_c) {
    if (!get_array(info, 7, napi_uint16_array, "Uint16Array", op, "cids", cids) ||
        !get_array(info, 8, napi_float32_array, "Float32Array", op, "norms", norms) ||
        !get_array(info, 9, napi_float32_array, "Float32Array", op, "ct", ct) || !get_count(info, 10, 1, op, "k", k))
      return info.Env().Undefined();
    if (ct.length != q_count * k) {
      raise(info.Env(), "INVALID_ARGUMENT", op + ": ct must hold qCount x k values");
      return info.Env().Undefined();
    }
    if (cids.length < vectors) vectors = cids.length;
    if (norms.length < vectors) vectors = norms.length;
  }
  const bool fill = info.Length() > 14 && !(info[14].IsNull() || info[14].IsUndefined());
  if (fill) {
    if (!has_c) {
      raise(info.Env(), "INVALID_ARGUMENT", op + ": centroids need cids, norms and ct (the table to fill)");
      return info.Env().Undefined();
    }
    if (!get_array(info, 14, napi_int8_array, "Int8Array", op, "centroids", c8) ||
        !get_array(info, 15, napi_float32_array, "Float32Array", op, "centroidScales", cscales))
      return info.Env().Undefined();
    if (c8.length != k * dim || cscales.length != k) {
      raise(info.Env(), "INVALID_ARGUMENT", op + ": centroids must hold k x dim values and centroidScales k");
      return info.Env().Undefined();
    }
  }
  if (!check_maxsim(info, op, query.length, q_count, dim, vectors * dim, kNoLimit, starts, counts, out))
    return info.Env().Undefined();
  if (has_c) {
    for (size_t i = 0; i < starts.length; i++)
      for (size_t v = starts.data[i], e = v + counts.data[i]; v < e; v++)
        if (cids.data[v] >= k) {
          raise(info.Env(), "INVALID_ARGUMENT", op + ": centroid id " + std::to_string(cids.data[v]) + " of vector " + std::to_string(v) + " is not below k = " + std::to_string(k));
          return info.Env().Undefined();
        }
  }
  QuantQuery qq = quantize_query(query.data, q_count, dim);
  const QueryI8 q{qq.data.data(), qq.scales.data(), qq.sums.data(), q_count, dim, padded(dim)};
  const Codes cd{codes.data, bytes, static_cast<int>(bits), table.data, static_cast<float>(scale),
                 has_c ? cids.data : nullptr, has_c ? norms.data : nullptr, has_c ? ct.data : nullptr, k,
                 fill ? c8.data : nullptr, fill ? cscales.data : nullptr, fill ? ct.data : nullptr};
  active_table()->maxsim_codes(q, cd, Candidates{starts.data, counts.data, starts.length, out.data});
  return info.Env().Undefined();
}

// dotsF32 / dotsF16 (query, dim, rows, rowIds | null, out)
template <typename DocT>
Napi::Value dots_float(const Napi::CallbackInfo& info, const char* opname, napi_typedarray_type row_type,
                       const char* row_type_name) {
  const std::string op(opname);
  View<float> query, out;
  View<DocT> rows;
  View<uint32_t> ids;
  bool has_ids = false;
  size_t dim = 0;
  if (!get_array(info, 0, napi_float32_array, "Float32Array", op, "query", query) ||
      !get_count(info, 1, 1, op, "dim", dim) || !get_array(info, 2, row_type, row_type_name, op, "rows", rows) ||
      !get_array(info, 4, napi_float32_array, "Float32Array", op, "out", out) ||
      !check_dots(info, op, query.length, dim, rows.length, kNoLimit, 3, ids, has_ids, out))
    return info.Env().Undefined();
  AlignedVec<float> qp = pad_query(query.data, 1, dim);
  const QueryF32 q{qp.data(), 1, dim, padded(dim)};
  const Rows rs{has_ids ? ids.data : nullptr, out.length, out.data};
  if (rs.n == 0) return info.Env().Undefined();
  if constexpr (std::is_same_v<DocT, float>) {
    active_table()->dots_f32(q, rows.data, rs);
  } else {
    active_table()->dots_f16(q, rows.data, rs);
  }
  return info.Env().Undefined();
}

Napi::Value DotsF32(const Napi::CallbackInfo& info) { return dots_float<float>(info, "dotsF32", napi_float32_array, "Float32Array"); }
Napi::Value DotsF16(const Napi::CallbackInfo& info) { return dots_float<uint16_t>(info, "dotsF16", napi_uint16_array, "Uint16Array"); }

// dotsI8(query, dim, rows, rowScales, rowIds | null, out)
Napi::Value DotsI8(const Napi::CallbackInfo& info) {
  const std::string op("dotsI8");
  View<float> query, scales, out;
  View<int8_t> rows;
  View<uint32_t> ids;
  bool has_ids = false;
  size_t dim = 0;
  if (!get_array(info, 0, napi_float32_array, "Float32Array", op, "query", query) ||
      !get_count(info, 1, 1, op, "dim", dim) || !get_array(info, 2, napi_int8_array, "Int8Array", op, "rows", rows) ||
      !get_array(info, 3, napi_float32_array, "Float32Array", op, "rowScales", scales) ||
      !get_array(info, 5, napi_float32_array, "Float32Array", op, "out", out) ||
      !check_dots(info, op, query.length, dim, rows.length, scales.length, 4, ids, has_ids, out))
    return info.Env().Undefined();
  if (dim > kMaxI8Dim) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": dim " + std::to_string(dim) + " exceeds 65536 (i8 sums must stay exact)");
    return info.Env().Undefined();
  }
  QuantQuery qq = quantize_query(query.data, 1, dim);
  const QueryI8 q{qq.data.data(), qq.scales.data(), qq.sums.data(), 1, dim, padded(dim)};
  const Rows rs{has_ids ? ids.data : nullptr, out.length, out.data};
  if (rs.n == 0) return info.Env().Undefined();
  active_table()->dots_i8(q, rows.data, scales.data, rs);
  return info.Env().Undefined();
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsString()) {
    raise(info.Env(), "INVALID_ARGUMENT", "setIsa: expected an ISA name string");
    return info.Env().Undefined();
  }
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  if (!set_active_isa(name.c_str())) raise(info.Env(), "INVALID_ARGUMENT", "setIsa: ISA '" + name + "' is not available");
  return info.Env().Undefined();
}

// addressMod(arrayBuffer, modulus): the backing store's address modulo a power of two (<= 2 MiB),
// so TS can place typed arrays on cache lines / pages (rows off a cache line split every SIMD
// load in two lines; rows across pages touch two pages).
Napi::Value AddressMod(const Napi::CallbackInfo& info) {
  const double m = info.Length() >= 2 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0;
  const auto mu = static_cast<uintptr_t>(m);
  if (info.Length() < 2 || !info[0].IsArrayBuffer() || !(m >= 1 && m <= 2097152) || static_cast<double>(mu) != m ||
      (mu & (mu - 1)) != 0) {
    raise(info.Env(), "INVALID_ARGUMENT", "addressMod: expected an ArrayBuffer and a power of two <= 2097152");
    return info.Env().Undefined();
  }
  const auto addr = reinterpret_cast<uintptr_t>(info[0].As<Napi::ArrayBuffer>().Data());
  return Napi::Number::New(info.Env(), static_cast<double>(addr & (mu - 1)));
}

// adviseHugePages(arrayBuffer): asks Linux for transparent huge pages over the buffer's whole
// 2 MiB-aligned pages (madvise MADV_HUGEPAGE: fewer TLB misses when kernels touch rows scattered
// over a large arena). Advice only: returns whether the kernel accepted it; false elsewhere.
Napi::Value AdviseHugePages(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsArrayBuffer()) {
    raise(info.Env(), "INVALID_ARGUMENT", "adviseHugePages: expected an ArrayBuffer");
    return info.Env().Undefined();
  }
  bool ok = false;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  auto ab = info[0].As<Napi::ArrayBuffer>();
  const uintptr_t huge = uintptr_t{1} << 21;
  const uintptr_t from = (reinterpret_cast<uintptr_t>(ab.Data()) + huge - 1) & ~(huge - 1);
  const uintptr_t to = (reinterpret_cast<uintptr_t>(ab.Data()) + ab.ByteLength()) & ~(huge - 1);
  if (to > from) ok = madvise(reinterpret_cast<void*>(from), to - from, MADV_HUGEPAGE) == 0;
#endif
  return Napi::Boolean::New(info.Env(), ok);
}

Napi::Value Isa(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), active_table()->isa); }

Napi::Value Available(const Napi::CallbackInfo& info) {
  const KernelTable* tables[8];
  const size_t n = available_isas(tables, 8);
  Napi::Array arr = Napi::Array::New(info.Env(), n);
  for (size_t i = 0; i < n; i++) arr.Set(static_cast<uint32_t>(i), Napi::String::New(info.Env(), tables[i]->isa));
  return arr;
}

// ---- storage conversions (convert.h): bit-identical to the TS twins -------------------------

// f32ToF16(src: Float32Array, dst: Uint16Array, dstOffset): dst[dstOffset + i] = f16(src[i]).
Napi::Value F32ToF16(const Napi::CallbackInfo& info) {
  const std::string op("f32ToF16");
  View<float> src;
  View<uint16_t> dst;
  size_t off = 0;
  if (!get_array(info, 0, napi_float32_array, "Float32Array", op, "src", src)) return info.Env().Undefined();
  if (!get_array(info, 1, napi_uint16_array, "Uint16Array", op, "dst", dst)) return info.Env().Undefined();
  if (!get_count(info, 2, 0, op, "dstOffset", off)) return info.Env().Undefined();
  if (off > dst.length || src.length > dst.length - off) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": dst is too short for src at dstOffset");
    return info.Env().Undefined();
  }
  f32_to_f16_rows(src.data, dst.data + off, src.length);
  return info.Env().Undefined();
}

// quantizeI8Rows(src: Float32Array, dim, dst: Int8Array, dstOffset, scales: Float32Array, scaleOffset)
Napi::Value QuantizeI8Rows(const Napi::CallbackInfo& info) {
  const std::string op("quantizeI8Rows");
  View<float> src, scales;
  View<int8_t> dst;
  size_t dim = 0, off = 0, soff = 0;
  if (!get_array(info, 0, napi_float32_array, "Float32Array", op, "src", src)) return info.Env().Undefined();
  if (!get_count(info, 1, 1, op, "dim", dim)) return info.Env().Undefined();
  if (!get_array(info, 2, napi_int8_array, "Int8Array", op, "dst", dst)) return info.Env().Undefined();
  if (!get_count(info, 3, 0, op, "dstOffset", off)) return info.Env().Undefined();
  if (!get_array(info, 4, napi_float32_array, "Float32Array", op, "scales", scales)) return info.Env().Undefined();
  if (!get_count(info, 5, 0, op, "scaleOffset", soff)) return info.Env().Undefined();
  const size_t rows = src.length / dim;
  if (src.length % dim != 0 || off > dst.length || src.length > dst.length - off || soff > scales.length || rows > scales.length - soff) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": src must be rows x dim values and dst / scales long enough at their offsets");
    return info.Env().Undefined();
  }
  quantize_i8_rows(src.data, dim, rows, dst.data + off, scales.data + soff);
  return info.Env().Undefined();
}

// buildScreenF32 / F16(rows, dim, from, count, i8: Int8Array, stats: Float32Array)
template <typename T>
Napi::Value build_screen(const Napi::CallbackInfo& info, const char* opname, napi_typedarray_type type, const char* type_name) {
  const std::string op(opname);
  View<T> rows;
  View<int8_t> i8;
  View<float> stats;
  size_t dim = 0, from = 0, count = 0;
  if (!get_array(info, 0, type, type_name, op, "rows", rows)) return info.Env().Undefined();
  if (!get_count(info, 1, 1, op, "dim", dim)) return info.Env().Undefined();
  if (!get_count(info, 2, 0, op, "from", from)) return info.Env().Undefined();
  if (!get_count(info, 3, 0, op, "count", count)) return info.Env().Undefined();
  if (!get_array(info, 4, napi_int8_array, "Int8Array", op, "i8", i8)) return info.Env().Undefined();
  if (!get_array(info, 5, napi_float32_array, "Float32Array", op, "stats", stats)) return info.Env().Undefined();
  const uint64_t end = static_cast<uint64_t>(from) + count;
  if (end * dim > rows.length || end * dim > i8.length || end * kScreenStats > stats.length) {
    raise(info.Env(), "INVALID_ARGUMENT", op + ": vectors [from, from + count) exceed rows, i8 or stats");
    return info.Env().Undefined();
  }
  if constexpr (std::is_same_v<T, float>) build_screen_f32(rows.data, dim, from, count, i8.data, stats.data);
  else build_screen_f16(rows.data, dim, from, count, i8.data, stats.data);
  return info.Env().Undefined();
}

Napi::Value BuildScreenF32(const Napi::CallbackInfo& info) { return build_screen<float>(info, "buildScreenF32", napi_float32_array, "Float32Array"); }
Napi::Value BuildScreenF16(const Napi::CallbackInfo& info) { return build_screen<uint16_t>(info, "buildScreenF16", napi_uint16_array, "Uint16Array"); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("f32ToF16", Napi::Function::New(env, F32ToF16));
  register_analyze(env, exports);
  exports.Set("quantizeI8Rows", Napi::Function::New(env, QuantizeI8Rows));
  exports.Set("buildScreenF32", Napi::Function::New(env, BuildScreenF32));
  exports.Set("buildScreenF16", Napi::Function::New(env, BuildScreenF16));
  exports.Set("maxsimF32", Napi::Function::New(env, MaxsimF32));
  exports.Set("maxsimF16", Napi::Function::New(env, MaxsimF16));
  exports.Set("maxsimI8", Napi::Function::New(env, MaxsimI8));
  exports.Set("maxsimF32Screen", Napi::Function::New(env, MaxsimF32Screen));
  exports.Set("maxsimF16Screen", Napi::Function::New(env, MaxsimF16Screen));
  exports.Set("maxsimCodes", Napi::Function::New(env, MaxsimCodes));
  exports.Set("dotsF32", Napi::Function::New(env, DotsF32));
  exports.Set("dotsF16", Napi::Function::New(env, DotsF16));
  exports.Set("dotsI8", Napi::Function::New(env, DotsI8));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa));
  exports.Set("isa", Napi::Function::New(env, Isa));
  exports.Set("addressMod", Napi::Function::New(env, AddressMod));
  exports.Set("adviseHugePages", Napi::Function::New(env, AdviseHugePages));
  exports.Set("available", Napi::Function::New(env, Available));
  register_mmap(env, exports);
  register_hnsw(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(trident_native, Init)
