#include "testing/seed.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

namespace greenrun::testing {
namespace {

uint64_t announced(uint64_t seed, const char* how) {
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  std::cerr << "property seed " << seed << " (" << how << "; rerun with GREENRUN_TEST_SEED=" << seed << ")\n";
  return seed;
}

std::optional<uint64_t> from_environment() {
  const char* env = std::getenv("GREENRUN_TEST_SEED");
  if (!env || !*env) return std::nullopt;
  return std::strtoull(env, nullptr, 10);
}

}  // namespace

uint64_t property_seed() {
  if (auto s = from_environment()) return announced(*s, "from GREENRUN_TEST_SEED");
  return announced(std::random_device{}(), "random");
}

uint64_t property_seed(uint64_t fixed_default) {
  if (auto s = from_environment()) return announced(*s, "from GREENRUN_TEST_SEED");
  return announced(fixed_default, "fixed default");
}

}  // namespace greenrun::testing
