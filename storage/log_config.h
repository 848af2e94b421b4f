#pragma once
// LogConfig: per-partition log settings, named after Kafka's topic configs (broker defaults in
// parentheses are Kafka's `log.*` names). Plain value; copied into each Log. A log's effective
// config = the broker's defaults (LogConfigFromBrokerProperties) overridden by its topic's
// /config/topics/<t> entries (ApplyTopicOverrides); LogManager keeps both and re-applies them
// when a topic's overrides change. Pure functions, any thread.

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::storage {

enum class MessageTimestampType : uint8_t { kCreateTime, kLogAppendTime };

struct LogConfig {
  // segment.bytes (log.segment.bytes): roll the active segment before it would exceed this.
  int64_t segment_bytes = 1073741824;
  // segment.ms (log.roll.ms / log.roll.hours): roll a non-empty active segment this long after
  // its first batch.
  int64_t segment_ms = 7LL * 24 * 3600 * 1000;
  // retention.ms (log.retention.ms/minutes/hours): delete segments whose newest timestamp is
  // older; -1 = forever. Only with cleanup.policy containing "delete".
  int64_t retention_ms = 7LL * 24 * 3600 * 1000;
  // retention.bytes (log.retention.bytes): delete oldest segments while over; -1 = unlimited.
  int64_t retention_bytes = -1;
  // index.interval.bytes (log.index.interval.bytes): bytes of batches between two index entries.
  int32_t index_interval_bytes = 4096;
  // segment.index.bytes (log.index.size.max.bytes): an index this large rolls the segment.
  int32_t segment_index_bytes = 10485760;
  // file.delete.delay.ms (log.segment.delete.delay.ms): accepted for Kafka compatibility; files
  // of deleted segments are unlinked at once (open readers keep their fd, so an in-flight fetch
  // still completes).
  int64_t file_delete_delay_ms = 60000;
  // cleanup.policy (log.cleanup.policy): "delete", "compact" or "compact,delete".
  bool cleanup_delete = true;    // retention.ms / retention.bytes apply
  bool cleanup_compact = false;  // the log cleaner keeps the latest record per key
  // min.cleanable.dirty.ratio (log.cleaner.min.cleanable.ratio): clean when the bytes written
  // since the last cleaning are at least this share of the cleanable bytes.
  double min_cleanable_dirty_ratio = 0.5;
  // delete.retention.ms (log.cleaner.delete.retention.ms): a tombstone (null value) stays this
  // long after its timestamp, so consumers can see the delete.
  int64_t delete_retention_ms = 86400000;
  // min.compaction.lag.ms (log.cleaner.min.compaction.lag.ms): segments holding a batch younger
  // than this are not cleaned yet.
  int64_t min_compaction_lag_ms = 0;
  // message.timestamp.type (log.message.timestamp.type): LogAppendTime makes the leader stamp
  // every batch's max timestamp with the append time.
  MessageTimestampType message_timestamp_type = MessageTimestampType::kCreateTime;
  // max.message.bytes (message.max.bytes): largest batch the leader accepts (MESSAGE_TOO_LARGE).
  int32_t max_message_bytes = 1048588;
  // flush.messages / flush.ms (log.flush.interval.messages / .ms): parsed and kept; the broker
  // flushes on its checkpoint interval. <= 0 or max = never forced.
  int64_t flush_messages = std::numeric_limits<int64_t>::max();
  int64_t flush_ms = std::numeric_limits<int64_t>::max();

  // "delete", "compact" or "compact,delete" (Kafka's spelling).
  std::string cleanup_policy() const;
};

// Broker defaults from server.properties keys (log.segment.bytes, log.roll.ms|hours,
// log.retention.ms|minutes|hours, log.retention.bytes, log.cleanup.policy,
// log.cleaner.min.cleanable.ratio, log.cleaner.delete.retention.ms,
// log.cleaner.min.compaction.lag.ms, log.message.timestamp.type, message.max.bytes,
// log.index.interval.bytes, log.index.size.max.bytes, log.flush.interval.messages,
// log.flush.interval.ms, log.segment.delete.delay.ms). Absent keys keep `base`'s value; Kafka's
// precedence holds (ms over minutes over hours). kInvalidArgument names the first bad key.
Result<LogConfig> LogConfigFromBrokerProperties(const std::map<std::string, std::string>& props,
                                                LogConfig base = {});

// A topic's overrides (the "config" map of /config/topics/<t>) applied to `defaults`. Keys that
// are not log configs are ignored. kInvalidArgument names the first bad key and value.
Result<LogConfig> ApplyTopicOverrides(const LogConfig& defaults,
                                      const std::map<std::string, std::string>& overrides);
// Lenient form for configs that already exist in ZooKeeper: a bad value keeps the default for
// that key and is described in `*errors` (may be null); the other keys still apply.
LogConfig MergeTopicOverrides(const LogConfig& defaults,
                              const std::map<std::string, std::string>& overrides,
                              std::vector<std::string>* errors);
// Whether `key` is a topic-level log config we understand (for CreateTopics/AlterConfigs).
bool IsTopicLogConfigKey(const std::string& key);

// Every topic-level log config key with its value in `config` (DescribeConfigs).
std::map<std::string, std::string> TopicConfigEntries(const LogConfig& config);

}  // namespace sluice::storage
