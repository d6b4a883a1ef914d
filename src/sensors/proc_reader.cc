#include "sensors/proc_reader.h"

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string_view>

#include "base/text_reader.h"

namespace greenrun::sensors {
namespace {

// Reads a small procfs file with stdio (no exceptions, one syscall or two).
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

}  // namespace

ProcReader::ProcReader(std::string procfs_root) : root_(std::move(procfs_root)) {}

Result<MachineCpuTimes> ProcReader::machine_cpu() const {
  const std::string path = root_ + "/stat";
  std::string text;
  if (!slurp(path, text)) return make_error(path + ": cannot read");
  if (text.rfind("cpu ", 0) != 0) return make_error(path + ":1: expected a \"cpu \" line");
  const auto v = numbers(std::string_view(text).substr(4));
  if (v.size() < 4) return make_error(path + ":1: expected at least 4 CPU time fields");
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

std::optional<uint64_t> ProcReader::process_ticks(pid_t pid, pid_t* ppid) const {
  std::string text;
  if (!slurp(root_ + "/" + std::to_string(pid) + "/stat", text)) return std::nullopt;
  // The command name (field 2) may hold spaces and parentheses: fields resume
  // after the last ')'.
  const auto close = text.rfind(')');
  if (close == std::string::npos || close + 2 >= text.size()) return std::nullopt;
  std::string_view rest = std::string_view(text).substr(close + 2);
  // rest: state(3) ppid(4) pgrp session tty_nr tpgid flags minflt cminflt majflt
  // cmajflt utime(14) stime(15) cutime(16) cstime(17)
  const auto sp = rest.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  const auto v = numbers(rest.substr(sp + 1));
  if (v.size() < 14) return std::nullopt;
  if (ppid) *ppid = static_cast<pid_t>(v[0]);
  return v[10] + v[11] + v[12] + v[13];
}

void ProcReader::children_by_scan(pid_t parent, std::vector<pid_t>& out) const {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(root_, ec)) {
    const std::string name = entry.path().filename().string();
    pid_t pid = 0;
    auto r = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (r.ec != std::errc() || r.ptr != name.data() + name.size()) continue;
    pid_t ppid = 0;
    if (process_ticks(pid, &ppid) && ppid == parent) out.push_back(pid);
  }
}

TreeCpu ProcReader::tree_cpu(pid_t root) const {
  TreeCpu tree;
  std::vector<pid_t> todo{root};
  std::string text;
  while (!todo.empty()) {
    const pid_t pid = todo.back();
    todo.pop_back();
    const auto ticks = process_ticks(pid, nullptr);
    if (!ticks) continue;  // vanished
    tree.ticks += *ticks;
    tree.pids.push_back(pid);
    if (tree.pids.size() > 100000) break;  // a loop in a broken fixture
    const std::string task_dir = root_ + "/" + std::to_string(pid) + "/task";
    std::error_code ec;
    bool have_children_file = false;
    for (const auto& task : std::filesystem::directory_iterator(task_dir, ec)) {
      if (!slurp(task.path().string() + "/children", text)) continue;
      have_children_file = true;
      for (uint64_t child : numbers(text)) todo.push_back(static_cast<pid_t>(child));
    }
    if (!have_children_file) children_by_scan(pid, todo);
  }
  return tree;
}

}  // namespace greenrun::sensors
