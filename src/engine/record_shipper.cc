// engine::RecordShipper (greenrun/job_energy.h): the spool file is JSON
// Lines, one record a line (runner::to_json); a record is on disk before it
// is sent, and leaves the file only once the server has answered 2xx.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "greenrun/job_energy.h"

namespace greenrun::engine {
namespace {

namespace fs = std::filesystem;

// The spool's complete lines. A last line without its newline (a write cut
// short by a crash) is left out: add() never acknowledged it.
Result<std::vector<std::string>> read_lines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return lines;
    return make_error(ErrorKind::kIo, path + ": cannot read the spool");
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = 0;
  for (size_t nl; (nl = text.find('\n', at)) != std::string::npos; at = nl + 1)
    if (nl > at) lines.push_back(text.substr(at, nl - at));
  return lines;
}

Status write_all(int fd, const std::string& text, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorKind::kIo, path + ": cannot write the spool: " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return make_error(ErrorKind::kIo, path + ": cannot flush the spool: " + std::strerror(errno));
  return {};
}

// Replaces the spool with `lines` (a new file renamed over it).
Status rewrite(const std::string& path, const std::vector<std::string>& lines, size_t from) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorKind::kIo, tmp + ": cannot write the spool: " + std::strerror(errno));
  std::string text;
  for (size_t i = from; i < lines.size(); ++i) text += lines[i] + "\n";
  auto ok = write_all(fd, text, tmp);
  ::close(fd);
  if (!ok) return ok;
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    return make_error(ErrorKind::kIo, path + ": cannot replace the spool: " + std::strerror(errno));
  return {};
}

}  // namespace

Result<RecordShipper> RecordShipper::open(ShipperOptions options, RecordSender send, Clock& clock) {
  if (options.spool_path.empty()) return make_error(ErrorKind::kUsage, "--spool: expected a file");
  if (options.records_per_body == 0 || options.records_per_body > runner::kMaxRecordsPerBody)
    options.records_per_body = runner::kMaxRecordsPerBody;
  auto lines = read_lines(options.spool_path);
  if (!lines) return std::unexpected(lines.error());
  for (size_t i = 0; i < lines->size(); ++i)
    if (auto r = runner::parse_record((*lines)[i], options.spool_path + ":" + std::to_string(i + 1)); !r)
      return std::unexpected(r.error());
  RecordShipper s(std::move(options), std::move(send), clock);
  s.pending_ = lines->size();
  return s;
}

Status RecordShipper::add(const std::vector<runner::JobEnergyRecord>& records) {
  if (records.empty()) return {};
  const int fd = ::open(options_.spool_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0)
    return make_error(ErrorKind::kIo, options_.spool_path + ": cannot open the spool: " + std::strerror(errno));
  std::string text;
  for (const auto& r : records) text += runner::to_json(r) + "\n";
  auto ok = write_all(fd, text, options_.spool_path);
  ::close(fd);
  if (ok) pending_ += records.size();
  return ok;
}

Result<FlushOutcome> RecordShipper::flush(bool force) {
  FlushOutcome out;
  const SteadyTime now = clock_->steady_now();
  if (!force && retry_at_ && now < *retry_at_) {
    out.pending = pending_;
    out.retry_at = retry_at_;
    return out;
  }
  auto lines = read_lines(options_.spool_path);
  if (!lines) return std::unexpected(lines.error());
  out.attempted = !lines->empty();
  size_t sent = 0;
  while (sent < lines->size()) {
    // As many lines as fit the count and byte limits (at least one).
    std::string body = "{\"records\":[";
    size_t n = 0;
    while (sent + n < lines->size() && n < options_.records_per_body &&
           (n == 0 || body.size() + (*lines)[sent + n].size() + 3 <= options_.max_body_bytes)) {
      body += (n ? "," : "") + (*lines)[sent + n];
      ++n;
    }
    body += "]}";
    if (auto ok = send_(body); !ok) {
      if (ok.error().kind != ErrorKind::kBadData) {
        out.last_error = ok.error();
        break;
      }
      // Refused as malformed: resending cannot help, and must not hold
      // back the records behind it. Kept beside the spool, never dropped.
      const std::string rejected_path = options_.spool_path + ".rejected";
      const int fd = ::open(rejected_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0) return make_error(ErrorKind::kIo, rejected_path + ": cannot write: " + std::strerror(errno));
      std::string text;
      for (size_t i = 0; i < n; ++i) text += (*lines)[sent + i] + "\n";
      auto written = write_all(fd, text, rejected_path);
      ::close(fd);
      if (!written) return std::unexpected(written.error());
      out.rejected += n;
      out.warnings.push_back(ok.error().message + "; kept in " + rejected_path);
    }
    sent += n;
  }
  if (sent > 0)
    if (auto ok = rewrite(options_.spool_path, *lines, sent); !ok) return std::unexpected(ok.error());
  pending_ = lines->size() - sent;
  out.sent = sent - out.rejected;
  out.pending = pending_;
  if (out.last_error) {
    backoff_ = backoff_ == Duration{0} ? options_.first_backoff : std::min(backoff_ * 2, options_.max_backoff);
    retry_at_ = now + backoff_;
    out.retry_at = retry_at_;
  } else {
    backoff_ = Duration{0};
    retry_at_.reset();
  }
  return out;
}

}  // namespace greenrun::engine
