#pragma once
// Fault schedules. Each scenario runs on the drill's main thread while the workload produces,
// records every fault and heal as a FaultEvent (time since the workload start), and returns with
// the cluster healed or about to be healed by the caller (DrillContext::HealEverything).
// Thread: the drill's main thread.

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/drills/checker.h"
#include "tests/drills/netns_cluster.h"
#include "tests/drills/workload.h"
#include "tests/support/kafka_client.h"

namespace sluice::drills {

struct ScenarioOptions {
  int restart_delay_s = 20;  // black_friday: kill -9 → restart
  int fault_s = 15;          // how long a partition/isolation lasts
  int quorum_loss_s = 20;    // zookeeper: quorum lost for this long
  int warmup_s = 6;
  int random_faults = 10;    // random: faults over random_total_s
  int random_total_s = 180;
  uint64_t seed = 1;
};

class DrillContext {
 public:
  DrillContext(NetnsCluster* cluster, Workload* workload, std::string topic, int partitions)
      : cluster_(cluster), workload_(workload), topic_(std::move(topic)), partitions_(partitions) {}

  NetnsCluster& cluster() { return *cluster_; }
  void Event(const std::string& what, bool fault);
  std::vector<FaultEvent> events() const;
  void Sleep(double seconds);  // a scheduled fault duration, not a wait for a condition

  Result<testing::ClusterMetadata> Meta();
  Result<int> Controller();
  // Broker leading the most partitions of the topic, preferring one that is not the controller.
  Result<int> BusiestLeader(bool avoid_controller);
  // Until the deadline: every partition has a leader (and, if `full_isr`, all replicas in ISR).
  Status WaitPartitions(bool full_isr, std::chrono::milliseconds deadline);
  Status WaitZkServing(std::chrono::milliseconds deadline);
  Status HealEverything();  // network heal, resume paused, start stopped brokers

 private:
  NetnsCluster* cluster_;
  Workload* workload_;
  std::string topic_;
  int partitions_;
  mutable std::mutex mu_;
  std::vector<FaultEvent> events_;
};

// Names: black_friday, leader_isolated, controller, zookeeper, broker_zk_cut, leader_cut, slow,
// rolling_restart, random.
std::vector<std::string> ScenarioNames();
Status RunScenario(const std::string& name, DrillContext& ctx, const ScenarioOptions& options);

}  // namespace sluice::drills
