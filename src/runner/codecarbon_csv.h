// The CSV files a run is appended to: emissions.csv exactly as CodeCarbon
// 3.3 writes it (its 38 columns, in its order and units — see
// ../shared/reference/python-peers.md and docs/formats.md "emissions.csv"),
// so CodeCarbon's tools and dashboards read greenrun's runs; and
// greenrun_runs.csv beside it with what CodeCarbon has no column for (each
// component's method, the machine's energy, the zone, the intensity and its
// source, the marginal figure, phase, exit status), keyed by run_id.
//
// Where greenrun differs, on purpose (docs/formats.md says so too):
// run_id is greenrun's run id (it names the run's folder and store row), not
// a UUID; codecarbon_version names the writer ("greenrun-0.1.0"); columns
// greenrun does not measure (utilisation, RAM used) are empty, never
// invented; emissions not computed are empty, never 0.
//
// Thread-safety: pure functions, apart from append_csv_row's file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "greenrun/base/result.h"
#include "greenrun/runner/run_record.h"

namespace greenrun::runner {

struct CodecarbonContext {
  std::string python_version;         // empty for the CLI; the interpreter's for the Python module
  std::string tracking_mode = "process";  // "process": the job's attributed energy; "machine": the whole machine
  double wue = 0.0;                   // litres per kWh (CodeCarbon's default 0)
  std::optional<UtcTime> written_at;  // none: the record's end
};

// CodeCarbon's header, 38 columns.
std::string codecarbon_header();
// One row for `r`. Energies in kWh with PUE on every component, powers in W
// (mean over the run, before PUE), emissions in kg CO2e (average signal),
// timestamp in local time "%Y-%m-%dT%H:%M:%S", RAM in GB of 1024^3 bytes,
// coordinates (a cloud region's) to one decimal, country from the zone.
std::string codecarbon_row(const RunRecord& r, const CodecarbonContext& context = {});

std::string greenrun_runs_header();
std::string greenrun_runs_row(const RunRecord& r);

// Appends `row` to the CSV at `path` under `header`. A new or empty file
// gets the header first; a file whose first line is another header is
// renamed to PATH.bak first (as CodeCarbon does), and the returned text says
// so (nullopt otherwise). Errors (kIo) name the path.
[[nodiscard]] Result<std::optional<std::string>> append_csv_row(const std::filesystem::path& path,
                                                                const std::string& header, const std::string& row);

}  // namespace greenrun::runner
