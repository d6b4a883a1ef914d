#include "greenrun/runner/tracker_section.h"

#include <nlohmann/json.hpp>

#include "base/json_object_reader.h"
#include "greenrun/base/time_format.h"

namespace greenrun::runner {
namespace {

using nlohmann::ordered_json;

template <typename T, typename F>
ordered_json spread_json(const Spread<T>& s, F value) {
  return {{"low", value(s.low)}, {"mid", value(s.mid)}, {"high", value(s.high)}};
}

template <typename T, typename F>
Spread<T> spread_from(JsonObjectReader& r, const char* key, F make) {
  Spread<T> s;
  if (auto x = r.object(key)) {
    s.low = make(x->number_or("low", 0));
    s.mid = make(x->number_or("mid", 0));
    s.high = make(x->number_or("high", 0));
  }
  return s;
}

}  // namespace

std::string tracker_section_to_json(const TrackerSection& s, int indent) {
  ordered_json t;
  t["process"] = s.process;
  t["rank"] = {{"rank", s.rank.rank},
               {"local_rank", s.rank.local_rank},
               {"world_size", s.rank.world_size},
               {"source", s.rank.source},
               {"node_energy", s.rank.node_owner()
                                   ? "recorded by this process (LOCAL_RANK 0)"
                                   : "recorded by LOCAL_RANK 0 on this node; this record keeps its share"}};
  t["phases"] = ordered_json::array();
  for (const auto& p : s.phases)
    t["phases"].push_back({{"name", p.name},
                           {"start", format_utc(p.start)},
                           {"end", format_utc(p.end)},
                           {"closed_by_stop", p.closed_by_stop},
                           {"job_j", p.job.joules()}});
  t["marks"] = ordered_json::array();
  for (const auto& m : s.marks) {
    ordered_json j{{"at", format_utc(m.at)}, {"name", m.name}};
    if (m.value) j["value"] = *m.value;
    t["marks"].push_back(std::move(j));
  }
  t["epochs"] = ordered_json::array();
  for (const auto& e : s.epochs) t["epochs"].push_back({{"duration_s", to_seconds(e.duration)}, {"job_j", e.job.joules()}});
  if (s.epochs_planned) t["epochs_planned"] = *s.epochs_planned;
  if (s.prediction) {
    const auto& p = *s.prediction;
    ordered_json pj{{"after_epochs", p.after_epochs},
                    {"epochs_total", p.epochs_total},
                    {"warmup_excluded", p.warmup_excluded},
                    {"confidence", p.confidence},
                    {"method", p.method},
                    {"duration_s", spread_json(p.duration_s, [](double v) { return v; })},
                    {"job_j", spread_json(p.job, [](Energy v) { return v.joules(); })},
                    {"emissions_g", spread_json(p.emissions, [](Mass v) { return v.grams(); })},
                    {"emissions_method", p.emissions_method}};
    const auto& o = p.outcome;
    ordered_json outcome{{"epochs", o.epochs},
                         {"complete", o.complete},
                         {"duration_s", to_seconds(o.duration)},
                         {"job_j", o.job.joules()},
                         {"emissions_g", o.emissions.grams()}};
    if (o.error_percent)
      outcome["error_percent"] = {{"duration", o.error_percent->duration},
                                  {"energy", o.error_percent->energy},
                                  {"emissions", o.error_percent->emissions}};
    if (o.energy_within_interval) outcome["energy_within_interval"] = *o.energy_within_interval;
    if (!o.complete || !o.note.empty()) outcome["note"] = o.note;
    pj["outcome"] = std::move(outcome);
    t["prediction"] = std::move(pj);
  }
  if (s.budget) {
    t["budget"] = {{"kg", s.budget->budget.kilograms()}};
    if (s.budget->exceeded_at_epoch) t["budget"]["exceeded_at_epoch"] = *s.budget->exceeded_at_epoch;
  }
  return t.dump(indent, ' ', false, ordered_json::error_handler_t::replace);
}

Result<TrackerSection> tracker_section_from_json(std::string_view text, std::string_view path) {
  const std::string root(path);
  const auto j = ordered_json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error(root + ": expected a JSON object");
  std::optional<Error> failure;
  JsonObjectReader in(j, root, failure);
  TrackerSection s;
  s.process = in.integer("process").value_or(0);
  if (auto r = in.object("rank")) {
    s.rank.rank = static_cast<int>(r->integer("rank").value_or(0));
    s.rank.local_rank = static_cast<int>(r->integer("local_rank").value_or(0));
    s.rank.world_size = static_cast<int>(r->integer("world_size").value_or(1));
    s.rank.source = r->string("source");
  }
  in.objects("phases", [&](JsonObjectReader& r) {
    TrackerSection::Phase p;
    p.name = r.string("name");
    p.start = r.time_or_epoch("start", true);
    p.end = r.time_or_epoch("end", true);
    p.closed_by_stop = r.boolean("closed_by_stop", false);
    p.job = r.joules("job_j");
    s.phases.push_back(std::move(p));
  });
  in.objects("marks", [&](JsonObjectReader& r) {
    TrackerSection::Mark m;
    m.at = r.time_or_epoch("at", true);
    m.name = r.string("name");
    m.value = r.number("value");
    s.marks.push_back(std::move(m));
  });
  in.objects("epochs", [&](JsonObjectReader& r) {
    s.epochs.push_back({r.seconds("duration_s"), r.joules("job_j")});
  });
  s.epochs_planned = in.count("epochs_planned");
  if (auto r = in.object("prediction")) {
    TrackerSection::Prediction p;
    p.after_epochs = r->count("after_epochs").value_or(0);
    p.epochs_total = r->count("epochs_total").value_or(0);
    p.warmup_excluded = r->count("warmup_excluded").value_or(0);
    p.confidence = r->number_or("confidence", 0.9);
    p.method = r->string("method");
    p.duration_s = spread_from<double>(*r, "duration_s", [](double v) { return v; });
    p.job = spread_from<Energy>(*r, "job_j", [](double v) { return Energy::joules(v); });
    p.emissions = spread_from<Mass>(*r, "emissions_g", [](double v) { return Mass::grams(v); });
    p.emissions_method = r->string("emissions_method");
    if (auto o = r->object("outcome")) {
      TrackerSection::Outcome& out = p.outcome;
      out.epochs = o->count("epochs").value_or(0);
      out.complete = o->boolean("complete", false);
      out.duration = o->seconds("duration_s");
      out.job = o->joules("job_j");
      out.emissions = o->grams("emissions_g");
      if (auto e = o->object("error_percent"))
        out.error_percent = TrackerSection::Outcome::ErrorPercent{
            e->number_or("duration", 0), e->number_or("energy", 0), e->number_or("emissions", 0)};
      if (o->has("energy_within_interval")) out.energy_within_interval = o->boolean("energy_within_interval", false);
      out.note = o->string("note");
    }
    s.prediction = std::move(p);
  }
  if (auto b = in.object("budget")) {
    TrackerSection::Budget budget;
    budget.budget = Mass::kilograms(b->number_or("kg", 0));
    budget.exceeded_at_epoch = b->count("exceeded_at_epoch");
    s.budget = budget;
  }
  if (failure) return std::unexpected(*failure);
  return s;
}

}  // namespace greenrun::runner
