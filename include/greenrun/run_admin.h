// Changing the record of runs: deleting a run and tagging it. The reads
// (find_runs, get_run, ...) are in queries.h; these write the store.
//
//  delete_run  removes the run's row and tags from the store in one
//              transaction. Its folder (<runs folder>/<run id>/: run.json,
//              timeline.jsonl) is kept unless `remove_files`; the row it
//              appended to the runs folder's emissions.csv and
//              greenrun_runs.csv stays either way (those files belong to
//              every run in the folder). A run still in progress is refused.
//  tag_run     sets KEY=VALUE tags on a run; `runs show` prints them and
//              RunFilter::tag selects by one.
//
// Thread-safety: one call at a time per store file (SQLite serialises
// writers across processes).
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/engine.h"

namespace greenrun::engine {

struct DeletedRun {
  std::string id;
  std::string folder;           // the run's own folder, as recorded
  bool folder_removed = false;  // remove_files and it existed
};

// REQUIRES: services.store_path not empty. Errors: kNotFound (no such run,
// or an ambiguous prefix; an absent store), kUsage (the run is in progress:
// cancel it first), the store's errors.
[[nodiscard]] Result<DeletedRun> delete_run(const std::string& id_or_prefix, bool remove_files,
                                            const Services& services);

// Parses "KEY=VALUE" (KEY: letters, digits, '_', '-', '.'; VALUE may be
// empty). Error kUsage naming the text.
[[nodiscard]] Result<std::pair<std::string, std::string>> parse_tag(const std::string& text);

// Sets each tag on the run. Returns the run's id. Errors as delete_run.
[[nodiscard]] Result<std::string> tag_run(const std::string& id_or_prefix,
                                          const std::vector<std::pair<std::string, std::string>>& tags,
                                          const Services& services);

// The run's tags by key (empty when none or no store).
[[nodiscard]] Result<std::map<std::string, std::string>> run_tags(const std::string& run_id,
                                                                  const Services& services);

}  // namespace greenrun::engine
