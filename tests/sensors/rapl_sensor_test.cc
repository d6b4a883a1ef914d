#include "sensors/rapl/rapl_sensor.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake_trees.h"

namespace greenrun::sensors::rapl {
namespace {

using greenrun::testing::PowercapTree;

double joules_of(const SensorSample& s, Component c) {
  double j = 0;
  for (const auto& r : s.readings)
    if (r.component == c) j += r.energy.joules();
  return j;
}

TEST(RaplSensor, OneSocketCountsPackageAndDramNotCoreOrUncore) {
  PowercapTree tree;
  tree.one_socket_client();
  auto s = RaplSensor::open(tree.root());
  ASSERT_TRUE(s) << s.error().message;
  // package +10 J, core +8 J, uncore +1 J (both inside package), dram +2 J, psys +20 J.
  tree.set_counter("intel-rapl:0", 11'000'000);
  tree.set_counter("intel-rapl:0:0", 8'500'000);
  tree.set_counter("intel-rapl:0:1", 1'100'000);
  tree.set_counter("intel-rapl:0:2", 2'200'000);
  tree.set_counter("intel-rapl:1", 25'000'000);
  auto sample = (*s)->read({});
  ASSERT_TRUE(sample) << sample.error().message;
  EXPECT_DOUBLE_EQ(joules_of(*sample, Component::kCpu), 10.0);
  EXPECT_DOUBLE_EQ(joules_of(*sample, Component::kDram), 2.0);
  EXPECT_DOUBLE_EQ(joules_of(*sample, Component::kPlatform), 20.0);  // reported apart
  EXPECT_EQ(sample->readings.size(), 3u);
  for (const auto& r : sample->readings) EXPECT_EQ(r.method, Method::kMeasured);
}

TEST(RaplSensor, TwoSocketsAreSummed) {
  PowercapTree tree;
  tree.two_socket_server();
  auto s = RaplSensor::open(tree.root());
  ASSERT_TRUE(s) << s.error().message;
  tree.set_counter("intel-rapl:0", 15'000'000);
  tree.set_counter("intel-rapl:1", 27'000'000);
  tree.set_counter("intel-rapl:0:0", 1'500'000);
  tree.set_counter("intel-rapl:1:0", 3'000'000);
  auto sample = (*s)->read({});
  ASSERT_TRUE(sample);
  EXPECT_DOUBLE_EQ(joules_of(*sample, Component::kCpu), 12.0);
  EXPECT_DOUBLE_EQ(joules_of(*sample, Component::kDram), 1.5);
  EXPECT_EQ((*s)->zones().size(), 4u);
}

TEST(RaplSensor, CountsOneWrapBetweenSamples) {
  PowercapTree tree;
  tree.add_zone("intel-rapl:0", "package-0", 65'000'000, 65'532'610);  // a small real range (2^16 J units)
  auto s = RaplSensor::open(tree.root());
  ASSERT_TRUE(s);
  tree.set_counter("intel-rapl:0", 1'000'000);
  auto sample = (*s)->read({});
  ASSERT_TRUE(sample);
  EXPECT_NEAR(joules_of(*sample, Component::kCpu), 0.532610 + 1.0 + 1e-6, 1e-9);
  // And it keeps counting after the wrap.
  tree.set_counter("intel-rapl:0", 4'000'000);
  EXPECT_DOUBLE_EQ(joules_of(*(*s)->read({}), Component::kCpu), 3.0);
}

TEST(RaplSensor, MaxSafeIntervalFollowsTheSmallestRange) {
  PowercapTree tree;
  tree.add_zone("intel-rapl:0", "package-0", 0, 65'532'610);
  auto s = RaplSensor::open(tree.root());
  ASSERT_TRUE(s);
  // 65.5 J at 1 kW wraps after 65 ms.
  EXPECT_EQ((*s)->max_safe_interval().count(), 65);
}

TEST(RaplSensor, SkipsMmioDuplicateOfThePackage) {
  PowercapTree tree;
  tree.add_zone("intel-rapl:0", "package-0", 0);
  tree.add_zone("intel-rapl-mmio:0", "package-0", 0);
  auto s = RaplSensor::open(tree.root());
  ASSERT_TRUE(s);
  tree.set_counter("intel-rapl:0", 5'000'000);
  tree.set_counter("intel-rapl-mmio:0", 5'000'000);
  EXPECT_DOUBLE_EQ(joules_of(*(*s)->read({}), Component::kCpu), 5.0);
}

TEST(RaplSensor, NoZonesIsAnError) {
  PowercapTree tree;
  auto s = RaplSensor::open(tree.root());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("no intel-rapl"), std::string::npos) << s.error().message;
  EXPECT_FALSE(RaplSensor::open(tree.root() + "/missing"));
}

// Opens the tree as an unprivileged user: as root, file modes do not stop
// reads, so the test drops to "nobody" in a child process first.
std::string open_error_as_unprivileged(const std::string& root) {
  if (::geteuid() != 0) {
    auto s = RaplSensor::open(root);
    return s ? std::string("opened") : s.error().message;
  }
  int fds[2];
  if (::pipe(fds) != 0) return "pipe failed";
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(3);
    auto s = RaplSensor::open(root);
    const std::string msg = s ? std::string("opened") : s.error().message;
    [[maybe_unused]] auto n = ::write(fds[1], msg.data(), msg.size());
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return msg;
}

TEST(RaplSensor, UnreadableCounterExplainsHowToGrantAccess) {
  PowercapTree tree;
  tree.one_socket_client();
  tree.make_unreadable("intel-rapl:0");  // as on kernels with the CVE-2020-8694 fix: mode 0400 root
  const std::string message = open_error_as_unprivileged(tree.root());
  EXPECT_NE(message.find("intel-rapl:0/energy_uj: permission denied"), std::string::npos) << message;
  EXPECT_NE(message.find("chmod o+r"), std::string::npos) << message;
  EXPECT_NE(message.find("udev"), std::string::npos) << message;
}

TEST(RaplSensor, PermissionAdviceNamesTheFileAndTheFix) {
  const auto advice = rapl_permission_advice("/sys/class/powercap/intel-rapl:0/energy_uj");
  EXPECT_EQ(advice.rfind("/sys/class/powercap/intel-rapl:0/energy_uj: permission denied", 0), 0u);
  EXPECT_NE(advice.find("SUBSYSTEM==\"powercap\""), std::string::npos);
  EXPECT_NE(advice.find("Falling back to estimates"), std::string::npos);
}

TEST(RaplSensor, GarbageCounterIsAnErrorNamingTheFile) {
  PowercapTree tree;
  tree.add_zone("intel-rapl:0", "package-0", 0);
  greenrun::testing::write_text(std::filesystem::path(tree.root()) / "intel-rapl:0" / "energy_uj", "n/a\n");
  auto s = RaplSensor::open(tree.root());
  ASSERT_FALSE(s);
  EXPECT_NE(s.error().message.find("intel-rapl:0/energy_uj: expected an unsigned integer, got \"n/a\""),
            std::string::npos)
      << s.error().message;
}

TEST(RaplSensor, ZoneDisappearingMidRunIsDroppedWithAWarning) {
  PowercapTree tree;
  tree.two_socket_server();
  auto s = RaplSensor::open(tree.root());
  ASSERT_TRUE(s);
  tree.remove_zone("intel-rapl:1");
  tree.remove_zone("intel-rapl:1:0");
  tree.set_counter("intel-rapl:0", 12'000'000);
  auto sample = (*s)->read({});
  ASSERT_TRUE(sample);
  EXPECT_DOUBLE_EQ(joules_of(*sample, Component::kCpu), 2.0);
  ASSERT_EQ(sample->warnings.size(), 2u);
  EXPECT_NE(sample->warnings[0].find("lost"), std::string::npos);
  // Warned once; the next read is quiet.
  EXPECT_TRUE((*s)->read({})->warnings.empty());
  tree.remove_zone("intel-rapl:0");
  tree.remove_zone("intel-rapl:0:0");
  auto after = (*s)->read({});
  EXPECT_FALSE(after);
}

}  // namespace
}  // namespace greenrun::sensors::rapl
