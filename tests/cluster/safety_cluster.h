#pragma once
// Shared fixture of the replication safety cluster tests (issue 3): 3 ZooKeeper servers + 3
// sluiced brokers, real processes on OS-assigned ports, stopped by PID (BrokerProcess and
// ZkEnsemble destructors; a SIGSTOPped broker is SIGCONTed first so its shutdown is clean).
// Helpers read ZooKeeper's partition state znodes, produce raw Produce v7 frames to one chosen
// broker, and compare replica log files byte for byte.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "coordinator/sync_zk.h"
#include "coordinator/znodes.h"
#include "tests/cluster/cluster_env.h"
#include "tests/cluster/raw_kafka.h"

namespace sluice::testing {

using namespace std::chrono_literals;

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline std::string IdList(const std::vector<BrokerId>& ids) {
  std::string s = "[";
  for (BrokerId id : ids) s += (s.size() > 1 ? "," : "") + std::to_string(id.value());
  return s + "]";
}

inline bool HasId(const std::vector<BrokerId>& ids, int32_t id) {
  for (BrokerId b : ids) {
    if (b.value() == id) return true;
  }
  return false;
}

// Produce v7 (header v1) of one batch with the request's own timeout_ms.
inline std::string ProduceV7WithTimeout(int32_t correlation_id, const std::string& topic,
                                        int32_t partition, const std::string& batch,
                                        int16_t acks, int32_t timeout_ms) {
  Bytes body;
  body.NullStr().I16(acks).I32(timeout_ms);
  body.I32(1).Str(topic).I32(1).I32(partition).SizedBytes(batch);
  return Frame(/*Produce*/ 0, 7, correlation_id, body.str());
}

// Outcome of one raw produce: the partition error code, or nullopt when no answer came (timeout,
// closed connection).
struct RawProduceOutcome {
  std::optional<int16_t> error_code;
  std::string what;  // transport failure, if any
};

inline RawProduceOutcome RawProduce(int port, const std::string& topic, int32_t partition,
                                    const std::vector<std::string>& values, int16_t acks,
                                    int32_t timeout_ms, std::chrono::milliseconds read_timeout) {
  RawProduceOutcome out;
  auto conn = RawConnection::Connect(port);
  if (!conn.ok()) {
    out.what = conn.status().ToString();
    return out;
  }
  std::string batch = BuildRecordBatch(values, 1700000000000);
  Status s = conn->Send(ProduceV7WithTimeout(7, topic, partition, batch, acks, timeout_ms));
  if (!s.ok()) {
    out.what = s.ToString();
    return out;
  }
  auto frame = conn->ReadFrame(read_timeout);
  if (!frame.ok()) {
    out.what = frame.status().ToString();
    return out;
  }
  auto parsed = ParseProduceV7Response(*frame, 7);
  if (!parsed.ok()) {
    out.what = parsed.status().ToString();
    return out;
  }
  out.error_code = parsed->error_code;
  return out;
}

class SafetyCluster : public ::testing::Test {
 protected:
  static constexpr int kSessionTimeoutMs = 6000;

  // Broker default min.insync.replicas is 1 unless a test overrides it (topics set their own).
  void StartCluster(std::map<std::string, std::string> extra = {}) {
    zk_ = std::make_unique<ZkEnsemble>(3);
    ASSERT_TRUE(zk_->ok()) << zk_->status();
    CLUSTER_ASSERT_OK(StartBrokers(*zk_, 3, kSessionTimeoutMs, [&extra](BrokerOptions& o) {
      for (const auto& [k, v] : extra) o.properties[k] = v;
    }, &brokers_));
    CLUSTER_ASSERT_OK(sync_.Connect(zk_->connect_string(), 10s, 5s));
  }

  void TearDown() override {
    for (pid_t pid : stopped_) ::kill(pid, SIGCONT);
    brokers_.clear();
    zk_.reset();
  }

  BrokerProcess& broker(int32_t id) { return *brokers_[id - 1]; }

  void Pause(int32_t id) {
    pid_t pid = broker(id).pid();
    ASSERT_EQ(::kill(pid, SIGSTOP), 0);
    stopped_.insert(pid);
  }
  void Resume(int32_t id) {
    pid_t pid = broker(id).pid();
    ASSERT_EQ(::kill(pid, SIGCONT), 0);
    stopped_.erase(pid);
  }

  std::string Bootstrap(const std::vector<int32_t>& ids = {1, 2, 3}) {
    std::string s;
    for (int32_t id : ids) s += (s.empty() ? "" : ",") + broker(id).bootstrap();
    return s;
  }

  std::optional<coordinator::LeaderAndIsr> State(const std::string& topic, int32_t p) {
    auto r = sync_.Get(coordinator::PartitionStatePath(topic, p));
    if (r.err != coordinator::ZkErrc::kOk) return std::nullopt;
    auto st = coordinator::TopicPartitionStateZNode::Decode(r.data);
    if (!st.ok()) return std::nullopt;
    return *st;
  }

  std::map<int32_t, coordinator::LeaderAndIsr> States(const std::string& topic, int partitions) {
    std::map<int32_t, coordinator::LeaderAndIsr> out;
    for (int p = 0; p < partitions; ++p) {
      auto st = State(topic, p);
      if (st.has_value()) out[p] = *st;
    }
    return out;
  }

  std::string Describe(const std::string& topic, int partitions) {
    std::string s;
    for (const auto& [p, st] : States(topic, partitions)) {
      s += " p" + std::to_string(p) + "{leader=" + std::to_string(st.leader.value()) +
           " epoch=" + std::to_string(st.leader_epoch.value()) + " isr=" + IdList(st.isr) + "}";
    }
    return s;
  }

  bool AllIsr(const std::string& topic, int partitions, size_t size) {
    auto states = States(topic, partitions);
    if (static_cast<int>(states.size()) != partitions) return false;
    for (const auto& [p, st] : states) {
      if (st.leader.value() < 0 || st.isr.size() != size) return false;
    }
    return true;
  }

  int32_t ControllerId() {
    auto r = sync_.Get("/controller");
    if (r.err != coordinator::ZkErrc::kOk) return -1;
    auto c = coordinator::ControllerZNode::Decode(r.data);
    return c.ok() ? c->value() : -1;
  }

  // Waits until every replica in `ids` holds the same bytes in each partition's first segment.
  ::testing::AssertionResult LogsIdentical(const std::string& topic, int partitions,
                                           const std::vector<int32_t>& ids,
                                           std::chrono::milliseconds deadline) {
    auto until = std::chrono::steady_clock::now() + deadline;
    std::string last;
    while (true) {
      bool same = true;
      for (int p = 0; p < partitions && same; ++p) {
        std::string file = "/" + topic + "-" + std::to_string(p) + "/00000000000000000000.log";
        std::string first = ReadWholeFile(broker(ids[0]).log_dir() + file);
        for (size_t i = 1; i < ids.size() && same; ++i) {
          std::string other = ReadWholeFile(broker(ids[i]).log_dir() + file);
          if (other != first) {
            same = false;
            last = "partition " + std::to_string(p) + ": broker " + std::to_string(ids[0]) +
                   " has " + std::to_string(first.size()) + " bytes, broker " +
                   std::to_string(ids[i]) + " " + std::to_string(other.size());
          }
        }
        if (same && first.empty()) {
          same = false;
          last = "partition " + std::to_string(p) + " is empty";
        }
      }
      if (same) return ::testing::AssertionSuccess();
      if (std::chrono::steady_clock::now() >= until) break;
      std::this_thread::sleep_for(200ms);
    }
    return ::testing::AssertionFailure() << "replica logs differ: " << last;
  }

  std::unique_ptr<ZkEnsemble> zk_;
  std::vector<std::unique_ptr<BrokerProcess>> brokers_;
  std::set<pid_t> stopped_;
  coordinator::SyncZk sync_;
};

}  // namespace sluice::testing
