#pragma once
// WaitUntil: polls `cond` on the loop every `interval_ms` until it holds (done(true)) or
// `timeout_ms` passed (done(false)). For admin requests that answer once the controller's
// UpdateMetadata reached this broker (CreateTopics/DeleteTopics, as Kafka does). Loop thread only.

#include <cstdint>
#include <functional>
#include <memory>

#include "broker/event_loop.h"
#include "common/clock.h"

namespace sluice::broker {

inline void WaitUntil(EventLoop* loop, std::function<bool()> cond, int64_t timeout_ms,
                      std::function<void(bool)> done, int64_t interval_ms = 10) {
  if (cond()) {
    done(true);
    return;
  }
  if (timeout_ms <= 0) {
    done(false);
    return;
  }
  struct State {
    std::function<bool()> cond;
    std::function<void(bool)> done;
    int64_t deadline;
    std::unique_ptr<Timer> timer;
  };
  auto st = std::make_shared<State>();
  st->cond = std::move(cond);
  st->done = std::move(done);
  st->deadline = SteadyMillis() + timeout_ms;
  st->timer = loop->RunEvery(interval_ms, [st] {
    bool ok = st->cond();
    if (!ok && SteadyMillis() < st->deadline) return;
    auto keep = st;          // the timer (and its closure holding st) dies below
    auto fn = std::move(keep->done);
    keep->timer.reset();
    fn(ok);
  });
}

}  // namespace sluice::broker
