#pragma once
// Kafka's ZooKeeper layout (kafka-protocol/README.md §5; Kafka ZkData.scala): every path we use
// and one Encode/Decode per znode, in Kafka's exact JSON so zkCli.sh users and Kafka tools read
// it. Encoders keep Kafka's key order; decoders accept any key order and extra keys, and report
// bad input as Status::Corruption naming the znode. Pure functions; any thread.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/ids.h"
#include "common/status.h"

namespace sluice::coordinator {

// ---- paths ----
inline constexpr char kClusterIdPath[] = "/cluster/id";
inline constexpr char kBrokersPath[] = "/brokers";
inline constexpr char kBrokerIdsPath[] = "/brokers/ids";
inline constexpr char kBrokerTopicsPath[] = "/brokers/topics";
inline constexpr char kBrokerSeqIdPath[] = "/brokers/seqid";
inline constexpr char kControllerPath[] = "/controller";
inline constexpr char kControllerEpochPath[] = "/controller_epoch";
inline constexpr char kConfigTopicsPath[] = "/config/topics";
inline constexpr char kConfigChangesPath[] = "/config/changes";
inline constexpr char kConfigChangePrefix[] = "/config/changes/config_change_";
inline constexpr char kDeleteTopicsPath[] = "/admin/delete_topics";
inline constexpr char kReassignPartitionsPath[] = "/admin/reassign_partitions";
inline constexpr char kPreferredReplicaElectionPath[] = "/admin/preferred_replica_election";
inline constexpr char kIsrChangeNotificationPath[] = "/isr_change_notification";
inline constexpr char kIsrChangePrefix[] = "/isr_change_notification/isr_change_";
inline constexpr char kLogDirEventNotificationPath[] = "/log_dir_event_notification";
inline constexpr char kLatestProducerIdBlockPath[] = "/latest_producer_id_block";
inline constexpr char kConsumersPath[] = "/consumers";

std::string BrokerIdPath(BrokerId id);                                  // /brokers/ids/<id>
std::string TopicPath(const std::string& topic);                        // /brokers/topics/<t>
std::string TopicPartitionsPath(const std::string& topic);              // .../<t>/partitions
std::string PartitionPath(const std::string& topic, int32_t partition);  // .../partitions/<p>
std::string PartitionStatePath(const std::string& topic, int32_t partition);  // .../<p>/state
std::string ConfigTopicPath(const std::string& topic);                  // /config/topics/<t>
std::string DeleteTopicPath(const std::string& topic);                  // /admin/delete_topics/<t>

// Kafka's ZkData.PersistentZkPaths: every broker makes sure these exist at start.
const std::vector<std::string>& PersistentPaths();

// 16 random bytes, URL-safe base64 without padding (22 chars), re-drawn if it starts with '-'
// (Kafka's Uuid.randomUuid + toString). Used for /cluster/id and topic ids.
std::string RandomKafkaId();

// ---- /cluster/id: {"version":"1","id":"<22 chars>"} (version is a string) ----
struct ClusterIdZNode {
  static std::string Encode(const std::string& cluster_id);
  static Result<std::string> Decode(std::string_view bytes);
};

// ---- /brokers/ids/<id> (ephemeral), registration version 5 ----
struct EndPoint {
  std::string listener;           // listener name, e.g. PLAINTEXT
  std::string host;
  int32_t port = 0;
  std::string security_protocol;  // PLAINTEXT (only one we speak)
  bool operator==(const EndPoint&) const = default;
  std::string ToString() const;   // PLAINTEXT://host:port
};
struct BrokerInfo {
  BrokerId id;
  std::vector<EndPoint> endpoints;
  std::optional<std::string> rack;
  int64_t timestamp_ms = 0;
  int32_t jmx_port = -1;
  bool operator==(const BrokerInfo&) const = default;
};
// Parses "NAME://host:port" ([v6] hosts in brackets).
Result<EndPoint> ParseEndPoint(std::string_view s);

struct BrokerIdZNode {
  static std::string Encode(const BrokerInfo& info);
  static Result<BrokerInfo> Decode(BrokerId id, std::string_view bytes);
};

// ---- /brokers/topics/<t>: version 3 with topic_id ----
using ReplicaList = std::vector<BrokerId>;
using PartitionAssignment = std::map<int32_t, ReplicaList>;  // partition -> replicas in order
struct TopicAssignment {
  PartitionAssignment partitions;
  PartitionAssignment adding_replicas;
  PartitionAssignment removing_replicas;
  std::string topic_id;  // "" when the znode has none (topics from Kafka < 2.8)
  bool operator==(const TopicAssignment&) const = default;
};
struct TopicZNode {
  static std::string Encode(const TopicAssignment& assignment);
  static Result<TopicAssignment> Decode(std::string_view bytes);
};

// ---- /brokers/topics/<t>/partitions/<p>/state ----
inline constexpr int32_t kNoLeader = -1;
inline constexpr int32_t kLeaderDuringDelete = -2;  // UpdateMetadata while a topic is deleted
struct LeaderAndIsr {
  BrokerId leader{kNoLeader};
  LeaderEpoch leader_epoch{0};
  std::vector<BrokerId> isr;
  ControllerEpoch controller_epoch{0};
  int8_t leader_recovery_state = 0;  // 1 = RECOVERING (after an unclean election)
  bool operator==(const LeaderAndIsr&) const = default;
};
struct TopicPartitionStateZNode {
  static std::string Encode(const LeaderAndIsr& state);
  static Result<LeaderAndIsr> Decode(std::string_view bytes);
};

// ---- /controller (ephemeral): v2 JSON; readers use brokerid only ----
struct ControllerZNode {
  static std::string Encode(BrokerId id, int64_t timestamp_ms);
  static Result<BrokerId> Decode(std::string_view bytes);
};

// ---- /controller_epoch: plain decimal ----
struct ControllerEpochZNode {
  static std::string Encode(ControllerEpoch epoch);
  static Result<ControllerEpoch> Decode(std::string_view bytes);
};

// ---- /config/<entity-type>/<name>: {"version":1,"config":{...}}, values strings ----
using ConfigMap = std::map<std::string, std::string>;
struct ConfigEntityZNode {
  static std::string Encode(const ConfigMap& config);
  static Result<ConfigMap> Decode(std::string_view bytes);  // empty bytes -> empty map
};

// ---- /config/changes/config_change_<seq>: {"version":2,"entity_path":"topics/<t>"} ----
struct ConfigChangeNotification {
  static std::string Encode(const std::string& entity_path);
  static Result<std::string> Decode(std::string_view bytes);
};

// ---- /isr_change_notification/isr_change_<seq> and /admin/preferred_replica_election:
// {"version":1,"partitions":[{"topic":"t","partition":0}]} ----
struct IsrChangeNotification {
  static std::string Encode(const std::vector<TopicPartition>& partitions);
  static Result<std::vector<TopicPartition>> Decode(std::string_view bytes);
};
using PreferredReplicaElectionZNode = IsrChangeNotification;

// ---- /admin/reassign_partitions (legacy trigger) ----
struct PartitionReassignment {
  TopicPartition partition;
  ReplicaList replicas;
  bool operator==(const PartitionReassignment&) const = default;
};
struct ReassignPartitionsZNode {
  static std::string Encode(const std::vector<PartitionReassignment>& reassignments);
  static Result<std::vector<PartitionReassignment>> Decode(std::string_view bytes);
};

// /admin/delete_topics/<t> holds no data; its name is the topic.

}  // namespace sluice::coordinator
