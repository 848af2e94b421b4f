#pragma once
// Offset checkpoint files of a log dir (README §6): `recovery-point-offset-checkpoint`,
// `replication-offset-checkpoint` (HW), `log-start-offset-checkpoint`. Text: line "0", line
// with the entry count, then "topic partition offset" lines. Written atomically (tmp, fsync,
// rename, fsync dir). Pure functions; any thread.

#include <map>
#include <string>

#include "common/ids.h"
#include "common/status.h"

namespace sluice::storage {

inline constexpr const char* kRecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
inline constexpr const char* kReplicationCheckpoint = "replication-offset-checkpoint";
inline constexpr const char* kLogStartCheckpoint = "log-start-offset-checkpoint";

using OffsetMap = std::map<TopicPartition, Offset>;

std::string EncodeOffsetCheckpoint(const OffsetMap& offsets);
Result<OffsetMap> DecodeOffsetCheckpoint(const std::string& content);

Status WriteOffsetCheckpoint(const std::string& path, const OffsetMap& offsets);
// A missing file reads as empty; a malformed one is kCorruption.
Result<OffsetMap> ReadOffsetCheckpoint(const std::string& path);

// "<topic>-<partition>" split at the last '-' (topics may contain '-' and '.'); false when the
// name is not a partition directory.
bool ParsePartitionDirName(const std::string& name, TopicPartition* tp);

}  // namespace sluice::storage
