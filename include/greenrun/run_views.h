// The renderings `greenrun runs` prints (list, show, summary, show
// slurm:JOBID) as text, CSV and JSON, so a front end only parses, calls the
// queries (greenrun/queries.h, run_admin.h, job_energy.h) and writes these
// strings. Tables use one unit per column (the one quantity formatter);
// unknown emissions are "unknown" (text) or empty (CSV) or null (JSON),
// never 0 g.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "greenrun/job_energy.h"
#include "greenrun/queries.h"

namespace greenrun::engine {

// One run's record as run.json has it (`indent` as nlohmann's dump: -1
// compact), the one writer (greenrun/runner/run_record.h).
std::string run_record_json(const runner::RunRecord& record, int indent = 2);

// `runs list --json`: the whole records, an array, then '\n'.
std::string runs_json(const std::vector<runner::RunRecord>& runs);
// `runs list --csv` (SI units; unknown emissions an empty cell) and the
// table, from the store's typed columns. REQUIRES for the table: rows not
// empty (the caller says "no runs").
std::string run_rows_csv(const std::vector<runner::RunRow>& rows);
std::string run_rows_table(const std::vector<runner::RunRow>& rows);

// `runs show ID --json`: the record with the store's tags beside it;
// `runs show ID`: the record for people, with its executed schedule.
std::string run_show_json(const runner::RunRecord& record, const std::map<std::string, std::string>& tags);
std::string run_show_text(const runner::RunRecord& record, const std::map<std::string, std::string>& tags);

// `runs summary --by BY` as JSON, CSV and a table with a total line.
std::string run_totals_json(const std::string& by, const std::vector<runner::RunTotals>& groups);
std::string run_totals_csv(const std::string& by, const std::vector<runner::RunTotals>& groups);
std::string run_totals_table(const std::string& by, const std::vector<runner::RunTotals>& groups);

// `runs show slurm:JOBID`: a Slurm job's energy per node, priced, with
// Slurm's own ConsumedEnergy beside it.
std::string slurm_job_json(const JobEnergy& job, const SlurmConsumedEnergy& slurm);
std::string slurm_job_text(const JobEnergy& job, const SlurmConsumedEnergy& slurm);

}  // namespace greenrun::engine
