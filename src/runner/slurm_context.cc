#include "greenrun/runner/slurm_context.h"

#include <charconv>
#include <cstdlib>

namespace greenrun::runner {

Result<std::optional<SlurmContext>> SlurmContext::from_environment(
    const std::function<std::optional<std::string>(std::string_view)>& env) {
  const auto get = [&](const char* name) -> std::optional<std::string> {
    if (env) return env(name);
    const char* v = std::getenv(name);
    return v ? std::optional<std::string>(v) : std::nullopt;
  };
  const auto job = get("SLURM_JOB_ID");
  if (!job || job->empty()) return std::optional<SlurmContext>();
  SlurmContext c;
  c.job_id = *job;
  c.node = get("SLURMD_NODENAME").value_or("");
  c.step_id = get("SLURM_STEP_ID").value_or("");
  for (auto [name, out] : {std::pair{"SLURM_PROCID", &c.procid}, std::pair{"SLURM_LOCALID", &c.localid}}) {
    const auto text = get(name);
    if (!text) continue;
    int v = -1;
    const auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc{} || p != text->data() + text->size() || v < 0)
      return make_error(ErrorKind::kUsage, std::string(name) + "=" + *text + ": expected a non-negative integer");
    *out = v;
  }
  return std::optional<SlurmContext>(std::move(c));
}

}  // namespace greenrun::runner
