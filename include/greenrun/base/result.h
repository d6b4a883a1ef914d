// Result<T>: expected failures as values. An Error carries a kind and one line
// that names where (file:line, JSON path, flag or call) and what was expected.
//
// The kind says what the failure is, not where it happened, so that every
// front end maps it the same way (the CLI: exit_status_for in one place;
// Python: one exception class per kind). Code that does not know better
// makes kFailure.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace greenrun {

enum class ErrorKind : uint8_t {
  kFailure,      // something went wrong that is none of the below
  kUsage,        // a flag, argument or request field is missing or malformed
  kBadData,      // a file or answer is malformed or implausible
  kIo,           // reading or writing a file, the store or a pipe failed
  kNotFound,     // a zone, region, run, file or series that does not exist
  kUnavailable,  // a provider, the network or a device that cannot be reached now
};

std::string_view to_string(ErrorKind kind);

struct Error {
  std::string message;
  ErrorKind kind = ErrorKind::kFailure;
};

template <typename T>
using Result = std::expected<T, Error>;

// Result<void> for operations that return nothing on success.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> make_error(std::string message) {
  return std::unexpected<Error>(Error{std::move(message)});
}

inline std::unexpected<Error> make_error(ErrorKind kind, std::string message) {
  return std::unexpected<Error>(Error{std::move(message), kind});
}

// The same error with `prefix` before its message ("--lifetime: " + ...),
// keeping its kind.
inline std::unexpected<Error> prefixed(const std::string& prefix, const Error& e) {
  return std::unexpected<Error>(Error{prefix + e.message, e.kind});
}

// The same error with another kind (a parse failure of a flag is a usage
// error whatever the parser called it).
inline std::unexpected<Error> as_kind(ErrorKind kind, const Error& e) {
  return std::unexpected<Error>(Error{e.message, kind});
}

}  // namespace greenrun
