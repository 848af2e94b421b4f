#pragma once
// StandaloneZooKeeper: one Debian ZooKeeper server on a port the test chose in advance (ZkEnsemble
// picks its own ports, but the "ZooKeeper down at start" test must point a broker at a port first
// and start ZooKeeper there later). Started with Start(), stopped by PID in Stop()/destructor.
// Thread: the creating thread (the child is tied to it with PR_SET_PDEATHSIG).

#include <sys/types.h>

#include <chrono>
#include <string>

#include "common/status.h"
#include "tests/support/test_util.h"

namespace sluice::testing {

class StandaloneZooKeeper {
 public:
  explicit StandaloneZooKeeper(int client_port);
  ~StandaloneZooKeeper();
  StandaloneZooKeeper(const StandaloneZooKeeper&) = delete;
  StandaloneZooKeeper& operator=(const StandaloneZooKeeper&) = delete;

  // Starts the server and waits until `srvr` reports standalone mode.
  Status Start(std::chrono::milliseconds deadline = std::chrono::seconds(60));
  void Stop();
  std::string connect_string() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  TempDir dir_;
  pid_t pid_ = -1;
};

}  // namespace sluice::testing
