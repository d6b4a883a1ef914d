#include "report/citations.h"

#include <algorithm>
#include <cctype>

namespace greenrun::report {
namespace {

struct Known {
  std::vector<std::string_view>
      needles;  // lower-case substrings of a provenance text
  Citation citation;
};

const std::vector<Known>& known() {
  static const std::vector<Known> k = {
      {{"electricitymaps", "electricity maps", "electricitymaps-csv"},
       {"electricitymaps", "Electricity Maps",
        "Electricity Maps, carbon intensity data (hourly and yearly), "
        "https://www.electricitymaps.com",
        "Open Database License (ODbL) 1.0",
        "https://opendatacommons.org/licenses/odbl/1-0/"}},
      {{"ember", "co2.js", "co2js", "world average"},
       {"ember", "Ember (via CO2.js)",
        "Ember, yearly electricity data, compiled by the Green Web Foundation "
        "in CO2.js, https://ember-energy.org",
        "CC BY-SA 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"}},
      {{"watttime"},
       {"watttime", "WattTime",
        "WattTime, marginal operating emissions rate data, "
        "https://www.watttime.org",
        "WattTime terms of use", "https://www.watttime.org/terms-of-use/"}},
      {{"carbonintensity.org.uk", "national grid", "uk:"},
       {"ukcarbonintensity", "National Grid ESO Carbon Intensity API",
        "National Grid ESO, Carbon Intensity API, "
        "https://carbonintensity.org.uk",
        "CC BY 4.0", "https://creativecommons.org/licenses/by/4.0/"}},
      {{"codecarbon"},
       {"codecarbon", "CodeCarbon",
        "CodeCarbon data (mlco2/codecarbon), "
        "https://github.com/mlco2/codecarbon",
        "MIT", "https://opensource.org/licenses/MIT"}},
      {{"cloud carbon", "cloud-carbon", "ccf"},
       {"ccf", "Cloud Carbon Footprint",
        "Cloud Carbon Footprint coefficients, "
        "https://github.com/cloud-carbon-footprint/cloud-carbon-coefficients",
        "Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"}},
      {{"gcp", "google"},
       {"gcpregion", "Google Cloud region carbon information",
        "Google LLC, region carbon information, "
        "https://github.com/GoogleCloudPlatform/region-carbon-info",
        "Apache License 2.0", "https://www.apache.org/licenses/LICENSE-2.0"}},
      {{"mlco2", "ml co2"},
       {"mlco2impact", "ML CO2 Impact",
        "Lacoste et al., Quantifying the Carbon Emissions of Machine Learning, "
        "2019",
        "MIT", "https://opensource.org/licenses/MIT"}},
  };
  return k;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::vector<Citation> citations_for(const std::vector<std::string>& sources) {
  std::vector<Citation> out;
  for (const auto& k : known()) {
    const bool used =
        std::any_of(sources.begin(), sources.end(), [&](const std::string& s) {
          const std::string l = lower(s);
          return std::any_of(k.needles.begin(), k.needles.end(),
                             [&](std::string_view n) {
                               return l.find(n) != std::string::npos;
                             });
        });
    if (used) out.push_back(k.citation);
  }
  out.push_back({"greenrun", "greenrun",
                 "greenrun: measure, account for and schedule the energy and "
                 "emissions of computing jobs",
                 "its embedded data tables under the licences in NOTICE", ""});
  return out;
}

}  // namespace greenrun::report
