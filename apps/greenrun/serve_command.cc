// `greenrun serve [--listen HOST:PORT] [--token-file FILE] [--threads N]`:
// one process serves Prometheus metrics (/metrics) and the Carbon Aware SDK's
// Web API from the store (docs/server.md). Settings: flags, else the config
// file's [server] table. Prints "greenrun serve: listening on http://HOST:PORT"
// once bound (port 0 picks a free port), serves until SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <csignal>
#include <ostream>
#include <pthread.h>
#include <thread>

#include "commands.h"
#include "greenrun/base/quantity_parse.h"
#include "greenrun/carbon_aware_queries.h"
#include "greenrun/dashboard.h"
#include "greenrun/job_energy.h"
#include "report/dashboard_page.h"
#include "server/http_server.h"
#include "server/metrics.h"
#include "server/server_settings.h"

namespace greenrun::cli {
namespace {

struct ServeFlags {
  std::optional<std::string> listen;
  std::optional<std::string> token_file;
  size_t threads = 1024;
  int refresh = 60;          // the dashboard reloads itself this often (s); 0: never
  std::string window = "1h";  // the dashboard's best window
};

int serve(Context& ctx, const ServeFlags& flags) {
  const auto env = intensity::process_environment();
  auto settings = server::load_server_settings(env);
  if (!settings) return report_error(ctx, settings.error());
  const std::string listen = flags.listen.value_or(settings->listen.value_or("127.0.0.1:8080"));
  auto address = server::parse_listen(listen);
  if (!address) return report_error(ctx, address.error());

  server::ServerOptions options;
  options.host = address->first;
  options.port = address->second;
  options.threads = std::max<size_t>(2, flags.threads);
  if (const auto token_file = flags.token_file ? flags.token_file : settings->token_file) {
    std::vector<std::string> warnings;
    auto token = server::read_token_file(*token_file, warnings);
    if (!token) return report_error(ctx, token.error());
    for (const auto& w : warnings) *ctx.err << "greenrun: warning: " << w << "\n";
    options.token = std::move(*token);
  }

  engine::QuerySources sources;
  sources.store_path = ctx.store_path();
  auto queries = engine::CarbonAwareQueries::open(sources);
  if (!queries) return report_error(ctx, Error{queries.error().message, ErrorKind::kIo});
  // The nodes' per-job energy records (POST /greenrun/v1/records): this
  // process is the store's only writer of them.
  engine::RecordIngest ingest(ctx.store_path());
  options.records = &ingest;
  server::MetricsSource metrics(server::MetricsOptions{ctx.store_path()}, queries->get());
  engine::DashboardRequest dashboard;
  auto window = parse_duration(flags.window);
  if (!window || *window <= Duration::zero())
    return report_error(ctx, Error{"--window " + flags.window + ": expected a positive duration such as 1h or 30m",
                                   ErrorKind::kUsage});
  dashboard.window = *window;
  dashboard.horizon = std::max<Duration>(dashboard.horizon, *window);
  if (flags.refresh < 0)
    return report_error(ctx, Error{"--refresh: expected seconds >= 0 (0: never)", ErrorKind::kUsage});

  // SIGINT / SIGTERM are taken by one thread (sigwait) that stops the server;
  // blocked here so every worker thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away mid-answer is that connection's business

  server::HttpServer http(options, **queries, [&metrics] { return metrics.render(); });
  engine::Services dashboard_services;
  dashboard_services.store_path = ctx.store_path();
  const int refresh = flags.refresh;
  const auto page = [dashboard, dashboard_services, refresh]() -> Result<std::string> {
    auto d = engine::collect_dashboard(dashboard, dashboard_services);
    if (!d) return std::unexpected(d.error());
    return report::dashboard_page(*d, refresh);
  };
  http.add_page("/", page);
  http.add_page("/dashboard", page);
  auto port = http.bind();
  if (!port) {
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    return report_error(ctx, port.error());
  }
  const std::string shown = options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host;
  *ctx.out << "greenrun serve: listening on http://" << shown << ":" << *port << std::endl;

  std::atomic<bool> finished{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    // cpp-httplib's stop() does nothing until run() has entered its accept
    // loop, so a signal right after the "listening" line would be lost:
    // repeat it until run() has returned.
    while (!finished) {
      http.stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  http.run();
  finished = true;
  // run() also returns if the listening socket fails; wake the waiter then.
  pthread_kill(waiter.native_handle(), SIGTERM);
  waiter.join();
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Context& ctx, Action& action) {
  auto flags = std::make_shared<ServeFlags>();
  CLI::App* cmd = app.add_subcommand("serve", "Serve metrics, the Carbon Aware SDK API and a dashboard from the store");
  cmd->add_option("--listen", flags->listen,
                  "HOST:PORT to listen on (default [server] listen in config.toml, else 127.0.0.1:8080; port 0: "
                  "a free one); beyond loopback needs --token-file");
  cmd->add_option("--token-file", flags->token_file,
                  "File holding the bearer token every request must send (default [server] token_file)");
  cmd->add_option("--threads", flags->threads, "Most worker threads, one per open connection (default 1024)");
  cmd->add_option("--refresh", flags->refresh, "The dashboard (/) reloads itself every N seconds (default 60; 0: never)");
  cmd->add_option("--window", flags->window,
                  "Length of the best window the dashboard shows for each zone (default 1h; the outlook reaches 24 h, or this window if longer)");
  cmd->callback([&ctx, &action, flags] { action = [&ctx, flags] { return serve(ctx, *flags); }; });
}

}  // namespace greenrun::cli
