#pragma once
// Controlled shutdown (README §6): before stopping, ask the controller (over ControlledShutdown v3,
// or directly when this broker is the controller) to move leadership away, retrying until no
// partition is reported as still led here or the deadline passes. Loop thread only.

#include <cstdint>
#include <functional>
#include <memory>

#include "broker/event_loop.h"
#include "broker/metadata_cache.h"
#include "broker/remote_controller_channel.h"
#include "coordinator/controller.h"

namespace sluice::broker {

class ControlledShutdown {
 public:
  ControlledShutdown(int32_t self, EventLoop* loop, MetadataCache* metadata,
                     coordinator::Controller* controller, BrokerClientPool* pool)
      : self_(self), loop_(loop), metadata_(metadata), controller_(controller), pool_(pool) {}
  ~ControlledShutdown() { *alive_ = false; }

  // Runs the protocol; `done(success)` runs once, at the latest after `timeout_ms`.
  void Start(int64_t broker_epoch, int64_t timeout_ms, std::function<void(bool)> done);

 private:
  void Attempt();
  void OnResult(Status s, size_t remaining);
  void Finish(bool ok);

  int32_t self_;
  EventLoop* loop_;
  MetadataCache* metadata_;
  coordinator::Controller* controller_;
  BrokerClientPool* pool_;
  int64_t broker_epoch_ = -1;
  int64_t deadline_ = 0;
  int attempts_ = 0;
  std::function<void(bool)> done_;
  std::unique_ptr<Timer> retry_;
  std::unique_ptr<Timer> deadline_timer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sluice::broker
