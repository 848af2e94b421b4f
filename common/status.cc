#include "common/status.h"

namespace sluice {

const char* ErrcName(Errc code) {
  switch (code) {
    case Errc::kOk: return "OK";
    case Errc::kInvalidArgument: return "INVALID_ARGUMENT";
    case Errc::kNotFound: return "NOT_FOUND";
    case Errc::kCorruption: return "CORRUPTION";
    case Errc::kIoError: return "IO_ERROR";
    case Errc::kTimedOut: return "TIMED_OUT";
    case Errc::kNotLeader: return "NOT_LEADER";
    case Errc::kTooLarge: return "TOO_LARGE";
    case Errc::kAlreadyExists: return "ALREADY_EXISTS";
    case Errc::kUnavailable: return "UNAVAILABLE";
    case Errc::kUnsupported: return "UNSUPPORTED";
    case Errc::kOutOfRange: return "OUT_OF_RANGE";
  }
  return "UNKNOWN";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(ErrcName(code_)) + ": " + message_;
}

std::ostream& operator<<(std::ostream& os, const Status& s) { return os << s.ToString(); }

}  // namespace sluice
