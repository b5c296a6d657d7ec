// trident native addon: batch English analysis (BM25 build), the native twin of
// src/analyze/term-batch.ts (analyser version 3's english terms).
//
// Export (registered by addon.cc's Init through register_analyze):
//   analyzeEnglish(text: Uint16Array, docEnds: Uint32Array, classes: Uint8Array(65536),
//                  stop: Uint16Array, maxWord: number)
//     -> { tokens: Int32Array, docTokenEnds: Uint32Array, fallback: Uint8Array,
//          kinds: Uint8Array, termPool: Uint8Array, termEnds: Uint32Array,
//          wordStarts: Uint32Array, wordLengths: Uint32Array }
//
// `text` holds the documents' lower-cased UTF-16 text back to back (document d is
// [docEnds[d-1], docEnds[d])); ASCII capitals may be left as they are: the addon lower-cases
// them in place first (so an ASCII-only document needs no toLowerCase on the JS side). Tokens are found exactly as src/analyze/word-scan.ts's scanWords
// does (classes[c] = 0 other, 1 number, 2 letter/mark for every BMP code unit, as word-scan
// classifies them; lone surrogates are "other"). A document holding an astral code point (a
// surrogate pair) is not analysed here: fallback[d] = 1 and the TS side analyses it.
//
// Distinct words get local ids in first-seen order. A word made only of ASCII is turned into its
// term here (english-v3.ts wordTerm: apostrophe rules, stop list, numbers kept, Porter2 as
// src/analyze/porter2.ts computes it): kinds 0 (term = termPool[termEnds[w-1], termEnds[w]))
// or 2 (dropped: its tokens are not emitted). Any other word is kind 1: its characters are
// text[wordStarts[w], + wordLengths[w]) and the TS side computes its term. tokens holds the
// local word id of every emitted token, document after document (docTokenEnds[d] = end).
//
//   termPostings(tokens, docStarts, docSel, docIds, wordTerm)
//     -> { terms, termEnds, termMax, docs, tfs, docLen }: term-major postings of analysed
//        documents (the BM25 build's bulk path; described above TermPostings below).
//
// Checks: argument types, docEnds non-decreasing and ≤ text length, classes length 65536.
// Failures throw Error("TRIDENT_NATIVE:INVALID_ARGUMENT: ...").
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace trident {
namespace {

constexpr uint8_t kOther = 0, kNum = 1;

bool is_v(char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; }

bool ends_with(const std::string& s, const char* x, size_t n) {
  return s.size() >= n && std::memcmp(s.data() + s.size() - n, x, n) == 0;
}
// literal suffixes: the length is known at compile time
template <size_t N>
bool ends_with(const std::string& s, const char (&x)[N]) {
  return ends_with(s, x, N - 1);
}
template <size_t N>
bool starts_with(const std::string& s, const char (&x)[N]) {
  return s.size() >= N - 1 && std::memcmp(s.data(), x, N - 1) == 0;
}
// JS s.indexOf(x, from) >= 0
bool contains_from(const std::string& s, const char* x, size_t from) {
  if (from > s.size()) from = s.size();
  return s.find(x, from) != std::string::npos;
}

size_t region_start(const std::string& s, size_t from) {
  size_t n = s.size(), i = from;
  while (i < n && !is_v(s[i])) i++;
  if (i >= n) return n;
  while (i < n && is_v(s[i])) i++;
  return i + 1 < n ? i + 1 : n;
}

void regions(const std::string& s, size_t& r1, size_t& r2) {
  r1 = region_start(s, 0);
  if (r1 == s.size()) {
    r2 = r1;
    return;
  }
  if (starts_with(s, "gener") || starts_with(s, "arsen")) r1 = 5;
  else if (starts_with(s, "commun")) r1 = 6;
  r2 = region_start(s, r1);
}

bool is_short(const std::string& s) {
  size_t n = s.size();
  if (n >= 3) {
    char c = s[n - 1];
    if (!is_v(s[n - 3]) && is_v(s[n - 2]) && !is_v(c) && c != 'w' && c != 'x' && c != '3') return true;
  }
  if (n == 1) return is_v(s[0]);
  if (n == 2) return is_v(s[0]) && !is_v(s[1]);
  return false;
}

void prelude(std::string& s) {
  if (!s.empty() && s[0] == 'y') s[0] = '3';
  for (size_t i = 0; i + 1 < s.size(); i++) {
    char c = s[i];
    if ((c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u') && s[i + 1] == 'y') {
      s[i + 1] = '3';
      break;
    }
  }
  if (ends_with(s, "'s")) s.resize(s.size() - 2);
  if (ends_with(s, "s'")) s.resize(s.size() - 2);
  if (ends_with(s, "'")) s.resize(s.size() - 1);
}

void step1a(std::string& s) {
  size_t n = s.size();
  if (n >= 5 && ends_with(s, "sses")) {
    s.resize(n - 2);
    return;
  }
  if (ends_with(s, "ied") || ends_with(s, "ies")) {
    if (n >= 5) {
      s.resize(n - 3);
      s += 'i';
      return;
    }
    if (n == 4) {
      s.resize(n - 3);
      s += "ie";
      return;
    }
  }
  if (n >= 3 && (ends_with(s, "us") || ends_with(s, "ss"))) return;
  if (n >= 2 && s[n - 1] == 's') {
    for (size_t i = 0; i + 1 < n - 1; i++)
      if (is_v(s[i])) {
        s.resize(n - 1);
        return;
      }
  }
}

bool is_double(const std::string& s) {
  size_t n = s.size();
  if (n < 2 || s[n - 1] != s[n - 2]) return false;
  char c = s[n - 1];
  return c == 'b' || c == 'd' || c == 'f' || c == 'g' || c == 'm' || c == 'n' || c == 'p' || c == 'r' || c == 't';
}

void step1b(std::string& s) {
  size_t n = s.size();
  if (ends_with(s, "eed") || ends_with(s, "eedly")) {
    size_t cut = ends_with(s, "eedly") ? 5 : 3;
    size_t r1, r2;
    regions(s, r1, r2);
    if (n - r1 >= cut && r1 <= n) {
      s.resize(n - cut);
      s += "ee";
    }
    return;
  }
  size_t cut = ends_with(s, "ed") ? 2 : ends_with(s, "ing") ? 3 : ends_with(s, "edly") ? 4 : ends_with(s, "ingly") ? 5 : 0;
  if (cut == 0) return;
  size_t q = n - cut;
  bool vowel = false;
  for (size_t i = 0; i < q; i++)
    if (is_v(s[i])) {
      vowel = true;
      break;
    }
  if (!vowel) return;
  s.resize(q);
  if (ends_with(s, "at") || ends_with(s, "bl") || ends_with(s, "iz")) {
    s += 'e';
    return;
  }
  if (is_double(s)) {
    s.resize(s.size() - 1);
    return;
  }
  if (is_short(s)) {
    size_t r1, r2;
    regions(s, r1, r2);
    if (r1 == s.size()) s += 'e';
  }
}

void step1c(std::string& s) {
  size_t n = s.size();
  if (n < 3) return;
  char c = s[n - 1];
  if ((c == 'y' || c == '3') && !is_v(s[n - 2])) s[n - 1] = 'i';
}

const char* longest_suffix(const std::string& s, const char* const* list, size_t count) {
  const char* best = nullptr;
  size_t best_len = 0;
  for (size_t i = 0; i < count; i++) {
    size_t len = std::strlen(list[i]);
    if ((best == nullptr || len > best_len) && ends_with(s, list[i], len)) {
      best = list[i];
      best_len = len;
    }
  }
  return best;
}

const char* const kStep2[] = {"ization", "ational", "fulness", "ousness", "iveness", "tional", "biliti", "lessli", "entli", "ation", "alism", "aliti",
                              "ousli",   "iviti",   "fulli",   "enci",    "anci",    "abli",   "izer",   "ator",   "alli",  "bli",   "ogi",   "li"};
const char* const kStep2Rules[][2] = {{"ational", "ate"}, {"ization", "ize"}, {"fulness", "ful"}, {"ousness", "ous"}, {"iveness", "ive"}, {"tional", "tion"},
                                      {"biliti", "ble"},  {"lessli", "less"}, {"iviti", "ive"},    {"ousli", "ous"},    {"ation", "ate"},    {"entli", "ent"},
                                      {"alism", "al"},    {"aliti", "al"},    {"fulli", "ful"},    {"alli", "al"},      {"ator", "ate"},     {"izer", "ize"},
                                      {"enci", "ence"},   {"anci", "ance"},   {"abli", "able"},    {"bli", "ble"}};

void replace_suffix(std::string& s, size_t cut, const char* with) {
  s.resize(s.size() - cut);
  s += with;
}

void step2(std::string& s) {
  const char* match = longest_suffix(s, kStep2, sizeof(kStep2) / sizeof(kStep2[0]));
  size_t r1, r2;
  regions(s, r1, r2);
  if (match == nullptr || !contains_from(s, match, r1)) return;
  for (const auto& rule : kStep2Rules)
    if (ends_with(s, rule[0], std::strlen(rule[0]))) {
      replace_suffix(s, std::strlen(rule[0]), rule[1]);
      return;
    }
  if (ends_with(s, "logi")) {
    s.resize(s.size() - 1);
    return;
  }
  size_t n = s.size();
  if (n >= 3 && ends_with(s, "li")) {
    char c = s[n - 3];
    if (c == 'c' || c == 'd' || c == 'e' || c == 'g' || c == 'h' || c == 'k' || c == 'm' || c == 'n' || c == 'r' || c == 't') s.resize(n - 2);
  }
}

const char* const kStep3[] = {"ational", "tional", "alize", "icate", "iciti", "ative", "ical", "ness", "ful"};

void step3(std::string& s) {
  size_t r1, r2;
  regions(s, r1, r2);
  const char* match = longest_suffix(s, kStep3, sizeof(kStep3) / sizeof(kStep3[0]));
  if (match == nullptr || !contains_from(s, match, r1)) return;
  if (ends_with(s, "ational")) return replace_suffix(s, 7, "ate");
  if (ends_with(s, "tional")) return replace_suffix(s, 6, "tion");
  if (ends_with(s, "alize")) return replace_suffix(s, 5, "al");
  if (ends_with(s, "icate") || ends_with(s, "iciti")) return replace_suffix(s, 5, "ic");
  if (ends_with(s, "ical")) return replace_suffix(s, 4, "ic");
  if (ends_with(s, "ness")) return replace_suffix(s, 4, "");
  if (ends_with(s, "ful")) return replace_suffix(s, 3, "");
  if (contains_from(s, "ative", r2) && ends_with(s, "ative")) replace_suffix(s, 5, "");
}

const char* const kStep4[] = {"ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "al", "er", "ic"};

void step4(std::string& s) {
  const char* plain = longest_suffix(s, kStep4, sizeof(kStep4) / sizeof(kStep4[0]));
  const char* match = plain != nullptr ? plain : (ends_with(s, "ion") ? "ion" : nullptr);
  size_t r1, r2;
  regions(s, r1, r2);
  if (match == nullptr || !contains_from(s, match, r2)) return;
  if (plain != nullptr) return replace_suffix(s, std::strlen(plain), "");
  size_t n = s.size();
  if (n >= 4 && (s[n - 4] == 's' || s[n - 4] == 't')) s.resize(n - 3);
}

void step5(std::string& s) {
  size_t r1, r2;
  regions(s, r1, r2);
  size_t n = s.size();
  if (ends_with(s, "e")) {
    std::string preceding = s.substr(0, n - 1);
    if (contains_from(s, "e", r2) || (contains_from(s, "e", r1) && !is_short(preceding))) s.resize(n - 1);
    return;
  }
  if (ends_with(s, "l") && r2 < n && ends_with(s, "ll")) s.resize(n - 1);
}

const char* const kExceptions1[][2] = {{"skis", "ski"},    {"skies", "sky"},    {"dying", "die"}, {"lying", "lie"},   {"tying", "tie"},     {"idly", "idl"},
                                       {"gently", "gentl"}, {"ugly", "ugli"},    {"early", "earli"}, {"only", "onli"}, {"singly", "singl"},  {"sky", "sky"},
                                       {"news", "news"},    {"atlas", "atlas"}, {"cosmos", "cosmos"}, {"bias", "bias"}, {"andes", "andes"}};
const char* const kExceptions2[] = {"inning", "outing", "canning", "herring", "proceed", "exceed", "succeed", "earring"};

// src/analyze/porter2.ts stemPorter2 on a lower-case ASCII word without line terminators.
void stem_porter2(std::string& s) {
  if (s.size() < 3) return;
  for (const auto& e : kExceptions1)
    if (s == e[0]) {
      s = e[1];
      return;
    }
  prelude(s);
  step1a(s);
  bool ex2 = false;
  for (const char* e : kExceptions2)
    if (s == e) ex2 = true;
  if (!ex2) {
    step1b(s);
    step1c(s);
    step2(s);
    step3(s);
    step4(s);
    step5(s);
  }
  for (char& c : s)
    if (c == '3') c = 'y';
}

// ^[0-9]+(?:[.,][0-9]+)+$ (NUMBER of english-v3.ts on ASCII)
bool is_number(const std::string& w) {
  size_t n = w.size(), i = 0;
  auto digits = [&]() {
    size_t a = i;
    while (i < n && w[i] >= '0' && w[i] <= '9') i++;
    return i > a;
  };
  if (!digits()) return false;
  int groups = 0;
  while (i < n) {
    if (w[i] != '.' && w[i] != ',') return false;
    i++;
    if (!digits()) return false;
    groups++;
  }
  return groups > 0;
}

const char* const kDroppedSuffix[] = {"s", "ll", "re", "ve", "d", "m"};

// english-v3.ts wordTerm on an ASCII token: "" when dropped.
std::string word_term(const std::string& tok, size_t max_word, const std::unordered_set<std::string>& stop) {
  if (tok.size() > max_word) return std::string();
  std::string word = tok;
  size_t ap = tok.find('\'');
  if (ap != std::string::npos) {
    std::vector<std::string> parts;
    size_t a = 0;
    for (;;) {
      size_t b = tok.find('\'', a);
      if (b == std::string::npos) {
        parts.push_back(tok.substr(a));
        break;
      }
      parts.push_back(tok.substr(a, b - a));
      a = b + 1;
    }
    std::string suffix;
    for (size_t i = 1; i < parts.size(); i++) suffix += parts[i];
    const std::string& base = parts[0];
    bool dropped = false;
    if (parts.size() == 2)
      for (const char* d : kDroppedSuffix)
        if (suffix == d) dropped = true;
    if (dropped) word = base;
    else if (parts.size() == 2 && suffix == "t" && base.size() > 1 && base.back() == 'n') word = base.substr(0, base.size() - 1);
    else {
      word.clear();
      for (const auto& p : parts) word += p;
    }
  }
  if (stop.count(word) != 0) return std::string();
  if (is_number(word)) return word;
  stem_porter2(word);
  return word;
}

void raise(Napi::Env env, const std::string& msg) {
  Napi::Error::New(env, std::string("TRIDENT_NATIVE:INVALID_ARGUMENT: ") + msg).ThrowAsJavaScriptException();
}

template <typename T>
bool typed(const Napi::Value& v, napi_typedarray_type type, T*& data, size_t& length) {
  if (!v.IsTypedArray()) return false;
  auto ta = v.As<Napi::TypedArray>();
  if (ta.TypedArrayType() != type) return false;
  data = reinterpret_cast<T*>(static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset());
  length = ta.ElementLength();
  return true;
}

// Distinct words of a batch: open addressing over 16-byte slots (hash, id + 1, length, pool
// offset), the words' characters copied into one compact pool, so a lookup touches one slot and
// the pool (not the far-away first occurrence in the text, nor per-word side tables).
struct WordTable {
  struct Slot {
    uint32_t hash, id1, len, off;  // id1 = 0: empty
  };
  std::vector<Slot> slots;
  std::vector<uint16_t> pool;
  std::vector<uint32_t> starts, lengths;
  const uint16_t* text;
  explicit WordTable(const uint16_t* t) : slots(1 << 16, Slot{0, 0, 0, 0}), text(t) {}

  static uint32_t hash(const uint16_t* p, size_t n) {
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h ^ (h >> 15);
  }
  static bool same(const uint16_t* a, const uint16_t* b, size_t n) {
    for (size_t i = 0; i < n; i++)
      if (a[i] != b[i]) return false;
    return true;
  }
  // Returns the id of text[start, start + n) and whether it is new.
  int32_t find_or_add(size_t start, size_t n, bool& added) {
    const uint16_t* w = text + start;
    uint32_t h = hash(w, n);
    size_t mask = slots.size() - 1;
    for (size_t p = h & mask;; p = (p + 1) & mask) {
      const Slot& slot = slots[p];
      if (slot.id1 == 0) {
        int32_t e = static_cast<int32_t>(starts.size());
        uint32_t off = static_cast<uint32_t>(pool.size());
        pool.insert(pool.end(), w, w + n);
        starts.push_back(static_cast<uint32_t>(start));
        lengths.push_back(static_cast<uint32_t>(n));
        slots[p] = Slot{h, static_cast<uint32_t>(e + 1), static_cast<uint32_t>(n), off};
        added = true;
        if (2 * starts.size() > slots.size()) rehash();
        return e;
      }
      if (slot.hash == h && slot.len == n && same(pool.data() + slot.off, w, n)) {
        added = false;
        return static_cast<int32_t>(slot.id1) - 1;
      }
    }
  }
  void rehash() {
    std::vector<Slot> old(slots.size() * 2, Slot{0, 0, 0, 0});
    old.swap(slots);
    size_t mask = slots.size() - 1;
    for (const Slot& slot : old) {
      if (slot.id1 == 0) continue;
      size_t p = slot.hash & mask;
      while (slots[p].id1 != 0) p = (p + 1) & mask;
      slots[p] = slot;
    }
  }
};

// What analyzeEnglish returns, in C++ vectors (turned into typed arrays by to_js).
struct EnglishBatch {
  std::vector<int32_t> tokens;
  std::vector<uint32_t> doc_token_ends;
  std::vector<uint8_t> fallback, kinds, pool;
  std::vector<uint32_t> term_ends, word_starts, word_lengths;
};

// The inputs of one analysis, checked; the typed arrays' memory is borrowed (the caller keeps
// them alive: the async form holds references until it has run).
struct EnglishInput {
  uint16_t* text;  // ASCII capitals are lower-cased in place first
  const uint32_t* doc_ends;
  const uint8_t* classes;
  size_t n_text, n_docs, max_word;
  std::unordered_set<std::string> stop;
};

// Checks analyzeEnglish's arguments (throwing a typed error and returning false when wrong).
bool english_input(const Napi::CallbackInfo& info, EnglishInput& in) {
  Napi::Env env = info.Env();
  uint16_t* text;
  const uint32_t* doc_ends;
  const uint8_t* classes;
  const uint16_t* stop_raw;
  size_t n_text, n_docs, n_classes, n_stop;
  if (info.Length() < 5 || !typed(info[0], napi_uint16_array, text, n_text) || !typed(info[1], napi_uint32_array, doc_ends, n_docs) ||
      !typed(info[2], napi_uint8_array, classes, n_classes) || !typed(info[3], napi_uint16_array, stop_raw, n_stop) || !info[4].IsNumber()) {
    raise(env, "analyzeEnglish(text: Uint16Array, docEnds: Uint32Array, classes: Uint8Array, stop: Uint16Array, maxWord: number)");
    return false;
  }
  if (n_classes != 65536) {
    raise(env, "analyzeEnglish: classes must hold 65536 entries");
    return false;
  }
  double max_word_d = info[4].As<Napi::Number>().DoubleValue();
  if (!(max_word_d >= 0 && max_word_d <= 1e6)) {
    raise(env, "analyzeEnglish: maxWord must be in [0, 1e6]");
    return false;
  }
  for (size_t d = 0; d < n_docs; d++)
    if (doc_ends[d] > n_text || (d > 0 && doc_ends[d] < doc_ends[d - 1])) {
      raise(env, "analyzeEnglish: docEnds must be non-decreasing and at most the text length");
      return false;
    }
  in.text = text;
  in.doc_ends = doc_ends;
  in.classes = classes;
  in.n_text = n_text;
  in.n_docs = n_docs;
  in.max_word = static_cast<size_t>(max_word_d);
  std::string cur;
  for (size_t i = 0; i < n_stop; i++) {
    if (stop_raw[i] == 0) {
      in.stop.insert(cur);
      cur.clear();
    } else if (stop_raw[i] < 0x80) {
      cur += static_cast<char>(stop_raw[i]);
    } else {
      cur += '\x01';  // a non-ASCII stop word never equals an ASCII word
    }
  }
  if (!cur.empty()) in.stop.insert(cur);
  return true;
}

// The analysis itself: no JS values touched (runs on a worker thread in the async form).
EnglishBatch analyze_english(const EnglishInput& in) {
  // ASCII capitals in place (callers lower-case other text themselves: ASCII-only documents
  // need no JS toLowerCase)
  for (size_t i = 0; i < in.n_text; i++) {
    uint16_t c = in.text[i];
    if (static_cast<uint16_t>(c - 'A') < 26) in.text[i] = static_cast<uint16_t>(c + 32);
  }
  const uint16_t* text = in.text;
  const uint32_t* doc_ends = in.doc_ends;
  const uint8_t* classes = in.classes;
  const size_t n_text = in.n_text, n_docs = in.n_docs, max_word = in.max_word;
  const std::unordered_set<std::string>& stop = in.stop;
  EnglishBatch r;
  auto cls = [&](size_t i, size_t end) -> uint8_t {
    if (i >= end) return kOther;
    uint16_t c = text[i];
    if (c >= 0xd800 && c <= 0xdfff) return kOther;  // surrogates: other (a pair sends the document to TS)
    return classes[c];
  };
  auto run_end = [&](size_t i, size_t end, bool num_only) {
    while (i < end) {
      uint8_t k = cls(i, end);
      if (k == kOther || (num_only && k != kNum)) return i;
      i++;
    }
    return i;
  };

  WordTable words(text);
  std::vector<int32_t>& tokens = r.tokens;
  std::vector<uint8_t>& kinds = r.kinds;
  std::vector<uint8_t>& pool = r.pool;
  std::vector<uint32_t>& term_ends = r.term_ends;
  std::vector<uint32_t>& doc_token_ends = r.doc_token_ends;
  std::vector<uint8_t>& fallback = r.fallback;
  doc_token_ends.assign(n_docs, 0);
  fallback.assign(n_docs, 0);
  tokens.reserve(n_text / 6 + 16);
  std::string tok;

  size_t doc_start = 0;
  for (size_t d = 0; d < n_docs; d++) {
    size_t end = doc_ends[d];
    size_t doc_tokens = tokens.size();
    size_t i = doc_start;
    bool astral = false;
    while (i < end) {
      uint8_t c = cls(i, end);
      if (c == kOther) {
        uint16_t u = text[i];
        if (u >= 0xd800 && u <= 0xdbff && i + 1 < end && text[i + 1] >= 0xdc00 && text[i + 1] <= 0xdfff) {
          astral = true;  // the TS side analyses this document (its words stay unused here)
          break;
        }
        i++;
        continue;
      }
      size_t tend = SIZE_MAX;
      if (c == kNum) {
        size_t k = run_end(i, end, true);
        while (k < end) {
          uint16_t sep = text[k];
          if ((sep == 0x2e || sep == 0x2c) && cls(k + 1, end) == kNum) tend = k = run_end(k + 1, end, true);
          else break;
        }
      }
      if (tend == SIZE_MAX) {
        size_t k = run_end(i, end, false);
        while (k < end) {
          uint16_t ap = text[k];
          if ((ap == 0x27 || ap == 0x2019) && cls(k + 1, end) != kOther) k = run_end(k + 1, end, false);
          else break;
        }
        tend = k;
      }
      bool added = false;
      int32_t w = words.find_or_add(i, tend - i, added);
      if (added) {
        bool ascii = true;
        for (size_t j = i; j < tend; j++)
          if (text[j] >= 0x80) {
            ascii = false;
            break;
          }
        if (!ascii) {
          kinds.push_back(1);
        } else {
          tok.assign(tend - i, '\0');
          for (size_t j = i; j < tend; j++) tok[j - i] = static_cast<char>(text[j]);
          std::string term = word_term(tok, max_word, stop);
          kinds.push_back(term.empty() ? 2 : 0);
          pool.insert(pool.end(), term.begin(), term.end());
        }
        term_ends.push_back(static_cast<uint32_t>(pool.size()));
      }
      if (kinds[w] != 2) tokens.push_back(w);
      i = tend;
    }
    if (astral) {
      fallback[d] = 1;
      tokens.resize(doc_tokens);
    }
    doc_token_ends[d] = static_cast<uint32_t>(tokens.size());
    doc_start = end;
  }
  r.word_starts = std::move(words.starts);
  r.word_lengths = std::move(words.lengths);
  return r;
}

// The JS object of an analysis (typed arrays copied out of the vectors).
Napi::Object english_js(Napi::Env env, const EnglishBatch& r) {
  auto out = Napi::Object::New(env);
  auto i32 = [&](const std::vector<int32_t>& v) {
    auto a = Napi::Int32Array::New(env, v.size());
    if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * 4);
    return a;
  };
  auto u32 = [&](const std::vector<uint32_t>& v) {
    auto a = Napi::Uint32Array::New(env, v.size());
    if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size() * 4);
    return a;
  };
  auto u8 = [&](const std::vector<uint8_t>& v) {
    auto a = Napi::Uint8Array::New(env, v.size());
    if (!v.empty()) std::memcpy(a.Data(), v.data(), v.size());
    return a;
  };
  out.Set("tokens", i32(r.tokens));
  out.Set("docTokenEnds", u32(r.doc_token_ends));
  out.Set("fallback", u8(r.fallback));
  out.Set("kinds", u8(r.kinds));
  out.Set("termPool", u8(r.pool));
  out.Set("termEnds", u32(r.term_ends));
  out.Set("wordStarts", u32(r.word_starts));
  out.Set("wordLengths", u32(r.word_lengths));
  return out;
}



Napi::Value AnalyzeEnglish(const Napi::CallbackInfo& info) {
  EnglishInput in;
  if (!english_input(info, in)) return info.Env().Null();
  return english_js(info.Env(), analyze_english(in));
}

// analyzeEnglishAsync: the same analysis on a libuv worker thread; resolves with the same object.
// The argument arrays are referenced until it has run (callers must not change them meanwhile).
class EnglishWorker : public Napi::AsyncWorker {
 public:
  EnglishWorker(Napi::Env env, EnglishInput in, const Napi::CallbackInfo& info)
      : Napi::AsyncWorker(env), in_(std::move(in)), deferred_(Napi::Promise::Deferred::New(env)) {
    for (size_t i = 0; i < 4; i++) refs_[i] = Napi::Persistent(info[i].As<Napi::Object>());
  }
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override { out_ = analyze_english(in_); }
  void OnOK() override { deferred_.Resolve(english_js(Env(), out_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  EnglishInput in_;
  EnglishBatch out_;
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference refs_[4];
};

Napi::Value AnalyzeEnglishAsync(const Napi::CallbackInfo& info) {
  EnglishInput in;
  if (!english_input(info, in)) return info.Env().Null();
  auto* w = new EnglishWorker(info.Env(), std::move(in), info);
  auto p = w->promise();
  w->Queue();
  return p;
}

// Term-major postings of analysed documents: the BM25 build's bulk path (twin:
// src/analyze/term-postings.ts). Document s of the selection is batch document docSel[s]
// (increasing), whose tokens are tokens[docStarts[docSel[s]], docStarts[docSel[s] + 1]) (local
// word ids); wordTerm[w] is local word w's term id (-1: dropped). For every selected document,
// its distinct terms in ascending term id with their counts (tf) are its postings; terms are
// listed in first-appearance order over (document, ascending term id) — the order in which
// PostingStore.appendBatch creates their lists — each with its postings in document order
// (doc id docIds[s]) and its largest tf. docLen[s] is the document's token count (sum of tf).
Napi::Value TermPostings(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int32_t* tokens;
  const uint32_t *doc_starts, *doc_sel, *doc_ids;
  const int32_t* word_term;
  size_t n_tokens, n_starts, n_sel, n_ids, n_words;
  if (info.Length() < 5 || !typed(info[0], napi_int32_array, tokens, n_tokens) || !typed(info[1], napi_uint32_array, doc_starts, n_starts) ||
      !typed(info[2], napi_uint32_array, doc_sel, n_sel) || !typed(info[3], napi_uint32_array, doc_ids, n_ids) || !typed(info[4], napi_int32_array, word_term, n_words)) {
    raise(env, "termPostings(tokens: Int32Array, docStarts: Uint32Array, docSel: Uint32Array, docIds: Uint32Array, wordTerm: Int32Array)");
    return env.Null();
  }
  if (n_starts < 1 || doc_starts[0] != 0 || doc_starts[n_starts - 1] > n_tokens) {
    raise(env, "termPostings: docStarts must start at 0 and end within the tokens");
    return env.Null();
  }
  for (size_t d = 1; d < n_starts; d++)
    if (doc_starts[d] < doc_starts[d - 1]) {
      raise(env, "termPostings: docStarts must be non-decreasing");
      return env.Null();
    }
  if (n_ids != n_sel) {
    raise(env, "termPostings: docIds must hold one id per selected document");
    return env.Null();
  }
  for (size_t s = 0; s < n_sel; s++)
    if (doc_sel[s] >= n_starts - 1 || (s > 0 && doc_sel[s] <= doc_sel[s - 1])) {
      raise(env, "termPostings: docSel must be increasing batch document indexes");
      return env.Null();
    }
  // local word -> dense term index (terms numbered in order of their first local word)
  std::vector<int32_t> dense_of(n_words, -1);
  std::vector<uint32_t> term_of;
  {
    std::unordered_map<uint32_t, int32_t> seen;
    seen.reserve(n_words * 2 + 16);
    for (size_t w = 0; w < n_words; w++) {
      int32_t t = word_term[w];
      if (t < -1) {
        raise(env, "termPostings: wordTerm values must be term ids or -1");
        return env.Null();
      }
      if (t < 0) continue;
      auto it = seen.emplace(static_cast<uint32_t>(t), static_cast<int32_t>(term_of.size()));
      if (it.second) term_of.push_back(static_cast<uint32_t>(t));
      dense_of[w] = it.first->second;
    }
  }
  const size_t n_terms = term_of.size();
  std::vector<uint32_t> cnt(n_terms, 0), lists(n_terms, 0);
  std::vector<int32_t> first_doc(n_terms, -1), rank(n_terms, -1);
  std::vector<int32_t> order;
  std::vector<int32_t> in_doc;
  std::vector<uint32_t> pair_term, pair_tf, pair_doc_end(n_sel);
  std::vector<float> doc_len(n_sel);
  size_t sel_tokens = 0;
  for (size_t s = 0; s < n_sel; s++) sel_tokens += doc_starts[doc_sel[s] + 1] - doc_starts[doc_sel[s]];
  pair_term.reserve(sel_tokens);
  pair_tf.reserve(sel_tokens);
  for (size_t s = 0; s < n_sel; s++) {
    const uint32_t d = doc_sel[s];
    in_doc.clear();
    for (uint32_t i = doc_starts[d]; i < doc_starts[d + 1]; i++) {
      int32_t w = tokens[i];
      if (w < 0 || static_cast<size_t>(w) >= n_words) {
        raise(env, "termPostings: a token is not a local word id");
        return env.Null();
      }
      int32_t k = dense_of[w];
      if (k < 0) continue;
      if (cnt[k]++ == 0) in_doc.push_back(k);
    }
    uint64_t dl = 0;
    for (int32_t k : in_doc) {
      if (first_doc[k] < 0) {
        first_doc[k] = static_cast<int32_t>(s);
        order.push_back(k);
      }
      lists[k]++;
      pair_term.push_back(static_cast<uint32_t>(k));
      pair_tf.push_back(cnt[k]);
      dl += cnt[k];
      cnt[k] = 0;
    }
    pair_doc_end[s] = static_cast<uint32_t>(pair_term.size());
    doc_len[s] = static_cast<float>(dl);
  }
  // first appearance over (document, ascending term id): one sort of the distinct terms
  // (documents were met in order, so `order` is already grouped by first document)
  std::sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return first_doc[a] != first_doc[b] ? first_doc[a] < first_doc[b] : term_of[a] < term_of[b]; });
  for (size_t r = 0; r < order.size(); r++) rank[order[r]] = static_cast<int32_t>(r);
  const size_t n_out = order.size();
  auto terms = Napi::Uint32Array::New(env, n_out);
  auto term_ends = Napi::Uint32Array::New(env, n_out);
  auto term_max = Napi::Float32Array::New(env, n_out);
  std::vector<uint32_t> at(n_terms, 0);
  uint32_t sum = 0;
  for (size_t r = 0; r < n_out; r++) {
    int32_t k = order[r];
    terms[r] = term_of[k];
    at[k] = sum;
    sum += lists[k];
    term_ends[r] = sum;
    term_max[r] = 0;
  }
  auto docs = Napi::Uint32Array::New(env, sum);
  auto tfs = Napi::Float32Array::New(env, sum);
  uint32_t* docs_p = docs.Data();
  float* tfs_p = tfs.Data();
  float* max_p = term_max.Data();
  size_t p = 0;
  for (size_t s = 0; s < n_sel; s++) {
    for (; p < pair_doc_end[s]; p++) {
      uint32_t k = pair_term[p];
      uint32_t j = at[k]++;
      docs_p[j] = doc_ids[s];
      float tf = static_cast<float>(pair_tf[p]);
      tfs_p[j] = tf;
      float& m = max_p[rank[k]];
      if (tf > m) m = tf;
    }
  }
  auto len = Napi::Float32Array::New(env, n_sel);
  if (n_sel) std::memcpy(len.Data(), doc_len.data(), n_sel * 4);
  auto out = Napi::Object::New(env);
  out.Set("terms", terms);
  out.Set("termEnds", term_ends);
  out.Set("termMax", term_max);
  out.Set("docs", docs);
  out.Set("tfs", tfs);
  out.Set("docLen", len);
  return out;
}

}  // namespace

void register_analyze(Napi::Env env, Napi::Object exports) {
  exports.Set("analyzeEnglish", Napi::Function::New(env, AnalyzeEnglish));
  exports.Set("analyzeEnglishAsync", Napi::Function::New(env, AnalyzeEnglishAsync));
  exports.Set("termPostings", Napi::Function::New(env, TermPostings));
}

}  // namespace trident
