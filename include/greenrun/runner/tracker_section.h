// TrackerSection: run.json's "tracker" section (docs/python.md) as typed
// values — what a run measured from inside its own process (engine::Tracker,
// the Python module) adds to its record: the process and rank, the phases
// with their job energy, the marks on the timeline, the epochs, the first
// prediction and how it came out, and the emissions budget.
//
// One writer, one reader: tracker_section_to_json / tracker_section_from_json
// (run_record.cc calls both); to_json(from_json(text)) gives the same keys in
// the same order.
//
// Thread-safety: plain value; pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "greenrun/base/result.h"
#include "greenrun/base/units.h"

namespace greenrun::runner {

// A prediction's interval: low, mid (the estimate) and high.
template <typename T>
struct Spread {
  T low{}, mid{}, high{};
  bool operator==(const Spread&) const = default;
};

struct TrackerSection {
  struct Rank {
    int rank = 0;
    int local_rank = 0;
    int world_size = 1;
    std::string source;  // "one process", "torch.distributed (RANK, LOCAL_RANK, WORLD_SIZE)", ...
    // LOCAL_RANK 0 records the node's energy; the others keep their share.
    bool node_owner() const { return local_rank == 0; }
    bool operator==(const Rank&) const = default;
  };
  struct Phase {
    std::string name;
    UtcTime start{};
    UtcTime end{};
    bool closed_by_stop = false;  // still open when the tracker stopped
    Energy job;
    bool operator==(const Phase&) const = default;
  };
  struct Mark {
    UtcTime at{};
    std::string name;
    std::optional<double> value;  // finite
    bool operator==(const Mark&) const = default;
  };
  struct Epoch {
    Duration duration{0};
    Energy job;
    bool operator==(const Epoch&) const = default;
  };
  // How the job came out against its first prediction.
  struct Outcome {
    size_t epochs = 0;
    bool complete = false;  // it ran the predicted number of epochs
    Duration duration{0};
    Energy job;
    Mass emissions;
    struct ErrorPercent {
      double duration = 0, energy = 0, emissions = 0;  // 100 x (predicted - actual) / actual
      bool operator==(const ErrorPercent&) const = default;
    };
    std::optional<ErrorPercent> error_percent;    // complete
    std::optional<bool> energy_within_interval;   // complete
    std::string note;                             // not complete: why there is no comparison
    bool operator==(const Outcome&) const = default;
  };
  struct Prediction {
    size_t after_epochs = 0;
    size_t epochs_total = 0;
    size_t warmup_excluded = 0;
    double confidence = 0.9;
    std::string method;
    Spread<double> duration_s;  // the whole job, seconds (the model's figure)
    Spread<Energy> job;
    Spread<Mass> emissions;
    std::string emissions_method;
    Outcome outcome;
    bool operator==(const Prediction&) const = default;
  };
  struct Budget {
    Mass budget;
    std::optional<size_t> exceeded_at_epoch;
    bool operator==(const Budget&) const = default;
  };

  long long process = 0;  // the measured process's pid
  Rank rank;
  std::vector<Phase> phases;
  std::vector<Mark> marks;
  std::vector<Epoch> epochs;
  std::optional<size_t> epochs_planned;
  std::optional<Prediction> prediction;
  std::optional<Budget> budget;

  bool operator==(const TrackerSection&) const = default;
};

// The section as JSON text (`indent` as nlohmann's dump: -1 compact). Never
// throws: text that is not UTF-8 has its bad bytes replaced.
std::string tracker_section_to_json(const TrackerSection& t, int indent = -1);

// Parses the section (a JSON object, as text); `path` names it in errors,
// which say where and what was expected:
// `$.tracker.phases[0].job_j: expected a number, got "x"`.
[[nodiscard]] Result<TrackerSection> tracker_section_from_json(std::string_view text,
                                                               std::string_view path = "$.tracker");

}  // namespace greenrun::runner
