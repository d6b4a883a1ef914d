// `greenrun runs delete ID... [--files]`, `greenrun runs tag ID KEY=VALUE...`,
// `greenrun runs status ID`, `greenrun runs cancel ID`: changing and
// controlling recorded and running runs through the engine
// (include/greenrun/run_admin.h, run_control.h). Parse, call, render.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.h"
#include "greenrun/base/quantity_format.h"
#include "greenrun/base/time_format.h"
#include "greenrun/queries.h"
#include "greenrun/run_admin.h"
#include "greenrun/run_control.h"

namespace greenrun::cli {
namespace {

struct AdminOptions {
  std::vector<std::string> ids;
  std::string id;
  std::vector<std::string> tags;
  bool files = false;
  bool json = false;
};

engine::Services services_of(const Context& ctx) {
  engine::Services s;
  s.store_path = ctx.store_path();
  return s;
}

int delete_action(Context& ctx, const AdminOptions& o) {
  const auto services = services_of(ctx);
  int status = 0;
  for (const auto& id : o.ids) {
    auto d = engine::delete_run(id, o.files, services);
    if (!d) {
      status = std::max(status, report_error(ctx, d.error()));
      continue;
    }
    *ctx.out << "deleted run " << d->id << " from the store; ";
    if (d->folder_removed)
      *ctx.out << "its folder " << d->folder << " was removed";
    else if (o.files)
      *ctx.out << "its folder " << (d->folder.empty() ? "(none recorded)" : d->folder) << " was not there";
    else
      *ctx.out << "its files stay in " << (d->folder.empty() ? "(none recorded)" : d->folder)
               << " (--files removes them)";
    *ctx.out << "; its rows in the runs folder's emissions.csv and greenrun_runs.csv stay\n";
  }
  return status;
}

int tag_action(Context& ctx, const AdminOptions& o) {
  std::vector<std::pair<std::string, std::string>> tags;
  for (const auto& t : o.tags) {
    auto kv = engine::parse_tag(t);
    if (!kv) return report_error(ctx, kv.error());
    tags.push_back(*kv);
  }
  auto id = engine::tag_run(o.id, tags, services_of(ctx));
  if (!id) return report_error(ctx, id.error());
  *ctx.out << "tagged run " << *id << ":";
  for (const auto& [k, v] : tags) *ctx.out << " " << k << "=" << v;
  *ctx.out << "\n";
  return 0;
}

void print_live(std::ostream& out, const engine::LiveRun& r) {
  if (r.state == "failed") {  // a detached run that failed after the fork
    out << fmt::format("run {}: failed: {}\n  at {}; the whole output is in greenrun.log in the run's folder\n", r.id,
                       r.error, format_utc(r.updated));
    return;
  }
  out << fmt::format("run {}: {}{}\n", r.id, r.state, r.mode.empty() ? "" : " (" + r.mode + ")");
  out << fmt::format("  supervisor pid {}; started {}; updated {}\n", r.pid, format_utc(r.started),
                     format_utc(r.updated));
  if (r.next_decision) out << "  next decision: " << format_utc(*r.next_decision) << "\n";
  if (!r.zone.empty()) out << "  zone: " << r.zone << "\n";
  double job = 0;
  for (const auto& c : r.components) job += c.job_joules;
  out << "  job energy so far: " << format_energy(Energy::joules(job)) << "\n";
}

int status_action(Context& ctx, const AdminOptions& o) {
  const auto services = services_of(ctx);
  auto live = engine::run_status(o.id, services);
  if (live) {
    if (o.json)
      *ctx.out << engine::to_json(*live) << "\n";
    else
      print_live(*ctx.out, *live);
    return 0;
  }
  // Not in progress: finished (recorded), or never was.
  auto done = engine::get_run(o.id, services);
  if (!done) return report_error(ctx, live.error());
  bool cancelled = false;
  for (const auto& w : done->warnings) cancelled = cancelled || w.starts_with("cancelled");
  if (o.json) {
    *ctx.out << fmt::format("{{\"id\": \"{}\", \"state\": \"{}\", \"exit_status\": {}}}\n", done->id,
                            cancelled ? "cancelled" : "finished", done->exit_status);
    return 0;
  }
  *ctx.out << fmt::format("run {}: {} (exit status {}); see `greenrun runs show {}`\n", done->id,
                          cancelled ? "cancelled" : "finished", done->exit_status, done->id);
  return 0;
}

int cancel_action(Context& ctx, const AdminOptions& o) {
  auto r = engine::cancel_run(o.id, services_of(ctx));
  if (!r) return report_error(ctx, r.error());
  *ctx.out << fmt::format("cancelling run {} ({}): sent SIGTERM to its supervisor, pid {}; {}\n", r->id, r->state,
                          r->pid,
                          r->state == "waiting" ? "the job will not start"
                                                : "the job gets SIGCONT and SIGTERM; the record is written as cancelled");
  return 0;
}

}  // namespace

void add_runs_admin_commands(CLI::App& runs, Context& ctx, Action& action) {
  auto o = std::make_shared<AdminOptions>();
  CLI::App* del = runs.add_subcommand("delete", "Delete runs from the store (their files stay unless --files)");
  del->add_option("ids", o->ids, "Run ids or unique prefixes")->required();
  del->add_flag("--files", o->files, "Also remove each run's own folder (run.json, timeline.jsonl)");
  del->callback([&ctx, &action, o] { action = [&ctx, o] { return delete_action(ctx, *o); }; });
  CLI::App* tag = runs.add_subcommand("tag", "Tag a run with KEY=VALUE (shown by runs show; runs list --tag)");
  tag->add_option("id", o->id, "Run id or a unique prefix")->required();
  tag->add_option("tags", o->tags, "KEY=VALUE ...")->required();
  tag->callback([&ctx, &action, o] { action = [&ctx, o] { return tag_action(ctx, *o); }; });
  CLI::App* status = runs.add_subcommand("status", "The live state of a run (e.g. one started with run --detach)");
  status->add_option("id", o->id, "Run id or a unique prefix")->required();
  status->add_flag("--json", o->json, "JSON output (greenrun.live/1 while it runs)");
  status->callback([&ctx, &action, o] { action = [&ctx, o] { return status_action(ctx, *o); }; });
  CLI::App* cancel = runs.add_subcommand("cancel", "Stop a run in progress cleanly: a waiting job never starts");
  cancel->add_option("id", o->id, "Run id or a unique prefix")->required();
  cancel->callback([&ctx, &action, o] { action = [&ctx, o] { return cancel_action(ctx, *o); }; });
}

}  // namespace greenrun::cli
