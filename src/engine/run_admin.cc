// engine::delete_run, tag_run, run_tags (include/greenrun/run_admin.h).
#include "greenrun/run_admin.h"

#include <filesystem>

#include "greenrun/live_runs.h"
#include "runner/run_store.h"

namespace greenrun::engine {
namespace {

Result<runner::RunStore> open_existing(const std::string& what, const Services& services) {
  std::error_code ec;
  if (services.store_path.empty() || !std::filesystem::exists(services.store_path, ec))
    return make_error(ErrorKind::kNotFound,
                      "no run " + what + " (the store " + services.store_path + " does not exist)");
  auto store = runner::RunStore::open(services.store_path);
  if (!store) return as_kind(ErrorKind::kIo, store.error());
  return store;
}

bool in_progress(const std::string& id, const Services& services) {
  for (const LiveRun& r : read_live_runs(services.store_path))
    if (r.id == id) return true;
  return false;
}

}  // namespace

Result<DeletedRun> delete_run(const std::string& id_or_prefix, bool remove_files, const Services& services) {
  auto store = open_existing(id_or_prefix, services);
  if (!store) return std::unexpected(store.error());
  auto found = store->get(id_or_prefix);
  if (!found) return as_kind(ErrorKind::kNotFound, found.error());
  if (in_progress(found->id, services))
    return make_error(ErrorKind::kUsage, "run " + found->id +
                                             " is in progress; cancel it first (greenrun runs cancel " + found->id + ")");
  auto removed = store->remove(found->id);
  if (!removed) return as_kind(ErrorKind::kIo, removed.error());
  DeletedRun out{removed->id, removed->out_dir, false};
  if (remove_files && !out.folder.empty()) {
    // Only the run's own folder (named by its id), never a shared runs
    // folder an older record may name.
    const std::filesystem::path folder(out.folder);
    std::error_code ec;
    if (folder.filename() == out.id && std::filesystem::is_directory(folder, ec)) {
      std::filesystem::remove_all(folder, ec);
      if (ec)
        return make_error(ErrorKind::kIo, "run " + out.id + " deleted from the store, but its folder " +
                                              out.folder + " could not be removed: " + ec.message());
      out.folder_removed = true;
    }
  }
  return out;
}

Result<std::pair<std::string, std::string>> parse_tag(const std::string& text) {
  const size_t eq = text.find('=');
  const std::string key = eq == std::string::npos ? "" : text.substr(0, eq);
  bool ok = !key.empty() && key.size() <= 64;
  for (char c : key) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
  if (!ok || text.size() - eq - 1 > 1024)
    return make_error(ErrorKind::kUsage, "expected a tag KEY=VALUE (KEY: letters, digits, _ - .), got \"" + text + "\"");
  return std::pair{key, text.substr(eq + 1)};
}

Result<std::string> tag_run(const std::string& id_or_prefix,
                            const std::vector<std::pair<std::string, std::string>>& tags, const Services& services) {
  auto store = open_existing(id_or_prefix, services);
  if (!store) return std::unexpected(store.error());
  auto found = store->get(id_or_prefix);
  if (!found) return as_kind(ErrorKind::kNotFound, found.error());
  for (const auto& [k, v] : tags)
    if (auto ok = store->set_tag(found->id, k, v); !ok) return as_kind(ErrorKind::kIo, ok.error());
  return found->id;
}

Result<std::map<std::string, std::string>> run_tags(const std::string& run_id, const Services& services) {
  std::error_code ec;
  if (services.store_path.empty() || !std::filesystem::exists(services.store_path, ec))
    return std::map<std::string, std::string>{};
  auto store = runner::RunStore::open(services.store_path);
  if (!store) return as_kind(ErrorKind::kIo, store.error());
  auto tags = store->tags(run_id);
  if (!tags) return as_kind(ErrorKind::kIo, tags.error());
  return tags;
}

}  // namespace greenrun::engine
