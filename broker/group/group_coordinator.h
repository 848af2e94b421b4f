#pragma once
// GroupCoordinator: Kafka's classic group coordinator (README §7). For every partition of
// __consumer_offsets this broker leads, it loads the groups and committed offsets from the log
// (answering COORDINATOR_LOAD_IN_PROGRESS meanwhile), runs each group's state machine (Empty,
// PreparingRebalance, CompletingRebalance, Stable, Dead) for JoinGroup/SyncGroup/Heartbeat/
// LeaveGroup, and persists group metadata and offset commits as records in that partition with
// acks=all (answering only once the high watermark passed them). When it stops leading a
// partition it drops that partition's groups (NOT_COORDINATOR).
//
// Time: Tick() (the broker calls it every ~100 ms from a loop timer) notices leadership changes,
// expires sessions, ends join phases (rebalance timeout, initial delay) and sync phases, and
// expires offsets. Requests also refresh leadership of their partition first, so a new leader
// answers without waiting for a tick.
//
// Owned by the Broker, created after the ReplicaManager and purgatories and destroyed after the
// purgatories expired their operations. Loop thread only; every callback runs on the loop thread
// (possibly before the call that takes it returns).

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/group/group.h"
#include "broker/group/offsets_log.h"
#include "common/ids.h"
#include "protocol/error_codes.h"

namespace sluice::broker {

struct GroupConfig {
  int32_t offsets_topic_num_partitions = 50;
  int64_t offsets_retention_ms = 10080LL * 60 * 1000;     // offsets.retention.minutes
  int64_t offsets_retention_check_interval_ms = 600000;   // offsets.retention.check.interval.ms
  int64_t offsets_commit_timeout_ms = 5000;               // offsets.commit.timeout.ms
  int32_t offset_metadata_max_bytes = 4096;               // offset.metadata.max.bytes
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;
  int32_t group_initial_rebalance_delay_ms = 3000;
  int32_t load_chunk_bytes = 1 << 20;  // bytes read per loop task while loading
};

struct JoinRequest {
  std::string group_id;
  std::string member_id;  // "" = new member
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;  // v0: the session timeout
  std::string protocol_type;
  ProtocolList protocols;
  bool require_known_member_id = false;  // JoinGroup v4+: two-step join (MEMBER_ID_REQUIRED)
};

struct SyncRequest {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> protocol_type;  // v5+
  std::optional<std::string> protocol_name;  // v5+
  std::vector<std::pair<std::string, std::string>> assignments;  // leader: (member, assignment)
};

struct LeaveMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};
struct LeaveResult {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;  // whole request (coordinator errors)
  std::vector<protocol::ErrorCode> members;                // per member, request order
};

struct CommitPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;
};
struct CommitRequest {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  int64_t retention_time_ms = -1;  // v2-v4; -1 = broker default
  std::vector<CommitPartition> partitions;
};
// Per partition, request order.
using CommitCallback = std::function<void(std::vector<protocol::ErrorCode>)>;

struct FetchedOffset {
  TopicPartition tp;
  int64_t offset = -1;
  int32_t leader_epoch = -1;
  std::string metadata;
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
};
struct FetchResult {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  std::vector<FetchedOffset> offsets;
};

struct DescribedMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::string metadata;    // for the chosen protocol; only in Stable
  std::string assignment;  // only in Stable
};
struct GroupDescription {
  protocol::ErrorCode error = protocol::ErrorCode::kNone;
  std::string group_id;
  std::string state;  // Kafka's state name; "Dead" for an unknown group, "" on error
  std::string protocol_type;
  std::string protocol_name;  // only in Stable
  std::vector<DescribedMember> members;
};

struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
  std::string state;
};

// Lag hook (CLI, metrics): one committed partition of a group against its high watermark.
struct PartitionLag {
  TopicPartition tp;
  int64_t committed = -1;
  int64_t high_watermark = -1;  // -1 when unknown
  int64_t lag = -1;             // max(hw - committed, 0); -1 when the HW is unknown
};

class GroupCoordinator {
 public:
  // `now_ms` is the wall clock (Kafka timestamps, deadlines); `post` runs a closure later on the
  // loop (the loader reads one chunk per task).
  GroupCoordinator(GroupConfig config, OffsetsLog* log, std::function<int64_t()> now_ms,
                   std::function<void(std::function<void()>)> post);
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  int32_t PartitionFor(const std::string& group_id) const;

  void Join(const JoinRequest& req, JoinCallback done);
  void Sync(const SyncRequest& req, SyncCallback done);
  protocol::ErrorCode Heartbeat(const std::string& group_id, int32_t generation_id,
                                const std::string& member_id,
                                const std::optional<std::string>& group_instance_id);
  LeaveResult Leave(const std::string& group_id, const std::vector<LeaveMember>& members);

  void CommitOffsets(const CommitRequest& req, CommitCallback done);
  // `topics` nullopt = every committed partition of the group; a listed partition without a
  // commit answers offset -1, metadata "", NONE.
  FetchResult FetchOffsets(
      const std::string& group_id,
      const std::optional<std::vector<std::pair<std::string, std::vector<int32_t>>>>& topics);

  GroupDescription Describe(const std::string& group_id);
  // Groups of the partitions this broker leads and has loaded; error COORDINATOR_LOAD_IN_PROGRESS
  // while any is loading. `states` filters by state name (empty = all).
  protocol::ErrorCode List(const std::vector<std::string>& states, std::vector<ListedGroup>* out);
  // DeleteGroups for one group: Empty groups only; tombstones for the group and its offsets.
  void Delete(const std::string& group_id, std::function<void(protocol::ErrorCode)> done);

  // Committed offsets of `group_id` against `high_watermark(tp)` (-1 = unknown). Empty when this
  // broker does not coordinate the group.
  std::vector<PartitionLag> Lag(const std::string& group_id,
                                const std::function<int64_t(const TopicPartition&)>&
                                    high_watermark);

  // Periodic work (see the class comment).
  void Tick();
  // Drops every group and answers parked requests with NOT_COORDINATOR (shutdown).
  void Shutdown();

  // Introspection for tests and metrics.
  const Group* FindGroup(const std::string& group_id) const;
  bool IsLoading(int32_t partition) const;
  bool Owns(int32_t partition) const;

 private:
  struct PartitionState {
    int32_t epoch = -1;
    bool loading = true;
    int64_t next_offset = 0;  // loader position
  };
  struct LoadStaging;

  // Leadership of `p`: starts loading when we became leader (or the epoch changed), drops the
  // partition's groups when we stopped leading it.
  void SyncOwnership(int32_t p);
  void StartLoad(int32_t p, int32_t epoch);
  void LoadStep(int32_t p, int32_t epoch, std::shared_ptr<LoadStaging> staging);
  void FinishLoad(int32_t p, LoadStaging& staging);
  void DropPartition(int32_t p);
  // kNone when this broker coordinates `group_id` and has loaded it.
  protocol::ErrorCode CheckCoordinator(const std::string& group_id);

  Group* Find(const std::string& group_id);
  Group& GetOrCreate(const std::string& group_id);
  void JoinNewMember(Group& g, const JoinRequest& req, JoinCallback done);
  void JoinKnownMember(Group& g, const JoinRequest& req, JoinCallback done);
  Member& AddMember(Group& g, const JoinRequest& req, const std::string& member_id,
                    JoinCallback done);
  void UpdateMember(Member& m, const JoinRequest& req, JoinCallback done);
  JoinResult CurrentJoinResult(const Group& g, const std::string& member_id) const;
  void PrepareRebalance(Group& g, const char* reason);
  void MaybeCompleteJoin(Group& g);
  void RemoveMember(Group& g, const std::string& member_id, const char* reason);
  void SetState(Group& g, GroupState state);
  void CompleteSync(Group& g, protocol::ErrorCode error);
  void PersistGroup(Group& g, std::function<void(protocol::ErrorCode)> done);
  void ExpireOffsets();
  void MaybeForget(Group& g);
  std::string NewMemberId(const std::string& prefix);

  GroupConfig config_;
  OffsetsLog* log_;
  std::function<int64_t()> now_ms_;
  std::function<void(std::function<void()>)> post_;
  std::map<int32_t, PartitionState> owned_;  // partitions we lead (loading or loaded)
  std::map<std::string, std::unique_ptr<Group>> groups_;
  int64_t next_retention_check_ms_ = 0;
  uint64_t member_seq_ = 0;
  // Callbacks of appends in flight check this, so they do nothing after destruction.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// Kafka's mapping of an append error to what a committer sees (README §7).
protocol::ErrorCode CommitErrorFromAppend(protocol::ErrorCode append_error);

}  // namespace sluice::broker
