// engine::list_stored / stored_stats (greenrun/stored_data.h).
#include "greenrun/stored_data.h"

namespace greenrun::engine {
namespace {

Result<std::map<int64_t, intensity::ImportRecord>> imports_by_id(const intensity::IntensityStore& store) {
  auto all = store.imports();
  if (!all) return std::unexpected(all.error());
  std::map<int64_t, intensity::ImportRecord> out;
  for (intensity::ImportRecord& r : *all) out.emplace(r.id, std::move(r));
  return out;
}

}  // namespace

Result<StoredSeriesListing> list_stored(const Services& services) {
  auto store = intensity::IntensityStore::open_read_only(services.store_path);  // reading never writes the store
  if (!store) return std::unexpected(store.error());
  auto series = store->list();
  if (!series) return std::unexpected(series.error());
  auto imports = imports_by_id(*store);
  if (!imports) return std::unexpected(imports.error());
  return StoredSeriesListing{std::move(*series), std::move(*imports)};
}

Result<StoredStats> stored_stats(const Services& services) {
  auto store = intensity::IntensityStore::open_read_only(services.store_path);
  if (!store) return std::unexpected(store.error());
  auto stats = store->stats();
  if (!stats) return std::unexpected(stats.error());
  auto imports = imports_by_id(*store);
  if (!imports) return std::unexpected(imports.error());
  return StoredStats{std::move(*stats), std::move(*imports)};
}

}  // namespace greenrun::engine
