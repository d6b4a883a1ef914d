#include "cli.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <ostream>
#include <streambuf>

#include "commands.h"
#include "flag_check.h"
#include "greenrun/intensity/stored_series.h"

namespace greenrun::cli {

std::string Context::store_path() const { return intensity::default_store_path(store_override); }

namespace {

// Where --quiet sends status output: nowhere.
class NullBuffer final : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

}  // namespace

int exit_status_for(ErrorKind kind) { return kind == ErrorKind::kUsage ? 2 : 1; }

int report_error(const Context& ctx, const Error& error) {
  *ctx.err << "greenrun: " << error.message << "\n";
  return exit_status_for(error.kind);
}

int run_cli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "greenrun: measure the energy and carbon emissions of jobs, and run them when and where the grid "
      "is cleanest.",
      "greenrun"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "greenrun 0.1.0");
  Context ctx{&out, &err, std::nullopt, &err};
  NullBuffer null_buffer;
  std::ostream null_stream(&null_buffer);
  app.add_flag("--quiet,-q", ctx.quiet, "No status lines, notes or warnings: only errors and the requested output");
  app.add_option("--store", ctx.store_override,
                 "SQLite store of intensity data and runs (default: $GREENRUN_STORE, else "
                 "$XDG_DATA_HOME/greenrun/greenrun.db)");
  // Global flags (--store, --quiet) are accepted after a subcommand too:
  // every subcommand, made after this, passes what it does not know up.
  app.fallthrough();
  Action action;
  add_intensity_command(app, ctx, action);
  add_zones_commands(app, ctx, action);
  add_emissions_command(app, ctx, action);
  add_plan_command(app, ctx, action);
  add_simulate_command(app, ctx, action);
  add_forecast_command(app, ctx, action);
  add_run_command(app, ctx, action);
  add_runs_command(app, ctx, action);
  add_report_command(app, ctx, action);
  add_serve_command(app, ctx, action);
  add_slurm_command(app, ctx, action);
  add_slurm_sampler_command(app, ctx, action);  // after add_slurm_command: adds itself under `slurm`

  if (auto unknown = unknown_flag_message(app, args)) {
    err << "greenrun: " << *unknown << "\n";
    return 2;
  }
  std::vector<std::string> rev(args.rbegin(), args.rend());
  if (!rev.empty()) rev.pop_back();  // the program name
  try {
    app.parse(rev);
  } catch (const CLI::CallForHelp& e) {
    out << app.help();
    return 0;
  } catch (const CLI::CallForAllHelp& e) {
    out << app.help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::CallForVersion& e) {
    out << "greenrun 0.1.0\n";
    return 0;
  } catch (const CLI::ParseError& e) {
    // Help for a subcommand is raised from it; print that subcommand's help.
    if (e.get_exit_code() == 0) {
      for (const CLI::App* sub : app.get_subcommands()) {
        const CLI::App* leaf = sub;
        while (!leaf->get_subcommands().empty()) leaf = leaf->get_subcommands().front();
        out << leaf->help();
        return 0;
      }
      out << app.help();
      return 0;
    }
    err << "greenrun: " << e.what() << "\n";
    err << "Run with --help for usage.\n";
    return 2;
  }
  if (ctx.quiet) ctx.info = &null_stream;
  if (!action) {
    err << "greenrun: nothing to do; see --help\n";
    return 2;
  }
  try {
    return action();
  } catch (const std::exception& e) {
    err << "greenrun: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace greenrun::cli
