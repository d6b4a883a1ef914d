// JobEnergyStore: the `job_energy` table in greenrun's SQLite store (the same
// file as the runs and the intensity data), one row per JobEnergyRecord keyed
// by (job_id, node, start, end). Only `greenrun serve` writes it on a
// cluster (the records reach it over HTTP from each node's sampler), so the
// file is never shared over a network file system. docs/formats.md,
// "job_energy table".
//
// Thread-safety: one JobEnergyStore per thread; SQLite serialises writers
// across processes (busy timeout 5 s).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/runner/job_energy_record.h"
#include "intensity/store.h"

struct sqlite3;

namespace greenrun::runner {

struct InsertCounts {
  size_t inserted = 0;
  size_t duplicates = 0;  // already stored with the same key: left as they were
};

class JobEnergyStore {
 public:
  // Opens or creates the store file and the table. Error names the path.
  [[nodiscard]] static Result<JobEnergyStore> open(const std::string& path);
  JobEnergyStore(JobEnergyStore&&) noexcept;
  JobEnergyStore& operator=(JobEnergyStore&&) noexcept;
  JobEnergyStore(const JobEnergyStore&) = delete;
  ~JobEnergyStore();

  // All in one transaction: every record is stored, or none.
  [[nodiscard]] Result<InsertCounts> insert(const std::vector<JobEnergyRecord>& records);
  // A job's records, by node then start.
  [[nodiscard]] Result<std::vector<JobEnergyRecord>> job(const std::string& job_id) const;

 private:
  JobEnergyStore(std::string path, std::unique_ptr<intensity::IntensityStore> store);
  std::string path_;
  std::unique_ptr<intensity::IntensityStore> store_;
  sqlite3* db_ = nullptr;
};

}  // namespace greenrun::runner
