// The real `greenrun serve` binary on a loopback port chosen by the kernel
// (--listen 127.0.0.1:0; the port is read from its first line), over a store
// holding real Electricity Maps data: the SDK's answers and errors, limits,
// the bearer token, a client that goes away mid-answer, and a clean stop.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "intensity/importers/importer.h"
#include "intensity/store.h"
#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::eventually;

struct Reply {
  int status = 0;
  std::string headers;
  std::string body;
};

int connect_to(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// One request on its own connection (Connection: close); reads to the end.
Reply request(int port, const std::string& head_and_body) {
  Reply r;
  const int fd = connect_to(port);
  if (fd < 0) return r;
  timeval tv{10, 0};  // a bound so a broken server fails the test instead of hanging it
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!::write(fd, head_and_body.data(), head_and_body.size());
  std::string all;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) all.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const size_t split = all.find("\r\n\r\n");
  if (split == std::string::npos || all.size() < 12) return r;
  r.status = std::stoi(all.substr(9, 3));
  r.headers = all.substr(0, split);
  r.body = all.substr(split + 4);
  return r;
}

Reply get(int port, const std::string& target, const std::string& extra_headers = "") {
  return request(port, "GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + extra_headers + "\r\n");
}

Reply post(int port, const std::string& target, const std::string& body) {
  return request(port, "POST " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Type: "
                       "application/json\r\nContent-Length: " +
                           std::to_string(body.size()) + "\r\n\r\n" + body);
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = greenrun::testing::make_temp_dir("serve-e2e"); }
  void TearDown() override {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      greenrun::testing::wait_exit(pid_);
    }
    fs::remove_all(dir_);
  }

  void import_real_data() {
    auto store = intensity::IntensityStore::open((dir_ / "greenrun.db").string());
    ASSERT_TRUE(store) << store.error().message;
    for (const char* f : {"electricitymaps-hourly/green-dcc/US-MIDA-PJM_2023_hourly.csv",
                          "electricitymaps-hourly/green-dcc/US-CAL-CISO_2023_hourly.csv"}) {
      auto imported = intensity::import_file((greenrun::testing::shared_data() / f).string(), {});
      ASSERT_TRUE(imported) << imported.error().message;
      ASSERT_TRUE(store->import(imported->series));
    }
  }

  // Starts `greenrun serve` and returns its port (0 when it did not start).
  int start(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"serve", "--listen", "127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = greenrun::testing::start_cli(args, dir_);
    int port = 0;
      eventually(
        [&] {
          port = greenrun::testing::listening_port(greenrun::testing::read_file(dir_ / "stdout.txt"));
          return port != 0 || greenrun::testing::proc_state(pid_) == '?' ||
                 greenrun::testing::proc_state(pid_) == 'Z';
        },
        1500);
    std::cout << "greenrun serve on port " << port << "\n";
    return port;
  }

  fs::path dir_;
  pid_t pid_ = -1;
};

TEST_F(ServeTest, AnswersTheSdkQueriesWithItsShapesAndErrors) {
  GREENRUN_REQUIRE_SHARED_DATA();
  import_real_data();
  const int port = start();
  ASSERT_GT(port, 0) << greenrun::testing::read_file(dir_ / "stderr.txt");

  auto r = get(port, "/emissions/bylocations?location=eastus&location=westus&time=2023-06-01T10:30:00%2B00:00"
                     "&toTime=2023-06-01T12:00:00Z");
  ASSERT_EQ(r.status, 200) << r.body;
  auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j.size(), 6u);
  EXPECT_EQ(j[0]["location"], "eastus");
  EXPECT_EQ(j[0]["time"], "2023-06-01T10:00:00+00:00");
  EXPECT_EQ(j[0]["duration"], "01:00:00");
  EXPECT_TRUE(j[0]["rating"].is_number());

  auto best = get(port, "/emissions/bylocations/best?location=eastus&location=westus&time=2023-06-01T00:00:00Z"
                        "&toTime=2023-06-02T00:00:00Z");
  ASSERT_EQ(best.status, 200) << best.body;
  EXPECT_GE(nlohmann::json::parse(best.body).size(), 1u);

  auto empty = get(port, "/emissions/bylocation?location=eastus&time=2021-01-01T00:00:00Z");
  EXPECT_EQ(empty.status, 204);

  auto bad_time = get(port, "/emissions/bylocation?location=eastus&time=tomorrow");
  ASSERT_EQ(bad_time.status, 400);
  auto problem = nlohmann::json::parse(bad_time.body);
  EXPECT_EQ(problem["status"], 400);
  EXPECT_TRUE(problem["errors"].contains("time"));

  auto unknown = get(port, "/emissions/bylocation?location=narnia");
  ASSERT_EQ(unknown.status, 400);
  EXPECT_TRUE(nlohmann::json::parse(unknown.body)["errors"].contains("location"));

  auto no_forecast = get(port, "/emissions/forecasts/current?location=eastus");
  EXPECT_EQ(no_forecast.status, 501) << no_forecast.body;

  auto avg = get(port, "/emissions/average-carbon-intensity?location=westus&startTime=2023-06-01T10:00:00Z"
                       "&endTime=2023-06-01T12:00:00Z");
  ASSERT_EQ(avg.status, 200) << avg.body;
  EXPECT_TRUE(nlohmann::json::parse(avg.body)["carbonIntensity"].is_number());

  auto batch = post(port, "/emissions/average-carbon-intensity/batch",
                    R"([{"location":"westus","startTime":"2023-06-01T10:00:00Z","endTime":"2023-06-01T12:00:00Z"},
                        {"location":"westus","startTime":"2024-06-01T10:00:00Z","endTime":"2024-06-01T12:00:00Z"}])");
  ASSERT_EQ(batch.status, 400) << batch.body;
  EXPECT_TRUE(nlohmann::json::parse(batch.body)["errors"].contains("[1].endTime"));

  auto nowhere = get(port, "/emissions/nowhere");
  ASSERT_EQ(nowhere.status, 404);
  EXPECT_EQ(nlohmann::json::parse(nowhere.body)["status"], 404);

  auto locations = get(port, "/locations");
  ASSERT_EQ(locations.status, 200);
  EXPECT_EQ(nlohmann::json::parse(locations.body)["eastus"]["name"], "eastus");

  // A client that reads a few bytes of a large answer and goes away ...
  const int fd = connect_to(port);
  ASSERT_GE(fd, 0);
  const std::string req = "GET /locations HTTP/1.1\r\nHost: x\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  char few[16];
  (void)!::read(fd, few, sizeof few);
  ::close(fd);
  // ... and nobody else notices.
  EXPECT_EQ(get(port, "/locations").status, 200);

  // Limits: too many header fields, a query string beyond the limit, a write method.
  std::string headers;
  for (int i = 0; i < 80; ++i) headers += "X-Filler-" + std::to_string(i) + ": y\r\n";
  EXPECT_EQ(get(port, "/locations", headers).status, 431);
  EXPECT_EQ(get(port, "/emissions/bylocation?location=" + std::string(4500, 'a')).status, 400);
  EXPECT_EQ(get(port, "/emissions/bylocation?location=" + std::string(6000, 'a')).status, 414);
  EXPECT_EQ(request(port, "DELETE /locations HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").status, 405);

  ASSERT_EQ(::kill(pid_, SIGTERM), 0);
  EXPECT_EQ(greenrun::testing::wait_exit(pid_), 0);
  pid_ = -1;
}

TEST_F(ServeTest, BeyondLoopbackNeedsATokenAndATokenIsChecked) {
  const int refused = greenrun::testing::wait_exit(greenrun::testing::start_cli({"serve", "--listen", "0.0.0.0:0"}, dir_));
  EXPECT_EQ(refused, 2);
  EXPECT_NE(greenrun::testing::read_file(dir_ / "stderr.txt").find("token"), std::string::npos);

  const std::string secret = "s3cret-token-value";
  {
    std::ofstream(dir_ / "token") << secret << "\n";
  }
  fs::permissions(dir_ / "token", fs::perms::owner_read | fs::perms::owner_write);
  const int port = start({"--token-file", (dir_ / "token").string()});
  ASSERT_GT(port, 0) << greenrun::testing::read_file(dir_ / "stderr.txt");
  EXPECT_EQ(get(port, "/locations").status, 401);
  EXPECT_EQ(get(port, "/locations", "Authorization: Bearer wrong\r\n").status, 401);
  EXPECT_EQ(get(port, "/locations", "Authorization: Bearer " + secret + "\r\n").status, 200);
  EXPECT_EQ(get(port, "/metrics", "Authorization: Bearer " + secret + "\r\n").status, 200);
  EXPECT_EQ(get(port, "/").status, 401);  // the dashboard too
  const auto page = get(port, "/", "Authorization: Bearer " + secret + "\r\n");
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.headers.find("text/html"), std::string::npos) << page.headers;
  EXPECT_NE(page.body.find("greenrun dashboard"), std::string::npos);
  EXPECT_NE(page.body.find("No runs recorded yet."), std::string::npos);
  // The token never reaches the output.
  EXPECT_EQ(greenrun::testing::read_file(dir_ / "stdout.txt").find(secret), std::string::npos);
  EXPECT_EQ(greenrun::testing::read_file(dir_ / "stderr.txt").find(secret), std::string::npos);
}

TEST_F(ServeTest, ARunInProgressInAnotherProcessAppearsWhileItRunsAndGoesWhenItEnds) {
  const int port = start();
  ASSERT_GT(port, 0) << greenrun::testing::read_file(dir_ / "stderr.txt");
  const fs::path run_dir = dir_ / "runner";
  fs::create_directories(run_dir);
  const pid_t run = greenrun::testing::start_cli(
      {"run", "--sensors", "fake", "--zone", "DE", "--project", "live-test", "--interval", "100ms", "--", "sleep", "5"},
      run_dir, {{"GREENRUN_STORE", (dir_ / "greenrun.db").string()}});
  const std::string live_line = "greenrun_live_run_energy_joules_total{run_id=";
  std::string seen;
  const bool appeared = eventually(
      [&] {
        seen = get(port, "/metrics").body;
        return seen.find(live_line) != std::string::npos && seen.find("project=\"live-test\"") != std::string::npos;
      },
      1500);
  EXPECT_TRUE(appeared) << seen;
  EXPECT_NE(seen.find("greenrun_live_run_state{"), std::string::npos);
  ASSERT_EQ(greenrun::testing::wait_exit(run), 0) << greenrun::testing::read_file(run_dir / "stderr.txt");
  const std::string after = get(port, "/metrics").body;
  EXPECT_EQ(after.find(live_line), std::string::npos) << after;
  EXPECT_NE(after.find("greenrun_project_runs_total{project=\"live-test\"} 1"), std::string::npos) << after;
}

}  // namespace
}  // namespace greenrun
