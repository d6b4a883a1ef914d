#include "testing/cli_process.h"

#include <chrono>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "testing/paths.h"

namespace greenrun::testing {

pid_t start_cli(const std::vector<std::string>& args, const std::filesystem::path& dir, const EnvVars& env,
                int stderr_fd) {
  // Built before the fork: the child only calls async-signal-safe functions
  // and setenv.
  std::vector<std::string> full = {cli_path().string()};
  full.insert(full.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : full) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string store = (dir / "greenrun.db").string(), config = (dir / "config").string(),
                    cache = (dir / "cache").string(), err = (dir / "stderr.txt").string(),
                    out = (dir / "stdout.txt").string();
  const pid_t pid = ::fork();
  if (pid != 0) return pid;
  ::setpgid(0, 0);
  for (const char* v : {"GREENRUN_ZONE", "GREENRUN_TIME_SCALE", "GREENRUN_FORECAST_PROVIDER", "GREENRUN_CONFIG",
                        "GREENRUN_UK_BASE_URL", "GREENRUN_WATTTIME_BASE_URL", "GREENRUN_WATTTIME_USERNAME",
                        "GREENRUN_WATTTIME_PASSWORD", "GREENRUN_ELECTRICITYMAPS_BASE_URL",
                        "GREENRUN_ELECTRICITYMAPS_TOKEN"})
    ::unsetenv(v);
  ::setenv("GREENRUN_STORE", store.c_str(), 1);
  ::setenv("GREENRUN_NO_METADATA", "1", 1);
  ::setenv("XDG_CONFIG_HOME", config.c_str(), 1);
  ::setenv("XDG_CACHE_HOME", cache.c_str(), 1);
  for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
  const int e = stderr_fd >= 0 ? stderr_fd : ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(e, 2);
  const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ::dup2(o, 1);
  ::execv(argv[0], argv.data());
  ::_exit(99);
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

char proc_state(pid_t pid) {
  const std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  const auto close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? '?' : stat[close + 2];
}

pid_t started_pid(const std::string& log) {
  const auto at = log.find("start pid=");
  return at == std::string::npos ? 0 : std::stoi(log.substr(at + 10));
}

bool eventually(const std::function<bool()>& done, int tries) {
  for (int i = 0; i < tries; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return done();
}

int listening_port(const std::string& stdout_text) {
  const std::string marker = "listening on http://";
  const size_t at = stdout_text.find(marker);
  if (at == std::string::npos) return 0;
  const size_t eol = stdout_text.find('\n', at);
  if (eol == std::string::npos) return 0;  // the line is not complete yet
  const std::string line = stdout_text.substr(at + marker.size(), eol - at - marker.size());
  const size_t colon = line.rfind(':');
  if (colon == std::string::npos) return 0;
  int port = 0;
  for (size_t i = colon + 1; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i) port = port * 10 + (line[i] - '0');
  return port;
}

}  // namespace greenrun::testing
