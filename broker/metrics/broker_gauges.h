#pragma once
// Scrape-time gauges: read the broker's state (metadata cache, replica manager, purgatories,
// controller, ZooKeeper session, ISR manager) when /metrics or /api/... is asked, instead of
// hooks in the owning code. Also the cluster-wide summary (under-replicated and offline
// partitions, live brokers) that /api/health and the dashboard show. Loop thread only.

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "broker/metrics/exposition.h"

namespace sluice::coordinator {
class Controller;
class ZkSession;
}  // namespace sluice::coordinator

namespace sluice::broker {

class MetadataCache;
class ReplicaManager;
class Purgatory;
class Server;
class IsrManager;
class BrokerMetrics;

// One committed partition of a consumer group this broker coordinates.
struct GroupLagRow {
  std::string group;
  std::string topic;
  int32_t partition = 0;
  int64_t committed = -1;
  int64_t high_watermark = -1;  // -1 when unknown here
  int64_t lag = -1;             // max(hw - committed, 0); -1 when the HW is unknown
};

// What the gauges read. Non-owning; a null pointer means "not there (yet or any more)": the
// Broker sets the coordinator parts once ZooKeeper is wired and clears them when it stops.
struct GaugeSources {
  int32_t broker_id = -1;
  const MetadataCache* metadata = nullptr;
  const ReplicaManager* replicas = nullptr;
  const Purgatory* produce_purgatory = nullptr;
  const Purgatory* fetch_purgatory = nullptr;
  const Server* server = nullptr;
  const coordinator::Controller* controller = nullptr;
  const coordinator::ZkSession* zk = nullptr;
  const IsrManager* isr = nullptr;
  // Consumer-group lag of the groups coordinated here; unset until the group coordinator is
  // wired (then kafka_consumergroup_lag has no samples and /api/cluster says "groups": null).
  std::function<std::vector<GroupLagRow>()> group_lag;
};

// The cluster as this broker's metadata cache (the controller's UpdateMetadata) sees it.
struct ClusterSummary {
  std::vector<int32_t> live_brokers;  // registered, ascending
  int32_t controller_id = -1;
  int64_t topics = 0;
  int64_t partitions = 0;
  int64_t under_replicated = 0;  // ISR smaller than the replica list
  int64_t offline = 0;           // no leader, or the leader is not a live broker
};
ClusterSummary Summarize(const MetadataCache& metadata);

// Partition health used by the summary, the topic API and the dashboard grid.
bool IsOffline(const MetadataCache& metadata, int32_t leader);
bool IsUnderReplicated(size_t isr_size, size_t replica_count);

// ZooKeeper session state in the words Kafka's SessionState gauge uses.
std::string ZkStateName(const coordinator::ZkSession* zk);

// Writes every scrape-time family (see broker_gauges.cc for the list).
void WriteBrokerGauges(const GaugeSources& s, Exposition& out);

}  // namespace sluice::broker
