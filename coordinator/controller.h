#pragma once
// Controller: Kafka's classic (ZooKeeper-mode) controller (kafka-protocol/README.md §5, §6).
// Every broker runs one. It watches /controller and races to create it; the winner bumps
// /controller_epoch in the same multi-op, loads brokers, topics and partition states, and from
// then on reacts to broker arrivals/deaths, new topics, topic deletions and ISR change
// notifications: it elects leaders (election.h), writes partition state znodes -- every write
// fenced by a multi-op check of /controller_epoch's zkVersion plus the state's own zkVersion --
// and tells brokers through a ControllerChannel (LeaderAndIsr, UpdateMetadata, StopReplica).
// It resigns when its session expires, when it is disconnected longer than the session timeout
// (ZkSession reports that as expiry), when /controller stops being its own, or when a fenced
// write fails on the epoch check.
//
// Thread: loop thread only (the ZkSession's Executor), like the ZkSession it uses. Controller
// events run one at a time (a job queue), as Kafka's ControllerEventManager does.
// Lifecycle: construct with a ZkSession and a ControllerChannel, Start(), optionally Shutdown()
// (resign and stop competing), then destroy it and, in the same loop task, the ZkSession
// (pending ZooKeeper callbacks capture the Controller; destroying the session drops them).

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coordinator/admin.h"
#include "coordinator/election.h"
#include "coordinator/znodes.h"
#include "coordinator/zk_session.h"

namespace sluice::coordinator {

// A live broker as the controller knows it.
struct LiveBroker {
  BrokerInfo info;
  int64_t epoch = -1;  // czxid of /brokers/ids/<id>
};

// One partition's state as carried by LeaderAndIsr and UpdateMetadata.
struct PartitionState {
  std::string topic;
  int32_t partition = 0;
  ControllerEpoch controller_epoch{0};
  BrokerId leader{kNoLeader};  // kLeaderDuringDelete (-2) in UpdateMetadata while deleting
  LeaderEpoch leader_epoch{0};
  std::vector<BrokerId> isr;
  int32_t zk_version = 0;  // the state znode's version: the "partition epoch"
  std::vector<BrokerId> replicas;
  std::vector<BrokerId> adding_replicas;
  std::vector<BrokerId> removing_replicas;
  std::vector<BrokerId> offline_replicas;  // UpdateMetadata: replicas on dead brokers
  bool is_new = false;                     // LeaderAndIsr: first time this replica exists
  int8_t leader_recovery_state = 0;
};

struct LeaderAndIsrBatch {
  BrokerId controller_id;
  ControllerEpoch controller_epoch{0};
  int64_t broker_epoch = -1;  // of the recipient
  std::vector<PartitionState> partitions;
  std::map<std::string, std::string> topic_ids;  // topic -> 22-char id
  std::vector<LiveBroker> leaders;                // endpoints of the leaders named above
};

struct UpdateMetadataBatch {
  BrokerId controller_id;
  ControllerEpoch controller_epoch{0};
  int64_t broker_epoch = -1;  // of the recipient
  std::vector<PartitionState> partitions;  // every partition the controller knows
  std::map<std::string, std::string> topic_ids;
  std::vector<LiveBroker> live_brokers;
};

struct StopReplicaBatch {
  BrokerId controller_id;
  ControllerEpoch controller_epoch{0};
  int64_t broker_epoch = -1;  // of the recipient
  bool delete_partitions = false;
  std::vector<TopicPartition> partitions;
};

// How the controller reaches brokers. The broker implements it (in-process for itself; over the
// network to others). Called on the controller's loop; must not call back into the Controller
// synchronously. Fire-and-forget: a broker that misses a request learns the state on the next
// one (UpdateMetadata carries everything).
class ControllerChannel {
 public:
  virtual ~ControllerChannel() = default;
  virtual void SendLeaderAndIsr(BrokerId to, LeaderAndIsrBatch batch) = 0;
  virtual void SendUpdateMetadata(BrokerId to, UpdateMetadataBatch batch) = 0;
  virtual void SendStopReplica(BrokerId to, StopReplicaBatch batch) = 0;
};

struct ControllerOptions {
  BrokerId broker_id;
  // Broker default of unclean.leader.election.enable; /config/topics/<t> overrides it.
  bool unclean_leader_election_enable = false;
  // Kafka's auto.leader.rebalance.enable, leader.imbalance.check.interval.seconds and
  // leader.imbalance.per.broker.percentage.
  bool auto_leader_rebalance_enable = true;
  std::chrono::milliseconds leader_imbalance_check_interval{300000};
  int32_t leader_imbalance_per_broker_percentage = 10;
};

class Controller {
 public:
  Controller(ZkSession* session, ControllerChannel* channel, ControllerOptions options);
  ~Controller();
  Controller(const Controller&) = delete;
  Controller& operator=(const Controller&) = delete;

  void Start();
  // Resign if controller and stop taking part in elections (broker shutdown).
  void Shutdown();

  bool is_controller() const { return is_controller_; }
  ControllerEpoch epoch() const { return epoch_; }            // valid while is_controller()
  std::optional<BrokerId> active_controller() const { return active_; }
  // Runs on the loop whenever this broker becomes or stops being the controller, or the active
  // controller id changes.
  void SetOnChange(std::function<void()> fn) { on_change_ = std::move(fn); }

  // Controlled shutdown of `broker` (ControlledShutdown request; only on the controller): moves
  // leadership of its partitions with replication factor > 1 away, removes it from ISRs, and
  // answers with the partitions it still leads (the broker retries until empty). Errors:
  // NotLeader (not the controller), InvalidArgument (stale or unknown broker epoch).
  void ControlledShutdown(BrokerId broker, int64_t broker_epoch,
                          std::function<void(Result<std::vector<TopicPartition>>)> done);

  // ElectLeaders(PREFERRED): moves each partition's leadership to its assignment head if that
  // replica is alive and in the ISR. Empty `partitions` = every partition. Per partition: ok,
  // kElectionNotNeeded, kPreferredLeaderNotAvailable or kUnknownTopic; kNotController for all if
  // this broker is not the controller.
  void ElectPreferredLeaders(std::vector<TopicPartition> partitions,
                             std::function<void(std::map<TopicPartition, AdminResult>)> done);

  // Controller's view, for metrics/tests (meaningful while is_controller()).
  std::vector<BrokerId> live_brokers() const;
  std::optional<PartitionState> partition_state(const std::string& topic, int32_t p) const;
  std::vector<std::string> topics() const;
  // Leaders elected from outside the ISR by this broker's controller since it started (metrics).
  int64_t unclean_elections() const { return unclean_elections_; }

 private:
  struct PartitionCtx {
    ReplicaList replicas;
    std::optional<LeaderAndIsr> state;  // nullopt: no state znode yet (new partition)
    int32_t zk_version = -1;
  };
  struct TopicCtx {
    TopicAssignment assignment;
    std::map<int32_t, PartitionCtx> partitions;
    bool unclean = false;
    bool deleting = false;
  };
  using Job = std::function<void(std::function<void()> done)>;
  // Computes a partition's next state from the controller's current view; nullopt = no change.
  using Compute = std::function<std::optional<LeaderAndIsr>(const std::string& topic, int32_t p,
                                                           const PartitionCtx& ctx)>;
  using Done = std::function<void()>;

  // controller.cc: election, lifecycle, job queue, requests to brokers.
  void OnSessionEvent(const SessionEvent& e);
  void Elect();
  void TryBecomeController(uint64_t gen);
  void OnBecameController(uint64_t gen);
  void Resign(const char* reason);
  void Enqueue(const char* name, Job job);
  void RunNext();
  bool Current(uint64_t gen) const { return gen == generation_ && is_controller_; }
  void NotifyChange();
  PartitionState MakeState(const std::string& topic, int32_t p, const PartitionCtx& ctx) const;
  void SendUpdateMetadata(const std::set<BrokerId>& to);
  void SendLeaderAndIsr(const std::set<TopicPartition>& partitions, const std::set<BrokerId>& only,
                        bool is_new);
  std::set<BrokerId> LiveIds() const;

  // controller_load.cc: loading state, broker changes.
  void LoadAll(uint64_t gen, Done done);
  void ReadBrokers(uint64_t gen, std::function<void(std::map<BrokerId, LiveBroker>)> done);
  void LoadTopic(uint64_t gen, const std::string& topic, Done done);
  void OnBrokersChanged(Done done);
  void OnBrokersFailed(const std::set<BrokerId>& dead, Done done);
  void OnBrokersStarted(const std::set<BrokerId>& started, Done done);
  // Creates state for partitions without one and elects leaders for partitions without a live
  // leader, within `scope`; reports what changed. Sends nothing.
  void ElectOfflinePartitions(const std::set<TopicPartition>& scope,
                              std::function<void(std::set<TopicPartition>)> done);
  std::set<TopicPartition> AllPartitions() const;
  void Fail(uint64_t gen, const char* step, ZkErrc err);

  // controller_events.cc: fenced writes, topic changes, deletion, ISR notifications.
  void UpdatePartitions(const std::vector<TopicPartition>& parts, Compute compute, int attempt,
                        std::function<void(std::set<TopicPartition> changed)> done);
  void InitNewPartitions(const std::vector<TopicPartition>& parts,
                         std::function<void(std::set<TopicPartition> created)> done);
  void OnTopicsChanged(Done done);
  void OnTopicDataChanged(const std::string& topic, Done done);
  void OnDeleteTopics(Done done);
  void DeleteTopic(const std::string& topic, Done done);
  void OnIsrChangeNotifications(Done done);
  void DoControlledShutdown(BrokerId broker, int64_t broker_epoch,
                            std::function<void(Result<std::vector<TopicPartition>>)> reply,
                            Done done);
  // True when a replica other than `leaving` is alive and not shutting down itself.
  bool HasLiveSuccessor(const ReplicaList& replicas, BrokerId leaving) const;
  void WatchTopicsChildren(uint64_t gen, std::function<void(std::vector<std::string>)> done);

  // controller_preferred.cc: preferred leader election and the auto leader rebalance.
  void DoElectPreferred(std::vector<TopicPartition> partitions,
                        std::function<void(std::map<TopicPartition, AdminResult>)> reply,
                        Done done);
  void ScheduleRebalance(uint64_t gen);
  void Rebalance(Done done);

  ZkSession* session_;
  ControllerChannel* channel_;
  ControllerOptions options_;
  int listener_id_ = 0;
  bool started_ = false;
  bool shut_down_ = false;
  std::function<void()> on_change_;

  std::optional<BrokerId> active_;
  bool is_controller_ = false;
  bool electing_ = false;
  ControllerEpoch epoch_{0};
  int32_t epoch_zk_version_ = -1;  // /controller_epoch's version after our bump: the fence
  uint64_t generation_ = 0;        // bumped on every become/resign; stale callbacks drop out

  std::map<BrokerId, LiveBroker> live_;
  std::map<std::string, TopicCtx> topics_;
  std::set<BrokerId> shutting_down_;
  int64_t unclean_elections_ = 0;

  std::deque<std::pair<const char*, Job>> jobs_;
  bool job_running_ = false;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for RunAfter timers
};

}  // namespace sluice::coordinator
