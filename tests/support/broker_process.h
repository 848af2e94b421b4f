#pragma once
// BrokerProcess: one real `sluiced` child process for cluster tests. It writes a
// server.properties (OS-assigned port, log dir in a temp work dir), starts the binary, waits until
// the broker serves Metadata listing itself and a controller (plus an optional caller check, e.g.
// its /brokers/ids/<id> znode), and stops it by PID: SIGKILL (Kill9), SIGTERM (Terminate), or
// in the destructor. The child's stdout/stderr (glog to stderr) go to <work dir>/sluiced.log,
// which the destructor prints (tail) when the current test failed.
// Thread: the test's main thread (the child is bound to it with PR_SET_PDEATHSIG).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "common/status.h"
#include "tests/support/test_util.h"

namespace sluice::testing {

// The sluiced binary: $SLUICED if set, else the path compiled in as SLUICED_PATH by the
// test's CMake (passed in explicitly by callers that have it), else build/broker/sluiced.
std::string DefaultSluicedPath(const std::string& compiled_in = "");

struct BrokerOptions {
  int32_t broker_id = 1;
  std::string zookeeper_connect;  // host:port[,...][/chroot]
  std::string binary;             // empty = DefaultSluicedPath()
  std::string work_dir;           // empty = fresh /tmp/sluice-broker-XXXXXX, removed on success
  int port = 0;                   // 0 = FreePort(); fixed for the object's life (restarts)
  int32_t zookeeper_session_timeout_ms = 6000;
  // Extra server.properties lines, and --override flags (both Kafka property names).
  std::map<std::string, std::string> properties;
  std::map<std::string, std::string> overrides;
  std::chrono::milliseconds ready_timeout{60000};
  // Extra readiness check run by WaitReady() after Metadata lists this broker with a controller
  // (e.g. "/brokers/ids/<id> exists from the new session"); OK = ready, else why not yet.
  std::function<Status()> ready_condition;
};

class BrokerProcess {
 public:
  explicit BrokerProcess(BrokerOptions options);
  ~BrokerProcess();
  BrokerProcess(const BrokerProcess&) = delete;
  BrokerProcess& operator=(const BrokerProcess&) = delete;

  // Starts the process (same config and log dir on every call) and, if `wait`, WaitReady().
  Status Start(bool wait = true);
  // Until the deadline: the process is alive, its port accepts, Metadata lists broker_id and a
  // controller, and options.ready_condition (if any) is OK.
  Status WaitReady(std::chrono::milliseconds timeout);
  // SIGKILL and reap. No-op if not running.
  void Kill9();
  // SIGTERM, wait up to `timeout` for exit (then SIGKILL and an error). Returns the exit code.
  Result<int> Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // Start() again after Kill9()/Terminate(): same config, same log dir.
  Status Restart();

  bool Alive();  // reaps the child if it exited
  pid_t pid() const { return pid_; }
  int port() const { return port_; }
  int32_t broker_id() const { return options_.broker_id; }
  std::string bootstrap() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::string& work_dir() const { return work_dir_; }
  std::string log_dir() const { return work_dir_ + "/logs"; }
  std::string config_path() const { return work_dir_ + "/server.properties"; }
  std::string output_path() const { return work_dir_ + "/sluiced.log"; }
  int last_exit_status() const { return last_exit_status_; }  // -1 if killed by a signal
  std::string ReadOutput() const;            // whole sluiced.log (all incarnations)
  void PrintOutputTail(int lines = 150) const;  // to stderr

 private:
  Status WriteConfig();
  void Reap(int wstatus);
  BrokerOptions options_;
  std::string binary_;
  std::string work_dir_;
  bool own_work_dir_ = false;
  int port_ = 0;
  pid_t pid_ = -1;
  int last_exit_status_ = 0;
};

}  // namespace sluice::testing
