#pragma once
// Shared setup for cluster tests: the compiled-in sluiced path and a one-node ZooKeeper plus one
// broker, both real processes on OS-assigned ports, stopped by PID when the object dies.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/sync_zk.h"
#include "tests/support/broker_process.h"
#include "tests/support/kafka_client.h"
#include "tests/support/zk_ensemble.h"

// ASSERT that a Status-returning expression is OK, printing the Status otherwise.
#define CLUSTER_ASSERT_OK(expr)                       \
  do {                                                \
    ::sluice::Status cluster_status_ = (expr);        \
    ASSERT_TRUE(cluster_status_.ok()) << cluster_status_; \
  } while (0)

#ifndef SLUICED_PATH
#define SLUICED_PATH ""
#endif

namespace sluice::testing {

inline std::string SluicedBinary() { return DefaultSluicedPath(SLUICED_PATH); }

// Readiness from ZooKeeper's side: /brokers/ids/<id> exists and was created by a session newer
// than the one seen at the previous OK (after kill -9 the old session's node lingers until it
// expires; the restarted broker is ready only once it registered again).
class RegistrationCheck {
 public:
  RegistrationCheck(std::string connect, int32_t broker_id)
      : connect_(std::move(connect)), broker_id_(broker_id) {}
  Status operator()() {
    if (!connected_) {
      SLUICE_RETURN_IF_ERROR(zk_.Connect(connect_, std::chrono::seconds(10),
                                         std::chrono::seconds(5)));
      connected_ = true;
    }
    std::string path = "/brokers/ids/" + std::to_string(broker_id_);
    coordinator::ZkRead r = zk_.Exists(path);
    if (r.err != coordinator::ZkErrc::kOk) {
      if (r.err == coordinator::ZkErrc::kSessionExpired) connected_ = false;
      return Status::Unavailable(path + ": " + coordinator::ZkErrcName(r.err));
    }
    if (r.stat.czxid == last_czxid_) {
      return Status::Unavailable(path + " still belongs to the previous registration");
    }
    last_czxid_ = r.stat.czxid;
    return Status::Ok();
  }
  // Wires this check into a broker's options (shared, so Restart() keeps the last czxid).
  static void Install(BrokerOptions* options) {
    auto check = std::make_shared<RegistrationCheck>(options->zookeeper_connect,
                                                     options->broker_id);
    options->ready_condition = [check] { return (*check)(); };
  }

 private:
  std::string connect_;
  int32_t broker_id_;
  coordinator::SyncZk zk_;
  bool connected_ = false;
  int64_t last_czxid_ = 0;
};

// Brokers 1..count on `zk`, each with the given session timeout, replica.lag.time.max.ms 3000 and
// the registration readiness check; `customize` adds what a test needs. All start at once, then
// each must be ready (registered in ZooKeeper, answering Metadata) within `deadline`. The 3-broker
// cluster tests share this instead of each writing the same loop.
inline Status StartBrokers(const ZkEnsemble& zk, int count, int session_timeout_ms,
                           const std::function<void(BrokerOptions&)>& customize,
                           std::vector<std::unique_ptr<BrokerProcess>>* out,
                           std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  for (int id = 1; id <= count; ++id) {
    BrokerOptions o;
    o.broker_id = id;
    o.binary = SluicedBinary();
    o.zookeeper_connect = zk.connect_string();
    o.zookeeper_session_timeout_ms = session_timeout_ms;
    o.properties["replica.lag.time.max.ms"] = "3000";
    if (customize) customize(o);
    RegistrationCheck::Install(&o);
    out->push_back(std::make_unique<BrokerProcess>(std::move(o)));
  }
  for (auto& b : *out) SLUICE_RETURN_IF_ERROR(b->Start(/*wait=*/false));
  for (auto& b : *out) SLUICE_RETURN_IF_ERROR(b->WaitReady(deadline));
  return Status::Ok();
}

// "host:port,host:port,..." of `brokers`, leaving out index `skip` (0-based; -1 = none).
inline std::string BootstrapOf(const std::vector<std::unique_ptr<BrokerProcess>>& brokers,
                               int skip = -1) {
  std::string s;
  for (size_t i = 0; i < brokers.size(); ++i) {
    if (static_cast<int>(i) == skip) continue;
    if (!s.empty()) s += ",";
    s += brokers[i]->bootstrap();
  }
  return s;
}

// ZooKeeper (1 server) + one broker. Check ok()/status() right after construction.
class SingleBrokerCluster {
 public:
  explicit SingleBrokerCluster(BrokerOptions options = {}) {
    zk_ = std::make_unique<ZkEnsemble>(1);
    if (!zk_->ok()) {
      status_ = zk_->status();
      return;
    }
    options.binary = SluicedBinary();
    options.zookeeper_connect = zk_->connect_string();
    RegistrationCheck::Install(&options);
    broker_ = std::make_unique<BrokerProcess>(std::move(options));
    status_ = broker_->Start();
  }
  ~SingleBrokerCluster() {
    broker_.reset();  // the broker first, while ZooKeeper still answers its controlled shutdown
    zk_.reset();
  }
  const Status& status() const { return status_; }
  bool ok() const { return status_.ok(); }
  ZkEnsemble& zk() { return *zk_; }
  BrokerProcess& broker() { return *broker_; }
  std::string bootstrap() const { return broker_->bootstrap(); }

 private:
  std::unique_ptr<ZkEnsemble> zk_;
  std::unique_ptr<BrokerProcess> broker_;
  Status status_;
};

}  // namespace sluice::testing
