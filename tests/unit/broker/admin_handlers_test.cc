// CreateTopics / DeleteTopics against a fake AdminClient.
#include <gtest/gtest.h>

#include "broker/admin_client.h"
#include "handler_harness.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {
namespace {

using protocol::ErrorCode;
using testing::Harness;

int16_t C(ErrorCode c) { return static_cast<int16_t>(c); }

class FakeAdmin : public AdminClient {
 public:
  bool IsController() const override { return controller; }
  void CreateTopic(const TopicSpec& spec, bool validate_only, AdminDone done) override {
    created.push_back(spec);
    last_validate_only = validate_only;
    done(result);
  }
  void DeleteTopic(const std::string& name, AdminDone done) override {
    deleted.push_back(name);
    done(result);
  }
  bool controller = true;
  AdminResult result;
  std::vector<TopicSpec> created;
  std::vector<std::string> deleted;
  bool last_validate_only = false;
};

protocol::CreateTopicsRequest Create(const std::string& name, int32_t partitions, int16_t rf,
                                     int32_t timeout_ms = 2000) {
  protocol::CreateTopicsRequest req;
  req.timeout_ms = timeout_ms;
  auto& t = req.topics.emplace_back();
  t.name = name;
  t.num_partitions = partitions;
  t.replication_factor = rf;
  return req;
}

TEST(CreateTopicsHandler, NotControllerAnswersNotController) {
  Harness h;
  FakeAdmin admin;
  admin.controller = false;
  h.ctx().admin = &admin;
  auto resp = Harness::Decode<protocol::CreateTopicsResponse>(*h.Send(Create("a", 1, 1), 4), 4);
  EXPECT_EQ(resp.topics[0].error_code, C(ErrorCode::kNotController));
  EXPECT_TRUE(admin.created.empty());
}

TEST(CreateTopicsHandler, DefaultsConfigValidationAndReplicationFactor) {
  Harness h(std::map<std::string, std::string>{{"num.partitions", "3"}});
  FakeAdmin admin;
  h.ctx().admin = &admin;
  auto bad_cfg = Create("a", 1, 1);
  bad_cfg.topics[0].configs.push_back({"no.such.config", std::string("1"), {}});
  auto r1 = Harness::Decode<protocol::CreateTopicsResponse>(*h.Send(bad_cfg, 4), 4);
  EXPECT_EQ(r1.topics[0].error_code, C(ErrorCode::kInvalidConfig));
  auto bad_val = Create("a", 1, 1);
  bad_val.topics[0].configs.push_back({"retention.ms", std::string("soon"), {}});
  auto r2 = Harness::Decode<protocol::CreateTopicsResponse>(*h.Send(bad_val, 4), 4);
  EXPECT_EQ(r2.topics[0].error_code, C(ErrorCode::kInvalidConfig));
  auto r3 = Harness::Decode<protocol::CreateTopicsResponse>(*h.Send(Create("a", 1, 0), 4), 4);
  EXPECT_EQ(r3.topics[0].error_code, C(ErrorCode::kInvalidReplicationFactor));
  auto r4 = Harness::Decode<protocol::CreateTopicsResponse>(*h.Send(Create("bad/name", 1, 1), 4), 4);
  EXPECT_EQ(r4.topics[0].error_code, C(ErrorCode::kInvalidTopicException));
  EXPECT_TRUE(admin.created.empty());

  auto ok = Create("a", -1, -1, /*timeout_ms=*/5000);
  ok.validate_only = true;
  auto r5 = Harness::Decode<protocol::CreateTopicsResponse>(*h.Send(ok, 4), 4);
  EXPECT_EQ(r5.topics[0].error_code, 0);
  ASSERT_EQ(admin.created.size(), 1u);
  EXPECT_EQ(admin.created[0].num_partitions, 3);
  EXPECT_EQ(admin.created[0].replication_factor, 1);
  EXPECT_TRUE(admin.last_validate_only);
}

TEST(CreateTopicsHandler, WaitsForLeadersBeforeAnswering) {
  Harness h;
  FakeAdmin admin;
  h.ctx().admin = &admin;
  auto reply = h.Send(Create("t", 1, 1, 5000), 4);
  EXPECT_TRUE(reply->frame.empty()) << "no leader yet";
  h.metadata().UpdatePartition("t", 0, PartitionInfo{1, 0, 1, {1}, {1}, {}});
  ASSERT_TRUE(h.RunUntil([&] { return !reply->frame.empty(); }));
  auto resp = Harness::Decode<protocol::CreateTopicsResponse>(*reply, 4);
  EXPECT_EQ(resp.topics[0].error_code, 0);

  admin.result = AdminResult{ErrorCode::kTopicAlreadyExists, "exists"};
  auto dup = Harness::Decode<protocol::CreateTopicsResponse>(*h.Send(Create("u", 1, 1), 4), 4);
  EXPECT_EQ(dup.topics[0].error_code, C(ErrorCode::kTopicAlreadyExists));
}

TEST(DeleteTopicsHandler, UnknownNotControllerAndWaitUntilGone) {
  Harness h;
  FakeAdmin admin;
  h.ctx().admin = &admin;
  h.metadata().UpdatePartition("t", 0, PartitionInfo{1, 0, 1, {1}, {1}, {}});
  protocol::DeleteTopicsRequest req;
  req.timeout_ms = 5000;
  req.topic_names = {"t", "missing"};
  auto reply = h.Send(req, 1);
  EXPECT_TRUE(reply->frame.empty());
  h.metadata().RemoveTopic("t");
  ASSERT_TRUE(h.RunUntil([&] { return !reply->frame.empty(); }));
  auto resp = Harness::Decode<protocol::DeleteTopicsResponse>(*reply, 1);
  EXPECT_EQ(resp.responses[0].error_code, 0);
  EXPECT_EQ(resp.responses[1].error_code, C(ErrorCode::kUnknownTopicOrPartition));
  EXPECT_EQ(admin.deleted, (std::vector<std::string>{"t"}));
  admin.controller = false;
  auto nc = Harness::Decode<protocol::DeleteTopicsResponse>(*h.Send(req, 1), 1);
  EXPECT_EQ(nc.responses[0].error_code, C(ErrorCode::kNotController));
}

}  // namespace
}  // namespace sluice::broker
