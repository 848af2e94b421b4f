#pragma once
// Broker: the daemon. Owns the event loop and every service (listener, connections, metadata
// cache, replica manager, purgatories, log manager, ZooKeeper session, registration, controller)
// and wires them together. Run() blocks on the loop thread until SIGTERM/SIGINT or Shutdown(),
// then stops in order: stop accepting, cancel parked requests, close connections, checkpoint and
// close logs, close ZooKeeper. Construct and Run on the same thread.

#include <memory>

#include "broker/config.h"

namespace sluice::broker {

class Broker {
 public:
  explicit Broker(Config config);
  ~Broker();
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Returns the process exit code: 0 after a clean stop, 1 when startup failed.
  int Run();
  // Any thread: asks Run() to stop as on SIGTERM.
  void Shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::broker
