#include "runner/location.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <toml++/toml.h>

#include "intensity/providers/curl_library.h"

namespace greenrun::runner {
namespace {

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One HTTP request; the body on 200, else nullopt (also when libcurl cannot
// be loaded: then no metadata service is reachable either).
std::optional<std::string> http(const std::string& url, const std::vector<std::string>& headers, bool put,
                                long timeout_ms) {
  auto loaded = intensity::CurlLibrary::get();
  if (!loaded) return std::nullopt;
  const intensity::CurlLibrary& lib = **loaded;
  CURL* c = lib.easy_init();
  if (!c) return std::nullopt;
  std::string body;
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = lib.slist_append(list, h.c_str());
  lib.easy_setopt(c, CURLOPT_URL, url.c_str());
  lib.easy_setopt(c, CURLOPT_HTTPHEADER, list);
  lib.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  lib.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(c, CURLOPT_NOPROXY, "*");  // metadata is link-local, never via a proxy
  lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  lib.easy_setopt(c, CURLOPT_WRITEDATA, &body);
  if (put) lib.easy_setopt(c, CURLOPT_CUSTOMREQUEST, "PUT");
  const CURLcode rc = lib.easy_perform(c);
  long status = 0;
  lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  lib.slist_free_all(list);
  lib.easy_cleanup(c);
  if (rc != CURLE_OK || status != 200) return std::nullopt;
  while (!body.empty() && (body.back() == '\n' || body.back() == ' ')) body.pop_back();
  return body;
}

std::string home_path(const char* xdg_var, const char* fallback, const char* tail) {
  if (const char* x = std::getenv(xdg_var); x && *x) return std::string(x) + "/" + tail;
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/" + fallback + "/" + tail;
  return {};
}

}  // namespace

LocationRequest LocationRequest::from_environment(std::optional<std::string> zone, std::optional<std::string> region) {
  LocationRequest r;
  r.zone = std::move(zone);
  r.region = std::move(region);
  if (const char* z = std::getenv("GREENRUN_ZONE"); z && *z) r.env_zone = z;
  // The same config file as the providers' (provider_settings.h):
  // $GREENRUN_CONFIG first.
  const char* explicit_cfg = std::getenv("GREENRUN_CONFIG");
  const std::string cfg = explicit_cfg && *explicit_cfg ? std::string(explicit_cfg)
                                                        : home_path("XDG_CONFIG_HOME", ".config", "greenrun/config.toml");
  if (!cfg.empty()) r.config_path = cfg;
  if (const char* n = std::getenv("GREENRUN_NO_METADATA"); n && *n && std::string(n) != "0") r.use_metadata = false;
  r.metadata_base = "http://169.254.169.254";
  r.gcp_metadata_base = "http://metadata.google.internal";
  if (const char* m = std::getenv("GREENRUN_METADATA_URL"); m && *m) r.metadata_base = r.gcp_metadata_base = m;
  const std::string cache = home_path("XDG_CACHE_HOME", ".cache", "greenrun/location");
  if (!cache.empty()) r.cache_path = cache;
  return r;
}

std::optional<std::string> query_cloud_metadata(const std::string& base, const std::string& gcp_base,
                                                long timeout_ms) {
  // AWS IMDSv2: a session token first, then the region.
  if (auto token = http(base + "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds: 60"}, true, timeout_ms)) {
    if (auto region = http(base + "/latest/meta-data/placement/region", {"X-aws-ec2-metadata-token: " + *token},
                           false, timeout_ms);
        region && !region->empty())
      return "aws:" + *region;
  }
  if (auto loc = http(base + "/metadata/instance/compute/location?api-version=2021-02-01&format=text",
                      {"Metadata: true"}, false, timeout_ms);
      loc && !loc->empty())
    return "azure:" + *loc;
  // GCP: "projects/123/zones/europe-west3-a" -> europe-west3.
  if (auto zone = http(gcp_base + "/computeMetadata/v1/instance/zone", {"Metadata-Flavor: Google"}, false, timeout_ms);
      zone && !zone->empty()) {
    std::string z = zone->substr(zone->rfind('/') + 1);
    if (auto dash = z.rfind('-'); dash != std::string::npos) z.erase(dash);
    return "gcp:" + z;
  }
  return std::nullopt;
}

Result<WhereAmI> where_am_i(const LocationRequest& req, const RegionToZone& region_to_zone) {
  auto from_region = [&](const std::string& region, const std::string& source) -> Result<WhereAmI> {
    if (region.find(':') == std::string::npos)
      return make_error(source + ": expected provider:region (aws:eu-central-1), got \"" + region + "\"");
    auto zone = region_to_zone(region);
    if (!zone) return make_error(source + ": " + zone.error().message);
    return WhereAmI{*zone, region, source, std::nullopt};
  };
  if (req.zone && req.region) return make_error("give --zone or --region, not both");
  if (req.zone) return WhereAmI{*req.zone, std::nullopt, "--zone", std::nullopt};
  if (req.region) return from_region(*req.region, "--region");
  if (req.env_zone) return WhereAmI{*req.env_zone, std::nullopt, "GREENRUN_ZONE", std::nullopt};
  if (req.config_path && std::filesystem::exists(*req.config_path)) {
    toml::table t;
    try {
      t = toml::parse_file(*req.config_path);
    } catch (const toml::parse_error& e) {
      return make_error(*req.config_path + ":" + std::to_string(e.source().begin.line) + ": " +
                        std::string(e.description()));
    }
    if (auto z = t["zone"].value<std::string>()) return WhereAmI{*z, std::nullopt, "config.toml", std::nullopt};
    if (auto r = t["region"].value<std::string>()) return from_region(*r, *req.config_path);
  }
  if (req.use_metadata) {
    std::optional<std::string> answer;
    bool cached = false;
    if (req.cache_path) {
      std::error_code ec;
      const auto mtime = std::filesystem::last_write_time(*req.cache_path, ec);
      if (!ec && std::filesystem::file_time_type::clock::now() - mtime < std::chrono::hours(24)) {
        std::ifstream in(*req.cache_path);
        std::string line;
        if (std::getline(in, line)) {
          cached = true;
          if (line != "none") answer = line;
        }
      }
    }
    if (!cached) {
      answer = query_cloud_metadata(req.metadata_base, req.gcp_metadata_base, req.timeout_ms);
      if (req.cache_path) {
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(*req.cache_path).parent_path(), ec);
        std::ofstream(*req.cache_path) << (answer ? *answer : "none") << "\n";
      }
    }
    if (answer) {
      auto w = from_region(*answer, answer->substr(0, answer->find(':')) + " metadata");
      if (w) return w;
      return WhereAmI{"", answer, "world average",
                      "cloud region " + *answer + " has no known grid zone (" + w.error().message +
                          "); using the world average"};
    }
  }
  return WhereAmI{"", std::nullopt, "world average",
                  "no zone known: give --zone or --region, set GREENRUN_ZONE, or zone = \"...\" in " +
                      req.config_path.value_or("~/.config/greenrun/config.toml") +
                      "; using the world average intensity"};
}

}  // namespace greenrun::runner
