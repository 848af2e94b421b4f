#include "protocol/errors_map.h"

namespace sluice::protocol {

// One switch with no default: a new Errc fails the build (-Werror=switch) until it is mapped here.
ErrorCode ToKafkaError(Errc code) {
  switch (code) {
    case Errc::kOk:              return ErrorCode::kNone;
    case Errc::kInvalidArgument: return ErrorCode::kInvalidRequest;
    case Errc::kNotFound:        return ErrorCode::kUnknownTopicOrPartition;
    case Errc::kCorruption:      return ErrorCode::kCorruptMessage;
    case Errc::kIoError:         return ErrorCode::kKafkaStorageError;
    case Errc::kTimedOut:        return ErrorCode::kRequestTimedOut;
    case Errc::kNotLeader:       return ErrorCode::kNotLeaderOrFollower;
    case Errc::kTooLarge:        return ErrorCode::kMessageTooLarge;
    case Errc::kAlreadyExists:   return ErrorCode::kTopicAlreadyExists;
    case Errc::kUnavailable:     return ErrorCode::kLeaderNotAvailable;
    case Errc::kUnsupported:     return ErrorCode::kUnsupportedVersion;
    case Errc::kOutOfRange:      return ErrorCode::kOffsetOutOfRange;
  }
  return ErrorCode::kUnknownServerError;  // only for out-of-range values
}

}  // namespace sluice::protocol
