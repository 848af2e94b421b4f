#pragma once
// LogConfig: per-partition log settings, named after Kafka's topic configs (broker defaults in
// parentheses are Kafka's `log.*` names). Plain value; copied into each Log.

#include <cstdint>

namespace sluice::storage {

struct LogConfig {
  // segment.bytes (log.segment.bytes): roll the active segment before it would exceed this.
  int64_t segment_bytes = 1073741824;
  // segment.ms (log.roll.ms): roll a non-empty active segment this long after its first batch.
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  // retention.ms (log.retention.ms): delete segments whose newest timestamp is older; -1 = forever.
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  // retention.bytes (log.retention.bytes): delete oldest segments while over; -1 = unlimited.
  int64_t retention_bytes = -1;
  // index.interval.bytes: bytes of batches between two sparse index entries.
  int32_t index_interval_bytes = 4096;
  // segment.index.bytes (log.index.size.max.bytes): an index this large rolls the segment.
  int32_t segment_index_bytes = 10485760;
  // file.delete.delay.ms: accepted for Kafka compatibility; files of deleted segments are unlinked
  // at once (open readers keep their fd, so an in-flight fetch still completes).
  int64_t file_delete_delay_ms = 60000;
};

}  // namespace sluice::storage
