// Internal to the store (store.cc, store_issues.cc): the prepared-statement
// wrapper, small SQL helpers and the chunk BLOB codec (format 1,
// docs/formats.md "Intensity store"). Not a public header.
//
// Thread-safety: as the sqlite3 connection they are given.
#pragma once

#include <sqlite3.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "greenrun/base/result.h"

namespace greenrun::intensity::store_sql {

static_assert(std::endian::native == std::endian::little,
              "chunk BLOBs are little-endian arrays copied with memcpy");

inline constexpr uint32_t kChunkFormat = 1;
inline constexpr size_t kChunkHeader = 8;                    // u32 format, u32 count
inline constexpr size_t kBytesPerPoint = 8 + 8 + 8 + 4 + 1;  // start, duration, value, import, flags

// A prepared statement that finalises itself.
class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : s_(o.s_) { o.s_ = nullptr; }
  Stmt& operator=(Stmt&& o) noexcept {
    std::swap(s_, o.s_);
    return *this;
  }
  ~Stmt() { sqlite3_finalize(s_); }

  static Result<Stmt> prepare(sqlite3* db, const std::string& path, const char* sql) {
    Stmt st;
    if (sqlite3_prepare_v2(db, sql, -1, &st.s_, nullptr) != SQLITE_OK)
      return make_error(path + ": " + sqlite3_errmsg(db));
    return st;
  }

  Stmt& bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& bind_null(int i) {
    sqlite3_bind_null(s_, i);
    return *this;
  }
  Stmt& bind(int i, std::string_view v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  // The bytes must live until the statement is stepped.
  Stmt& bind_blob(int i, std::string_view v) {
    sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  int step() { return sqlite3_step(s_); }
  void reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  bool is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  std::string text(int c) const {
    const auto* p = sqlite3_column_text(s_, c);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string();
  }
  std::string_view blob(int c) const {
    const void* p = sqlite3_column_blob(s_, c);
    return p ? std::string_view(static_cast<const char*>(p),
                                static_cast<size_t>(sqlite3_column_bytes(s_, c)))
             : std::string_view();
  }

 private:
  sqlite3_stmt* s_ = nullptr;
};

inline Status exec(sqlite3* db, const std::string& path, const char* sql) {
  char* msg = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
    std::string m = msg ? msg : sqlite3_errmsg(db);
    sqlite3_free(msg);
    return make_error(path + ": " + m);
  }
  return {};
}

// Runs a statement to completion; error on anything but SQLITE_DONE.
inline Status run(Stmt& st, sqlite3* db, const std::string& path) {
  const int rc = st.step();
  st.reset();
  if (rc != SQLITE_DONE) return make_error(path + ": " + sqlite3_errmsg(db));
  return {};
}

inline Result<int64_t> query_int(sqlite3* db, const std::string& path, const char* sql) {
  auto st = Stmt::prepare(db, path, sql);
  if (!st) return make_error(st.error().message);
  const int rc = st->step();
  if (rc == SQLITE_ROW) return st->i64(0);
  if (rc == SQLITE_DONE) return int64_t{0};
  return make_error(path + ": " + sqlite3_errmsg(db));
}

// One stored point, as packed in a chunk.
struct Pt {
  int64_t start;
  int64_t dur;
  double value;
  uint32_t import;
  uint8_t est;
  int64_t end() const { return start + dur; }
};


template <typename T>
void put(char*& p, const T& v) {
  std::memcpy(p, &v, sizeof v);
  p += sizeof v;
}
template <typename T>
T get(const char*& p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  p += sizeof v;
  return v;
}

// Chunk BLOB, format 1 (docs/formats.md): u32 format, u32 n, then arrays
// int64 start_ms[n], int64 duration_ms[n], f64 g_per_kwh[n], u32 import[n],
// u8 flags[n] (bit 0: estimated); little-endian.
inline void encode(const Pt* pts, size_t n, std::string& out) {
  out.resize(kChunkHeader + n * kBytesPerPoint);
  char* p = out.data();
  put(p, kChunkFormat);
  put(p, static_cast<uint32_t>(n));
  for (size_t i = 0; i < n; ++i) put(p, pts[i].start);
  for (size_t i = 0; i < n; ++i) put(p, pts[i].dur);
  for (size_t i = 0; i < n; ++i) put(p, pts[i].value);
  for (size_t i = 0; i < n; ++i) put(p, pts[i].import);
  for (size_t i = 0; i < n; ++i) put(p, pts[i].est);
}

inline bool decode(std::string_view blob, std::vector<Pt>& out) {
  if (blob.size() < kChunkHeader) return false;
  const char* p = blob.data();
  if (get<uint32_t>(p) != kChunkFormat) return false;
  const size_t n = get<uint32_t>(p);
  if (blob.size() != kChunkHeader + n * kBytesPerPoint) return false;
  const size_t base = out.size();
  out.resize(base + n);
  Pt* o = out.data() + base;
  for (size_t i = 0; i < n; ++i) o[i].start = get<int64_t>(p);
  for (size_t i = 0; i < n; ++i) o[i].dur = get<int64_t>(p);
  for (size_t i = 0; i < n; ++i) o[i].value = get<double>(p);
  for (size_t i = 0; i < n; ++i) o[i].import = get<uint32_t>(p);
  for (size_t i = 0; i < n; ++i) o[i].est = get<uint8_t>(p) & 1;
  return true;
}

inline std::string corrupt_chunk(const std::string& path, const std::string& what) {
  return path + ": corrupt chunk " + what + " (unknown format or wrong size); the store may be damaged";
}

}  // namespace greenrun::intensity::store_sql
