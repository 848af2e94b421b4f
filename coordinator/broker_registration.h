#pragma once
// BrokerRegistration: makes this broker visible in ZooKeeper the way a Kafka broker does
// (kafka-protocol/README.md §5): ensures the persistent paths, creates or reads /cluster/id, and
// registers the ephemeral /brokers/ids/<id> (registration v5 JSON) from the current session. The
// node's czxid is the broker epoch (KIP-380).
//
// If /brokers/ids/<id> exists from another (old) session -- a restart right after kill -9 -- it
// waits (watching the node) until ZooKeeper expires that session and deletes it, then registers
// (CONTRACT.md; Kafka 3.5 would exit instead). After a session expiry it registers again from the
// new session and reports the new epoch.
//
// Thread: loop thread only (the ZkSession's Executor). Lifecycle: construct with a ZkSession,
// Start() (any time; it acts when the session is connected), destroy it and then the ZkSession
// in the same loop task (pending ZooKeeper callbacks capture it; destroying the session drops
// them).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "coordinator/znodes.h"
#include "coordinator/zk_session.h"

namespace sluice::coordinator {

struct Registration {
  BrokerId broker_id;
  int64_t broker_epoch = -1;  // czxid of /brokers/ids/<id>
  std::string cluster_id;
  int64_t session_id = 0;
};

class BrokerRegistration {
 public:
  // `on_registered` runs on the loop after every successful (re-)registration.
  BrokerRegistration(ZkSession* session, BrokerInfo info,
                     std::function<void(const Registration&)> on_registered);
  ~BrokerRegistration();
  BrokerRegistration(const BrokerRegistration&) = delete;
  BrokerRegistration& operator=(const BrokerRegistration&) = delete;

  void Start();

  bool registered() const { return registered_; }
  const Registration& registration() const { return registration_; }  // valid if registered()
  // True while waiting for an old session's /brokers/ids/<id> to go away.
  bool waiting_for_old_session() const { return waiting_; }

 private:
  void OnSessionEvent(const SessionEvent& e);
  void Begin();
  void EnsurePaths(uint64_t gen);
  void EnsureClusterId(uint64_t gen);
  void CreateRegistration(uint64_t gen);
  void OnExisting(uint64_t gen);
  void RetryLater(uint64_t gen, ZkErrc err, const char* step);
  bool Current(uint64_t gen) const { return gen == generation_; }

  ZkSession* session_;
  BrokerInfo info_;
  std::function<void(const Registration&)> on_registered_;
  int listener_id_ = 0;
  bool started_ = false;
  bool registered_ = false;
  bool waiting_ = false;
  bool in_flight_ = false;
  uint64_t generation_ = 0;  // bumped per attempt; stale callbacks are dropped
  std::string cluster_id_;
  Registration registration_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for timers
};

}  // namespace sluice::coordinator
