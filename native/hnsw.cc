// HNSW search over the graphs of several dense segments in one call (issue 16).
//
// Exports (registered by addon.cc's Init through register_hnsw):
//   hnswSearch(query: Float32Array, dim, f16: boolean, graphs: Array<[file: Uint8Array,
//              offsets: Float64Array, keys: Uint32Array, dead: Uint8Array | null, entry,
//              maxLevel, connectivity, ef]>, k, outIds: Uint32Array, outScores: Float32Array)
//              -> number
//   Each graph is a usearch file as trident writes it (layout: src/dense/graph-validate.ts):
//   u32 rows · u32 bytes per vector · the vectors (slot order) · heads · per node u64 key · i16
//   level · level-0 list (u32 count, 2 × connectivity u32 slots) · per upper level (u32 count,
//   connectivity slots). `offsets[s]` is node s's byte offset, `keys[s]` its global id,
//   `dead[s]` non-zero for a deleted node (walked through, never returned).
//   Returns how many hits were written (≤ k; best first, ties by lower id), or -1 - g when
//   graph g's bytes disagree with what the caller said (a node outside the file, a count above
//   the capacity, a link outside the graph): the caller raises a typed error naming the file.
//
// Algorithm (per graph, as usearch's own search: `search_for_one_` then
// `search_to_find_in_base_`): greedy descent from the entry node through the upper levels
// (move to the best neighbour while it improves), then a beam search on level 0 that keeps the
// best max(ef, k) nodes and stops when the best unexpanded candidate is worse than the worst
// kept one. Scores are the dense kernels' dots (dots_f32 / dots_f16 of the active ISA) over the
// file's vectors, so a hit's score equals DenseSegment.dots for it bit for bit.
//
// Several graphs: searched in the order given, each at its own breadth, into one shared top-k
// (no per-graph lists, no merge). Pruning a graph's beam by the shared k-th score (Lucene's
// MultiLeafKnnCollector idea) was measured and not kept: on clustered data it lost recall
// (0.99 -> 0.89-0.96) faster than it saved time.
//
// Checks: argument types; per graph: rows × vector bytes inside the file, the graph header's
// size and connectivity as described, offsets / keys / dead lengths = rows, entry < rows; per node read: its tape inside the
// file, its level ≥ the level read, counts ≤ capacity, linked slots < rows. The TS side
// validated the file when the segment was opened; these checks keep a bad argument from ever
// reading outside the buffers.
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "kernels.h"

namespace trident {
namespace {

void raise_error(Napi::Env env, const std::string& msg) {
  Napi::Error::New(env, std::string("TRIDENT_NATIVE:INVALID_ARGUMENT: hnswSearch: ") + msg).ThrowAsJavaScriptException();
}

struct GraphIn {
  const uint8_t* file;
  size_t len;
  const double* offs;
  const uint32_t* keys;
  const uint8_t* dead;
  size_t n;
  uint32_t entry, max_level, conn, ef;
  const void* vectors;
};

struct Hit {
  float s;
  uint32_t id;
};

// a better than b: higher score, ties by lower id
inline bool better(const Hit& a, const Hit& b) { return a.s > b.s || (a.s == b.s && a.id < b.id); }

inline uint32_t rd32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t rd64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

// Level `level`'s list of node `slot`; false when the bytes disagree (see Checks).
bool links(const GraphIn& g, uint32_t slot, uint32_t level, const uint8_t*& list, uint32_t& count) {
  const double o = g.offs[slot];
  if (!(o >= 0) || o > static_cast<double>(g.len)) return false;
  const size_t off = static_cast<size_t>(o);
  if (off + 10 > g.len) return false;
  int16_t lv;
  std::memcpy(&lv, g.file + off + 8, 2);
  if (lv < 0 || static_cast<uint32_t>(lv) < level) return false;
  const size_t base = 4 + 4 * static_cast<size_t>(2 * g.conn), upper = 4 + 4 * static_cast<size_t>(g.conn);
  const size_t at = off + 10 + (level == 0 ? 0 : base + (level - 1) * upper);
  const size_t cap = level == 0 ? 2 * g.conn : g.conn;
  if (at + 4 + 4 * cap > g.len) return false;
  count = rd32(g.file + at);
  if (count > cap) return false;
  list = g.file + at + 4;
  return true;
}

struct Scratch {
  std::vector<uint32_t> stamp;
  uint32_t epoch = 0;
  std::vector<uint32_t> ids;
  std::vector<float> scores;
  std::vector<Hit> next;  // max-heap by score (best on top)
  std::vector<Hit> top;   // min-heap by score (worst on top); Hit.id holds the slot
};

thread_local Scratch tls;

struct WorseFirst {  // heap comparator: the worst on top
  bool operator()(const Hit& a, const Hit& b) const { return better(a, b); }
};
struct BestFirst {
  bool operator()(const Hit& a, const Hit& b) const { return better(b, a); }
};

class Searcher {
 public:
  Searcher(const float* q, size_t dim, bool f16, size_t k) : dim_(dim), f16_(f16), k_(k) {
    const size_t stride = (dim + 63) / 64 * 64;
    qbuf_ = static_cast<float*>(::operator new(stride * sizeof(float), std::align_val_t(64)));
    std::fill(qbuf_, qbuf_ + stride, 0.0f);
    std::memcpy(qbuf_, q, dim * sizeof(float));
    q_ = QueryF32{qbuf_, 1, dim, stride};
    table_ = active_table();
  }
  ~Searcher() { ::operator delete(qbuf_, std::align_val_t(64)); }
  Searcher(const Searcher&) = delete;
  Searcher& operator=(const Searcher&) = delete;

  // false: the graph's bytes disagree with its description
  bool search(const GraphIn& g) {
    if (g.n == 0) return true;
    const size_t limit = std::max<size_t>(g.ef, k_);
    Scratch& t = tls;
    if (t.stamp.size() < g.n) t.stamp.resize(g.n, 0);
    if (++t.epoch == 0) {
      std::fill(t.stamp.begin(), t.stamp.end(), 0);
      t.epoch = 1;
    }
    uint32_t cur = g.entry;
    float cur_s = score_one(g, cur);
    for (uint32_t level = g.max_level; level >= 1; level--) {
      for (bool changed = true; changed;) {
        changed = false;
        const uint8_t* list;
        uint32_t count;
        if (!links(g, cur, level, list, count)) return false;
        t.ids.resize(count);
        for (uint32_t i = 0; i < count; i++) {
          t.ids[i] = rd32(list + 4 * i);
          if (t.ids[i] >= g.n) return false;
        }
        score(g, count);
        for (uint32_t i = 0; i < count; i++)
          if (t.scores[i] > cur_s) {
            cur_s = t.scores[i];
            cur = t.ids[i];
            changed = true;
          }
      }
    }
    t.next.clear();
    t.top.clear();
    t.next.push_back({cur_s, cur});
    t.top.push_back({cur_s, cur});
    t.stamp[cur] = t.epoch;
    float radius = cur_s;  // the worst kept score
    while (!t.next.empty()) {
      const Hit c = t.next.front();
      if (c.s < radius && t.top.size() >= limit) break;
      std::pop_heap(t.next.begin(), t.next.end(), BestFirst());
      t.next.pop_back();
      const uint8_t* list;
      uint32_t count;
      if (!links(g, c.id, 0, list, count)) return false;
      t.ids.clear();
      for (uint32_t i = 0; i < count; i++) {
        const uint32_t s = rd32(list + 4 * i);
        if (s >= g.n) return false;
        if (t.stamp[s] == t.epoch) continue;
        t.stamp[s] = t.epoch;
        t.ids.push_back(s);
      }
      const size_t m = t.ids.size();
      if (m == 0) continue;
      score(g, m);
      for (size_t i = 0; i < m; i++) {
        const float s = t.scores[i];
        if (t.top.size() >= limit && !(s > radius)) continue;
        t.next.push_back({s, t.ids[i]});
        std::push_heap(t.next.begin(), t.next.end(), BestFirst());
        t.top.push_back({s, t.ids[i]});
        std::push_heap(t.top.begin(), t.top.end(), WorseFirst());
        if (t.top.size() > limit) {
          std::pop_heap(t.top.begin(), t.top.end(), WorseFirst());
          t.top.pop_back();
        }
        radius = t.top.front().s;
      }
    }
    for (const Hit& h : t.top)
      if (g.dead == nullptr || g.dead[h.id] == 0) offer({h.s, g.keys[h.id]});
    return true;
  }

  size_t finish(uint32_t* ids, float* scores) {
    std::sort(best_.begin(), best_.end(), better);
    for (size_t i = 0; i < best_.size(); i++) {
      ids[i] = best_[i].id;
      scores[i] = best_[i].s;
    }
    return best_.size();
  }

 private:
  void offer(const Hit& h) {
    if (best_.size() < k_) {
      best_.push_back(h);
      std::push_heap(best_.begin(), best_.end(), WorseFirst());
    } else if (better(h, best_.front())) {
      std::pop_heap(best_.begin(), best_.end(), WorseFirst());
      best_.back() = h;
      std::push_heap(best_.begin(), best_.end(), WorseFirst());
    }
  }

  void score(const GraphIn& g, size_t m) {
    Scratch& t = tls;
    if (t.scores.size() < m) t.scores.resize(m);
    const Rows rs{t.ids.data(), m, t.scores.data()};
    if (f16_) table_->dots_f16(q_, static_cast<const uint16_t*>(g.vectors), rs);
    else table_->dots_f32(q_, static_cast<const float*>(g.vectors), rs);
  }

  float score_one(const GraphIn& g, uint32_t slot) {
    tls.ids.assign(1, slot);
    score(g, 1);
    return tls.scores[0];
  }

  size_t dim_;
  bool f16_;
  size_t k_;
  float* qbuf_;
  QueryF32 q_;
  const KernelTable* table_;
  std::vector<Hit> best_;  // the shared top-k, worst on top
};

bool get_typed(Napi::Value v, napi_typedarray_type type, const uint8_t*& data, size_t& count) {
  if (!v.IsTypedArray()) return false;
  auto ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != type) return false;
  data = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  count = ta.ElementLength();
  return true;
}

bool get_uint(Napi::Value v, double max, uint32_t& out) {
  if (!v.IsNumber()) return false;
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > max || std::floor(d) != d) return false;
  out = static_cast<uint32_t>(d);
  return true;
}

Napi::Value HnswSearch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const uint8_t* qp;
  size_t qn;
  uint32_t dim, k;
  if (info.Length() < 7 || !get_typed(info[0], napi_float32_array, qp, qn)) return raise_error(env, "query must be a Float32Array"), env.Undefined();
  if (!get_uint(info[1], 1 << 20, dim) || dim == 0 || qn != dim) return raise_error(env, "dim must be the query's length (≥ 1)"), env.Undefined();
  const bool f16 = info[2].ToBoolean().Value();
  if (!info[3].IsArray()) return raise_error(env, "graphs must be an array"), env.Undefined();
  if (!get_uint(info[4], 1 << 24, k) || k == 0) return raise_error(env, "k must be an integer ≥ 1"), env.Undefined();
  const uint8_t *op, *sp;
  size_t on, sn;
  if (!get_typed(info[5], napi_uint32_array, op, on) || !get_typed(info[6], napi_float32_array, sp, sn) || on < k || sn < k)
    return raise_error(env, "outIds / outScores must be a Uint32Array / Float32Array of at least k values"), env.Undefined();
  Napi::Array arr = info[3].As<Napi::Array>();
  const uint32_t count = arr.Length();
  std::vector<GraphIn> graphs(count);
  const size_t width = f16 ? 2 : 4;
  for (uint32_t i = 0; i < count; i++) {
    Napi::Value gv = arr.Get(i);
    if (!gv.IsArray() || gv.As<Napi::Array>().Length() != 8) return raise_error(env, "graphs[" + std::to_string(i) + "] must be [file, offsets, keys, dead, entry, maxLevel, connectivity, ef]"), env.Undefined();
    Napi::Array a = gv.As<Napi::Array>();
    GraphIn& g = graphs[i];
    size_t nf, no, nk, nd = 0;
    const uint8_t *ob, *kb, *db = nullptr;
    Napi::Value dv = a.Get(3u);
    const bool has_dead = !(dv.IsNull() || dv.IsUndefined());
    if (!get_typed(a.Get(0u), napi_uint8_array, g.file, nf) || !get_typed(a.Get(1u), napi_float64_array, ob, no) ||
        !get_typed(a.Get(2u), napi_uint32_array, kb, nk) || (has_dead && !get_typed(dv, napi_uint8_array, db, nd)) ||
        !get_uint(a.Get(4u), 4294967295.0, g.entry) || !get_uint(a.Get(5u), 255, g.max_level) ||
        !get_uint(a.Get(6u), 1 << 16, g.conn) || g.conn == 0 || !get_uint(a.Get(7u), 1 << 24, g.ef))
      return raise_error(env, "graphs[" + std::to_string(i) + "] has a wrong type or value"), env.Undefined();
    g.len = nf;
    g.offs = reinterpret_cast<const double*>(ob);
    g.keys = reinterpret_cast<const uint32_t*>(kb);
    g.dead = db;
    g.n = nk;
    if (nf < 8) return Napi::Number::New(env, -1.0 - i);
    const uint32_t rows = rd32(g.file), bytes = rd32(g.file + 4);
    const uint64_t head = 8 + static_cast<uint64_t>(rows) * bytes + 64;  // the graph header follows usearch's 64-byte head
    if (rows != nk || no != nk || (has_dead && nd != nk) || bytes != dim * width || head + 40 > nf ||
        (rows > 0 && g.entry >= rows) || rd64(g.file + head) != rows || rd64(g.file + head + 8) != g.conn ||
        rd64(g.file + head + 16) != 2 * static_cast<uint64_t>(g.conn))
      return Napi::Number::New(env, -1.0 - i);
    g.vectors = g.file + 8;
  }
  Searcher s(reinterpret_cast<const float*>(qp), dim, f16, k);
  for (uint32_t i = 0; i < count; i++)
    if (!s.search(graphs[i])) return Napi::Number::New(env, -1.0 - i);
  const size_t got = s.finish(reinterpret_cast<uint32_t*>(const_cast<uint8_t*>(op)), reinterpret_cast<float*>(const_cast<uint8_t*>(sp)));
  return Napi::Number::New(env, static_cast<double>(got));
}

}  // namespace

void register_hnsw(Napi::Env env, Napi::Object exports) { exports.Set("hnswSearch", Napi::Function::New(env, HnswSearch)); }

}  // namespace trident
