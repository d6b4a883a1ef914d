// engine::append_codecarbon_row (greenrun/codecarbon_output.h).
#include "greenrun/codecarbon_output.h"

#include <cmath>

#include "greenrun/base/text_reader.h"
#include "greenrun/runner/run_record.h"
#include "runner/codecarbon_csv.h"

namespace greenrun::engine {

Result<CodecarbonWritten> append_codecarbon_row(const std::string& run_json, const CodecarbonOutput& output) {
  if (output.tracking_mode != "machine" && output.tracking_mode != "process")
    return make_error(ErrorKind::kUsage,
                      "tracking_mode: expected \"machine\" or \"process\", got \"" + output.tracking_mode + "\"");
  if (!(output.wue >= 0) || !std::isfinite(output.wue))
    return make_error(ErrorKind::kUsage, "wue: expected a non-negative number of litres per kWh");
  auto text = read_file(run_json);
  if (!text) return make_error(ErrorKind::kIo, text.error().message);
  auto record = runner::run_record_from_json(*text);
  if (!record) return make_error(ErrorKind::kBadData, run_json + ": " + record.error().message);
  runner::CodecarbonContext context;
  context.tracking_mode = output.tracking_mode;
  context.wue = output.wue;
  context.python_version = output.python_version;
  CodecarbonWritten out;
  out.header = runner::codecarbon_header();
  out.row = runner::codecarbon_row(*record, context);
  auto appended = runner::append_csv_row(output.path, out.header, out.row);
  if (!appended) return make_error(ErrorKind::kIo, appended.error().message);
  out.note = *appended;
  return out;
}

}  // namespace greenrun::engine
