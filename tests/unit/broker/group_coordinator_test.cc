// GroupCoordinator state machine with fakes: join (two-step, initial delay, rebalance timeout),
// sync, heartbeat fencing, leave, session expiry, static membership (broker/group/).
#include <gtest/gtest.h>

#include <optional>

#include "broker/group/group_coordinator.h"
#include "tests/unit/broker/group_fakes.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using testing::FakeEnv;

constexpr int32_t kSession = 10000;
constexpr int32_t kRebalance = 20000;

class GroupTest : public ::testing::Test {
 protected:
  void SetUp() override { Make(/*initial_delay_ms=*/0); }
  void Make(int32_t initial_delay_ms) {
    GroupConfig cfg;
    cfg.offsets_topic_num_partitions = 1;
    cfg.group_initial_rebalance_delay_ms = initial_delay_ms;
    env.log.Lead(0, 1);
    coord = std::make_unique<GroupCoordinator>(cfg, &env.log, env.Clock(), env.Poster());
    coord->Tick();
    env.RunPosted();  // load (empty log)
  }

  JoinRequest Req(const std::string& member, const std::string& group = "g") {
    JoinRequest r;
    r.group_id = group;
    r.member_id = member;
    r.client_id = "client";
    r.session_timeout_ms = kSession;
    r.rebalance_timeout_ms = kRebalance;
    r.protocol_type = "consumer";
    r.protocols = {{"range", "meta-" + member}, {"roundrobin", "rr"}};
    r.require_known_member_id = true;
    return r;
  }
  // Parks or answers a join; the answer lands in the returned slot.
  std::shared_ptr<std::optional<JoinResult>> Join(const JoinRequest& r) {
    auto slot = std::make_shared<std::optional<JoinResult>>();
    coord->Join(r, [slot](JoinResult jr) { *slot = std::move(jr); });
    return slot;
  }
  // Two-step join of a new member; returns its id and the parked slot.
  std::pair<std::string, std::shared_ptr<std::optional<JoinResult>>> JoinNew(
      const std::string& group = "g") {
    auto first = Join(Req("", group));
    EXPECT_TRUE(first->has_value());
    EXPECT_EQ((*first)->error, ErrorCode::kMemberIdRequired);
    std::string id = (*first)->member_id;
    EXPECT_EQ(id.rfind("client-", 0), 0u) << id;
    return {id, Join(Req(id, group))};
  }
  std::shared_ptr<std::optional<SyncResult>> Sync(const std::string& member, int32_t gen,
                                                  std::vector<std::pair<std::string, std::string>>
                                                      assignments = {}) {
    SyncRequest r;
    r.group_id = "g";
    r.generation_id = gen;
    r.member_id = member;
    r.assignments = std::move(assignments);
    auto slot = std::make_shared<std::optional<SyncResult>>();
    coord->Sync(r, [slot](SyncResult sr) { *slot = std::move(sr); });
    return slot;
  }
  // One member forms a Stable group; returns its id and generation.
  std::pair<std::string, int32_t> StableSingle() {
    auto [id, join] = JoinNew();
    EXPECT_TRUE(join->has_value());
    auto sync = Sync(id, (*join)->generation_id, {{id, "assign-" + id}});
    EXPECT_TRUE(sync->has_value());
    return {id, (*join)->generation_id};
  }

  FakeEnv env;
  std::unique_ptr<GroupCoordinator> coord;
};

TEST_F(GroupTest, TwoStepJoinThenSingleMemberBecomesLeaderAndStable) {
  auto [id, join] = JoinNew();
  ASSERT_TRUE(join->has_value());
  EXPECT_EQ((*join)->error, ErrorCode::kNone);
  EXPECT_EQ((*join)->generation_id, 1);
  EXPECT_EQ((*join)->leader, id);
  EXPECT_EQ((*join)->protocol_name, "range");
  ASSERT_EQ((*join)->members.size(), 1u);
  EXPECT_EQ((*join)->members[0].metadata, "meta-" + id);
  EXPECT_EQ(coord->FindGroup("g")->state, GroupState::kCompletingRebalance);
  auto sync = Sync(id, 1, {{id, "A"}});
  ASSERT_TRUE(sync->has_value());
  EXPECT_EQ((*sync)->error, ErrorCode::kNone);
  EXPECT_EQ((*sync)->assignment, "A");
  EXPECT_EQ(coord->FindGroup("g")->state, GroupState::kStable);
  // The group metadata record was written with the member and its assignment.
  auto records = env.log.Records(0);
  ASSERT_FALSE(records.empty());
  auto* gr = std::get_if<GroupRecord>(&records.back());
  ASSERT_NE(gr, nullptr);
  ASSERT_TRUE(gr->value.has_value());
  EXPECT_EQ(gr->value->generation, 1);
  ASSERT_EQ(gr->value->members.size(), 1u);
  EXPECT_EQ(gr->value->members[0].assignment, "A");
}

TEST_F(GroupTest, SyncAnswersOnlyAfterGroupRecordIsReplicated) {
  env.log.auto_ack = false;
  auto [id, join] = JoinNew();
  auto sync = Sync(id, 1, {{id, "A"}});
  EXPECT_FALSE(sync->has_value());
  EXPECT_EQ(coord->FindGroup("g")->state, GroupState::kCompletingRebalance);
  env.log.AckOne();
  ASSERT_TRUE(sync->has_value());
  EXPECT_EQ((*sync)->assignment, "A");
}

TEST_F(GroupTest, ThreeMembersFollowersWaitForLeaderAssignment) {
  Make(/*initial_delay_ms=*/3000);
  auto [a, ja] = JoinNew();
  auto [b, jb] = JoinNew();
  auto [c, jc] = JoinNew();
  EXPECT_FALSE(ja->has_value()) << "initial rebalance delay must hold the first join";
  env.now += 3001;
  coord->Tick();
  ASSERT_TRUE(ja->has_value() && jb->has_value() && jc->has_value());
  std::string leader = (*ja)->leader;
  EXPECT_EQ((*jb)->leader, leader);
  int leaders_with_members = 0;
  for (auto* j : {ja.get(), jb.get(), jc.get()}) {
    EXPECT_EQ((**j).generation_id, 1);
    if (!(**j).members.empty()) ++leaders_with_members;
  }
  EXPECT_EQ(leaders_with_members, 1);
  std::vector<std::string> ids = {a, b, c};
  std::vector<std::shared_ptr<std::optional<SyncResult>>> syncs;
  for (const auto& id : ids) {
    if (id != leader) syncs.push_back(Sync(id, 1));
  }
  for (auto& s : syncs) EXPECT_FALSE(s->has_value());
  auto ls = Sync(leader, 1, {{a, "pa"}, {b, "pb"}, {c, "pc"}});
  ASSERT_TRUE(ls->has_value());
  for (auto& s : syncs) ASSERT_TRUE(s->has_value());
  EXPECT_EQ(coord->FindGroup("g")->state, GroupState::kStable);
  EXPECT_EQ(coord->FindGroup("g")->members.at(b).assignment, "pb");
}

TEST_F(GroupTest, BadInputGetsKafkaErrorsAndChangesNothing) {
  auto r = Req("");
  r.group_id = "";
  EXPECT_EQ((*Join(r))->error, ErrorCode::kInvalidGroupId);
  r = Req("");
  r.group_id = std::string(250, 'g');  // 250+ bytes: rejected like an empty id
  EXPECT_EQ((*Join(r))->error, ErrorCode::kInvalidGroupId);
  EXPECT_EQ(coord->FindGroup(r.group_id), nullptr);
  r = Req("");
  r.protocol_type = "";
  EXPECT_EQ((*Join(r))->error, ErrorCode::kInconsistentGroupProtocol);
  r = Req("");
  r.session_timeout_ms = 10;
  EXPECT_EQ((*Join(r))->error, ErrorCode::kInvalidSessionTimeout);
  EXPECT_EQ(coord->FindGroup("g"), nullptr);
  EXPECT_EQ((*Join(Req("nobody")))->error, ErrorCode::kUnknownMemberId);

  auto [id, gen] = StableSingle();
  r = Req("");
  r.protocol_type = "connect";  // a different protocol type than the group's
  EXPECT_EQ((*Join(r))->error, ErrorCode::kInconsistentGroupProtocol);
  r = Req("");
  r.protocols = {{"sticky-only", ""}};
  EXPECT_EQ((*Join(r))->error, ErrorCode::kInconsistentGroupProtocol);
  EXPECT_EQ(coord->Heartbeat("g", gen, "stranger", std::nullopt), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(coord->Heartbeat("g", gen + 1, id, std::nullopt), ErrorCode::kIllegalGeneration);
  EXPECT_EQ(coord->Heartbeat("", gen, id, std::nullopt), ErrorCode::kInvalidGroupId);
  EXPECT_EQ(coord->Heartbeat(std::string(250, 'g'), gen, id, std::nullopt),
            ErrorCode::kInvalidGroupId);
  EXPECT_EQ((*Sync(id, gen - 1))->error, ErrorCode::kIllegalGeneration);
  EXPECT_EQ(coord->Heartbeat("g", gen, id, std::nullopt), ErrorCode::kNone);
  EXPECT_EQ(coord->FindGroup("g")->state, GroupState::kStable);
  EXPECT_EQ(coord->FindGroup("g")->members.size(), 1u);
  EXPECT_EQ(coord->FindGroup("g")->generation, gen);
}

TEST_F(GroupTest, NewMemberTriggersRebalanceSignalledByHeartbeat) {
  auto [a, gen] = StableSingle();
  auto [b, jb] = JoinNew();
  EXPECT_FALSE(jb->has_value());
  EXPECT_EQ(coord->FindGroup("g")->state, GroupState::kPreparingRebalance);
  EXPECT_EQ(coord->Heartbeat("g", gen, a, std::nullopt), ErrorCode::kRebalanceInProgress);
  auto ja = Join(Req(a));
  ASSERT_TRUE(ja->has_value() && jb->has_value());
  EXPECT_EQ((*ja)->generation_id, gen + 1);
  EXPECT_EQ((*ja)->leader, a) << "the old leader stays leader";
  EXPECT_EQ((*ja)->members.size(), 2u);
  EXPECT_TRUE((*jb)->members.empty());
}

TEST_F(GroupTest, MemberThatDoesNotRejoinIsDroppedAfterRebalanceTimeout) {
  auto [a, gen] = StableSingle();
  auto [b, jb] = JoinNew();
  env.now += kRebalance - 1;
  EXPECT_EQ(coord->Heartbeat("g", gen, a, std::nullopt), ErrorCode::kRebalanceInProgress);
  coord->Tick();
  EXPECT_FALSE(jb->has_value());
  env.now += 2;
  coord->Tick();
  ASSERT_TRUE(jb->has_value());
  EXPECT_EQ((*jb)->leader, b);
  EXPECT_FALSE(coord->FindGroup("g")->Has(a));
}

TEST_F(GroupTest, SessionTimeoutRemovesSilentMemberAndRebalances) {
  auto [a, gen] = StableSingle();
  auto [b, jb] = JoinNew();
  auto ja = Join(Req(a));
  int32_t gen2 = (*ja)->generation_id;
  auto sa = Sync(a, gen2, {{a, "x"}, {b, "y"}});
  auto sb = Sync(b, gen2);
  ASSERT_TRUE(sb->has_value());
  // b keeps heartbeating, a goes silent.
  for (int i = 0; i < 12; ++i) {
    env.now += 1000;
    EXPECT_EQ(coord->Heartbeat("g", gen2, b, std::nullopt),
              i <= 10 ? ErrorCode::kNone : ErrorCode::kRebalanceInProgress)
        << i;
    coord->Tick();
  }
  EXPECT_FALSE(coord->FindGroup("g")->Has(a));
  auto jb2 = Join(Req(b));
  ASSERT_TRUE(jb2->has_value());
  EXPECT_EQ((*jb2)->generation_id, gen2 + 1);
  EXPECT_EQ((*jb2)->leader, b);
}

TEST_F(GroupTest, LeaveRebalancesAndLastLeaveEmptiesGroup) {
  auto [a, gen] = StableSingle();
  LeaveResult r = coord->Leave("g", {{"stranger", std::nullopt}, {a, std::nullopt}});
  EXPECT_EQ(r.error, ErrorCode::kNone);
  ASSERT_EQ(r.members.size(), 2u);
  EXPECT_EQ(r.members[0], ErrorCode::kUnknownMemberId);
  EXPECT_EQ(r.members[1], ErrorCode::kNone);
  const Group* g = coord->FindGroup("g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->state, GroupState::kEmpty);
  EXPECT_EQ(g->generation, gen + 1);
  EXPECT_EQ(coord->Heartbeat("g", gen, a, std::nullopt), ErrorCode::kUnknownMemberId);
}

TEST_F(GroupTest, StaticMemberRestartKeepsAssignmentWithoutRebalance) {
  auto r = Req("");
  r.group_instance_id = "inst-1";
  auto j1 = Join(r);  // static members skip MEMBER_ID_REQUIRED
  ASSERT_TRUE(j1->has_value());
  EXPECT_EQ((*j1)->error, ErrorCode::kNone);
  std::string leader = (*j1)->member_id;
  EXPECT_EQ(leader.rfind("inst-1-", 0), 0u);
  auto r2 = Req("");
  r2.group_instance_id = "inst-2";
  auto j2 = Join(r2);
  auto j1b = Join([&] { auto x = Req(leader); x.group_instance_id = "inst-1"; return x; }());
  ASSERT_TRUE(j2->has_value() && j1b->has_value());
  int32_t gen = (*j2)->generation_id;
  std::string follower = (*j2)->member_id;
  Sync(leader, gen, {{leader, "L"}, {follower, "F"}});
  auto fs = Sync(follower, gen);
  ASSERT_TRUE(fs->has_value());
  EXPECT_EQ((*fs)->assignment, "F");
  // The follower restarts: same instance id, no member id.
  auto again = Join(r2);
  ASSERT_TRUE(again->has_value());
  EXPECT_EQ((*again)->error, ErrorCode::kNone);
  EXPECT_EQ((*again)->generation_id, gen);
  std::string new_id = (*again)->member_id;
  EXPECT_NE(new_id, follower);
  EXPECT_EQ(coord->FindGroup("g")->state, GroupState::kStable);
  auto s2 = Sync(new_id, gen);
  EXPECT_EQ((*s2)->assignment, "F");
  EXPECT_EQ(coord->Heartbeat("g", gen, follower, std::nullopt), ErrorCode::kUnknownMemberId);
  EXPECT_EQ(coord->Heartbeat("g", gen, new_id, std::string("inst-1")),
            ErrorCode::kFencedInstanceId);
  // LeaveGroup v3 by instance id.
  LeaveResult lr = coord->Leave("g", {{"", std::string("inst-2")}});
  EXPECT_EQ(lr.members.at(0), ErrorCode::kNone);
  EXPECT_FALSE(coord->FindGroup("g")->Has(new_id));
}

TEST_F(GroupTest, LosingLeadershipAnswersNotCoordinatorToParkedJoins) {
  auto [a, gen] = StableSingle();
  auto [b, jb] = JoinNew();
  EXPECT_FALSE(jb->has_value());
  env.log.Follow(0);
  coord->Tick();
  ASSERT_TRUE(jb->has_value());
  EXPECT_EQ((*jb)->error, ErrorCode::kNotCoordinator);
  EXPECT_EQ(coord->FindGroup("g"), nullptr);
  EXPECT_EQ(coord->Heartbeat("g", gen, a, std::nullopt), ErrorCode::kNotCoordinator);
}

}  // namespace
}  // namespace sluice::broker
