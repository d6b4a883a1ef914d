#include "sensors/proc_reader.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <set>
#include <string_view>

#include "greenrun/base/text_reader.h"

namespace greenrun::sensors {
namespace {

// Reads a small procfs file with stdio (no exceptions, one syscall or two).
// For /proc/stat, /proc/cpuinfo, /proc/meminfo.
bool slurp(const std::string& path, std::string& out) {
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (!f) return false;
  out.clear();
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  std::fclose(f);
  return true;
}

int open_fd(const std::string& path) {
  return ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Reads a whole procfs file from an open descriptor into `out` (whose
// capacity is kept between calls, so a walk allocates once), from offset 0:
// a procfs (seq_file) file read at 0 is generated afresh. A read shorter
// than asked ends the file: seq_file fills the buffer while records remain,
// and so do regular files (the test trees).
bool pread_all(int fd, std::string& out) {
  if (out.capacity() < 1024) out.reserve(1024);
  out.resize(out.capacity());
  size_t used = 0;
  for (;;) {
    const ssize_t n = ::pread(fd, out.data() + used, out.size() - used,
                              static_cast<off_t>(used));
    if (n < 0) {
      if (errno == EINTR) continue;
      out.clear();
      return false;
    }
    used += static_cast<size_t>(n);
    if (n == 0 || used < out.size()) break;
    out.resize(out.size() * 2);
  }
  out.resize(used);
  return true;
}

void append_pid(std::string& path, pid_t pid) {
  char digits[16];
  const auto r = std::to_chars(digits, digits + sizeof digits, pid);
  path.append(digits, r.ptr);
}

// path = <root>/<pid><leaf>
void set_pid_path(std::string& path, const std::string& root, pid_t pid,
                  std::string_view leaf) {
  path.assign(root);
  path += '/';
  append_pid(path, pid);
  path += leaf;
}

// A children file: pids separated (and ended) by spaces, no newline.
void append_pids(std::string_view s, std::vector<pid_t>& out) {
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n')) ++i;
    pid_t pid = 0;
    const auto r = std::from_chars(s.data() + i, s.data() + s.size(), pid);
    if (r.ec != std::errc()) break;
    if (pid > 0) out.push_back(pid);
    i = static_cast<size_t>(r.ptr - s.data());
  }
}

std::vector<uint64_t> numbers(std::string_view s) {
  std::vector<uint64_t> v;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && s[i] == ' ') ++i;
    size_t j = i;
    while (j < s.size() && s[j] != ' ' && s[j] != '\n') ++j;
    // Some fields are signed (tpgid is -1 without a terminal); negatives
    // become 0, none of the fields greenrun sums can be negative.
    long long x = 0;
    if (j > i) {
      auto r = std::from_chars(s.data() + i, s.data() + j, x);
      if (r.ec != std::errc()) break;
      v.push_back(x < 0 ? 0 : static_cast<uint64_t>(x));
    }
    if (j < s.size() && s[j] == '\n') break;
    i = j;
  }
  return v;
}

struct ProcessStat {
  pid_t ppid = 0;
  uint64_t ticks = 0;    // utime+stime+cutime+cstime
  uint64_t threads = 0;  // num_threads (0 when not shown)
};

std::optional<ProcessStat> parse_stat(std::string_view text) {
  // The command name (field 2) may hold spaces and parentheses: fields resume
  // after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string_view::npos || close + 2 >= text.size())
    return std::nullopt;
  std::string_view rest = text.substr(close + 2);
  // rest: state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt
  // majflt cmajflt utime(14) stime(15) cutime(16) cstime(17) priority nice
  // num_threads(20)
  const auto sp = rest.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  const auto v = numbers(rest.substr(sp + 1));
  if (v.size() < 14) return std::nullopt;
  ProcessStat st;
  st.ppid = static_cast<pid_t>(v[0]);
  st.ticks = v[10] + v[11] + v[12] + v[13];
  st.threads = v.size() > 16 ? v[16] : 0;
  return st;
}

}  // namespace

ProcReader::ProcReader(std::string procfs_root, TreeWalk walk)
    : root_(std::move(procfs_root)), walk_(walk) {}

ProcReader::~ProcReader() {
  for (auto& [pid, open] : open_) {
    close_fd(open.stat_fd);
    close_fd(open.children_fd);
  }
  close_fd(machine_stat_fd_);
}

Result<MachineCpuTimes> ProcReader::machine_cpu() const {
  const std::string path = root_ + "/stat";
  std::string text;
  {
    // Kept open: /proc/stat read at offset 0 is generated afresh.
    std::lock_guard lock(mutex_);
    if (machine_stat_fd_ < 0 || !pread_all(machine_stat_fd_, text) ||
        text.empty()) {
      close_fd(machine_stat_fd_);
      machine_stat_fd_ = open_fd(path);
      if (machine_stat_fd_ < 0 || !pread_all(machine_stat_fd_, text))
        return make_error(path + ": cannot read");
    }
  }
  if (text.rfind("cpu ", 0) != 0)
    return make_error(path + ":1: expected a \"cpu \" line");
  const auto v = numbers(std::string_view(text).substr(4));
  if (v.size() < 4)
    return make_error(path + ":1: expected at least 4 CPU time fields");
  auto at = [&](size_t i) -> uint64_t { return i < v.size() ? v[i] : 0; };
  MachineCpuTimes t;
  // user nice system idle iowait irq softirq steal guest guest_nice
  t.busy = at(0) + at(1) + at(2) + at(5) + at(6) + at(7);
  t.total = t.busy + at(3) + at(4);
  return t;
}

Result<CpuInfo> ProcReader::cpu_info() const {
  const std::string path = root_ + "/cpuinfo";
  std::string text;
  if (!slurp(path, text)) return make_error(path + ": cannot read");
  CpuInfo info;
  std::set<std::string> sockets;
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const auto key = trim(line.substr(0, colon));
    const auto value = trim(line.substr(colon + 1));
    if (key == "processor") {
      ++info.logical_cpus;
    } else if (key == "model name" && info.model_name.empty()) {
      info.model_name = std::string(value);
    } else if (key == "physical id") {
      sockets.insert(std::string(value));
    } else if (key == "flags" && !info.hypervisor) {
      const std::string padded = " " + std::string(value) + " ";
      info.hypervisor = padded.find(" hypervisor ") != std::string::npos;
    }
  }
  info.sockets = static_cast<int>(sockets.size());
  return info;
}

Result<uint64_t> ProcReader::memory_total_bytes() const {
  const std::string path = root_ + "/meminfo";
  std::string text;
  if (!slurp(path, text)) return make_error(path + ": cannot read");
  LineReader lines(text);
  std::string_view line;
  while (lines.next(line)) {
    if (line.rfind("MemTotal:", 0) == 0) {
      const auto v = numbers(trim(line.substr(9)));
      if (v.empty()) break;
      return v[0] * 1024;  // "kB" in meminfo means KiB
    }
  }
  return make_error(path + ": expected a \"MemTotal:\" line");
}

bool ProcReader::read_stat(pid_t pid, OpenProcess* open, std::string& path,
                           std::string& text) const {
  if (open && open->stat_fd >= 0) {
    // A real stat is never empty: nothing (or an error) means the process
    // this descriptor is bound to is gone; the pid may be someone else's now.
    if (pread_all(open->stat_fd, text) && !text.empty()) return true;
    close_fd(open->stat_fd);
    close_fd(open->children_fd);
  }
  set_pid_path(path, root_, pid, "/stat");
  const int fd = open_fd(path);
  if (fd < 0) return false;
  const bool ok = pread_all(fd, text) && !text.empty();
  if (ok && open)
    open->stat_fd = fd;
  else
    ::close(fd);
  return ok;
}

bool ProcReader::children_from_files(pid_t pid, uint64_t threads,
                                     OpenProcess* open, std::string& path,
                                     std::string& text,
                                     std::vector<pid_t>& out) const {
  set_pid_path(path, root_, pid, "/task");
  const size_t task_dir_len = path.size();
  // A single-threaded process has one task, itself: skip listing task/.
  if (threads == 1) {
    // Bound to the same process as the stat descriptor just read, so alive.
    if (open && open->children_fd >= 0 && pread_all(open->children_fd, text)) {
      append_pids(text, out);
      return true;
    }
    if (open) close_fd(open->children_fd);
    path += '/';
    append_pid(path, pid);
    const size_t tid_dir_len = path.size();
    path += "/children";
    const int fd = open_fd(path);
    if (fd >= 0) {
      const bool ok = pread_all(fd, text);
      if (ok) append_pids(text, out);
      if (ok && open)
        open->children_fd = fd;
      else
        ::close(fd);
      return true;
    }
    // Gone since its stat was read (nothing to follow), or a kernel without
    // children files (task/<tid>/ is there but not the file).
    path.resize(tid_dir_len);
    return ::access(path.c_str(), F_OK) != 0;
  }
  // Several threads (read by path each time: threads come and go, and a
  // descriptor of an ended thread reads as "no children").
  DIR* dir = ::opendir(path.c_str());
  if (!dir) return true;  // gone since its stat was read
  bool any_task = false, any_file = false;
  while (const dirent* e = ::readdir(dir)) {
    if (e->d_name[0] == '.') continue;
    any_task = true;
    path.resize(task_dir_len);
    path += '/';
    path += e->d_name;
    path += "/children";
    const int fd = open_fd(path);
    if (fd < 0) continue;  // a thread that just ended, or no children files
    if (pread_all(fd, text)) {
      any_file = true;
      append_pids(text, out);
    }
    ::close(fd);
  }
  ::closedir(dir);
  if (any_file || !any_task) return true;
  // Every thread ended meanwhile (gone), or no children files.
  path.resize(task_dir_len);
  return ::access(path.c_str(), F_OK) != 0;
}

std::vector<std::pair<pid_t, pid_t>> ProcReader::scan_parents() const {
  std::vector<std::pair<pid_t, pid_t>> parents;
  DIR* dir = ::opendir(root_.c_str());
  if (!dir) return parents;
  std::string path, text;
  while (const dirent* e = ::readdir(dir)) {
    const std::string_view name(e->d_name);
    pid_t pid = 0;
    auto r = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (r.ec != std::errc() || r.ptr != name.data() + name.size()) continue;
    if (!read_stat(pid, nullptr, path, text)) continue;
    if (auto st = parse_stat(text)) parents.emplace_back(st->ppid, pid);
  }
  ::closedir(dir);
  std::sort(parents.begin(), parents.end());
  return parents;
}

void ProcReader::close_unmet() const {
  for (auto it = open_.begin(); it != open_.end();) {
    if (it->second.walk == walks_) {
      ++it;
      continue;
    }
    close_fd(it->second.stat_fd);
    close_fd(it->second.children_fd);
    it = open_.erase(it);
  }
}

TreeCpu ProcReader::tree_cpu(pid_t root) const {
  std::lock_guard lock(mutex_);
  ++walks_;
  TreeCpu tree;
  std::vector<pid_t> todo{root};
  std::string path, text;
  path.reserve(root_.size() + 48);
  // The scan, when needed, is done once per walk and serves every process.
  std::optional<std::vector<std::pair<pid_t, pid_t>>> parents;
  const auto children_by_scan = [&](pid_t pid) {
    if (!parents) parents = scan_parents();
    tree.walk = TreeWalk::kScanAll;
    auto it = std::lower_bound(parents->begin(), parents->end(),
                               std::pair<pid_t, pid_t>{pid, 0});
    for (; it != parents->end() && it->first == pid; ++it)
      todo.push_back(it->second);
  };
  while (!todo.empty()) {
    const pid_t pid = todo.back();
    todo.pop_back();
    OpenProcess* open = nullptr;
    if (auto it = open_.find(pid); it != open_.end())
      open = &it->second;
    else if (open_.size() < kMaxOpenProcesses)
      open = &open_[pid];
    if (open) {
      // Listed twice (a process re-parented while the walk ran): once.
      if (open->walk == walks_) continue;
      open->walk = walks_;
    }
    if (!read_stat(pid, open, path, text)) continue;  // vanished
    const auto st = parse_stat(text);
    if (!st) continue;
    tree.ticks += st->ticks;
    tree.pids.push_back(pid);
    if (tree.pids.size() > 100000) break;  // a loop in a broken fixture
    if (walk_ == TreeWalk::kScanAll ||
        !children_from_files(pid, st->threads, open, path, text, todo))
      children_by_scan(pid);
  }
  close_unmet();
  return tree;
}

}  // namespace greenrun::sensors
