#pragma once
// In-process broker services for handler tests: real storage Logs in a temp dir, no sockets, no
// ZooKeeper. Requests go through the Dispatcher; responses are decoded back.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <list>
#include <map>
#include <memory>
#include <optional>

#include "broker/dispatcher.h"
#include "broker/event_loop.h"
#include "broker/metadata_cache.h"
#include "broker/purgatory.h"
#include "broker/replica_manager.h"
#include "protocol/crc32c.h"
#include "protocol/headers.h"

namespace sluice::broker::testing {

class DirLogStore : public LogStore {
 public:
  explicit DirLogStore(std::string root) : root_(std::move(root)) {}
  ~DirLogStore() override {
    for (auto& [tp, log] : logs_) (void)log->Close();
  }
  Result<storage::Log*> GetOrCreateLog(const TopicPartition& tp,
                                       const storage::LogConfig& config) override {
    auto it = logs_.find(tp);
    if (it != logs_.end()) return it->second.get();
    auto log = storage::Log::Open(root_ + "/" + tp.ToString(), config, Offset(0));
    if (!log.ok()) return log.status();
    storage::Log* raw = log.value().get();
    logs_[tp] = std::move(log).value();
    return raw;
  }
  Status DeleteLog(const TopicPartition& tp) override {
    auto it = logs_.find(tp);
    if (it == logs_.end()) return Status::NotFound(tp.ToString());
    Status s = it->second->Delete();
    logs_.erase(it);
    return s;
  }

 private:
  std::string root_;
  std::map<TopicPartition, std::unique_ptr<storage::Log>> logs_;
};

struct Reply {
  bool closed = false;
  bool no_response = false;
  std::string frame;  // whole response frame, flattened
};

class Harness {
 public:
  explicit Harness(std::map<std::string, std::string> extra = {}) {
    char tmpl[] = "/tmp/broker_test_XXXXXX";
    dir_ = mkdtemp(tmpl);
    std::map<std::string, std::string> kv = {{"broker.id", "1"},
                                             {"zookeeper.connect", "127.0.0.1:1"},
                                             {"log.dirs", dir_}};
    for (auto& [k, v] : extra) kv[k] = v;
    config_ = Config::FromMap(kv).value();
    store_ = std::make_unique<DirLogStore>(dir_);
    replicas_ = std::make_unique<ReplicaManager>(1, &config_, store_.get());
    replicas_->set_on_append([this](const TopicPartition& tp) { fetch_purgatory_.Check(tp); });
    replicas_->set_on_high_watermark([this](const TopicPartition& tp) {
      produce_purgatory_.Check(tp);
      fetch_purgatory_.Check(tp);
    });
    metadata_.AddOrUpdateBroker({1, "127.0.0.1", 9092, std::nullopt});
    metadata_.set_controller_id(1);
    ctx_.config = &config_;
    ctx_.loop = &loop_;
    ctx_.metadata = &metadata_;
    ctx_.replicas = replicas_.get();
    ctx_.produce_purgatory = &produce_purgatory_;
    ctx_.fetch_purgatory = &fetch_purgatory_;
    ctx_.broker_id = 1;
    ctx_.advertised = Endpoint{"127.0.0.1", 9092};
    dispatcher_ = std::make_unique<Dispatcher>(&ctx_);
  }
  ~Harness() {
    produce_purgatory_.ExpireAll();
    fetch_purgatory_.ExpireAll();
    replicas_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Makes this broker leader (or follower of `leader`) of topic-partition with the given ISR.
  void AddPartition(const std::string& topic, int32_t partition, int32_t leader = 1,
                    std::vector<int32_t> isr = {1}, std::vector<int32_t> replicas = {1}) {
    LeaderAndIsrState st{topic, partition, 1, leader, 0, isr, replicas};
    ASSERT_TRUE(replicas_->ApplyLeaderAndIsr(st).ok());
    metadata_.UpdatePartition(topic, partition, PartitionInfo{leader, 0, 1, isr, replicas, {}});
  }

  // Sends `msg` as a request of `version`; the reply (if any) arrives synchronously or after
  // the loop ran (parked requests): `Reply` is filled when it comes.
  template <typename Msg>
  std::shared_ptr<Reply> Send(const Msg& msg, int16_t version) {
    protocol::EncodedChunks frame =
        protocol::EncodeRequestFrame(msg, version, ++correlation_, std::string("test"));
    frames_.push_back(std::move(frame.bytes));
    std::string& bytes = frames_.back();
    RawRequest raw;
    raw.data = reinterpret_cast<uint8_t*>(bytes.data()) + 4;
    raw.size = bytes.size() - 4;
    raw.api_key = Msg::kApiKey;
    raw.api_version = version;
    raw.correlation_id = correlation_;
    auto reply = std::make_shared<Reply>();
    auto sink = std::make_shared<Responder::Sink>(
        [reply](std::optional<protocol::EncodedChunks> f, bool close) {
          reply->closed = close;
          if (close) return;
          if (!f.has_value()) {
            reply->no_response = true;
            return;
          }
          reply->frame = f->Flatten().value();
        });
    dispatcher_->Handle(raw, Responder(sink, Msg::kApiKey, version, correlation_));
    return reply;
  }

  template <typename Resp>
  static Resp Decode(const Reply& reply, int16_t version) {
    EXPECT_FALSE(reply.closed);
    EXPECT_GE(reply.frame.size(), 8u);
    protocol::WireReader in(reinterpret_cast<const uint8_t*>(reply.frame.data()) + 4,
                            reply.frame.size() - 4);
    auto header = protocol::DecodeResponseHeader(in, Resp::kApiKey, version);
    EXPECT_TRUE(header.ok());
    Resp resp;
    Status s = resp.Decode(in, version);
    EXPECT_TRUE(s.ok()) << s;
    return resp;
  }

  // Runs the loop until `done()` or the deadline (a condition, not a sleep).
  bool RunUntil(const std::function<bool()>& done, int64_t deadline_ms = 5000) {
    if (done()) return true;
    auto poll = loop_.RunEvery(1, [&] {
      if (done()) loop_.Stop();
    });
    auto guard = loop_.RunAfter(deadline_ms, [&] { loop_.Stop(); });
    loop_.Run();
    return done();
  }

  ReplicaManager& replicas() { return *replicas_; }
  MetadataCache& metadata() { return metadata_; }
  BrokerContext& ctx() { return ctx_; }
  EventLoop& loop() { return loop_; }

 private:
  std::string dir_;
  Config config_;
  EventLoop loop_;
  MetadataCache metadata_;
  std::unique_ptr<DirLogStore> store_;
  std::unique_ptr<ReplicaManager> replicas_;
  Purgatory produce_purgatory_{&loop_};
  Purgatory fetch_purgatory_{&loop_};
  BrokerContext ctx_;
  std::unique_ptr<Dispatcher> dispatcher_;
  std::list<std::string> frames_;
  int32_t correlation_ = 0;
};

// A record batch v2 (magic 2) with `count` records of `value_size` bytes, CRC-32C filled in.
inline std::string MakeBatch(int count, size_t value_size, int16_t attributes = 0,
                             int64_t timestamp = 1700000000000) {
  protocol::WireWriter records;
  for (int i = 0; i < count; ++i) {
    protocol::WireWriter r;
    r.WriteInt8(0);           // attributes
    r.WriteVarlong(0);        // timestamp delta
    r.WriteVarint(i);         // offset delta
    r.WriteVarint(-1);        // null key
    r.WriteVarint(static_cast<int32_t>(value_size));
    r.WriteRaw(std::string(value_size, static_cast<char>('a' + i % 26)));
    r.WriteVarint(0);         // headers
    records.WriteVarint(static_cast<int32_t>(r.bytes().size()));
    records.WriteRaw(r.bytes());
  }
  protocol::WireWriter b;
  b.WriteInt64(0);
  b.WriteInt32(0);  // batch length, patched
  b.WriteInt32(-1);
  b.WriteInt8(2);
  b.WriteUint32(0);  // crc, patched
  b.WriteInt16(attributes);
  b.WriteInt32(count - 1);
  b.WriteInt64(timestamp);
  b.WriteInt64(timestamp);
  b.WriteInt64(-1);
  b.WriteInt16(-1);
  b.WriteInt32(-1);
  b.WriteInt32(count);
  b.WriteRaw(records.bytes());
  std::string out = b.bytes();
  auto put32 = [&](size_t pos, uint32_t v) {
    for (int i = 0; i < 4; ++i) out[pos + i] = static_cast<char>(v >> (24 - 8 * i));
  };
  put32(8, static_cast<uint32_t>(out.size() - 12));
  put32(17, protocol::Crc32c(out.data() + 21, out.size() - 21));
  return out;
}

}  // namespace sluice::broker::testing
