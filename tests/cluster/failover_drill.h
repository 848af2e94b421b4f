#pragma once
// Availability drills (issue 3, "Black Friday"): a 3-ZooKeeper + 3-broker cluster of real
// processes, a librdkafka producer at a fixed rate (acks=all) whose every delivery report is
// time-stamped, a fault (kill -9 or SIGTERM of one broker) while it runs, then a full read-back
// of every partition. DrillFigures holds what the drill measured and what the read-back found.
// Used by tests/cluster/failover_test.cc (short runs, asserted targets) and by
// bench/failover/run.sh (the same binary in Release, longer runs, figures for RESULTS.md).
//
// Thread: DrillCluster and RunDrill belong to the test's main thread; the producer runs two
// threads of its own (sender, delivery-report poller) that it joins before RunDrill returns.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "coordinator/sync_zk.h"
#include "coordinator/znodes.h"
#include "tests/support/broker_process.h"
#include "tests/support/kafka_client.h"
#include "tests/support/zk_ensemble.h"

namespace sluice::testing {

// Three ZooKeeper servers and three sluiced brokers (ids 1..3), stopped by PID on destruction
// (brokers first, while ZooKeeper still answers).
class DrillCluster {
 public:
  struct Options {
    std::string sluiced;                 // binary path
    int32_t session_timeout_ms = 6000;   // zookeeper.session.timeout.ms
    std::map<std::string, std::string> properties;  // extra server.properties for every broker
    std::string work_root;  // if set, broker i keeps its logs in <work_root>/broker-<i> (kept)
  };
  explicit DrillCluster(Options options);
  ~DrillCluster();
  DrillCluster(const DrillCluster&) = delete;
  DrillCluster& operator=(const DrillCluster&) = delete;

  Status Start(std::chrono::milliseconds deadline);
  std::string Bootstrap() const;  // every broker, alive or not
  BrokerProcess& broker(int32_t id) { return *brokers_[id - 1]; }
  int32_t session_timeout_ms() const { return options_.session_timeout_ms; }

  // Partition states as ZooKeeper holds them (what zkCli.sh get shows); missing ones skipped.
  std::map<int32_t, coordinator::LeaderAndIsr> States(const std::string& topic, int partitions);
  // Every partition has a live leader (not in `dead`) and an ISR of `isr_size`.
  bool AllLed(const std::string& topic, int partitions, int isr_size, int32_t dead = -1);
  int32_t ControllerId();  // broker id in /controller, -1 if none
  // The broker leading the most partitions (lowest id on a tie).
  int32_t BusiestLeader(const std::string& topic, int partitions);

 private:
  Options options_;
  std::unique_ptr<ZkEnsemble> zk_;
  std::vector<std::unique_ptr<BrokerProcess>> brokers_;
  coordinator::SyncZk sync_;
};

enum class Fault { kKill9, kSigterm };
enum class Victim { kBusiestLeader, kController };

struct DrillOptions {
  std::string topic = "black-friday";
  int partitions = 12;
  int replication_factor = 3;
  int min_insync_replicas = 2;
  int rate = 10000;                      // messages per second, all partitions together
  int value_bytes = 100;                 // payload size (the sequence number, zero-padded)
  std::chrono::milliseconds before{10000};  // steady load before the fault
  std::chrono::milliseconds after{30000};   // load after the fault
  Fault fault = Fault::kKill9;
  Victim victim = Victim::kBusiestLeader;
  ClientConfig producer_config;          // on top of the drill's defaults (see failover_drill.cc)
};

struct DrillFigures {
  int32_t victim = -1;
  bool victim_was_controller = false;
  std::vector<int32_t> affected;          // partitions the victim led at the fault
  int64_t sent = 0;                       // rd_kafka_produce accepted
  int64_t acked = 0;                      // successful delivery reports
  int64_t failed = 0;                     // failed delivery reports (producer-visible errors)
  int64_t unreported = 0;                 // no report by the end of the flush
  std::string first_error;
  // Per partition, the longest silence between successful deliveries from the fault on (a
  // silence already running at the fault counts from the fault): its length, and when it ended
  // (fault → first successful delivery after it). -1 = nothing delivered after the fault.
  std::map<int32_t, int64_t> unavailable_ms;
  std::map<int32_t, int64_t> recovered_at_ms;
  int64_t max_unavailable_ms = 0;         // over affected partitions
  int64_t max_recovered_at_ms = 0;        // over affected partitions
  int64_t max_stall_any_ms = 0;           // over every partition (followers' ISR shrink too)
  int64_t baseline_stall_ms = 0;          // longest silence on any partition before the fault
  int64_t leaders_moved_ms = -1;          // fault → ZooKeeper shows no partition led by victim
  double rate_before = 0;                 // acked msgs/s over the steady window before the fault
  double rate_after = 0;                  // acked msgs/s over `after` following the fault
  double worst_second_after = 0;          // lowest acked msgs in one second after the fault
  int64_t sigterm_exit_ms = -1;           // SIGTERM → process exit
  // Read-back (every partition from its start to the high watermark).
  int64_t consumed = 0;
  int64_t lost = 0;                       // acked but absent (or another value at its offset)
  int64_t acked_duplicated = 0;           // acked messages present more than once
  int64_t duplicate_records = 0;          // extra copies in the log (retries without idempotence)
  int64_t out_of_order = 0;               // first copies not in send order within a partition
  int64_t unacked_present = 0;            // in the log though the report failed or never came
  double share_after() const { return rate_before > 0 ? rate_after / rate_before : 0; }
  std::string Summary(const std::string& name) const;  // one "key=value ..." line
  std::string PartitionDetail() const;  // "p<i>:<silence>@<end>" for every partition
};

// Creates the topic, runs the load, injects the fault, reads every partition back and fills the
// figures. An error means the drill could not run (not that a target was missed).
Result<DrillFigures> RunDrill(DrillCluster& cluster, const DrillOptions& options);

}  // namespace sluice::testing
