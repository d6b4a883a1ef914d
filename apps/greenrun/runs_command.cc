// `greenrun runs list [--project P] [--phase PH] [--since T] [--until T] [--limit N] [--json|--csv]`,
// `greenrun runs show ID [--json]` (ID `slurm:JOBID`: a Slurm job's nodes, runs_slurm_show.cc),
// `greenrun runs summary [--by project|phase|zone|month] [filters] [--json|--csv]`,
// `greenrun runs import run.json…`:
// the runs recorded by `greenrun run` in the store, read through the
// engine's queries (include/greenrun/queries.h) and written as the engine
// renders them (include/greenrun/run_views.h): parse, call, write.
#include <CLI/CLI.hpp>

#include "commands.h"
#include "greenrun/base/clock.h"
#include "greenrun/base/time_arg.h"
#include "greenrun/engine.h"
#include "greenrun/queries.h"
#include "greenrun/run_admin.h"
#include "greenrun/run_views.h"

namespace greenrun::cli {
namespace {

struct RunsOptions {
  std::optional<std::string> project;
  std::optional<std::string> phase;
  std::optional<std::string> since;
  std::optional<std::string> until;
  size_t limit = 50;
  bool json = false;
  bool csv = false;
  std::string id;
  std::string by = "project";
  std::vector<std::string> files;
  std::optional<std::string> tag;  // KEY=VALUE
};

engine::Services services_for(const Context& ctx) {
  engine::Services services;
  services.store_path = ctx.store_path();
  return services;
}

Result<engine::RunFilter> filter_of(const RunsOptions& o) {
  if (o.json && o.csv) return make_error(ErrorKind::kUsage, "choose one of --json and --csv");
  engine::RunFilter f;
  f.project = o.project;
  f.phase = o.phase;
  f.limit = o.limit;
  if (o.tag) {
    auto t = engine::parse_tag(*o.tag);
    if (!t) return make_error(ErrorKind::kUsage, "--tag: " + t.error().message);
    f.tag = *t;
  }
  const UtcTime now = SystemClock().utc_now();
  if (o.since) {
    auto t = parse_time_arg(*o.since, now);
    if (!t) return make_error(ErrorKind::kUsage, "--since: " + t.error().message);
    f.since = *t;
  }
  if (o.until) {
    auto t = parse_time_arg(*o.until, now);
    if (!t) return make_error(ErrorKind::kUsage, "--until: " + t.error().message);
    f.until = *t;
  }
  if (f.since && f.until && *f.until <= *f.since)
    return make_error(ErrorKind::kUsage, "--until must be after --since");
  return f;
}

int list_action(Context& ctx, const RunsOptions& o) {
  auto filter = filter_of(o);
  if (!filter) return report_error(ctx, filter.error());
  const auto services = services_for(ctx);
  std::ostream& out = *ctx.out;
  if (o.json) {
    // The whole records, as run.json has them.
    auto runs = engine::find_runs(*filter, services);
    if (!runs) return report_error(ctx, runs.error());
    out << engine::runs_json(*runs);
    return 0;
  }
  // The table needs only the store's typed columns.
  auto runs = engine::find_run_rows(*filter, services);
  if (!runs) return report_error(ctx, runs.error());
  if (o.csv) {
    out << engine::run_rows_csv(*runs);
    return 0;
  }
  if (runs->empty()) {
    out << "no runs recorded in " << ctx.store_path() << (filter->project || filter->phase || filter->since || filter->until || filter->tag ? " that match" : "") << "\n";
    return 0;
  }
  out << engine::run_rows_table(*runs);
  return 0;
}

int show_action(Context& ctx, const RunsOptions& o) {
  if (o.id.starts_with("slurm:")) return show_slurm_job(ctx, o.id.substr(6), o.json);  // runs_slurm_show.cc
  auto r = engine::get_run(o.id, services_for(ctx));
  if (!r) return report_error(ctx, r.error());
  std::ostream& out = *ctx.out;
  auto tags = engine::run_tags(r->id, services_for(ctx));
  if (!tags) return report_error(ctx, tags.error());
  out << (o.json ? engine::run_show_json(*r, *tags) : engine::run_show_text(*r, *tags));
  return 0;
}

int summary_action(Context& ctx, const RunsOptions& o) {
  auto filter = filter_of(o);
  if (!filter) return report_error(ctx, filter.error());
  auto groups = engine::run_totals(o.by, *filter, services_for(ctx));
  if (!groups) return report_error(ctx, groups.error());
  if (o.json)
    *ctx.out << engine::run_totals_json(o.by, *groups);
  else if (o.csv)
    *ctx.out << engine::run_totals_csv(o.by, *groups);
  else
    *ctx.out << engine::run_totals_table(o.by, *groups);
  return 0;
}

int import_action(Context& ctx, const RunsOptions& o) {
  engine::Services services;
  services.store_path = ctx.store_path();
  auto imported = engine::import_runs(o.files, services);
  if (!imported) return report_error(ctx, imported.error());
  for (const auto& id : imported->ids) *ctx.out << "imported run " << id << "\n";
  return 0;
}

}  // namespace

void add_runs_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<RunsOptions>();
  CLI::App* runs = app.add_subcommand("runs", "Runs recorded by `greenrun run`");
  runs->require_subcommand(1);
  CLI::App* list = runs->add_subcommand("list", "List recorded runs, newest first");
  const auto filters = [o](CLI::App* sub) {
    sub->add_option("--project", o->project, "Only this project");
    sub->add_option("--phase", o->phase, "Only this phase");
    sub->add_option("--since", o->since, "Runs that started at or after T (ISO 8601, now-7d ...)");
    sub->add_option("--until", o->until, "Runs that started before T");
    sub->add_flag("--csv", o->csv, "CSV output (SI units: s, J, g; unknown emissions empty)");
    sub->add_option("--tag", o->tag, "Only runs tagged KEY=VALUE (greenrun runs tag)");
  };
  filters(list);
  list->add_option("--limit", o->limit, "At most this many (default 50)");
  list->add_flag("--json", o->json, "JSON output");
  list->callback([&ctx, &action, o] { action = [&ctx, o] { return list_action(ctx, *o); }; });
  CLI::App* show = runs->add_subcommand("show", "Show one run, or a Slurm job's energy across nodes (slurm:JOBID)");
  show->add_option("id", o->id, "Run id or a unique prefix; slurm:JOBID for a Slurm job's per-node records")->required();
  show->add_flag("--json", o->json, "JSON output (the run.json record)");
  show->callback([&ctx, &action, o] { action = [&ctx, o] { return show_action(ctx, *o); }; });
  CLI::App* summary = runs->add_subcommand("summary", "Totals by project, phase, zone or month");
  summary->add_option("--by", o->by, "project, phase, zone or month (UTC; default project)")
      ->check(CLI::IsMember({"project", "phase", "zone", "month"}));
  filters(summary);
  summary->add_flag("--json", o->json, "JSON output");
  summary->callback([&ctx, &action, o] { action = [&ctx, o] { return summary_action(ctx, *o); }; });
  CLI::App* import = runs->add_subcommand("import", "Add run records (run.json) to the store, e.g. one it could not take");
  import->add_option("files", o->files, "run.json files")->required();
  import->callback([&ctx, &action, o] { action = [&ctx, o] { return import_action(ctx, *o); }; });
  add_runs_admin_commands(*runs, ctx, action);
}

}  // namespace greenrun::cli
