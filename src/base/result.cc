#include "greenrun/base/result.h"

namespace greenrun {

std::string_view to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kFailure: return "failure";
    case ErrorKind::kUsage: return "usage";
    case ErrorKind::kBadData: return "bad data";
    case ErrorKind::kIo: return "I/O";
    case ErrorKind::kNotFound: return "not found";
    case ErrorKind::kUnavailable: return "unavailable";
  }
  return "failure";
}

}  // namespace greenrun
