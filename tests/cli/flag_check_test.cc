// A mistyped flag or subcommand is named, with a did-you-mean, as a usage
// error (exit 2) — never blamed on the job's arguments or reported as a
// missing required flag.
#include <gtest/gtest.h>

#include <sstream>

#include "cli.h"

namespace greenrun::cli {
namespace {

struct Outcome {
  int code;
  std::string err;
};

Outcome cli(std::vector<std::string> args) {
  std::ostringstream out, err;
  args.insert(args.begin(), "greenrun");
  const int code = run_cli(args, out, err);
  return {code, err.str()};
}

TEST(FlagCheck, AMistypedFlagIsNamedWithTheFlagItProbablyMeant) {
  auto r = cli({"run", "--projct", "bert", "--", "true"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "greenrun: --projct is not a flag of `greenrun run`; did you mean --project?\n");
  r = cli({"plan", "--zone", "DE", "--duraton", "6h"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("--duraton is not a flag of `greenrun plan`; did you mean --duration?"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("required"), std::string::npos) << r.err;
}

TEST(FlagCheck, AMistypedSubcommandIsNamed) {
  auto r = cli({"rnu", "--", "true"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("\"rnu\" is not a command of `greenrun`; did you mean run?"), std::string::npos) << r.err;
  r = cli({"intensity", "imprt", "x.csv"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("did you mean import?"), std::string::npos) << r.err;
}

TEST(FlagCheck, TheJobsOwnFlagsAfterTheSeparatorAreNotLookedAt) {
  // Parsing stops at "--": the job's flags are its own (the run then fails
  // for its own reasons, not for an unknown flag).
  const auto r = cli({"run", "--pue", "0.5", "--", "python3", "--projct"});
  EXPECT_EQ(r.err.find("not a flag"), std::string::npos) << r.err;
  // Without "--", a flag after the command is pointed there.
  const auto s = cli({"run", "python3", "train.py", "--epochz", "3"});
  EXPECT_EQ(s.code, 2);
  EXPECT_NE(s.err.find("a job's own flags go after --"), std::string::npos) << s.err;
}

TEST(FlagCheck, KnownFlagsAnywhereAndFlagValuesAreAccepted) {
  // --store belongs to the root and is accepted after a subcommand too; a
  // flag's value is never taken for a subcommand.
  const auto r = cli({"--store", "/nonexistent/x.db", "zones", "--search", "germany"});
  EXPECT_EQ(r.err.find("not a"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace greenrun::cli
