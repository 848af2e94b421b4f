// Bad client input, written by hand on raw TCP sockets: each case gets the documented answer (a
// closed connection or a Kafka error code), and a well-behaved librdkafka producer running at the
// same time on the same broker sees no error and loses nothing.

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/cluster/cluster_env.h"
#include "tests/cluster/raw_kafka.h"
#include "tests/support/test_util.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;
using Outcome = RawConnection::Outcome;

constexpr int kSocketRequestMaxBytes = 1048576;
constexpr int kMessageMaxBytes = 65536;
constexpr int16_t kCorruptMessage = 2;
constexpr int16_t kUnknownTopicOrPartition = 3;
constexpr int16_t kMessageTooLarge = 10;
constexpr int16_t kUnsupportedVersion = 35;

const char* Name(Outcome o) {
  switch (o) {
    case Outcome::kClosed: return "closed";
    case Outcome::kData: return "answered";
    case Outcome::kTimeout: return "still open";
  }
  return "?";
}

class BadInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    BrokerOptions options;
    options.overrides = {{"socket.request.max.bytes", std::to_string(kSocketRequestMaxBytes)},
                         {"message.max.bytes", std::to_string(kMessageMaxBytes)},
                         {"auto.create.topics.enable", "false"}};
    cluster_ = new SingleBrokerCluster(options);
  }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }

  void SetUp() override {
    ASSERT_TRUE(cluster_->ok()) << cluster_->status();
    ASSERT_TRUE(cluster_->broker().Alive()) << "broker died in an earlier test";
    steady_topic_ = std::string("steady-") +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name();
    CLUSTER_ASSERT_OK(CreateTopic(bootstrap(), steady_topic_, 2, 1, seconds(30)));
    steady_ = std::make_unique<SteadyProducer>(bootstrap(), steady_topic_,
                                               ClientConfig{{"batch.size", "16384"}});
    CLUSTER_ASSERT_OK(steady_->Start());
    ASSERT_TRUE(WaitFor([&] { return steady_->sent() >= 300; }, seconds(20)));
  }

  // After the bad input: the producer keeps going, every report is OK, nothing is lost.
  void TearDown() override {
    if (!steady_) return;
    int64_t sent_now = steady_->sent();
    EXPECT_TRUE(WaitFor([&] { return steady_->sent() >= sent_now + 500; }, seconds(20)));
    ProduceReport report = steady_->Stop(seconds(30));
    EXPECT_EQ(report.failed, 0) << "second client saw an error: " << report.first_error;
    EXPECT_EQ(report.acked_count, steady_->sent());
    Result<std::map<int32_t, std::vector<Record>>> consumed =
        ConsumeAll(bootstrap(), steady_topic_, seconds(60));
    ASSERT_TRUE(consumed.ok()) << consumed.status();
    size_t total = 0;
    for (const auto& [p, records] : consumed.value()) total += records.size();
    EXPECT_EQ(static_cast<int64_t>(total), report.acked_count)
        << "records consumed vs acknowledged on the second client's topic";
    EXPECT_TRUE(cluster_->broker().Alive());
    Status healthy = ApiVersionsHealthy(cluster_->broker().port());
    EXPECT_TRUE(healthy.ok()) << healthy;
  }

  static std::string bootstrap() { return cluster_->bootstrap(); }
  static int port() { return cluster_->broker().port(); }
  static RawConnection Connect() {
    Result<RawConnection> c = RawConnection::Connect(port());
    EXPECT_TRUE(c.ok()) << c.status();
    return std::move(c).value();
  }
  // One raw Produce v7 round trip on a fresh connection.
  static ProducePartitionResult RawProduce(const std::string& topic, const std::string& batch,
                                           int32_t correlation_id) {
    RawConnection conn = Connect();
    EXPECT_TRUE(conn.Send(ProduceV7(correlation_id, topic, 0, batch)).ok());
    Result<std::string> frame = conn.ReadFrame(seconds(15));
    EXPECT_TRUE(frame.ok()) << "no Produce response: " << frame.status();
    if (!frame.ok()) return {};
    Result<ProducePartitionResult> r = ParseProduceV7Response(frame.value(), correlation_id);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r.value() : ProducePartitionResult{};
  }

  static SingleBrokerCluster* cluster_;
  std::string steady_topic_;
  std::unique_ptr<SteadyProducer> steady_;
};
SingleBrokerCluster* BadInput::cluster_ = nullptr;

TEST_F(BadInput, FrameOverSocketRequestMaxBytesClosesConnection) {
  RawConnection conn = Connect();
  Bytes b;
  b.I32(kSocketRequestMaxBytes + 1).I16(18).I16(0).I32(1).Str("big");
  b.Raw(std::string(1000, 'x'));
  ASSERT_TRUE(conn.Send(b.str()).ok());
  Outcome o = conn.WaitForClose(seconds(10));
  EXPECT_EQ(o, Outcome::kClosed) << Name(o);
}

TEST_F(BadInput, TruncatedFrameThenHalfCloseLeavesBrokerFine) {
  RawConnection conn = Connect();
  Bytes b;
  b.I32(100).I16(18).I16(0).I32(7).Str("");  // 10 bytes of a 100-byte request
  ASSERT_TRUE(conn.Send(b.str()).ok());
  conn.ShutdownWrite();
  Outcome o = conn.WaitForClose(seconds(10));
  EXPECT_EQ(o, Outcome::kClosed) << "a half frame got " << Name(o);
  // And the same, closing the socket outright.
  RawConnection conn2 = Connect();
  ASSERT_TRUE(conn2.Send(b.str()).ok());
}

TEST_F(BadInput, GarbageBytesCloseTheConnection) {
  {
    RawConnection conn = Connect();  // HTTP on the Kafka port: size 0x47455420 > max
    ASSERT_TRUE(conn.Send("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n").ok());
    Outcome o = conn.WaitForClose(seconds(10));
    EXPECT_EQ(o, Outcome::kClosed) << "HTTP request: " << Name(o);
  }
  {
    RawConnection conn = Connect();  // negative size
    ASSERT_TRUE(conn.Send(std::string("\xff\xff\xff\xf0", 4) + std::string(40, '\x01')).ok());
    Outcome o = conn.WaitForClose(seconds(10));
    EXPECT_EQ(o, Outcome::kClosed) << "negative size: " << Name(o);
  }
  {
    RawConnection conn = Connect();  // plausible size, random header and body
    std::mt19937 rng(12345);
    std::string junk;
    for (int i = 0; i < 60; ++i) junk.push_back(static_cast<char>(rng()));
    junk[0] = '\x7e';  // api_key 0x7eXX: not an API
    Bytes b;
    b.I32(static_cast<int32_t>(junk.size())).Raw(junk);
    ASSERT_TRUE(conn.Send(b.str()).ok());
    Outcome o = conn.WaitForClose(seconds(10));
    EXPECT_EQ(o, Outcome::kClosed) << "random frame: " << Name(o);
  }
  {
    RawConnection conn = Connect();  // a known API whose body is garbage: not fatal to others
    Bytes body;
    body.Raw(std::string("\x00\x05\xff\xff\xff\x7f\x01", 7));
    ASSERT_TRUE(conn.Send(Frame(/*Metadata*/ 3, 4, 9, body.str())).ok());
    Outcome o = conn.WaitForClose(seconds(10));
    EXPECT_NE(o, Outcome::kTimeout) << "undecodable Metadata v4 body got no reaction";
  }
}

TEST_F(BadInput, UnknownApiKeyClosesConnection) {
  RawConnection conn = Connect();
  ASSERT_TRUE(conn.Send(Frame(/*api_key=*/1000, 0, 11, "")).ok());
  Outcome o = conn.WaitForClose(seconds(10));
  EXPECT_EQ(o, Outcome::kClosed) << Name(o);
}

TEST_F(BadInput, UnsupportedMetadataVersionClosesConnection) {
  RawConnection conn = Connect();
  Bytes body;
  body.UVarint(1).I8(0).UVarint(0);  // empty compact topic array, no auto-create, no tags
  ASSERT_TRUE(conn.Send(Frame(/*Metadata*/ 3, 99, 12, body.str(), /*flexible=*/true)).ok());
  Outcome o = conn.WaitForClose(seconds(10));
  EXPECT_EQ(o, Outcome::kClosed) << Name(o);
}

TEST_F(BadInput, ApiVersionsV9AnswersUnsupportedVersionWithV0Body) {
  RawConnection conn = Connect();
  Bytes body;
  body.CompactStr("sluice-raw-test").CompactStr("9.9").UVarint(0);
  ASSERT_TRUE(conn.Send(Frame(/*ApiVersions*/ 18, 9, 77, body.str(), /*flexible=*/true)).ok());
  Result<std::string> frame = conn.ReadFrame(seconds(10));
  ASSERT_TRUE(frame.ok()) << "ApiVersions v9 must be answered, not dropped: " << frame.status();
  Reader r(frame.value());
  EXPECT_EQ(r.I32(), 77) << "correlation id (response header v0)";
  EXPECT_EQ(r.I16(), kUnsupportedVersion);
  int32_t n = r.I32();
  ASSERT_TRUE(r.ok());
  ASSERT_GE(n, 1);
  ASSERT_LT(n, 1000);
  bool found = false;
  for (int i = 0; i < n; ++i) {
    int16_t key = r.I16(), min = r.I16(), max = r.I16();
    if (key == 18) {
      found = true;
      EXPECT_EQ(min, 0);
      EXPECT_EQ(max, 3);
    }
  }
  ASSERT_TRUE(r.ok()) << "api_keys array truncated (v0 body expected)";
  EXPECT_TRUE(found) << "ApiVersions' own range missing";
  EXPECT_EQ(r.remaining(), 0u) << "bytes after the v0 body";
  // The connection stays usable: the client retries at a lower version on it.
  ASSERT_TRUE(conn.Send(Frame(18, 0, 78, "")).ok());
  Result<std::string> again = conn.ReadFrame(seconds(10));
  ASSERT_TRUE(again.ok()) << again.status();
  Reader r2(again.value());
  EXPECT_EQ(r2.I32(), 78);
  EXPECT_EQ(r2.I16(), 0);
}

TEST_F(BadInput, ProduceWithWrongCrcIsCorruptMessage) {
  ASSERT_EQ(Crc32c("123456789"), 0xE3069283u) << "test's own CRC-32C";
  CLUSTER_ASSERT_OK(CreateTopic(bootstrap(), "crc-check", 1, 1, seconds(30)));
  ProducePartitionResult good = RawProduce("crc-check", BuildRecordBatch({"first"}, 1700000000000), 21);
  EXPECT_EQ(good.error_code, 0) << "a correct hand-built batch must be accepted";
  EXPECT_EQ(good.base_offset, 0);
  ProducePartitionResult bad =
      RawProduce("crc-check", BuildRecordBatch({"corrupt"}, 1700000000001, true), 22);
  EXPECT_EQ(bad.topic, "crc-check");
  EXPECT_EQ(bad.error_code, kCorruptMessage);
  ProducePartitionResult next =
      RawProduce("crc-check", BuildRecordBatch({"second"}, 1700000000002), 23);
  EXPECT_EQ(next.error_code, 0);
  EXPECT_EQ(next.base_offset, 1) << "the corrupt batch must not have been appended";
  Result<std::map<int32_t, std::vector<Record>>> consumed =
      ConsumeAll(bootstrap(), "crc-check", seconds(30));
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  ASSERT_EQ(consumed.value()[0].size(), 2u);
  EXPECT_EQ(consumed.value()[0][0].value, "first");
  EXPECT_EQ(consumed.value()[0][1].value, "second");
}

TEST_F(BadInput, ProduceToUnknownTopicWithoutAutoCreateIsUnknownTopic) {
  ProducePartitionResult r =
      RawProduce("no-such-topic", BuildRecordBatch({"lost"}, 1700000000000), 31);
  EXPECT_EQ(r.topic, "no-such-topic");
  EXPECT_EQ(r.error_code, kUnknownTopicOrPartition);
  Result<ClusterMetadata> md = FetchMetadata(bootstrap(), seconds(10));
  ASSERT_TRUE(md.ok()) << md.status();
  EXPECT_EQ(md->Find("no-such-topic"), nullptr) << "auto.create.topics.enable=false";
}

TEST_F(BadInput, RecordOverMessageMaxBytesIsMessageTooLarge) {
  CLUSTER_ASSERT_OK(CreateTopic(bootstrap(), "too-large", 1, 1, seconds(30)));
  std::string big(kMessageMaxBytes + 4096, 'z');
  ProducePartitionResult r = RawProduce("too-large", BuildRecordBatch({big}, 1700000000000), 41);
  EXPECT_EQ(r.error_code, kMessageTooLarge);
  ProducePartitionResult ok = RawProduce("too-large", BuildRecordBatch({"small"}, 1700000000001), 42);
  EXPECT_EQ(ok.error_code, 0);
  EXPECT_EQ(ok.base_offset, 0) << "the oversized batch must not have been appended";
}

}  // namespace
}  // namespace sluice::testing
