#include "greenrun/accounting/embodied.h"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/text_reader.h"

namespace greenrun::accounting {

double InstanceEmbodied::resource_share() const {
  if (instance_vcpus <= 0 || host_vcpus <= 0) return 1.0;
  return std::min(1.0, instance_vcpus / host_vcpus);
}

namespace {

// Lower-case, and for Azure drop "standard_" and separators so that the API
// name "Standard_D2s_v3" and CCF's "D2s v3" meet.
std::string normalise(std::string_view provider, std::string_view type) {
  std::string t = to_lower(trim(type));
  if (provider == "azure") {
    if (t.starts_with("standard_")) t.erase(0, 9);
    std::erase_if(t, [](char c) { return c == ' ' || c == '_' || c == '-'; });
  }
  return t;
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0u : 1u)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace

Result<const InstanceEmbodied*> find_instance(std::string_view provider_and_type) {
  const size_t colon = provider_and_type.find(':');
  if (colon == std::string_view::npos)
    return make_error("expected an instance as provider:type (e.g. aws:p3.2xlarge), got \"" +
                      std::string(provider_and_type) + "\"");
  const std::string provider = to_lower(trim(provider_and_type.substr(0, colon)));
  const std::string_view type = trim(provider_and_type.substr(colon + 1));
  if (provider != "aws" && provider != "azure" && provider != "gcp")
    return make_error("expected a provider aws, azure or gcp, got \"" + provider + "\"");
  const std::string key = normalise(provider, type);
  std::vector<std::pair<size_t, std::string_view>> close;
  for (const InstanceEmbodied& i : embodied_instances()) {
    if (i.provider != provider) continue;
    const std::string k = normalise(provider, i.type);
    if (k == key) return &i;
    close.emplace_back(edit_distance(k, key), i.type);
  }
  std::sort(close.begin(), close.end());
  std::string msg = "unknown " + provider + " instance type \"" + std::string(type) + "\" in the embodied-carbon table";
  if (!close.empty() && close.front().first <= 3) {
    msg += "; close matches:";
    for (size_t n = 0; n < close.size() && n < 3 && close[n].first <= 3; ++n)
      msg += (n ? ", " : " ") + provider + ":" + std::string(close[n].second);
  }
  msg += " (or give --embodied-kg)";
  return make_error(msg);
}

EmbodiedInput embodied_input(const InstanceEmbodied& instance, Duration lifetime) {
  EmbodiedInput in;
  in.hardware_total = Mass::kilograms(instance.host_total_kg);
  in.resource_share = instance.resource_share();
  in.lifetime = lifetime;
  std::string share;
  if (instance.instance_vcpus > 0 && instance.host_vcpus > 0) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%g of %g host vCPUs", instance.instance_vcpus, instance.host_vcpus);
    share = buf;
  } else {
    share = "host vCPUs unknown, whole host counted";
  }
  char total[64];
  std::snprintf(total, sizeof total, "%.2f kg", instance.host_total_kg);
  in.source = std::string(instance.provider) + ":" + std::string(instance.type) + " host " + total +
              (instance.variants > 1 ? " (mean of " + std::to_string(instance.variants) + " CPU variants)" : "") +
              ", " + share + "; " + std::string(kEmbodiedSource);
  return in;
}

Result<Duration> parse_lifetime(std::string_view text) {
  const std::string_view t = trim(text);
  if (!t.empty() && (t.back() == 'y' || t.back() == 'Y')) {
    auto years = parse_number(t.substr(0, t.size() - 1));
    if (!years || !(*years > 0))
      return make_error("expected a positive number of years such as 4y, got \"" + std::string(t) + "\"");
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double, std::ratio<31'557'600>>(*years));
  }
  auto d = parse_duration(t);
  if (!d || d->count() <= 0) return make_error("expected a duration such as 4y or 1461d, got \"" + std::string(t) + "\"");
  return *d;
}

}  // namespace greenrun::accounting
