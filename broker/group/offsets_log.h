#pragma once
// OffsetsLog: how the GroupCoordinator sees the partitions of __consumer_offsets on this broker:
// whether it leads them (and in which leader epoch), reading them for loading, and appending
// records with acks=all semantics. An interface so the coordinator is testable with an in-memory
// fake; the daemon's implementation (ReplicaOffsetsLog) sits on the ReplicaManager and the
// produce purgatory. Loop thread only; callbacks run on the loop thread.

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"
#include "protocol/error_codes.h"

namespace sluice::broker {

class OffsetsLog {
 public:
  virtual ~OffsetsLog() = default;
  // This broker's leader epoch for partition `p` of __consumer_offsets, or -1 when it does not
  // lead it (not a replica, follower, or offline).
  virtual int32_t LeaderEpoch(int32_t p) = 0;
  virtual int64_t LogStartOffset(int32_t p) = 0;
  virtual int64_t LogEndOffset(int32_t p) = 0;
  // Whole batches from `from` (at most about max_bytes, at least one batch) below the log end.
  virtual Result<std::string> Read(int32_t p, int64_t from, int32_t max_bytes) = 0;
  // Appends one record batch as leader, then calls done(kNone) once the high watermark passed it
  // (acks=all), or done(error) with the produce error (NOT_LEADER_OR_FOLLOWER,
  // NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT after timeout_ms, ...). done runs exactly once, maybe
  // before Append returns.
  virtual void Append(int32_t p, std::string batch, int64_t timeout_ms,
                      std::function<void(protocol::ErrorCode)> done) = 0;
};

}  // namespace sluice::broker
