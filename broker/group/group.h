#pragma once
// Group: one consumer group's state as its coordinator holds it (Kafka's GroupMetadata and
// MemberMetadata): state machine position, generation, chosen protocol, leader, members with
// their parked JoinGroup/SyncGroup answers, and committed offsets. Plus the pure decisions on it
// (protocol choice, compatibility). Owned by the GroupCoordinator; loop thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "protocol/error_codes.h"

namespace sluice::broker {

enum class GroupState : uint8_t {
  kEmpty,
  kPreparingRebalance,
  kCompletingRebalance,
  kStable,
  kDead,
};
// Kafka's names ("Empty", "PreparingRebalance", ...), as DescribeGroups/ListGroups report them.
const char* GroupStateName(GroupState state);

struct JoinMemberInfo {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string metadata;  // the member's metadata for the chosen protocol
};

// What a JoinGroup answers.
struct JoinResult {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  int32_t generation_id = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  std::string member_id;
  std::vector<JoinMemberInfo> members;  // only for the leader
};
using JoinCallback = std::function<void(JoinResult)>;

struct SyncResult {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string assignment;
};
using SyncCallback = std::function<void(SyncResult)>;

using ProtocolList = std::vector<std::pair<std::string, std::string>>;  // (name, metadata)

struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t rebalance_timeout_ms = 0;
  int32_t session_timeout_ms = 0;
  std::string protocol_type;
  ProtocolList protocols;  // in the member's order of preference
  std::string assignment;  // from the leader's SyncGroup of the current generation
  int64_t last_heartbeat_ms = 0;
  JoinCallback awaiting_join;  // set while its JoinGroup is parked
  SyncCallback awaiting_sync;  // set while its SyncGroup is parked

  bool MatchesProtocols(const ProtocolList& other) const { return protocols == other; }
  // The member's metadata for protocol `name` ("" if it does not support it).
  std::string MetadataFor(const std::string& name) const;
};

struct CommittedOffset {
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp = 0;
  int64_t expire_timestamp = -1;  // set only by OffsetCommit v2-v4 retention_time_ms
};

struct Group {
  std::string id;
  int32_t partition = 0;  // of __consumer_offsets
  GroupState state = GroupState::kEmpty;
  int64_t state_timestamp_ms = 0;  // wall clock of the last state change (retention)
  int32_t generation = 0;
  std::optional<std::string> protocol_type;  // nullopt until a member joined once
  std::optional<std::string> protocol_name;  // chosen at the end of each join phase
  std::string leader_id;                     // "" when none
  std::map<std::string, Member> members;     // by member id
  std::map<std::string, std::string> static_members;  // group.instance.id → member id
  std::map<std::string, int64_t> pending_members;     // two-step join: id → deadline (ms)
  std::map<TopicPartition, CommittedOffset> offsets;
  // PreparingRebalance: the join phase ends at rebalance_deadline_ms at the latest, and not
  // before initial_delay_until_ms (group.initial.rebalance.delay.ms when it left Empty).
  // CompletingRebalance: members not synced by rebalance_deadline_ms are removed.
  int64_t rebalance_deadline_ms = 0;
  int64_t initial_delay_until_ms = 0;
  int64_t initial_delay_cap_ms = 0;

  bool Has(const std::string& member_id) const { return members.count(member_id) != 0; }
  bool AllMembersJoined() const;
  int32_t MaxRebalanceTimeoutMs() const;
  // Kafka's supportsProtocols: an Empty group takes any non-empty type and protocol list; a
  // non-empty one needs the same type and a protocol every member (and the newcomer) supports.
  bool SupportsProtocols(const std::string& type, const ProtocolList& protocols) const;
  // Each member votes for its first protocol that all members support; most votes wins.
  // nullopt when there is no common protocol (or no members).
  std::optional<std::string> SelectProtocol() const;
};

}  // namespace sluice::broker
