#pragma once
// Shared setup for cluster tests: the compiled-in sluiced path and a one-node ZooKeeper plus one
// broker, both real processes on OS-assigned ports, stopped by PID when the object dies.

#include <memory>
#include <string>

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
