#include "slurm/submit.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"
#include "slurm/opt_in.h"
#include "slurm/sbatch_options.h"

namespace greenrun::slurm {

namespace {

Result<std::string> write_record(const engine::Services& services, const Submitted& s, const SubmitRequest& req) {
  namespace fs = std::filesystem;
  const fs::path folder = fs::path(services.store_path).parent_path() / "slurm";
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) return make_error(ErrorKind::kFailure, folder.string() + ": cannot create: " + ec.message());
  nlohmann::json j;
  j["schema"] = "greenrun.slurm-submit/1";
  j["job_id"] = s.job_id;
  j["zone"] = req.zone;
  j["submitted"] = format_utc(s.start.now);
  j["flexible"] = s.start.flexible;
  j["reason"] = s.start.reason;
  j["begin"] = format_utc(s.start.begin);
  j["latest_start"] = format_utc(s.start.latest_start);
  j["deadline"] = s.start.deadline ? nlohmann::json(format_utc(*s.start.deadline)) : nlohmann::json(nullptr);
  j["duration_s"] = std::chrono::duration_cast<std::chrono::seconds>(s.duration).count();
  j["duration_source"] = s.duration_source;
  j["forecast"] = s.start.forecast_label;
  if (s.start.plan) {
    j["expected_emissions_g"] = s.start.plan->emissions.grams();
    j["at_once_g"] = s.start.plan->baseline.grams();
    j["saving_percent"] = s.start.plan->saving_percent();
  }
  j["interruptible"] = req.interruptible;
  if (req.checkpoint_grace)
    j["checkpoint_grace_s"] = std::chrono::duration_cast<std::chrono::seconds>(*req.checkpoint_grace).count();
  j["sbatch"] = s.sbatch_argv;
  const fs::path file = folder / (s.job_id + ".json");
  std::ofstream out(file);
  out << j.dump(2) << "\n";
  if (!out) return make_error(ErrorKind::kFailure, file.string() + ": cannot write");
  return file.string();
}

}  // namespace

Result<Submitted> submit(const SubmitRequest& req, SlurmClient& slurm, const engine::Services& services,
                         engine::Observer& observer) {
  auto opts = scan_sbatch(req.sbatch_args);
  if (!opts) return std::unexpected(opts.error());
  if (opts->has_begin)
    return make_error(ErrorKind::kUsage, "--begin: greenrun slurm submit sets the job's start; leave it out");
  if (opts->has_deadline)
    return make_error(ErrorKind::kUsage, "--deadline: give it to greenrun (before --), which passes it to sbatch");
  if (opts->comment && !parse_opt_in(*opts->comment).value_or(std::nullopt))
    return make_error(ErrorKind::kUsage,
                      "--comment: greenrun slurm submit sets the job's comment (its opt-in, docs/slurm.md); leave it out");
  Submitted s;
  if (req.expected_duration) {
    s.duration = *req.expected_duration;
    s.duration_source = "--expected-duration";
  } else if (opts->time_limit) {
    s.duration = *opts->time_limit;
    s.duration_source = opts->time_limit_source;
  }
  SystemClock system_clock;
  Clock& clock = services.clock ? *services.clock : system_clock;
  if (s.duration.count() <= 0) {
    s.start.now = s.start.begin = s.start.latest_start = clock.utc_now();
    s.start.reason = "not flexible: no time limit (--time, #SBATCH --time) or --expected-duration; submitted to start at once";
  } else {
    engine::BatchStartRequest br;
    br.zone = req.zone;
    br.duration = s.duration;
    br.deadline = req.deadline;
    br.max_delay = req.max_delay;
    br.power = req.power;
    br.time_limit = opts->time_limit;
    br.forecast = req.forecast;
    auto planned = engine::plan_batch_start(br, services, observer);
    if (!planned) return std::unexpected(planned.error());
    s.start = *planned;
  }
  OptIn opt;
  opt.deadline = s.start.deadline;
  if (req.expected_duration) opt.duration = req.expected_duration;
  opt.interruptible = req.interruptible;
  opt.checkpoint_grace = req.checkpoint_grace;
  if (!req.zone.empty()) opt.zone = req.zone;
  s.sbatch_argv = {"sbatch", "--parsable"};
  if (s.start.flexible) s.sbatch_argv.push_back("--begin=" + slurm_time(s.start.begin));
  if (s.start.deadline) s.sbatch_argv.push_back("--deadline=" + slurm_time(*s.start.deadline));
  s.sbatch_argv.push_back("--comment=" + format_opt_in(opt));
  // The user's arguments after ours: a script and its own arguments stay last.
  for (const auto& a : req.sbatch_args) s.sbatch_argv.push_back(a);
  if (req.dry_run) return s;
  auto id = slurm.sbatch(std::vector<std::string>(s.sbatch_argv.begin() + 2, s.sbatch_argv.end()));
  if (!id) return std::unexpected(id.error());
  s.job_id = *id;
  auto rec = write_record(services, s, req);
  if (!rec) {
    observer.on_event({engine::EventKind::kWarning, "job " + s.job_id + " submitted, but its plan was not recorded: " +
                                                        rec.error().message});
  } else {
    s.record_path = *rec;
  }
  return s;
}

}  // namespace greenrun::slurm
