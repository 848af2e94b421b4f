#pragma once
// A local cluster on this machine for development and drills: N ZooKeeper servers (Debian's
// `zookeeper` package: java QuorumPeerMain with our zoo.cfg; implemented here in C++ rather than
// by calling scripts/zk.sh, so an installed `sluice` needs no repo checkout) and N `sluiced`,
// all on OS-assigned loopback ports, all under one directory:
//
//   DIR/cluster.json               layout: ports, config paths, binaries (ClusterLayout)
//   DIR/bootstrap                  the bootstrap list, one line
//   DIR/pids/zk<i>.pid, broker<i>.pid   PIDs of everything started (the only PIDs ever signalled,
//                                  and only while their command line still names our config)
//   DIR/zk<i>/zoo.cfg, data/, zookeeper.log
//   DIR/broker<i>/server.properties, data/, sluiced.log
//
// Thread: the command's thread. Progress lines go to `progress` (stderr).

#include <sys/types.h>

#include <chrono>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace sluice::client {

struct ZkServerSpec {
  int id = 0;
  int client_port = 0;
  int quorum_port = 0;
  int election_port = 0;
};

struct BrokerSpec {
  int id = 0;
  int port = 0;
  int http_port = 0;
};

struct ClusterLayout {
  std::string dir;  // absolute
  std::vector<ZkServerSpec> zookeepers;
  std::vector<BrokerSpec> brokers;
  std::string java;
  std::string zk_classpath;
  std::string sluiced;

  std::string ZkConnect() const;
  std::string Bootstrap() const;
  std::string DashboardUrl() const;  // broker 1's http.listener
  std::string ZkDir(int id) const { return dir + "/zk" + std::to_string(id); }
  std::string ZkConfig(int id) const { return ZkDir(id) + "/zoo.cfg"; }
  std::string ZkLog(int id) const { return ZkDir(id) + "/zookeeper.log"; }
  std::string BrokerDir(int id) const { return dir + "/broker" + std::to_string(id); }
  std::string BrokerConfig(int id) const { return BrokerDir(id) + "/server.properties"; }
  std::string BrokerLog(int id) const { return BrokerDir(id) + "/sluiced.log"; }
  std::string ZkPidFile(int id) const { return dir + "/pids/zk" + std::to_string(id) + ".pid"; }
  std::string BrokerPidFile(int id) const {
    return dir + "/pids/broker" + std::to_string(id) + ".pid";
  }
  const BrokerSpec* FindBroker(int id) const;

  nlohmann::json ToJson() const;
  static Result<ClusterLayout> FromJson(const nlohmann::json& j);
  static Result<ClusterLayout> Load(const std::string& dir);  // DIR/cluster.json
};

// File contents (pure; unit-tested).
std::string ZooCfg(const ClusterLayout& layout, const ZkServerSpec& server);
std::string ServerProperties(const ClusterLayout& layout, const BrokerSpec& broker);

struct UpOptions {
  int brokers = 3;
  int zookeepers = 3;
  std::string dir = ".sluice-cluster";
  std::string sluiced;    // "" = next to this binary (../broker/sluiced), then $PATH
  std::string java;       // "" = $JAVA, then java on $PATH
  int broker_port = 0;    // 0 = OS-assigned; else brokers listen on P, P+1, ...
  int zookeeper_port = 0; // 0 = OS-assigned; else ZooKeeper clients on Z, Z+1, ...
  std::chrono::seconds timeout{90};
};

Result<ClusterLayout> ClusterUp(const UpOptions& options, std::ostream& progress);

struct ProcessState {
  std::string kind;  // "zookeeper" or "broker"
  int id = 0;
  pid_t pid = -1;    // -1 if no pid file
  bool alive = false;
};
std::vector<ProcessState> ProcessStates(const ClusterLayout& layout);

struct StopReport {
  std::string kind;
  int id = 0;
  pid_t pid = -1;
  std::string outcome;  // StopHowName
  bool ok = true;
};
// Stops every recorded process: brokers first (SIGTERM, SIGKILL after `grace`), then ZooKeeper.
std::vector<StopReport> ClusterDown(const ClusterLayout& layout, std::chrono::milliseconds grace);

// Drills on one broker. Kill: SIGKILL. Stop: SIGTERM then SIGKILL after `grace`.
Result<StopReport> StopBroker(const ClusterLayout& layout, int id, bool kill9,
                              std::chrono::milliseconds grace);
// Restarts a stopped broker with its recorded config; waits (unless timeout is 0) until it is
// registered in /brokers/ids.
Result<pid_t> StartBroker(const ClusterLayout& layout, int id, std::chrono::seconds timeout);

}  // namespace sluice::client
