// engine::embodied_input (engine/embodied_request.h).
#include "engine/embodied_request.h"

#include <fmt/format.h>

#include <cmath>

#include "greenrun/accounting/embodied.h"
#include "greenrun/base/quantity_parse.h"

namespace greenrun::engine {

Result<std::optional<accounting::EmbodiedInput>> embodied_input(
    const std::optional<EmbodiedRequest>& r) {
  if (!r) return std::optional<accounting::EmbodiedInput>{};
  if (r->lifetime.count() <= 0)
    return make_error(ErrorKind::kUsage,
                      "--lifetime: expected a positive duration");
  std::optional<accounting::EmbodiedInput> e;
  if (r->instance) {
    auto inst = accounting::find_instance(*r->instance);
    if (!inst)
      return make_error(ErrorKind::kUsage,
                        "--instance: " + inst.error().message);
    e = accounting::embodied_input(**inst, r->lifetime);
  } else if (r->hardware) {
    const double kg = r->hardware->kilograms();
    if (!std::isfinite(kg) || kg < 0 || kg > 1e7)
      return make_error(ErrorKind::kUsage,
                        "--embodied-kg: expected 0 to 10,000,000 kg CO2e");
    if (!(r->share > 0 && r->share <= 1))
      return make_error(ErrorKind::kUsage,
                        "--share: expected a number in (0, 1]");
    e = accounting::EmbodiedInput{
        *r->hardware, r->share, r->lifetime,
        fmt::format("--embodied-kg {:g} kg, share {:g}", kg, r->share)};
  }
  if (e)
    e->source += "; lifetime " + format_duration(r->lifetime) +
                 (r->lifetime_given
                      ? " (--lifetime)"
                      : " (" + std::string(accounting::kLifetimeSource) + ")");
  return e;
}

}  // namespace greenrun::engine
