// engine::append_codecarbon_row: a recorded run as one row of a CodeCarbon
// emissions.csv at a path the caller names — the Python drop-in's
// output_dir/output_file — written by the same code that appends every run
// to the runs folder's emissions.csv (runner/codecarbon_csv.h: CodeCarbon
// 3.3's 38 columns, order and units; a file with other columns is moved to
// .bak first).
//
// Thread-safety: appends to one file; one call at a time per file.
#pragma once

#include <optional>
#include <string>

#include "greenrun/base/result.h"

namespace greenrun::engine {

struct CodecarbonOutput {
  std::string path;                      // the CSV to append to
  std::string tracking_mode = "machine";  // "machine" or "process" (CodeCarbon's default: machine)
  double wue = 0.0;                      // litres per kWh
  std::string python_version;            // the interpreter's, for the python_version column
};

struct CodecarbonWritten {
  std::string header;  // CodeCarbon's header line
  std::string row;     // the row appended
  std::optional<std::string> note;  // "moved ... to .bak" when that happened
};

// Reads run.json at `run_json` and appends its row. Errors: kUsage for a
// tracking mode other than machine/process or a negative WUE; kBadData for
// a run.json that does not parse (names the path); kIo for the CSV.
[[nodiscard]] Result<CodecarbonWritten> append_codecarbon_row(const std::string& run_json,
                                                              const CodecarbonOutput& output);

}  // namespace greenrun::engine
