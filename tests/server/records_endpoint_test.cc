// POST /greenrun/v1/records on the real `greenrun serve` (loopback, a port
// the kernel picks): a bearer token is required even on loopback, a bad body
// gets 400 with the JSON path, a resend is stored once; and the real
// `greenrun slurm sampler` posting to it — records of a process carrying
// SLURM_JOB_ID (the process-tree attribution, no Slurm needed), spooled while
// the server is down and delivered once it is back — totalled by
// `greenrun runs show slurm:JOBID`.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "greenrun/base/time_format.h"
#include "greenrun/runner/job_energy_record.h"
#include "testing/cli_process.h"
#include "testing/paths.h"

namespace greenrun {
namespace {

namespace fs = std::filesystem;
using greenrun::testing::eventually;

struct Reply {
  int status = 0;
  std::string body;
};

// One request on its own connection; reads to the end (bounded by a 10 s receive timeout).
Reply request(int port, const std::string& head_and_body) {
  Reply r;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return r;
  }
  timeval tv{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  (void)!::write(fd, head_and_body.data(), head_and_body.size());
  std::string all;
  char buf[65536];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) all.append(buf, static_cast<size_t>(n));
  ::close(fd);
  const size_t split = all.find("\r\n\r\n");
  if (split == std::string::npos || all.size() < 12) return r;
  r.status = std::stoi(all.substr(9, 3));
  r.body = all.substr(split + 4);
  return r;
}

Reply post_records(int port, const std::string& body, const std::string& token,
                   const std::string& type = "application/json") {
  return request(port, "POST /greenrun/v1/records HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" +
                           (token.empty() ? std::string() : "Authorization: Bearer " + token + "\r\n") +
                           "Content-Type: " + type + "\r\nContent-Length: " + std::to_string(body.size()) +
                           "\r\n\r\n" + body);
}

runner::JobEnergyRecord record(int k, const std::string& node) {
  runner::JobEnergyRecord r;
  r.job_id = "42";
  r.node = node;
  r.start = *parse_utc("2023-03-01T10:00:00Z") + std::chrono::seconds(10 * k);
  r.end = r.start + std::chrono::seconds(10);
  r.zone = "DE";
  r.attribution = "cgroup";
  r.node_energy = Energy::joules(100);
  r.components = {{sensors::Component::kCpu, Energy::joules(40), sensors::Method::kMeasured}};
  return r;
}

class RecordsEndpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = greenrun::testing::make_temp_dir("records-endpoint");
    fs::create_directories(dir_ / "serve");
    std::ofstream(dir_ / "token") << token_ << "\n";
    fs::permissions(dir_ / "token", fs::perms::owner_read | fs::perms::owner_write);
  }
  void TearDown() override {
    for (pid_t p : {serve_, sampler_, job_})
      if (p > 0) {
        ::kill(p, SIGKILL);
        greenrun::testing::wait_exit(p);
      }
    fs::remove_all(dir_);
  }
  std::string store() const { return (dir_ / "serve" / "greenrun.db").string(); }

  // Starts `greenrun serve` over dir/serve's store on `listen`; its port.
  int start_serve(bool with_token, const std::string& listen = "127.0.0.1:0") {
    std::vector<std::string> args = {"serve", "--listen", listen};
    if (with_token) args.insert(args.end(), {"--token-file", (dir_ / "token").string()});
    fs::remove(dir_ / "serve" / "stdout.txt");
    serve_ = greenrun::testing::start_cli(args, dir_ / "serve");
    int port = 0;
    eventually(
        [&] {
          port = greenrun::testing::listening_port(greenrun::testing::read_file(dir_ / "serve" / "stdout.txt"));
          return port != 0 || greenrun::testing::proc_state(serve_) == '?' ||
                 greenrun::testing::proc_state(serve_) == 'Z';
        },
        1500);
    std::cout << "greenrun serve on port " << port << "\n";
    return port;
  }
  void stop_serve() {
    ::kill(serve_, SIGTERM);
    EXPECT_EQ(greenrun::testing::wait_exit(serve_), 0);
    serve_ = -1;
  }
  // Runs the CLI to its end in its own folder; stdout.
  std::string run_cli(const std::vector<std::string>& args, const std::string& name, int expect_status = 0) {
    const fs::path d = dir_ / name;
    fs::create_directories(d);
    const pid_t p = greenrun::testing::start_cli(args, d);
    EXPECT_EQ(greenrun::testing::wait_exit(p), expect_status) << greenrun::testing::read_file(d / "stderr.txt");
    return greenrun::testing::read_file(d / "stdout.txt");
  }

  fs::path dir_;
  const std::string token_ = "node-token-123";
  pid_t serve_ = -1, sampler_ = -1, job_ = -1;
};

TEST_F(RecordsEndpoint, NeedsATokenEvenOnLoopbackNamesTheFaultAndStoresOnce) {
  int port = start_serve(false);
  ASSERT_NE(port, 0);
  const std::string body = runner::records_body({record(0, "n1"), record(1, "n1")});
  auto no_token = post_records(port, body, "");
  EXPECT_EQ(no_token.status, 403);
  EXPECT_NE(no_token.body.find("--token-file"), std::string::npos) << no_token.body;
  EXPECT_FALSE(fs::exists(store()));  // nothing written
  stop_serve();

  port = start_serve(true);
  ASSERT_NE(port, 0);
  EXPECT_EQ(post_records(port, body, "").status, 401);
  EXPECT_EQ(post_records(port, body, "wrong").status, 401);
  EXPECT_EQ(post_records(port, body, token_, "text/plain").status, 415);
  std::string bad = body;
  bad.replace(bad.rfind("\"energy_j\":40.0"), 15, "\"energy_j\":\"40\"");
  auto refused = post_records(port, bad, token_);
  EXPECT_EQ(refused.status, 400);
  EXPECT_NE(refused.body.find("$.records[1].components[0].energy_j: expected a non-negative number"),
            std::string::npos)
      << refused.body;
  EXPECT_EQ(post_records(port, std::string(70 * 1024, ' '), token_).status, 413);

  auto first = post_records(port, body, token_);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(nlohmann::json::parse(first.body), nlohmann::json::parse(R"({"inserted":2,"duplicates":0})"));
  auto again = post_records(port, body, token_);  // a sampler that never saw the answer resends
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(nlohmann::json::parse(again.body), nlohmann::json::parse(R"({"inserted":0,"duplicates":2})"));
  // The read-only rules still hold elsewhere.
  EXPECT_EQ(request(port, "DELETE /greenrun/v1/records HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: "
                          "Bearer " + token_ + "\r\n\r\n")
                .status,
            405);
  stop_serve();

  const auto shown = nlohmann::json::parse(run_cli({"--store", store(), "runs", "show", "slurm:42", "--json"}, "show"));
  EXPECT_DOUBLE_EQ(shown["energy_j"].get<double>(), 80);
  ASSERT_EQ(shown["nodes"].size(), 1u);
  EXPECT_EQ(shown["nodes"][0]["intervals"], 2);
}

TEST_F(RecordsEndpoint, TheSamplerSpoolsWhileTheServerIsDownAndRunsShowTotalsItsRecords) {
  // A CPU-bound process that says it belongs to Slurm job 777 on a node
  // named for this test process: the process-tree source scans all of /proc,
  // and tests running beside this one (ctest -j) start Slurm-labelled
  // processes of their own on "n1".
  const std::string node = "n1-" + std::to_string(::getpid());
  job_ = ::fork();
  if (job_ == 0) {
    ::setenv("SLURM_JOB_ID", "777", 1);
    ::setenv("SLURMD_NODENAME", node.c_str(), 1);
    ::setenv("SLURM_STEP_ID", "batch", 1);
    ::execl("/bin/sh", "sh", "-c", "while :; do :; done", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // The server is not there yet: a port that refuses (bound and closed by serve below).
  int port = start_serve(true);
  ASSERT_NE(port, 0);
  stop_serve();
  const std::string server = "http://127.0.0.1:" + std::to_string(port);
  const std::string spool = (dir_ / "spool.jsonl").string();
  const std::vector<std::string> sampler = {"slurm",         "sampler", "--server",    server,
                                            "--token-file",  (dir_ / "token").string(), "--node", node,
                                            "--zone",        "DE",      "--interval", "200ms",
                                            "--sensors",     "fake",    "--cgroup-root", (dir_ / "no-cgroup").string(),
                                            "--spool",       spool,     "--count",    "3"};
  const std::string down = run_cli(sampler, "sampler-down");
  EXPECT_NE(down.find("pending 3"), std::string::npos) << down;
  EXPECT_NE(down.find("job 777"), std::string::npos) << down;
  EXPECT_NE(down.find("process-tree"), std::string::npos) << down;
  auto spooled = greenrun::testing::read_file(spool);
  EXPECT_EQ(std::count(spooled.begin(), spooled.end(), '\n'), 3);

  // The server comes back on the same port; the next sampler run sends the
  // spool first, then its own records.
  ASSERT_EQ(start_serve(true, "127.0.0.1:" + std::to_string(port)), port);
  const std::string up = run_cli(sampler, "sampler-up");
  EXPECT_NE(up.find("pending 0"), std::string::npos) << up;
  EXPECT_EQ(greenrun::testing::read_file(spool), "");

  const auto shown = nlohmann::json::parse(run_cli({"--store", store(), "runs", "show", "slurm:777", "--json"}, "show"));
  ASSERT_EQ(shown["nodes"].size(), 1u);
  EXPECT_EQ(shown["nodes"][0]["node"], node);
  EXPECT_EQ(shown["nodes"][0]["intervals"], 6);
  EXPECT_EQ(shown["nodes"][0]["attribution"], "process-tree");
  EXPECT_EQ(shown["method"], "simulated");
  EXPECT_GT(shown["energy_j"].get<double>(), 0);
  EXPECT_DOUBLE_EQ(shown["energy_j"].get<double>(), shown["nodes"][0]["energy_j"].get<double>());
  EXPECT_DOUBLE_EQ(shown["emissions_g"].get<double>(), shown["nodes"][0]["emissions_g"].get<double>());
  EXPECT_TRUE(shown["slurm_consumed_energy_j"].is_null());
  EXPECT_TRUE(shown["slurm_consumed_energy_note"].get<std::string>().starts_with("not configured"));
  const std::string text = run_cli({"--store", store(), "runs", "show", "slurm:777"}, "show-text");
  EXPECT_NE(text.find("Slurm's ConsumedEnergy: not configured"), std::string::npos) << text;
  EXPECT_NE(text.find("idle share"), std::string::npos) << text;
  run_cli({"--store", store(), "runs", "show", "slurm:778"}, "show-missing", 1);
  EXPECT_NE(greenrun::testing::read_file(dir_ / "show-missing" / "stderr.txt").find("slurm:778: no records"),
            std::string::npos);
}

}  // namespace
}  // namespace greenrun
