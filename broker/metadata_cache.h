#pragma once
// MetadataCache: this broker's view of the cluster as the controller last told it (UpdateMetadata):
// live brokers with their advertised endpoints, every partition's leader/epoch/ISR/replicas, the
// controller id and the cluster id. Answers Metadata requests and "does this topic have leaders
// yet" waits. Owned by the Broker; loop thread only.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace sluice::broker {

struct BrokerEndpoint {
  int32_t id = -1;
  std::string host;
  int32_t port = 0;
  std::optional<std::string> rack;
};

struct PartitionInfo {
  int32_t leader = -1;  // -1 = no leader (offline)
  int32_t leader_epoch = 0;
  int32_t controller_epoch = 0;
  std::vector<int32_t> isr;
  std::vector<int32_t> replicas;
  std::vector<int32_t> offline_replicas;
};

using TopicInfo = std::map<int32_t, PartitionInfo>;  // partition index -> state

class MetadataCache {
 public:
  // Kafka marks partitions of a topic being deleted with this leader in UpdateMetadata.
  static constexpr int32_t kLeaderDuringDelete = -2;

  void SetBrokers(std::vector<BrokerEndpoint> brokers);
  void AddOrUpdateBroker(BrokerEndpoint broker);
  // Sets one partition; a leader of kLeaderDuringDelete removes it (and the topic once empty).
  void UpdatePartition(const std::string& topic, int32_t partition, PartitionInfo info);
  void RemoveTopic(const std::string& topic);
  void set_controller_id(int32_t id) { controller_id_ = id; }
  void set_cluster_id(std::string id) { cluster_id_ = std::move(id); }

  int32_t controller_id() const { return controller_id_; }
  const std::string& cluster_id() const { return cluster_id_; }
  const std::map<int32_t, BrokerEndpoint>& brokers() const { return brokers_; }
  const std::map<std::string, TopicInfo>& topics() const { return topics_; }
  const TopicInfo* FindTopic(const std::string& topic) const;
  const PartitionInfo* FindPartition(const std::string& topic, int32_t partition) const;
  bool IsBrokerAlive(int32_t id) const { return brokers_.count(id) != 0; }
  // True when the topic exists and each partition has a live leader.
  bool AllPartitionsHaveLiveLeaders(const std::string& topic) const;

 private:
  std::map<int32_t, BrokerEndpoint> brokers_;
  std::map<std::string, TopicInfo> topics_;
  int32_t controller_id_ = -1;
  std::string cluster_id_;
};

}  // namespace sluice::broker
