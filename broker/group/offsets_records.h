#pragma once
// The records of __consumer_offsets in Kafka's layouts (README §7): keys and values are an int16
// schema version followed by the schema body (classic encoding). Offset commits use key v1 and
// value v3 (v1 when an old client set a retention time); group metadata uses key v2 and value v3.
// A null value is a tombstone. Also Kafka's group → partition mapping. Pure functions; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/status.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

inline constexpr const char* kOffsetsTopic = "__consumer_offsets";

// Java's String.hashCode over the UTF-16 code units of `s` (UTF-8 in; invalid bytes count as
// U+FFFD, as Java's decoder would make them).
int32_t JavaStringHashCode(std::string_view s);
// abs(hashCode(group)) % partitions with Kafka's Utils.abs (Integer.MIN_VALUE → 0).
int32_t OffsetsPartitionFor(std::string_view group_id, int32_t num_partitions);

struct OffsetRecordKey {
  std::string group;
  std::string topic;
  int32_t partition = 0;
};
struct GroupRecordKey {
  std::string group;
};

// One decoded record of the topic. `offset` / `group` is nullopt for a tombstone.
struct OffsetRecord {
  OffsetRecordKey key;
  std::optional<protocol::OffsetCommitValue> value;
};
struct GroupRecord {
  GroupRecordKey key;
  std::optional<protocol::GroupMetadataValue> value;
};
using OffsetsTopicRecord = std::variant<OffsetRecord, GroupRecord>;

std::string EncodeOffsetKey(const OffsetRecordKey& key);
// Value v3, or v1 when expire_timestamp >= 0 (retention set by an OffsetCommit v2-v4 client).
std::string EncodeOffsetValue(const protocol::OffsetCommitValue& value);
std::string EncodeGroupKey(const GroupRecordKey& key);
// Value v3.
std::string EncodeGroupValue(const protocol::GroupMetadataValue& value);

// Decodes a record; kInvalidArgument for an unknown key version or malformed bytes (the loader
// skips such records with a warning, as Kafka does for unknown versions).
Result<OffsetsTopicRecord> DecodeOffsetsTopicRecord(std::optional<std::string_view> key,
                                                    std::optional<std::string_view> value);

}  // namespace sluice::broker
