#include "engine/stored_pick.h"

#include "greenrun/base/text_reader.h"

namespace greenrun::engine {

namespace {

// Life-cycle before direct before marginal: the order the forecast
// selection and engine::intensity() prefer.
int rank(intensity::Signal s) {
  switch (s) {
    case intensity::Signal::kAverageLifecycle: return 0;
    case intensity::Signal::kAverageDirect: return 1;
    case intensity::Signal::kMarginal: return 2;
  }
  return 3;
}

}  // namespace

const intensity::StoredSeriesInfo* pick_stored(const std::vector<intensity::StoredSeriesInfo>& list,
                                               std::string_view zone, intensity::Origin origin) {
  const intensity::StoredSeriesInfo* best = nullptr;
  for (const auto& info : list) {
    if (!iequals(info.key.zone, zone) || info.key.origin != origin) continue;
    if (!best || rank(info.key.signal) < rank(best->key.signal)) best = &info;
  }
  return best;
}

}  // namespace greenrun::engine
