// The seed of a property test: GREENRUN_TEST_SEED when set (to replay a
// failure), else a fresh random one. Either way it is printed on stderr and
// recorded as the test's "seed" property (in the XML/JSON report), so every
// failure names the seed that replays it.
#pragma once

#include <cstdint>
#include <optional>

namespace greenrun::testing {

// REQUIRES: called from inside a running GoogleTest test.
uint64_t property_seed();

// A fixed default instead of a random one (for suites whose figures must be
// stable in CI); GREENRUN_TEST_SEED still overrides it and it is printed.
uint64_t property_seed(uint64_t fixed_default);

}  // namespace greenrun::testing
