#include "greenrun/scheduling/presets.h"

#include <chrono>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"

namespace greenrun::scheduling {
namespace {

Preset make(const char* name, const char* hw, double hours, double kwh) {
  return Preset{name, hw, Duration(static_cast<int64_t>(hours * 3600e3 + 0.5)),
                Energy::kilowatt_hours(kwh)};
}

}  // namespace

std::span<const Preset> builtin_presets() {
  static const std::vector<Preset> presets = {
      make("bert-finetune", "4 x V100", 6, 3.1),
      make("bert-pretrain", "8 x V100", 36, 37.3),
      make("transformer-6b", "256 x A100 (13 % of a full run)", 192, 13812.4),
      make("densenet-121", "1 x P40", 0.3, 0.02),
      make("densenet-169", "1 x P40", 0.3, 0.03),
      make("densenet-201", "1 x P40", 0.4, 0.04),
      make("vit-tiny", "1 x V100", 19, 1.7),
      make("vit-small", "1 x V100", 19, 2.2),
      make("vit-base", "1 x V100", 21, 4.7),
      make("vit-large", "4 x V100", 90, 93.3),
      make("vit-huge", "4 x V100", 216, 237.6),
  };
  return presets;
}

Result<std::vector<Preset>> parse_presets_csv(std::string_view text, const std::string& name) {
  LineReader reader(text);
  std::string_view line;
  std::vector<std::string_view> f;
  std::string scratch;
  std::vector<Preset> out;
  bool header = true;
  while (reader.next(line)) {
    if (trim(line).empty() || trim(line).front() == '#') continue;
    split_csv(line, f, scratch);
    const std::string where = name + ":" + std::to_string(reader.line_number()) + ": ";
    if (header) {
      header = false;
      if (f.size() < 3 || !iequals(trim(f[0]), "name") || !iequals(trim(f[1]), "duration") ||
          !iequals(trim(f[2]), "energy"))
        return make_error(where + "expected the header \"name,duration,energy[,hardware]\"");
      continue;
    }
    if (f.size() < 3) return make_error(where + "expected 3 or 4 columns, got " + std::to_string(f.size()));
    Preset p;
    p.name = std::string(trim(f[0]));
    if (p.name.empty()) return make_error(where + "column 1: expected a job name");
    auto d = parse_duration(f[1]);
    if (!d) return make_error(where + "column 2: " + d.error().message);
    if (d->count() <= 0) return make_error(where + "column 2: expected a positive duration");
    auto e = parse_energy(f[2]);
    if (!e) return make_error(where + "column 3: " + e.error().message);
    p.duration = *d;
    p.energy = *e;
    if (f.size() > 3) p.hardware = std::string(trim(f[3]));
    out.push_back(std::move(p));
  }
  if (out.empty()) return make_error(name + ": expected at least one job");
  return out;
}

Result<std::vector<Preset>> select_presets(std::string_view spec) {
  const std::string_view s = trim(spec);
  if (s.size() > 4 && iequals(s.substr(s.size() - 4), ".csv")) {
    auto text = read_file(std::string(s));
    if (!text) return make_error(text.error().message);
    return parse_presets_csv(*text, std::string(s));
  }
  const auto all = builtin_presets();
  if (iequals(s, "all")) return std::vector<Preset>(all.begin(), all.end());
  std::vector<Preset> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    const size_t comma = std::min(s.find(',', pos), s.size());
    const std::string_view want = trim(s.substr(pos, comma - pos));
    bool found = false;
    for (const Preset& p : all)
      if (iequals(p.name, want)) {
        out.push_back(p);
        found = true;
      }
    if (!found) {
      std::string names;
      for (const Preset& p : all) names += (names.empty() ? "" : ", ") + p.name;
      return make_error("unknown preset \"" + std::string(want) + "\"; expected all, a .csv file or one of " + names);
    }
    pos = comma + 1;
  }
  return out;
}

}  // namespace greenrun::scheduling
