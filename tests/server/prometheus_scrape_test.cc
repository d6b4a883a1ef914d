// A real Prometheus (started by scripts/prometheus-up.sh in a scratch folder
// on a free loopback port, 1 s scrape interval, torn down after) scrapes a
// real `greenrun serve`; a PromQL query through /api/v1/query returns the
// energy of a run this test made with `greenrun run`, and `promtool check
// metrics` accepts the exposition. Skipped with the reason when Prometheus is
// not installed (scripts/install-deps.sh installs it).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::eventually;

// GET on 127.0.0.1:port; the body, or "" when there is no 200 answer.
std::string http_get(int port, const std::string& target) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "";
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string req = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string all;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) all.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (all.compare(0, 12, "HTTP/1.1 200") != 0) return "";
  const size_t split = all.find("\r\n\r\n");
  std::string body = split == std::string::npos ? "" : all.substr(split + 4);
  // Prometheus answers chunked; a chunked body starts with its hex size line.
  if (all.find("Transfer-Encoding: chunked") != std::string::npos) {
    std::string plain;
    size_t pos = 0;
    while (pos < body.size()) {
      const size_t eol = body.find("\r\n", pos);
      if (eol == std::string::npos) break;
      const size_t n = std::stoul(body.substr(pos, eol - pos), nullptr, 16);
      if (n == 0) break;
      plain += body.substr(eol + 2, n);
      pos = eol + 2 + n + 2;
    }
    body = plain;
  }
  return body;
}

// Runs a shell command; its exit status, stdout in `out`.
int shell(const std::string& command, std::string& out) {
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return -1;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

class PrometheusScrapeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string ignored;
    if (shell("command -v prometheus promtool", ignored) != 0)
      GTEST_SKIP() << "needs Debian's prometheus package (scripts/install-deps.sh installs it)";
    dir_ = greenrun::testing::make_temp_dir("prometheus-scrape");
  }
  void TearDown() override {
    if (dir_.empty()) return;
    std::string ignored;
    shell(quoted(greenrun::testing::source_dir() / "scripts/prometheus-up.sh") + " down " + quoted(dir_ / "prom"),
          ignored);
    if (serve_ > 0) {
      ::kill(serve_, SIGTERM);
      greenrun::testing::wait_exit(serve_);
    }
    fs::remove_all(dir_);
  }

  fs::path dir_;
  pid_t serve_ = -1;
};

TEST_F(PrometheusScrapeTest, APromQlQueryReturnsTheEnergyOfARunThisTestMade) {
  // A measured run (the fake sensor: the same everywhere) recorded in the store;
  // the job burns 0.5 s of CPU so that energy is attributed to it.
  const int ran = greenrun::testing::wait_exit(greenrun::testing::start_cli(
      {"run", "--sensors", "fake", "--zone", "DE", "--project", "prom-test", "--interval", "50ms", "--", "python3",
       "-c", "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.5: pass"},
      dir_));
  ASSERT_EQ(ran, 0) << greenrun::testing::read_file(dir_ / "stderr.txt");
  // The run's folder: <store folder>/runs/<run id>/ (beside the CSVs runs append to).
  fs::path run_folder;
  for (const auto& e : fs::directory_iterator(dir_ / "runs"))
    if (e.is_directory()) run_folder = e.path();
  const std::string run_json = greenrun::testing::read_file(run_folder / "run.json");
  const auto record = nlohmann::json::parse(run_json);
  const std::string id = record["id"];
  double job_joules = 0;
  for (const auto& c : record["components"]) job_joules += c["job_j"].get<double>();
  ASSERT_GT(job_joules, 0);

  serve_ = greenrun::testing::start_cli({"serve", "--listen", "127.0.0.1:0"}, dir_);
  int port = 0;
  ASSERT_TRUE(eventually(
      [&] {
        port = greenrun::testing::listening_port(greenrun::testing::read_file(dir_ / "stdout.txt"));
        return port != 0;
      },
      1500))
      << greenrun::testing::read_file(dir_ / "stderr.txt");
  std::cout << "greenrun serve on port " << port << "\n";

  // promtool accepts the exposition.
  const std::string exposition = http_get(port, "/metrics");
  ASSERT_NE(exposition.find("greenrun_run_energy_joules_total"), std::string::npos) << exposition;
  {
    std::ofstream(dir_ / "metrics.txt") << exposition;
  }
  std::string lint;
  EXPECT_EQ(shell("promtool check metrics < " + quoted(dir_ / "metrics.txt") + " 2>&1", lint), 0) << lint;

  std::string prom_port_text;
  ASSERT_EQ(shell(quoted(greenrun::testing::source_dir() / "scripts/prometheus-up.sh") + " up " +
                      quoted(dir_ / "prom") + " 127.0.0.1:" + std::to_string(port) + " 1s",
                  prom_port_text),
            0)
      << greenrun::testing::read_file(dir_ / "prom/prometheus.log");
  const int prom_port = std::stoi(prom_port_text);
  std::cout << "prometheus on port " << prom_port << "\n";

  // sum(greenrun_run_energy_joules_total{run_id="ID",scope="job"})
  const std::string query = "/api/v1/query?query=sum(greenrun_run_energy_joules_total%7Brun_id%3D%22" + id +
                            "%22%2Cscope%3D%22job%22%7D)";
  double scraped = -1;
  const bool got = eventually(
      [&] {
        const std::string body = http_get(prom_port, query);
        if (body.empty()) return false;
        const auto j = nlohmann::json::parse(body, nullptr, false);
        if (j.is_discarded() || j["status"] != "success" || j["data"]["result"].empty()) return false;
        scraped = std::stod(j["data"]["result"][0]["value"][1].get<std::string>());
        return true;
      },
      1500);  // 30 s at most: a 1 s scrape interval reaches "up" in a few seconds
  ASSERT_TRUE(got) << "no answer from Prometheus; its log:\n"
                   << greenrun::testing::read_file(dir_ / "prom/prometheus.log");
  EXPECT_NEAR(scraped, job_joules, 1e-6 * job_joules);
}

}  // namespace
}  // namespace greenrun
