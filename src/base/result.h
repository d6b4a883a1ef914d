// Result<T>: expected failures as values. An Error carries one line that names
// where (file:line, JSON path, or call) and what was expected.
//
// Thread-safety: plain values.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace greenrun {

struct Error {
  std::string message;
};

template <typename T>
using Result = std::expected<T, Error>;

// Result<void> for operations that return nothing on success.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> make_error(std::string message) {
  return std::unexpected<Error>(Error{std::move(message)});
}

}  // namespace greenrun
