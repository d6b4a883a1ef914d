// `greenrun intensity fetch`: fills the store from a live provider
// (WattTime, Electricity Maps, UK Carbon Intensity). The store's import is
// the cache of responses; each series' provenance says when it was fetched.
// When the provider cannot be reached the command fails (exit 1) and says
// what planning will fall back to (stored data or the typical profile), as
// decided by decide_fallback. Parsing and rendering only: the fetch is
// engine::fetch_intensity (greenrun/intensity_fetch.h).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <ostream>

#include "commands.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/base/time_arg.h"
#include "greenrun/base/time_format.h"
#include "greenrun/intensity_fetch.h"

namespace greenrun::cli {
namespace {

using namespace greenrun::intensity;

struct FetchFlags {
  std::string provider;
  std::optional<std::string> zone;
  std::optional<std::string> postcode;
  std::optional<double> lat;
  std::optional<double> lon;
  std::string kind = "forecast";
  std::optional<std::string> from;
  std::optional<std::string> to;
  int horizon = 24;
  std::string signal = "lifecycle";
  std::optional<std::string> config;
  std::string timeout = "60s";
  bool dry_run = false;
};

// "now", "now-24h", "now+2d" or an ISO 8601 time (greenrun/base/time_arg.h).
Result<UtcTime> parse_when(const std::string& text, UtcTime now, const char* flag) {
  auto t = parse_time_arg(text, now);
  if (!t) return make_error(ErrorKind::kUsage, std::string(flag) + ": " + t.error().message);
  return t;
}

int usage(Context& ctx, const std::string& message) {
  *ctx.err << "greenrun: " << message << "\n";
  return 2;
}

int run_fetch(Context& ctx, const FetchFlags& f) {
  SystemClock clock;
  const UtcTime now = clock.utc_now();
  FetchRequest req;
  auto provider = parse_provider(f.provider);
  if (!provider) return usage(ctx, "--provider: " + provider.error().message);
  req.provider = *provider;
  auto kind = parse_fetch_kind(f.kind);
  if (!kind) return usage(ctx, "--kind: " + kind.error().message);
  req.kind = *kind;
  auto signal = parse_signal(f.signal);
  if (!signal) return usage(ctx, "--signal: " + signal.error().message);
  req.signal = *signal;
  req.zone = f.zone;
  req.postcode = f.postcode;
  req.latitude = f.lat;
  req.longitude = f.lon;
  req.horizon_hours = f.horizon;
  if (f.from) {
    auto t = parse_when(*f.from, now, "--from");
    if (!t) return usage(ctx, t.error().message);
    req.from = *t;
  }
  if (f.to) {
    auto t = parse_when(*f.to, now, "--to");
    if (!t) return usage(ctx, t.error().message);
    req.to = *t;
  }
  if (auto st = validate(req); !st) return usage(ctx, st.error().message);
  auto timeout = parse_duration(f.timeout);
  if (!timeout || timeout->count() <= 0) return usage(ctx, "--timeout: expected a duration such as 30s");

  engine::IntensityFetchRequest request;
  request.fetch = req;
  request.config = f.config;
  request.timeout = *timeout;
  request.dry_run = f.dry_run;
  engine::Services services;
  services.store_path = ctx.store_path();
  auto fetched = engine::fetch_intensity(request, services);
  if (!fetched) {
    *ctx.err << "greenrun: " << fetched.error().message << "\n";
    return 1;
  }
  for (const std::string& w : fetched->warnings) *ctx.info << "greenrun: warning: " << w << "\n";
  if (fetched->failure) {
    *ctx.err << "greenrun: " << *fetched->failure << "\n";
    if (fetched->fallback_note) *ctx.info << "greenrun: " << *fetched->fallback_note << "\n";
    return 1;
  }
  for (const auto& s : fetched->series)
    *ctx.out << fmt::format("{} {} {} ({}): {} points, {} to {}\n", to_string(req.provider), to_string(s.origin),
                            s.zone, to_string(s.signal), s.points, format_utc(s.start), format_utc(s.end));
  if (fetched->missing)
    *ctx.out << fmt::format("{} null value{} left as {} (missing, not zero)\n", fetched->missing,
                            fetched->missing == 1 ? "" : "s", fetched->missing == 1 ? "a gap" : "gaps");
  if (!fetched->stored) {
    *ctx.out << "dry run: nothing stored\n";
    return 0;
  }
  *ctx.out << fmt::format("stored in {}: {} new, {} replaced, {} unchanged\n", fetched->store_path,
                          fetched->stored->inserted, fetched->stored->replaced, fetched->stored->unchanged);
  return 0;
}

}  // namespace

void add_intensity_fetch_command(CLI::App& intensity_subcommand, Context& ctx, Action& action) {
  auto flags = std::make_shared<FetchFlags>();
  CLI::App* cmd = intensity_subcommand.add_subcommand(
      "fetch",
      "Fetch carbon intensity from a live provider (watttime, electricitymaps, uk) into the store. Credentials "
      "come from ~/.config/greenrun/config.toml or GREENRUN_WATTTIME_USERNAME/PASSWORD and "
      "GREENRUN_ELECTRICITYMAPS_TOKEN, and are never printed.");
  cmd->add_option("--provider", flags->provider, "watttime | electricitymaps | uk")->required();
  cmd->add_option("--zone", flags->zone,
                  "WattTime region (CAISO_NORTH), Electricity Maps zone (DE), or a label for UK data (default GB)");
  cmd->add_option("--postcode", flags->postcode, "UK only: postcode outward code (RG10) for regional data");
  cmd->add_option("--lat", flags->lat, "latitude in degrees (watttime, electricitymaps; instead of --zone)");
  cmd->add_option("--lon", flags->lon, "longitude in degrees");
  cmd->add_option("--kind", flags->kind, "forecast (default) | history | latest (electricitymaps)");
  cmd->add_option("--from", flags->from, "history start: ISO 8601 UTC, now, now-7d (default now-24h)");
  cmd->add_option("--to", flags->to, "history end (exclusive; default now)");
  cmd->add_option("--horizon", flags->horizon, "forecast horizon in hours (default 24; watttime/em <= 72, uk <= 48)");
  cmd->add_option("--signal", flags->signal, "electricitymaps: lifecycle (default) | direct");
  cmd->add_option("--config", flags->config, "provider settings file (default ~/.config/greenrun/config.toml)");
  cmd->add_option("--timeout", flags->timeout, "time limit per request (default 60s)");
  cmd->add_flag("--dry-run", flags->dry_run, "fetch and summarise, store nothing");
  cmd->callback([&ctx, &action, flags] { action = [&ctx, flags] { return run_fetch(ctx, *flags); }; });
}

}  // namespace greenrun::cli
