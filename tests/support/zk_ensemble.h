#pragma once
// ZkEnsemble: a real ZooKeeper ensemble (Debian's zookeeper 3.8 jar, `java` on PATH) of 1..9
// servers for tests, each with its own zoo.cfg and data dir under a temp dir, on loopback ports
// the OS handed out. The constructor starts every server and waits until each answers `srvr` and
// one is leader (or standalone); the destructor stops them by PID (SIGTERM, SIGKILL after 10 s).
// Servers die with the test process (PR_SET_PDEATHSIG), so a crashed test leaves none behind.
//
// Thread: the creating thread (children are tied to it by PDEATHSIG); not thread-safe.
// Overrides: $ZK_JAVA (java binary), $ZK_JAR_DIR (default /usr/share/java).
// tickTime is 500 ms: sessions of 1 s .. 60 s are accepted; leader loss costs ~2.5 s.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"
#include "tests/support/test_util.h"

namespace sluice::testing {

class ZkEnsemble {
 public:
  // Starts `servers` servers and waits up to `start_deadline` for a serving ensemble. On failure
  // ok() is false and status() says why (tests: ASSERT_TRUE(zk.ok()) << zk.status()).
  explicit ZkEnsemble(int servers = 1,
                      std::chrono::milliseconds start_deadline = std::chrono::seconds(60));
  ~ZkEnsemble();
  ZkEnsemble(const ZkEnsemble&) = delete;
  ZkEnsemble& operator=(const ZkEnsemble&) = delete;

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  int size() const { return static_cast<int>(servers_.size()); }
  // "127.0.0.1:p1,127.0.0.1:p2,..." (no chroot).
  std::string connect_string() const;
  // Server indices are 0-based.
  int client_port(int i) const { return servers_[i].client_port; }
  pid_t pid(int i) const { return servers_[i].pid; }  // -1 when stopped
  const std::string& data_dir() const { return dir_.path(); }
  std::string server_dir(int i) const;

  // Stops server i by PID (SIGTERM; SIGKILL after `grace`). Idempotent.
  void Stop(int i, std::chrono::milliseconds grace = std::chrono::seconds(10));
  // SIGKILL, no grace.
  void Kill(int i);
  // Starts server i again with its old config and data, and waits until it serves.
  Status Start(int i, std::chrono::milliseconds deadline = std::chrono::seconds(60));
  void Pause(int i);   // SIGSTOP
  void Resume(int i);  // SIGCONT

  // "leader", "follower", "standalone", or "" if it does not answer `srvr`.
  std::string Mode(int i) const;
  // Waits until every running, unpaused server serves and exactly one of them leads.
  Status WaitServing(std::chrono::milliseconds deadline);

 private:
  struct Server {
    int client_port = 0;
    int peer_port = 0;
    int election_port = 0;
    pid_t pid = -1;
    bool paused = false;
  };

  Status StartAll(std::chrono::milliseconds deadline);
  void AssignPorts();
  Status WriteConfig(int i) const;
  Status Spawn(int i);
  bool Running(int i);  // reaps the child if it exited

  TempDir dir_;
  std::vector<Server> servers_;
  Status status_;
};

// Answer of a ZooKeeper four-letter-word command ("srvr", "ruok", "stat"...) from
// 127.0.0.1:port, or "" if the server does not answer within `timeout`.
std::string FourLetterWord(int port, const std::string& word,
                           std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace sluice::testing
