#include "broker/controlled_shutdown.h"

#include <glog/logging.h>

#include "broker/controller_wire.h"
#include "common/clock.h"
#include "protocol/error_codes.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

namespace {
constexpr int64_t kRetryBackoffMs = 300;
}

void ControlledShutdown::Start(int64_t broker_epoch, int64_t timeout_ms,
                               std::function<void(bool)> done) {
  broker_epoch_ = broker_epoch;
  deadline_ = SteadyMillis() + timeout_ms;
  done_ = std::move(done);
  deadline_timer_ = loop_->RunAfter(timeout_ms, [this] {
    LOG(WARNING) << "controlled_shutdown_timed_out attempts=" << attempts_;
    Finish(false);
  });
  Attempt();
}

void ControlledShutdown::Finish(bool ok) {
  if (!done_) return;
  retry_.reset();
  deadline_timer_.reset();
  auto done = std::move(done_);
  done_ = nullptr;
  done(ok);
}

void ControlledShutdown::OnResult(Status s, size_t remaining) {
  if (!done_) return;
  if (s.ok() && remaining == 0) {
    LOG(INFO) << "controlled_shutdown_succeeded attempts=" << attempts_;
    Finish(true);
    return;
  }
  LOG(INFO) << "controlled_shutdown_retry attempt=" << attempts_
            << " remaining_partitions=" << remaining << " status=" << s;
  retry_ = loop_->RunAfter(kRetryBackoffMs, [this] { Attempt(); });
}

void ControlledShutdown::Attempt() {
  if (!done_) return;
  ++attempts_;
  std::weak_ptr<bool> alive = alive_;
  if (controller_ != nullptr && controller_->is_controller()) {
    controller_->ControlledShutdown(
        BrokerId(self_), broker_epoch_,
        [this, alive](Result<std::vector<TopicPartition>> r) {
          if (alive.expired()) return;
          OnResult(r.status(), r.ok() ? r->size() : 0);
        });
    return;
  }
  int32_t controller_id = metadata_->controller_id();
  if (controller_ != nullptr && controller_->active_controller().has_value()) {
    controller_id = controller_->active_controller()->value();
  }
  InterBrokerClient* client = controller_id >= 0 ? pool_->Get(controller_id) : nullptr;
  if (client == nullptr) {
    OnResult(Status::Unavailable("controller unknown"), 0);
    return;
  }
  protocol::ControlledShutdownRequest req;
  req.broker_id = self_;
  req.broker_epoch = broker_epoch_;
  int64_t left = std::max<int64_t>(1000, deadline_ - SteadyMillis());
  client->Send<protocol::ControlledShutdownRequest, protocol::ControlledShutdownResponse>(
      req, kControlledShutdownVersion, left,
      [this, alive](Result<protocol::ControlledShutdownResponse*> r) {
        if (alive.expired()) return;
        if (!r.ok()) return OnResult(r.status(), 0);
        if ((*r)->error_code != 0) {
          return OnResult(Status::Unavailable(protocol::ErrorName(
                              static_cast<protocol::ErrorCode>((*r)->error_code))),
                          0);
        }
        OnResult(Status::Ok(), (*r)->remaining_partitions.size());
      });
}

}  // namespace sluice::broker
