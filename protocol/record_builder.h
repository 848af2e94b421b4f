#pragma once
// RecordBatchBuilder: writes one record batch v2 (README §2) with a valid CRC-32C. Used by tests,
// tools, the CLI and the group coordinator's __consumer_offsets writes.
//
//   RecordBatchBuilder b(Compression::kZstd);
//   b.Add(now_ms, "key", "value", {{"hk", "hv"}});
//   std::string batch = b.Build();
//
// Add() copies its arguments; the builder owns everything. Not thread-safe; one owner.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/compression.h"
#include "protocol/record_batch.h"

namespace sluice::protocol {

class RecordBatchBuilder {
 public:
  explicit RecordBatchBuilder(Compression compression = Compression::kNone,
                              int64_t base_offset = 0)
      : compression_(compression), base_offset_(base_offset) {}

  // Producer identity; all -1 (the default) for a plain producer.
  RecordBatchBuilder& set_producer(int64_t producer_id, int16_t producer_epoch,
                                   int32_t base_sequence) {
    producer_id_ = producer_id;
    producer_epoch_ = producer_epoch;
    base_sequence_ = base_sequence;
    return *this;
  }
  RecordBatchBuilder& set_timestamp_type(TimestampType t) {
    timestamp_type_ = t;
    return *this;
  }
  RecordBatchBuilder& set_partition_leader_epoch(int32_t epoch) {
    partition_leader_epoch_ = epoch;
    return *this;
  }
  RecordBatchBuilder& set_transactional(bool v) {
    transactional_ = v;
    return *this;
  }
  RecordBatchBuilder& set_control(bool v) {
    control_ = v;
    return *this;
  }

  // Appends a record at the next offset (offsetDelta = number of records added before).
  void Add(int64_t timestamp, std::optional<std::string_view> key,
           std::optional<std::string_view> value, const std::vector<RecordHeader>& headers = {});

  int32_t record_count() const { return count_; }
  // Uncompressed size of the records added so far.
  size_t records_bytes() const { return records_.size(); }

  // The batch. baseTimestamp is the first record's timestamp, maxTimestamp the largest (both -1
  // when empty); lastOffsetDelta = count - 1. If the codec fails (it should not), the batch is
  // written uncompressed rather than lost. The builder can be reused after Clear().
  std::string Build() const;
  void Clear();

 private:
  Compression compression_;
  int64_t base_offset_;
  int64_t producer_id_ = -1;
  int16_t producer_epoch_ = -1;
  int32_t base_sequence_ = -1;
  int32_t partition_leader_epoch_ = -1;  // Kafka's NO_PARTITION_LEADER_EPOCH
  TimestampType timestamp_type_ = TimestampType::kCreateTime;
  bool transactional_ = false;
  bool control_ = false;

  std::string records_;  // encoded records, uncompressed
  int32_t count_ = 0;
  int64_t base_timestamp_ = -1;
  int64_t max_timestamp_ = -1;
};

}  // namespace sluice::protocol
