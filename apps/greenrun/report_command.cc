// `greenrun report [RUN...] [--project P] [--phase PH] [--since T] [--until T]
//  --format text|md|latex|json|html [--out FILE]`: an energy and emissions
// statement a paper can print, or a self-contained HTML report with charts,
// for one run, several runs, or a project / phase over a date range.
// The rendering is src/report's; this file parses flags and writes the result.
#include <CLI/CLI.hpp>
#include <fstream>

#include "commands.h"
#include "greenrun/base/time_format.h"
#include "report/html_report.h"
#include "report/report_data.h"
#include "report/run_source.h"
#include "report/statement.h"
#include "report/zone_series.h"

namespace greenrun::cli {
namespace {

struct ReportOptions {
  std::vector<std::string> ids;
  std::optional<std::string> project;
  std::optional<std::string> phase;
  std::optional<std::string> since;
  std::optional<std::string> until;
  std::string format = "text";
  std::optional<std::string> out;
};

int report_action(Context& ctx, const ReportOptions& o) {
  report::RunSelection sel;
  sel.ids = o.ids;
  sel.project = o.project;
  sel.phase = o.phase;
  for (const auto& [flag, text, slot] :
       {std::tuple{"--since", &o.since, &sel.since},
        {"--until", &o.until, &sel.until}}) {
    if (!*text) continue;
    auto t = parse_utc(**text);
    if (!t)
      return report_error(ctx,
                          Error{std::string(flag) + ": " + t.error().message,
                                ErrorKind::kUsage});
    *slot = *t;
  }
  auto runs = report::select_runs(ctx.store_path(), sel);
  if (!runs) return report_error(ctx, runs.error());
  const std::string scope = sel.describe();

  std::string text;
  if (o.format == "html") {
    const auto data = report::load_report_data(ctx.store_path(), *runs, scope);
    text = report::html_report(data);
  } else {
    const auto s = report::build_statement(
        *runs, scope, report::zone_facts(ctx.store_path(), *runs));
    if (o.format == "text")
      text = report::statement_text(s);
    else if (o.format == "md")
      text = report::statement_markdown(s);
    else if (o.format == "latex")
      text = report::statement_latex(s);
    else
      text = report::statement_json(s);
  }
  if (!o.out) {
    *ctx.out << text;
    return 0;
  }
  std::ofstream f(*o.out, std::ios::binary | std::ios::trunc);
  f << text;
  f.close();
  if (!f)
    return report_error(
        ctx,
        Error{"--out " + *o.out + ": cannot write the report", ErrorKind::kIo});
  *ctx.info << "greenrun: wrote " << *o.out << " (" << text.size()
           << " bytes)\n";
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, Context& ctx, Action& action) {
  auto o = std::make_shared<ReportOptions>();
  CLI::App* sub = app.add_subcommand(
      "report", "An energy and emissions statement or an HTML report of runs");
  sub->add_option(
      "runs", o->ids,
      "Run ids or unique prefixes (default: every run the filters select)");
  sub->add_option("--project", o->project, "Only this project");
  sub->add_option("--phase", o->phase, "Only this phase");
  sub->add_option(
      "--since", o->since,
      "Runs started at or after this UTC time (2026-11-01 or ISO 8601)");
  sub->add_option("--until", o->until, "Runs started before this UTC time");
  sub->add_option("--format", o->format,
                  "text, md, latex, json or html (default text)")
      ->check(CLI::IsMember({"text", "md", "latex", "json", "html"}));
  sub->add_option("--out", o->out,
                  "Write to this file instead of standard output");
  sub->callback([&ctx, &action, o] {
    action = [&ctx, o] { return report_action(ctx, *o); };
  });
}

}  // namespace greenrun::cli
