#include "intensity/store.h"

#include <cstdlib>

#include <sqlite3.h>

namespace greenrun::intensity {

std::string IntensityStore::default_path(const std::optional<std::string>& override_path) {
  if (override_path && !override_path->empty()) return *override_path;
  if (const char* env = std::getenv("GREENRUN_STORE"); env && *env) return env;
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg)
    return std::string(xdg) + "/greenrun/greenrun.db";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/greenrun/greenrun.db";
}

IntensityStore::IntensityStore(IntensityStore&& o) noexcept : path_(std::move(o.path_)), db_(o.db_) {
  o.db_ = nullptr;
}
IntensityStore& IntensityStore::operator=(IntensityStore&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close(db_);
    path_ = std::move(o.path_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}
IntensityStore::~IntensityStore() {
  if (db_) sqlite3_close(db_);
}

}  // namespace greenrun::intensity
