// Presenting an EmissionsBreakdown: a text table for people and a stable JSON
// object for programs (schema "greenrun.emissions/1", documented in
// docs/formats.md). Used by `greenrun emissions` and by run summaries, so both
// show the same lines: energy per component with its method, operational
// emissions per signal, the PUE overhead, the embodied share, the total, and
// where the intensity came from (with the annual-mean fallback called so).
//
// Thread-safety: pure functions.
#pragma once

#include "greenrun/base/quantity_format.h"

#include <string>
#include <string_view>

#include "greenrun/accounting/emissions.h"

namespace greenrun::accounting {

// What the breakdown is about, for the header lines.
struct ReportContext {
  std::string zone;
  std::string region;       // "azure:westus" when one was named
  std::string description;  // "azure:westus (West US) -> US-CAL-CISO"
  std::string energy_source;  // the energy log's path
  UtcTime start{};
  UtcTime end{};
  bool operator==(const ReportContext&) const = default;
};

// The one quantity formatter (greenrun/base/quantity_format.h), named here too for
// the callers that know it as accounting::format_mass.
using greenrun::format_energy;
using greenrun::format_mass;

// A breakdown with what it is about: the greenrun.emissions/1 object, as
// `greenrun emissions --json` prints it and run.json keeps it ("emissions":
// {"job", "machine"}).
struct EmissionsReport {
  ReportContext context;
  EmissionsBreakdown breakdown;
  bool operator==(const EmissionsReport&) const = default;
};

std::string breakdown_to_text(const EmissionsBreakdown& b, const ReportContext& ctx);
// One JSON object followed by '\n' (keys in alphabetical order). Never
// throws: text that is not UTF-8 has its bad bytes replaced.
std::string breakdown_to_json(const EmissionsBreakdown& b, const ReportContext& ctx);

// Reads the object back. The JSON's derived figures (kWh, the effective
// intensity, "complete") are not read: they follow from the rest. Figures the
// object does not hold are filled as compute_emissions makes them: each
// signal's `energy` is the breakdown's, and the marginal components' energy
// and method are the average's. Errors name the JSON path (`path` names the
// object) and what was expected:
// `$.emissions.job.pue.pue: expected a number, got "x"`.
[[nodiscard]] Result<EmissionsReport> emissions_report_from_json(std::string_view text, std::string_view path = "$");

}  // namespace greenrun::accounting
