// Offsets in the group coordinator with fakes: commit waits for replication, fencing, loading
// from the log after a leadership change, describe/list/delete, retention, the partition hash and
// the __consumer_offsets record codec (broker/group/).
#include <gtest/gtest.h>

#include <optional>

#include "broker/group/group_coordinator.h"
#include "broker/group/offsets_records.h"
#include "tests/unit/broker/group_fakes.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using testing::FakeEnv;

TEST(OffsetsPartition, MatchesJavaStringHashCode) {
  EXPECT_EQ(JavaStringHashCode(""), 0);
  EXPECT_EQ(JavaStringHashCode("hello"), 99162322);
  EXPECT_EQ(JavaStringHashCode("groupé"), -1237460406);                 // UTF-16 unit 0xE9
  EXPECT_EQ(JavaStringHashCode("\xF0\x9F\x98\x80"), 1772899);          // surrogate pair
  EXPECT_EQ(OffsetsPartitionFor("my-consumer-group", 50), 13);
  EXPECT_EQ(OffsetsPartitionFor("polygenelubricants", 50), 0);          // hash == INT32_MIN
  EXPECT_EQ(OffsetsPartitionFor("groupé", 50), 6);
}

TEST(OffsetsRecords, RoundTripKafkaLayouts) {
  protocol::OffsetCommitValue v;
  v.offset = 42;
  v.leader_epoch = 3;
  v.metadata = "m";
  v.commit_timestamp = 1000;
  std::string key = EncodeOffsetKey({"g", "t", 7});
  std::string value = EncodeOffsetValue(v);
  EXPECT_EQ(key.substr(0, 2), std::string("\x00\x01", 2));   // key version 1
  EXPECT_EQ(value.substr(0, 2), std::string("\x00\x03", 2));  // value version 3
  auto d = DecodeOffsetsTopicRecord(key, value);
  ASSERT_TRUE(d.ok()) << d.status();
  auto& o = std::get<OffsetRecord>(*d);
  EXPECT_EQ(o.key.group, "g");
  EXPECT_EQ(o.key.topic, "t");
  EXPECT_EQ(o.key.partition, 7);
  EXPECT_EQ(o.value->offset, 42);
  EXPECT_EQ(o.value->leader_epoch, 3);

  protocol::GroupMetadataValue gv;
  gv.protocol_type = "consumer";
  gv.generation = 5;
  gv.protocol = "range";
  gv.leader = "m1";
  gv.members.push_back({"m1", std::nullopt, "c", "/h", 1, 2, "sub", "asg", {}});
  auto gd = DecodeOffsetsTopicRecord(EncodeGroupKey({"g"}), EncodeGroupValue(gv));
  ASSERT_TRUE(gd.ok()) << gd.status();
  auto& g = std::get<GroupRecord>(*gd);
  EXPECT_EQ(g.value->generation, 5);
  EXPECT_EQ(g.value->members.at(0).assignment, "asg");

  auto tomb = DecodeOffsetsTopicRecord(EncodeGroupKey({"g"}), std::nullopt);
  ASSERT_TRUE(tomb.ok());
  EXPECT_FALSE(std::get<GroupRecord>(*tomb).value.has_value());
  EXPECT_FALSE(DecodeOffsetsTopicRecord(std::string("\x00\x09", 2), std::nullopt).ok());
  EXPECT_FALSE(DecodeOffsetsTopicRecord(std::string("\x00\x01\x00", 3), std::nullopt).ok());
}

class OffsetsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env.log.Lead(0, 1);
    coord = Make();
    coord->Tick();
    env.RunPosted();
  }
  std::unique_ptr<GroupCoordinator> Make() {
    GroupConfig cfg;
    cfg.offsets_topic_num_partitions = 1;
    cfg.group_initial_rebalance_delay_ms = 0;
    cfg.offsets_retention_ms = 60000;
    cfg.offsets_retention_check_interval_ms = 1000;
    return std::make_unique<GroupCoordinator>(cfg, &env.log, env.Clock(), env.Poster());
  }
  std::shared_ptr<std::optional<std::vector<ErrorCode>>> Commit(
      const std::string& member, int32_t gen, int64_t offset, const std::string& metadata = "") {
    CommitRequest r;
    r.group_id = "g";
    r.member_id = member;
    r.generation_id = gen;
    r.partitions = {{"t", 0, offset, 2, metadata}, {"t", 1, offset + 1, -1, std::nullopt}};
    auto slot = std::make_shared<std::optional<std::vector<ErrorCode>>>();
    coord->CommitOffsets(r, [slot](std::vector<ErrorCode> e) { *slot = std::move(e); });
    return slot;
  }
  int64_t Committed(GroupCoordinator& c, int32_t partition) {
    FetchResult f = c.FetchOffsets("g", {{{"t", {partition}}}});
    EXPECT_EQ(f.error, ErrorCode::kNone);
    return f.offsets.at(0).offset;
  }
  // A member of a Stable single-member group: (id, generation).
  std::pair<std::string, int32_t> Member() {
    JoinRequest j;
    j.group_id = "g";
    j.client_id = "c";
    j.session_timeout_ms = 10000;
    j.rebalance_timeout_ms = 10000;
    j.protocol_type = "consumer";
    j.protocols = {{"range", "sub"}};
    std::optional<JoinResult> jr;
    coord->Join(j, [&](JoinResult r) { jr = r; });
    SyncRequest s;
    s.group_id = "g";
    s.member_id = jr->member_id;
    s.generation_id = jr->generation_id;
    s.assignments = {{jr->member_id, "asg"}};
    coord->Sync(s, [](SyncResult) {});
    return {jr->member_id, jr->generation_id};
  }

  FakeEnv env;
  std::unique_ptr<GroupCoordinator> coord;
};

TEST_F(OffsetsTest, CommitIsAcknowledgedOnlyAfterReplication) {
  env.log.auto_ack = false;
  auto [m, gen] = Member();
  env.log.AckAll();
  auto c = Commit(m, gen, 100, "meta");
  EXPECT_FALSE(c->has_value());
  EXPECT_EQ(Committed(*coord, 0), -1) << "not visible before the HW passed it";
  env.log.AckOne();
  ASSERT_TRUE(c->has_value());
  EXPECT_EQ(**c, std::vector<ErrorCode>(2, ErrorCode::kNone));
  FetchResult f = coord->FetchOffsets("g", std::nullopt);
  ASSERT_EQ(f.offsets.size(), 2u);
  EXPECT_EQ(f.offsets[0].offset, 100);
  EXPECT_EQ(f.offsets[0].leader_epoch, 2);
  EXPECT_EQ(f.offsets[0].metadata, "meta");
  EXPECT_EQ(f.offsets[1].offset, 101);
  // A failed replication maps to the coordinator errors Kafka uses.
  auto c2 = Commit(m, gen, 200);
  env.log.AckOne(ErrorCode::kNotLeaderOrFollower);
  EXPECT_EQ((*c2)->at(0), ErrorCode::kNotCoordinator);
  EXPECT_EQ(Committed(*coord, 0), 100);
}

TEST_F(OffsetsTest, CommitFencing) {
  auto [m, gen] = Member();
  EXPECT_EQ((*Commit(m, gen + 1, 5))->at(0), ErrorCode::kIllegalGeneration);
  EXPECT_EQ((*Commit("ghost", gen, 5))->at(0), ErrorCode::kUnknownMemberId);
  EXPECT_EQ((*Commit("", -1, 5))->at(0), ErrorCode::kUnknownMemberId)
      << "a standalone commit is refused while the group has members";
  EXPECT_EQ((*Commit(m, gen, 5, std::string(5000, 'x')))->at(0),
            ErrorCode::kOffsetMetadataTooLarge);
  EXPECT_EQ(Committed(*coord, 0), -1);
  EXPECT_EQ((*Commit(m, gen, 5))->at(0), ErrorCode::kNone);
  EXPECT_EQ(Committed(*coord, 0), 5);
}

TEST_F(OffsetsTest, StandaloneCommitOnUnknownGroup) {
  EXPECT_EQ((*Commit("", -1, 9))->at(0), ErrorCode::kNone);
  EXPECT_EQ(Committed(*coord, 0), 9);
  EXPECT_EQ(coord->FindGroup("g")->state, GroupState::kEmpty);
}

TEST_F(OffsetsTest, NewLeaderLoadsGroupsAndOffsetsFromTheLog) {
  auto [m, gen] = Member();
  ASSERT_EQ((*Commit(m, gen, 100))->at(0), ErrorCode::kNone);
  ASSERT_EQ((*Commit(m, gen, 150))->at(0), ErrorCode::kNone);
  // Another broker's coordinator takes over the same log in a new epoch.
  env.log.Lead(0, 2);
  auto other = Make();
  EXPECT_EQ(other->Heartbeat("g", gen, m, std::nullopt), ErrorCode::kCoordinatorLoadInProgress);
  EXPECT_EQ(other->FetchOffsets("g", std::nullopt).error, ErrorCode::kCoordinatorLoadInProgress);
  env.RunPosted();
  EXPECT_EQ(Committed(*other, 0), 150);
  EXPECT_EQ(Committed(*other, 1), 151);
  const Group* g = other->FindGroup("g");
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->state, GroupState::kStable);
  EXPECT_EQ(g->generation, gen);
  EXPECT_EQ(other->Heartbeat("g", gen, m, std::nullopt), ErrorCode::kNone);
  // The old coordinator noticed the epoch change and reloaded too; a follower answers
  // NOT_COORDINATOR.
  env.log.Follow(0);
  EXPECT_EQ(other->Heartbeat("g", gen, m, std::nullopt), ErrorCode::kNotCoordinator);
  EXPECT_EQ((*Commit(m, gen, 1))->at(0), ErrorCode::kNotCoordinator);
}

TEST_F(OffsetsTest, DescribeListDelete) {
  auto [m, gen] = Member();
  ASSERT_EQ((*Commit(m, gen, 7))->at(0), ErrorCode::kNone);
  GroupDescription d = coord->Describe("g");
  EXPECT_EQ(d.state, "Stable");
  EXPECT_EQ(d.protocol_type, "consumer");
  EXPECT_EQ(d.protocol_name, "range");
  ASSERT_EQ(d.members.size(), 1u);
  EXPECT_EQ(d.members[0].assignment, "asg");
  EXPECT_EQ(d.members[0].metadata, "sub");
  EXPECT_EQ(coord->Describe("unknown").state, "Dead");
  std::vector<ListedGroup> listed;
  EXPECT_EQ(coord->List({}, &listed), ErrorCode::kNone);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].state, "Stable");
  listed.clear();
  EXPECT_EQ(coord->List({"Empty"}, &listed), ErrorCode::kNone);
  EXPECT_TRUE(listed.empty());

  std::optional<ErrorCode> del;
  coord->Delete("g", [&](ErrorCode e) { del = e; });
  EXPECT_EQ(del, ErrorCode::kNonEmptyGroup);
  coord->Delete("nope", [&](ErrorCode e) { del = e; });
  EXPECT_EQ(del, ErrorCode::kGroupIdNotFound);
  coord->Leave("g", {{m, std::nullopt}});
  coord->Delete("g", [&](ErrorCode e) { del = e; });
  EXPECT_EQ(del, ErrorCode::kNone);
  EXPECT_EQ(Committed(*coord, 0), -1);
  // Tombstones: a reload finds nothing.
  env.log.Lead(0, 2);
  auto other = Make();
  other->Tick();
  env.RunPosted();
  EXPECT_EQ(other->FindGroup("g"), nullptr);
}

TEST_F(OffsetsTest, OffsetsOfAnEmptyGroupExpireAfterRetention) {
  auto [m, gen] = Member();
  ASSERT_EQ((*Commit(m, gen, 7))->at(0), ErrorCode::kNone);
  coord->Leave("g", {{m, std::nullopt}});
  env.now += 59000;
  coord->Tick();
  EXPECT_EQ(Committed(*coord, 0), 7);
  env.now += 2000;
  coord->Tick();
  EXPECT_EQ(coord->FindGroup("g"), nullptr);
  auto records = env.log.Records(0);
  int tombstones = 0;
  for (const auto& r : records) {
    if (auto* o = std::get_if<OffsetRecord>(&r); o != nullptr && !o->value) ++tombstones;
  }
  EXPECT_EQ(tombstones, 2);
}

TEST_F(OffsetsTest, LagAgainstHighWatermark) {
  ASSERT_EQ((*Commit("", -1, 40))->at(0), ErrorCode::kNone);
  auto lag = coord->Lag("g", [](const TopicPartition& tp) { return tp.partition == 0 ? 100 : -1; });
  ASSERT_EQ(lag.size(), 2u);
  EXPECT_EQ(lag[0].lag, 60);
  EXPECT_EQ(lag[1].committed, 41);
  EXPECT_EQ(lag[1].lag, -1);
}

}  // namespace
}  // namespace sluice::broker
