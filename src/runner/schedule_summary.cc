#include "runner/schedule_summary.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "base/time_format.h"

namespace greenrun::runner {
namespace {

using nlohmann::ordered_json;

// Reads typed members of one JSON object; the first failure is kept with the
// member's path, and later reads are no-ops.
class ObjectReader {
 public:
  ObjectReader(const ordered_json& j, std::string path, std::optional<Error>& failure)
      : j_(j), path_(std::move(path)), failure_(failure) {}

  std::string member(std::string_view key) const { return path_ + "." + std::string(key); }

  const ordered_json* find(const char* key, bool required) {
    if (failure_) return nullptr;
    auto it = j_.find(key);
    if (it == j_.end() || (it->is_null() && !required)) {
      if (required) fail(member(key), "missing");
      return nullptr;
    }
    return &*it;
  }

  std::string string(const char* key, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return {};
    if (!v->is_string()) {
      fail(member(key), "expected a string, got " + v->dump());
      return std::string();
    }
    return v->get<std::string>();
  }

  std::optional<double> number(const char* key, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return std::nullopt;
    if (!v->is_number()) {
      fail(member(key), "expected a number, got " + v->dump());
      return std::nullopt;
    }
    return v->get<double>();
  }

  Duration seconds(const char* key) {
    const auto s = number(key);
    if (!s) return Duration{0};
    return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(*s));
  }

  bool boolean(const char* key, bool fallback) {
    const auto* v = find(key, false);
    if (!v) return fallback;
    if (!v->is_boolean()) {
      fail(member(key), "expected true or false, got " + v->dump());
      return fallback;
    }
    return v->get<bool>();
  }

  std::optional<UtcTime> time(const char* key, bool required = false) {
    const auto* v = find(key, required);
    if (!v) return std::nullopt;
    auto t = v->is_string() ? parse_utc(v->get<std::string>()) : Result<UtcTime>(make_error(""));
    if (!t) {
      fail(member(key), "expected a UTC time, got " + v->dump());
      return std::nullopt;
    }
    return *t;
  }

  void fail(const std::string& where, const std::string& what) {
    if (!failure_) failure_ = Error{where + ": " + what};
  }

 private:
  const ordered_json& j_;
  std::string path_;
  std::optional<Error>& failure_;
};

}  // namespace

double ScheduleSummary::saving_percent() const {
  return at_once.grams() > 0 ? 100.0 * saving().grams() / at_once.grams() : 0.0;
}

size_t ScheduleSummary::pauses() const {
  size_t n = 0;
  for (const auto& e : events) n += e.kind == "pause" || e.kind == "checkpoint";
  return n;
}

Result<ScheduleSummary> schedule_summary_from_json(std::string_view text, std::string_view path) {
  const std::string root(path);
  const auto j = ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(root + ": expected a JSON object");
  std::optional<Error> failure;
  ObjectReader in(j, root, failure);
  ScheduleSummary s;
  s.mode = in.string("mode", true);
  if (!failure && s.mode.empty()) in.fail(in.member("mode"), "expected flexible, pause-resume or threshold");
  s.pause_mode = in.string("pause_mode");
  s.time_scale = in.number("time_scale").value_or(1.0);
  if (const auto* req = in.find("request", false)) {
    if (!req->is_object()) {
      in.fail(in.member("request"), "expected an object, got " + req->dump());
    } else {
      ObjectReader r(*req, in.member("request"), failure);
      s.deadline = r.time("deadline");
      s.latest_start = r.time("latest_start");
    }
  }
  if (const auto* f = in.find("forecast", false)) {
    if (!f->is_object()) {
      in.fail(in.member("forecast"), "expected an object, got " + f->dump());
    } else {
      ObjectReader r(*f, in.member("forecast"), failure);
      s.forecast_label = r.string("label");
      s.forecast_origin = r.string("origin");
    }
  }
  if (const auto* events = in.find("events", true)) {
    if (!events->is_array()) {
      in.fail(in.member("events"), "expected an array, got " + events->dump());
    } else {
      for (size_t i = 0; i < events->size() && !failure; ++i) {
        const auto& e = (*events)[i];
        const std::string at = in.member("events") + "[" + std::to_string(i) + "]";
        if (!e.is_object()) {
          in.fail(at, "expected an object, got " + e.dump());
          break;
        }
        ObjectReader r(e, at, failure);
        ScheduleSummary::Event ev;
        ev.time = r.time("time", true).value_or(UtcTime{});
        ev.kind = r.string("event", true);
        ev.intensity_g_per_kwh = r.number("intensity_g_per_kwh");
        ev.work_done = r.seconds("work_done_s");
        ev.note = r.string("note");
        s.events.push_back(std::move(ev));
      }
    }
  }
  s.run_time = in.seconds("run_time_s");
  s.waited = in.seconds("waited_s");
  s.paused = in.seconds("paused_s");
  s.time_added = in.seconds("time_added_s");
  s.emissions = Mass::grams(in.number("emissions_g", true).value_or(0.0));
  s.at_once = Mass::grams(in.number("at_once_g", true).value_or(0.0));
  s.coverage = in.number("coverage").value_or(1.0);
  s.deadline_met = in.boolean("deadline_met", true);
  s.guard_engaged = in.boolean("guard_engaged", false);
  s.interrupted = in.boolean("interrupted", false);
  if (const auto replans = in.number("replans")) {
    if (*replans < 0 || *replans != static_cast<double>(static_cast<size_t>(*replans)))
      in.fail(in.member("replans"), "expected a count, got " + ordered_json(*replans).dump());
    else
      s.replans = static_cast<size_t>(*replans);
  }
  if (failure) return std::unexpected(*failure);
  s.json = j.dump();
  return s;
}

}  // namespace greenrun::runner
