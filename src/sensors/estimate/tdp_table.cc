#include "sensors/estimate/tdp_table.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>
#include <vector>

namespace greenrun::sensors {
namespace {

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  std::string w;
  while (in >> w) out.push_back(w);
  return out;
}

// Words with a digit-to-letter boundary split ("80gb" -> "80", "gb") so that
// NVML's "80GB" meets the table's "80 GB"; chip names ("a100") stay whole.
std::vector<std::string> gpu_words(std::string_view s) {
  std::vector<std::string> out;
  for (const auto& w : words(s)) {
    size_t start = 0;
    for (size_t i = 1; i < w.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(w[i - 1])) && std::isalpha(static_cast<unsigned char>(w[i]))) {
        out.push_back(w.substr(start, i - start));
        start = i;
      }
    }
    out.push_back(w.substr(start));
  }
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
}

}  // namespace

std::string normalise_model_name(std::string_view name) {
  std::string s;
  s.reserve(name.size());
  for (char c : name) s.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  replace_all(s, "(r)", " ");
  replace_all(s, "(tm)", " ");
  replace_all(s, "\xc2\xae", " ");      // (R) sign
  replace_all(s, "\xe2\x84\xa2", " ");  // TM sign
  if (auto at = s.find('@'); at != std::string::npos) s.erase(at);
  // Parenthesised notes.
  for (size_t open; (open = s.find('(')) != std::string::npos;) {
    const size_t close = s.find(')', open);
    s.replace(open, close == std::string::npos ? std::string::npos : close - open + 1, " ");
  }
  for (char& c : s) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '+';
    if (!keep) c = ' ';
  }
  static const std::set<std::string> drop = {"intel", "amd", "nvidia", "tesla", "processor", "cpu",
                                             "with", "radeon", "graphics", "r", "tm"};
  std::vector<std::string> out;
  for (auto& w : words(s)) {
    if (drop.contains(w)) continue;
    if (w == "core" && !out.empty() &&
        std::all_of(out.back().begin(), out.back().end(), [](char c) { return c >= '0' && c <= '9'; })) {
      out.pop_back();
      continue;
    }
    out.push_back(std::move(w));
  }
  std::string joined;
  for (const auto& w : out) {
    if (!joined.empty()) joined.push_back(' ');
    joined += w;
  }
  return joined;
}

std::optional<TdpMatch> find_cpu_tdp(std::string_view model_name) {
  const std::string norm = normalise_model_name(model_name);
  const std::string_view hay(norm);
  const TdpEntry* best = nullptr;
  size_t best_len = 0;
  for (size_t i = 0; i < kCpuTdpCount; ++i) {
    const std::string_view needle(kCpuTdp[i].name);
    if (needle.size() <= best_len) continue;
    // Whole words only: "xeon gold 6148" must not match inside "6148f".
    for (size_t pos = hay.find(needle); pos != std::string_view::npos; pos = hay.find(needle, pos + 1)) {
      const size_t end = pos + needle.size();
      if ((pos == 0 || hay[pos - 1] == ' ') && (end == hay.size() || hay[end] == ' ')) {
        best = &kCpuTdp[i];
        best_len = needle.size();
        break;
      }
    }
  }
  if (!best) return std::nullopt;
  return TdpMatch{Power::watts(best->tdp_watts), best->name, best->source};
}

std::optional<TdpMatch> find_gpu_tdp(std::string_view model_name) {
  const auto have = gpu_words(normalise_model_name(model_name));
  const std::set<std::string> have_set(have.begin(), have.end());
  const TdpEntry* best = nullptr;
  size_t best_score = 0;
  for (size_t i = 0; i < kGpuTdpCount; ++i) {
    const auto want = gpu_words(kGpuTdp[i].name);
    if (want.empty() || !have_set.contains(want[0])) continue;
    size_t score = 0;
    for (const auto& w : want) score += have_set.contains(w) ? 1 : 0;
    if (score > best_score) {
      best = &kGpuTdp[i];
      best_score = score;
    }
  }
  if (!best) return std::nullopt;
  return TdpMatch{Power::watts(best->tdp_watts), best->name, best->source};
}

}  // namespace greenrun::sensors
