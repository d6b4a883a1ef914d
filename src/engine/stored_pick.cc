#include "engine/stored_pick.h"

#include "base/text_reader.h"

namespace greenrun::engine {

const intensity::StoredSeriesInfo* pick_stored(const std::vector<intensity::StoredSeriesInfo>& list,
                                               std::string_view zone, intensity::Origin origin) {
  const intensity::StoredSeriesInfo* best = nullptr;
  for (const auto& info : list) {
    if (!iequals(info.key.zone, zone) || info.key.origin != origin) continue;
    if (!best || (info.key.signal == intensity::Signal::kAverageLifecycle &&
                  best->key.signal != intensity::Signal::kAverageLifecycle))
      best = &info;
  }
  return best;
}

}  // namespace greenrun::engine
