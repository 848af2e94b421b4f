#pragma once
// NetnsCluster: a 3-server ZooKeeper ensemble and N `sluiced` brokers, each in its own network
// namespace on a private bridge made by compose/netns/hosts.sh, plus a "client" namespace that the
// calling process enters (so every librdkafka thread created afterwards talks from the client
// host). Addresses: ZooKeeper i at 10.77.0.1i, broker i at 10.77.0.2i, client 10.77.0.100. Fixed
// ports (2181, 9092) are safe because each host has a network stack of its own.
//
// Processes are children of this process (PR_SET_PDEATHSIG), stopped by PID; Down() (also run by
// the destructor) kills what is left and runs `hosts.sh down RUN`, which SIGKILLs by PID anything
// still inside the run's namespaces and deletes them.
// Thread: the drill's main thread; Hosts() may also be called from the scenario thread.

#include <sys/types.h>

#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::drills {

struct ClusterOptions {
  std::string hosts_script;  // compose/netns/hosts.sh
  std::string sluiced;       // the broker binary
  std::string work_dir;      // per-run directory: configs, data, logs
  std::string run;           // unique run name (letters/digits, <= 16)
  int brokers = 3;
  int zookeepers = 3;
  int32_t session_timeout_ms = 6000;
  int32_t min_insync_replicas = 2;
  bool unclean_leader_election = false;
  int64_t replica_lag_time_max_ms = 5000;
};

class NetnsCluster {
 public:
  explicit NetnsCluster(ClusterOptions options);
  ~NetnsCluster();
  NetnsCluster(const NetnsCluster&) = delete;
  NetnsCluster& operator=(const NetnsCluster&) = delete;

  // Creates the hosts, enters the client namespace (the calling thread, before any other thread
  // of this process exists), starts ZooKeeper (waits for a leader) and the
  // brokers (waits until Metadata lists all of them and a controller).
  Status Up(std::chrono::milliseconds deadline);
  void Down();

  // Runs `hosts.sh <args> ` with RUN inserted after the verb: Hosts("isolate", {"b1"}).
  Status Hosts(const std::string& verb, const std::vector<std::string>& args);

  std::string bootstrap() const;  // every broker's address
  std::string broker_host(int id) const { return "b" + std::to_string(id); }
  std::string zk_host(int i) const { return "zk" + std::to_string(i); }  // 1-based
  std::string broker_addr(int id) const { return "10.77.0." + std::to_string(20 + id); }
  std::string zk_addr(int i) const { return "10.77.0." + std::to_string(10 + i); }
  std::string broker_log_dir(int id) const;
  std::string broker_output(int id) const;
  const ClusterOptions& options() const { return options_; }

  Status StartBroker(int id);
  Status KillBroker(int id);                                     // SIGKILL + reap
  Result<int> TerminateBroker(int id, std::chrono::milliseconds timeout);  // SIGTERM, exit code
  Status PauseBroker(int id);                                    // SIGSTOP
  Status ResumeBroker(int id);                                   // SIGCONT
  bool BrokerAlive(int id);
  bool BrokerPaused(int id) const;
  // Until the deadline: Metadata (from the client host) lists broker `id`.
  Status WaitBrokerListed(int id, std::chrono::milliseconds deadline);
  // Resumes paused brokers and starts stopped ones (end of a scenario).
  Status ReviveAll();
  Status PauseAll();   // SIGSTOP every live broker (to read quiescent logs)
  Status ResumeAll();

  // ZooKeeper mode of server i (1-based) from the client host: leader, follower, or "".
  std::string ZkMode(int i) const;
  int ZkLeader() const;  // 1-based index, or -1

 private:
  struct Proc {
    pid_t pid = -1;
    bool paused = false;
  };
  Status StartZk(int i);
  Result<pid_t> Spawn(const std::string& host, const std::vector<std::string>& argv,
                      const std::string& log_path);
  Status WriteBrokerConfig(int id) const;
  Status WriteZkConfig(int i) const;
  static void StopPid(pid_t pid, std::chrono::milliseconds grace);

  ClusterOptions options_;
  bool up_ = false;
  int original_ns_fd_ = -1;  // the caller's network namespace, restored by Down()
  std::map<int, Proc> brokers_;
  std::map<int, Proc> zks_;
  mutable std::mutex hosts_mu_;  // one hosts.sh at a time
};

}  // namespace sluice::drills
