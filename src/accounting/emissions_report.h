// Presenting an EmissionsBreakdown: a text table for people and a stable JSON
// object for programs (schema "greenrun.emissions/1", documented in
// docs/formats.md). Used by `greenrun emissions` and by run summaries, so both
// show the same lines: energy per component with its method, operational
// emissions per signal, the PUE overhead, the embodied share, the total, and
// where the intensity came from (with the annual-mean fallback called so).
//
// Thread-safety: pure functions.
#pragma once

#include "base/quantity_format.h"

#include <string>

#include "accounting/emissions.h"

namespace greenrun::accounting {

// What the breakdown is about, for the header lines.
struct ReportContext {
  std::string zone;
  std::string region;       // "azure:westus" when one was named
  std::string description;  // "azure:westus (West US) -> US-CAL-CISO"
  std::string energy_source;  // the energy log's path
  UtcTime start{};
  UtcTime end{};
};

// The one quantity formatter (base/quantity_format.h), named here too for
// the callers that know it as accounting::format_mass.
using greenrun::format_energy;
using greenrun::format_mass;

std::string breakdown_to_text(const EmissionsBreakdown& b, const ReportContext& ctx);
// One JSON object followed by '\n'.
std::string breakdown_to_json(const EmissionsBreakdown& b, const ReportContext& ctx);

}  // namespace greenrun::accounting
