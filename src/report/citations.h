// The data sources behind a report's intensity figures, with how to cite
// them and their licences (NOTICE holds the full attributions). A source is
// recognised from the provenance text the records carry ("store:
// electricitymaps-csv DE", "world average (Ember via CO2.js ...)").
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace greenrun::report {

struct Citation {
  std::string key;       // BibTeX key: "electricitymaps"
  std::string name;      // "Electricity Maps"
  std::string citation;  // one line to print
  std::string licence;   // "ODbL 1.0"
  std::string url;
};

// The citations the given provenance texts need, each once, in a fixed
// order; greenrun's own citation is always last.
std::vector<Citation> citations_for(const std::vector<std::string>& sources);

}  // namespace greenrun::report
