#pragma once
// The cluster as ZooKeeper holds it (Kafka's layout, coordinator/znodes.h): registered brokers,
// controller and epoch, topics with assignments and partition states, and the health counts an
// operator alerts on. Read once through SyncZk (a blocking client for tools). Thread: caller's.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::client {

struct ZkBroker {
  int32_t id = 0;
  std::string host;
  int32_t port = 0;
};

struct ZkPartition {
  std::string topic;
  int32_t partition = 0;
  std::vector<int32_t> replicas;
  bool has_state = false;  // the state znode exists
  int32_t leader = -1;
  int32_t leader_epoch = 0;
  std::vector<int32_t> isr;
};

struct ZkClusterView {
  std::string cluster_id;
  std::vector<ZkBroker> brokers;  // by id
  std::optional<int32_t> controller;
  std::optional<int32_t> controller_epoch;
  std::vector<std::string> topics;  // sorted
  std::vector<ZkPartition> partitions;
  int under_replicated = 0;
  int offline = 0;
};

// Under-replicated: ISR smaller than the replica list. Offline: no leader, or a leader that is
// not a registered broker. Pure.
void CountPartitionHealth(ZkClusterView& view);

// `connect` is "h:p,...[/chroot]". An unreachable ensemble is a one-line Unavailable error.
Result<ZkClusterView> ReadZkView(const std::string& connect,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(5),
                                 bool with_partitions = true);

// The czxid of /brokers/ids/<id> (which session registered it), or -1 if not registered.
Result<int64_t> BrokerRegistrationZxid(const std::string& connect, int32_t id,
                                       std::chrono::milliseconds timeout);

// Silences the ZooKeeper C client's log (it writes to stderr by default).
void SilenceZooKeeperLog();

}  // namespace sluice::client
