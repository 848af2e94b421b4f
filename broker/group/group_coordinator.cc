// GroupCoordinator: membership (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) and the state
// machine, after Kafka 3.5's GroupCoordinator.scala. Offsets: group_offsets.cc; loading and
// leadership: group_loader.cc.
#include "broker/group/group_coordinator.h"

#include <glog/logging.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "broker/group/offsets_records.h"
#include "protocol/record_builder.h"

namespace sluice::broker {

using protocol::ErrorCode;

namespace {
// Kafka itself only rejects an empty group id here; we also reject ids longer than a topic name
// may be (249 bytes), as the project asks: such an id is a client bug, and it would be copied into
// every offsets key of __consumer_offsets. OffsetCommit/OffsetFetch keep Kafka's leniency for "".
constexpr size_t kMaxGroupIdBytes = 249;
bool BadGroupId(const std::string& group_id) {
  return group_id.empty() || group_id.size() > kMaxGroupIdBytes;
}
}  // namespace

ErrorCode CommitErrorFromAppend(ErrorCode e) {
  switch (e) {
    case ErrorCode::kUnknownTopicOrPartition:
    case ErrorCode::kNotEnoughReplicas:
    case ErrorCode::kNotEnoughReplicasAfterAppend:
    case ErrorCode::kRequestTimedOut:
      return ErrorCode::kCoordinatorNotAvailable;
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kKafkaStorageError:
      return ErrorCode::kNotCoordinator;
    case ErrorCode::kMessageTooLarge:
    case ErrorCode::kRecordListTooLarge:
    case ErrorCode::kInvalidFetchSize:
      return ErrorCode::kInvalidCommitOffsetSize;
    default:
      return e;
  }
}

GroupCoordinator::GroupCoordinator(GroupConfig config, OffsetsLog* log,
                                   std::function<int64_t()> now_ms,
                                   std::function<void(std::function<void()>)> post)
    : config_(config), log_(log), now_ms_(std::move(now_ms)), post_(std::move(post)) {
  next_retention_check_ms_ = now_ms_() + config_.offsets_retention_check_interval_ms;
}

GroupCoordinator::~GroupCoordinator() {
  *alive_ = false;
  Shutdown();
}

int32_t GroupCoordinator::PartitionFor(const std::string& group_id) const {
  return OffsetsPartitionFor(group_id, config_.offsets_topic_num_partitions);
}

Group* GroupCoordinator::Find(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

const Group* GroupCoordinator::FindGroup(const std::string& group_id) const {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : it->second.get();
}

Group& GroupCoordinator::GetOrCreate(const std::string& group_id) {
  auto& slot = groups_[group_id];
  if (slot == nullptr) {
    slot = std::make_unique<Group>();
    slot->id = group_id;
    slot->partition = PartitionFor(group_id);
    slot->state_timestamp_ms = now_ms_();
  }
  return *slot;
}

std::string GroupCoordinator::NewMemberId(const std::string& prefix) {
  static std::mt19937_64 rng(std::random_device{}());
  uint64_t a = rng(), b = rng();
  a = (a & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant
  char uuid[40];
  std::snprintf(uuid, sizeof(uuid), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xFFFF),
                static_cast<unsigned>(a & 0xFFFF), static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xFFFFFFFFFFFFULL));
  ++member_seq_;
  return prefix + "-" + uuid;
}

void GroupCoordinator::SetState(Group& g, GroupState state) {
  if (g.state != state) {
    VLOG(1) << "group_state_change group=" << g.id << " from=" << GroupStateName(g.state)
            << " to=" << GroupStateName(state) << " generation=" << g.generation;
  }
  g.state = state;
  g.state_timestamp_ms = now_ms_();
}

// ---- JoinGroup ----

void GroupCoordinator::Join(const JoinRequest& req, JoinCallback done) {
  auto fail = [&](ErrorCode e) {
    JoinResult r;
    r.error = e;
    r.member_id = req.member_id;
    done(std::move(r));
  };
  if (BadGroupId(req.group_id)) return fail(ErrorCode::kInvalidGroupId);
  ErrorCode e = CheckCoordinator(req.group_id);
  if (e != ErrorCode::kNone) return fail(e);
  if (req.session_timeout_ms < config_.group_min_session_timeout_ms ||
      req.session_timeout_ms > config_.group_max_session_timeout_ms) {
    return fail(ErrorCode::kInvalidSessionTimeout);
  }
  Group* existing = Find(req.group_id);
  if (existing == nullptr && !req.member_id.empty()) return fail(ErrorCode::kUnknownMemberId);
  if (existing != nullptr && existing->state == GroupState::kDead) {
    return fail(ErrorCode::kCoordinatorNotAvailable);
  }
  Group probe;  // an absent group behaves as an Empty one
  const Group& current = existing != nullptr ? *existing : probe;
  if (!current.SupportsProtocols(req.protocol_type, req.protocols)) {
    LOG_EVERY_T(WARNING, 10) << "join_rejected group=" << req.group_id
                             << " error=INCONSISTENT_GROUP_PROTOCOL protocol_type="
                             << req.protocol_type << " client_id=" << req.client_id;
    return fail(ErrorCode::kInconsistentGroupProtocol);
  }
  Group& g = existing != nullptr ? *existing : GetOrCreate(req.group_id);
  if (req.member_id.empty()) {
    JoinNewMember(g, req, std::move(done));
  } else {
    JoinKnownMember(g, req, std::move(done));
  }
}

void GroupCoordinator::JoinNewMember(Group& g, const JoinRequest& req, JoinCallback done) {
  const int64_t now = now_ms_();
  if (req.group_instance_id.has_value()) {
    const std::string& instance = *req.group_instance_id;
    std::string new_id = NewMemberId(instance);
    auto it = g.static_members.find(instance);
    if (it == g.static_members.end() || !g.Has(it->second)) {
      AddMember(g, req, new_id, std::move(done));
      PrepareRebalance(g, "static member joined");
      return;
    }
    // A known static member restarted: it takes over its old identity under a new member id; the
    // old id is fenced. A follower rejoining a Stable group with unchanged protocols gets the
    // current generation without a rebalance (KIP-345).
    std::string old_id = it->second;
    Member m = std::move(g.members[old_id]);
    g.members.erase(old_id);
    bool was_leader = g.leader_id == old_id;
    bool same = m.MatchesProtocols(req.protocols);
    if (m.awaiting_join) {
      JoinResult r;
      r.error = ErrorCode::kFencedInstanceId;
      r.member_id = old_id;
      std::exchange(m.awaiting_join, nullptr)(std::move(r));
    }
    if (m.awaiting_sync) {
      SyncResult r;
      r.error = ErrorCode::kFencedInstanceId;
      std::exchange(m.awaiting_sync, nullptr)(std::move(r));
    }
    m.member_id = new_id;
    m.last_heartbeat_ms = now;
    g.static_members[instance] = new_id;
    if (was_leader) g.leader_id = new_id;
    Member& placed = g.members[new_id] = std::move(m);
    LOG(INFO) << "group_static_member_replaced group=" << g.id << " instance=" << instance
              << " old_member=" << old_id << " member=" << new_id;
    if (g.state == GroupState::kStable && same && !was_leader) {
      placed.session_timeout_ms = req.session_timeout_ms;
      placed.rebalance_timeout_ms = req.rebalance_timeout_ms;
      done(CurrentJoinResult(g, new_id));
      return;
    }
    UpdateMember(placed, req, std::move(done));
    if (g.state != GroupState::kPreparingRebalance) {
      PrepareRebalance(g, "static member rejoined");
    } else {
      MaybeCompleteJoin(g);
    }
    return;
  }
  std::string prefix = req.client_id;
  std::string new_id = NewMemberId(prefix);
  if (req.require_known_member_id) {
    g.pending_members[new_id] = now + req.session_timeout_ms;
    JoinResult r;
    r.error = ErrorCode::kMemberIdRequired;
    r.member_id = new_id;
    done(std::move(r));
    return;
  }
  AddMember(g, req, new_id, std::move(done));
  if (g.state == GroupState::kPreparingRebalance) {
    MaybeCompleteJoin(g);
  } else {
    PrepareRebalance(g, "member joined");
  }
}

void GroupCoordinator::JoinKnownMember(Group& g, const JoinRequest& req, JoinCallback done) {
  const std::string& id = req.member_id;
  auto fail = [&](ErrorCode e) {
    JoinResult r;
    r.error = e;
    r.member_id = id;
    done(std::move(r));
  };
  if (auto pending = g.pending_members.find(id); pending != g.pending_members.end()) {
    g.pending_members.erase(pending);
    AddMember(g, req, id, std::move(done));
    if (g.state == GroupState::kPreparingRebalance) {
      MaybeCompleteJoin(g);
    } else {
      PrepareRebalance(g, "pending member joined");
    }
    return;
  }
  auto it = g.members.find(id);
  if (it == g.members.end()) return fail(ErrorCode::kUnknownMemberId);
  Member& m = it->second;
  if (req.group_instance_id.has_value() && m.group_instance_id != req.group_instance_id) {
    return fail(ErrorCode::kFencedInstanceId);
  }
  switch (g.state) {
    case GroupState::kPreparingRebalance:
      UpdateMember(m, req, std::move(done));
      MaybeCompleteJoin(g);
      return;
    case GroupState::kCompletingRebalance:
      if (m.MatchesProtocols(req.protocols)) {
        // The member did not get our JoinGroup answer; send it again.
        m.last_heartbeat_ms = now_ms_();
        done(CurrentJoinResult(g, id));
        return;
      }
      UpdateMember(m, req, std::move(done));
      PrepareRebalance(g, "member changed protocols");
      return;
    case GroupState::kStable:
      if (g.leader_id != id && m.MatchesProtocols(req.protocols)) {
        m.last_heartbeat_ms = now_ms_();
        done(CurrentJoinResult(g, id));
        return;
      }
      UpdateMember(m, req, std::move(done));
      PrepareRebalance(g, g.leader_id == id ? "leader rejoined" : "member changed protocols");
      return;
    case GroupState::kEmpty:
      return fail(ErrorCode::kUnknownMemberId);
    case GroupState::kDead:
      return fail(ErrorCode::kCoordinatorNotAvailable);
  }
}

Member& GroupCoordinator::AddMember(Group& g, const JoinRequest& req,
                                    const std::string& member_id, JoinCallback done) {
  Member& m = g.members[member_id];
  m.member_id = member_id;
  m.group_instance_id = req.group_instance_id;
  m.client_id = req.client_id;
  m.client_host = req.client_host;
  if (req.group_instance_id.has_value()) g.static_members[*req.group_instance_id] = member_id;
  if (g.members.size() == 1) g.protocol_type = req.protocol_type;
  if (g.leader_id.empty()) g.leader_id = member_id;
  UpdateMember(m, req, std::move(done));
  // A new member arriving during the initial delay extends it (InitialDelayedJoin).
  if (g.state == GroupState::kPreparingRebalance && g.initial_delay_until_ms > 0) {
    g.initial_delay_until_ms =
        std::min(now_ms_() + config_.group_initial_rebalance_delay_ms, g.initial_delay_cap_ms);
  }
  LOG(INFO) << "group_member_added group=" << g.id << " member=" << member_id
            << " client_id=" << req.client_id << " members=" << g.members.size();
  return m;
}

void GroupCoordinator::UpdateMember(Member& m, const JoinRequest& req, JoinCallback done) {
  m.session_timeout_ms = req.session_timeout_ms;
  m.rebalance_timeout_ms = req.rebalance_timeout_ms;
  m.protocol_type = req.protocol_type;
  m.protocols = req.protocols;
  m.last_heartbeat_ms = now_ms_();
  if (m.awaiting_join) {
    // A second JoinGroup while the first is parked: the first one is superseded.
    JoinResult r;
    r.error = ErrorCode::kRebalanceInProgress;
    r.member_id = m.member_id;
    std::exchange(m.awaiting_join, nullptr)(std::move(r));
  }
  m.awaiting_join = std::move(done);
}

JoinResult GroupCoordinator::CurrentJoinResult(const Group& g,
                                               const std::string& member_id) const {
  JoinResult r;
  r.generation_id = g.generation;
  r.protocol_type = g.protocol_type;
  r.protocol_name = g.protocol_name;
  r.leader = g.leader_id;
  r.member_id = member_id;
  if (member_id == g.leader_id && g.protocol_name.has_value()) {
    for (const auto& [id, m] : g.members) {
      r.members.push_back({id, m.group_instance_id, m.MetadataFor(*g.protocol_name)});
    }
  }
  return r;
}

void GroupCoordinator::PrepareRebalance(Group& g, const char* reason) {
  const int64_t now = now_ms_();
  if (g.state == GroupState::kCompletingRebalance) {
    for (auto& [id, m] : g.members) m.assignment.clear();
    CompleteSync(g, ErrorCode::kRebalanceInProgress);
  }
  const bool from_empty = g.state == GroupState::kEmpty;
  SetState(g, GroupState::kPreparingRebalance);
  g.rebalance_deadline_ms = now + g.MaxRebalanceTimeoutMs();
  if (from_empty && config_.group_initial_rebalance_delay_ms > 0) {
    g.initial_delay_cap_ms = now + std::max(g.MaxRebalanceTimeoutMs(),
                                            config_.group_initial_rebalance_delay_ms);
    g.initial_delay_until_ms =
        std::min(now + config_.group_initial_rebalance_delay_ms, g.initial_delay_cap_ms);
  } else {
    g.initial_delay_until_ms = 0;
  }
  LOG(INFO) << "group_rebalance_started group=" << g.id << " generation=" << g.generation
            << " members=" << g.members.size() << " reason=" << reason;
  MaybeCompleteJoin(g);
}

void GroupCoordinator::MaybeCompleteJoin(Group& g) {
  if (g.state != GroupState::kPreparingRebalance) return;
  const int64_t now = now_ms_();
  if (g.initial_delay_until_ms > 0 && now < g.initial_delay_until_ms) return;
  if (!g.AllMembersJoined() && now < g.rebalance_deadline_ms) return;
  // Join phase over: dynamic members that did not rejoin are out (static ones keep their slot).
  std::vector<std::string> gone;
  for (const auto& [id, m] : g.members) {
    if (!m.awaiting_join && !m.group_instance_id.has_value()) gone.push_back(id);
  }
  for (const auto& id : gone) {
    LOG(INFO) << "group_member_removed group=" << g.id << " member=" << id
              << " reason=did_not_rejoin";
    if (g.members[id].group_instance_id.has_value()) {
      g.static_members.erase(*g.members[id].group_instance_id);
    }
    g.members.erase(id);
  }
  g.initial_delay_until_ms = 0;
  bool any_joined = std::any_of(g.members.begin(), g.members.end(),
                                [](const auto& kv) { return bool(kv.second.awaiting_join); });
  ++g.generation;
  if (g.members.empty() || !any_joined) {
    g.members.clear();
    g.static_members.clear();
    g.leader_id.clear();
    g.protocol_name.reset();
    SetState(g, GroupState::kEmpty);
    LOG(INFO) << "group_empty group=" << g.id << " generation=" << g.generation;
    PersistGroup(g, [](ErrorCode) {});
    return;
  }
  g.protocol_name = g.SelectProtocol();
  if (!g.Has(g.leader_id) || !g.members[g.leader_id].awaiting_join) {
    for (const auto& [id, m] : g.members) {
      if (m.awaiting_join) {
        g.leader_id = id;
        break;
      }
    }
  }
  SetState(g, GroupState::kCompletingRebalance);
  g.rebalance_deadline_ms = now + g.MaxRebalanceTimeoutMs();
  LOG(INFO) << "group_join_completed group=" << g.id << " generation=" << g.generation
            << " protocol=" << g.protocol_name.value_or("") << " leader=" << g.leader_id
            << " members=" << g.members.size();
  std::vector<std::pair<std::string, JoinCallback>> answers;
  for (auto& [id, m] : g.members) {
    m.last_heartbeat_ms = now;
    if (m.awaiting_join) answers.emplace_back(id, std::exchange(m.awaiting_join, nullptr));
  }
  for (auto& [id, cb] : answers) cb(CurrentJoinResult(g, id));
}

// ---- SyncGroup ----

void GroupCoordinator::Sync(const SyncRequest& req, SyncCallback done) {
  auto fail = [&](ErrorCode e) {
    SyncResult r;
    r.error = e;
    done(std::move(r));
  };
  if (BadGroupId(req.group_id)) return fail(ErrorCode::kInvalidGroupId);
  ErrorCode e = CheckCoordinator(req.group_id);
  if (e != ErrorCode::kNone) return fail(e);
  Group* g = Find(req.group_id);
  if (g == nullptr) return fail(ErrorCode::kUnknownMemberId);
  if (g->state == GroupState::kDead) return fail(ErrorCode::kCoordinatorNotAvailable);
  auto it = g->members.find(req.member_id);
  if (it == g->members.end()) return fail(ErrorCode::kUnknownMemberId);
  Member& m = it->second;
  if (req.group_instance_id.has_value() && m.group_instance_id != req.group_instance_id) {
    return fail(ErrorCode::kFencedInstanceId);
  }
  if (req.generation_id != g->generation) return fail(ErrorCode::kIllegalGeneration);
  if ((req.protocol_type.has_value() && req.protocol_type != g->protocol_type) ||
      (req.protocol_name.has_value() && req.protocol_name != g->protocol_name)) {
    return fail(ErrorCode::kInconsistentGroupProtocol);
  }
  switch (g->state) {
    case GroupState::kEmpty: return fail(ErrorCode::kUnknownMemberId);
    case GroupState::kPreparingRebalance: return fail(ErrorCode::kRebalanceInProgress);
    case GroupState::kDead: return fail(ErrorCode::kCoordinatorNotAvailable);
    case GroupState::kStable: {
      SyncResult r;
      r.protocol_type = g->protocol_type;
      r.protocol_name = g->protocol_name;
      r.assignment = m.assignment;
      m.last_heartbeat_ms = now_ms_();
      done(std::move(r));
      return;
    }
    case GroupState::kCompletingRebalance:
      break;
  }
  m.last_heartbeat_ms = now_ms_();
  if (m.awaiting_sync) {
    SyncResult r;
    r.error = ErrorCode::kRebalanceInProgress;
    std::exchange(m.awaiting_sync, nullptr)(std::move(r));
  }
  m.awaiting_sync = std::move(done);
  if (req.member_id != g->leader_id) return;  // followers wait for the leader's assignments
  for (auto& [id, member] : g->members) member.assignment.clear();
  for (const auto& [id, assignment] : req.assignments) {
    auto target = g->members.find(id);
    if (target != g->members.end()) target->second.assignment = assignment;
  }
  const std::string group_id = g->id;
  const int32_t generation = g->generation;
  PersistGroup(*g, [this, group_id, generation, alive = alive_](ErrorCode append_error) {
    if (!*alive) return;
    Group* grp = Find(group_id);
    if (grp == nullptr || grp->generation != generation ||
        grp->state != GroupState::kCompletingRebalance) {
      return;  // a rebalance or a leadership change overtook this write
    }
    if (append_error == ErrorCode::kNone) {
      SetState(*grp, GroupState::kStable);
      LOG(INFO) << "group_stable group=" << grp->id << " generation=" << grp->generation
                << " members=" << grp->members.size();
      CompleteSync(*grp, ErrorCode::kNone);
      return;
    }
    LOG(WARNING) << "group_metadata_write_failed group=" << grp->id
                 << " error=" << protocol::ErrorName(append_error);
    for (auto& [id, member] : grp->members) member.assignment.clear();
    CompleteSync(*grp, CommitErrorFromAppend(append_error));
    PrepareRebalance(*grp, "group metadata write failed");
  });
}

void GroupCoordinator::CompleteSync(Group& g, ErrorCode error) {
  std::vector<std::pair<SyncCallback, SyncResult>> answers;
  for (auto& [id, m] : g.members) {
    if (!m.awaiting_sync) continue;
    SyncResult r;
    r.error = error;
    if (error == ErrorCode::kNone) {
      r.protocol_type = g.protocol_type;
      r.protocol_name = g.protocol_name;
      r.assignment = m.assignment;
      m.last_heartbeat_ms = now_ms_();
    }
    answers.emplace_back(std::exchange(m.awaiting_sync, nullptr), std::move(r));
  }
  for (auto& [cb, r] : answers) cb(std::move(r));
}

void GroupCoordinator::PersistGroup(Group& g, std::function<void(ErrorCode)> done) {
  protocol::GroupMetadataValue v;
  v.protocol_type = g.protocol_type.value_or("");
  v.generation = g.generation;
  v.protocol = g.protocol_name;
  v.leader = g.leader_id.empty() ? std::nullopt : std::optional<std::string>(g.leader_id);
  v.current_state_timestamp = g.state_timestamp_ms;
  for (const auto& [id, m] : g.members) {
    auto& out = v.members.emplace_back();
    out.member_id = id;
    out.group_instance_id = m.group_instance_id;
    out.client_id = m.client_id;
    out.client_host = m.client_host;
    out.rebalance_timeout = m.rebalance_timeout_ms;
    out.session_timeout = m.session_timeout_ms;
    out.subscription = g.protocol_name.has_value() ? m.MetadataFor(*g.protocol_name) : "";
    out.assignment = m.assignment;
  }
  protocol::RecordBatchBuilder b;
  b.Add(now_ms_(), EncodeGroupKey({g.id}), EncodeGroupValue(v));
  log_->Append(g.partition, b.Build(), config_.offsets_commit_timeout_ms, std::move(done));
}

// ---- Heartbeat / LeaveGroup ----

ErrorCode GroupCoordinator::Heartbeat(const std::string& group_id, int32_t generation_id,
                                      const std::string& member_id,
                                      const std::optional<std::string>& group_instance_id) {
  if (BadGroupId(group_id)) return ErrorCode::kInvalidGroupId;
  ErrorCode e = CheckCoordinator(group_id);
  if (e != ErrorCode::kNone) return e;
  Group* g = Find(group_id);
  if (g == nullptr) return ErrorCode::kUnknownMemberId;
  if (g->state == GroupState::kDead) return ErrorCode::kCoordinatorNotAvailable;
  if (g->state == GroupState::kEmpty) return ErrorCode::kUnknownMemberId;
  auto it = g->members.find(member_id);
  if (it == g->members.end()) return ErrorCode::kUnknownMemberId;
  if (group_instance_id.has_value() && it->second.group_instance_id != group_instance_id) {
    return ErrorCode::kFencedInstanceId;
  }
  if (generation_id != g->generation) return ErrorCode::kIllegalGeneration;
  it->second.last_heartbeat_ms = now_ms_();
  if (g->state == GroupState::kPreparingRebalance) return ErrorCode::kRebalanceInProgress;
  return ErrorCode::kNone;
}

LeaveResult GroupCoordinator::Leave(const std::string& group_id,
                                    const std::vector<LeaveMember>& members) {
  LeaveResult out;
  if (BadGroupId(group_id)) {
    out.error = ErrorCode::kInvalidGroupId;
    return out;
  }
  out.error = CheckCoordinator(group_id);
  if (out.error != ErrorCode::kNone) return out;
  Group* g = Find(group_id);
  for (const auto& lm : members) {
    ErrorCode& result = out.members.emplace_back(ErrorCode::kNone);
    if (g == nullptr || g->state == GroupState::kDead) {
      result = ErrorCode::kUnknownMemberId;
      continue;
    }
    std::string id = lm.member_id;
    if (lm.group_instance_id.has_value()) {
      auto st = g->static_members.find(*lm.group_instance_id);
      if (st == g->static_members.end()) {
        result = ErrorCode::kUnknownMemberId;
        continue;
      }
      if (!id.empty() && id != st->second) {
        result = ErrorCode::kFencedInstanceId;
        continue;
      }
      id = st->second;
    }
    if (g->pending_members.erase(id) != 0) {
      MaybeCompleteJoin(*g);
      continue;
    }
    if (!g->Has(id)) {
      result = ErrorCode::kUnknownMemberId;
      continue;
    }
    RemoveMember(*g, id, "left");
  }
  return out;
}

void GroupCoordinator::RemoveMember(Group& g, const std::string& member_id, const char* reason) {
  auto it = g.members.find(member_id);
  if (it == g.members.end()) return;
  Member m = std::move(it->second);
  g.members.erase(it);
  if (m.group_instance_id.has_value()) g.static_members.erase(*m.group_instance_id);
  LOG(INFO) << "group_member_removed group=" << g.id << " member=" << member_id
            << " reason=" << reason << " members=" << g.members.size();
  if (m.awaiting_join) {
    JoinResult r;
    r.error = ErrorCode::kUnknownMemberId;
    r.member_id = member_id;
    m.awaiting_join(std::move(r));
  }
  if (m.awaiting_sync) {
    SyncResult r;
    r.error = ErrorCode::kUnknownMemberId;
    m.awaiting_sync(std::move(r));
  }
  if (g.leader_id == member_id) g.leader_id = g.members.empty() ? "" : g.members.begin()->first;
  switch (g.state) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      PrepareRebalance(g, reason);
      break;
    case GroupState::kPreparingRebalance:
      MaybeCompleteJoin(g);
      break;
    case GroupState::kEmpty:
    case GroupState::kDead:
      break;
  }
}

void GroupCoordinator::Shutdown() {
  std::vector<int32_t> parts;
  for (const auto& [p, st] : owned_) parts.push_back(p);
  for (int32_t p : parts) DropPartition(p);
}

}  // namespace sluice::broker
