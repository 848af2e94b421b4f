#pragma once
// Helpers for coordinator tests against a real ZooKeeper: run an async ZkSession call on the
// TestLoop and wait (with a deadline) for its result.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>

#include "coordinator/zk_session.h"
#include "tests/support/test_util.h"

namespace sluice::coordinator {

// Runs `start(done)` on the loop; returns the value passed to done, or nullopt after `deadline`.
template <typename R>
std::optional<R> Await(testing::TestLoop& loop, std::function<void(std::function<void(R)>)> start,
                       std::chrono::milliseconds deadline = std::chrono::seconds(20)) {
  struct Slot {
    std::mutex mu;
    std::condition_variable cv;
    std::optional<R> value;
  };
  auto slot = std::make_shared<Slot>();
  loop.Post([start = std::move(start), slot] {
    start([slot](R r) {
      std::lock_guard<std::mutex> lock(slot->mu);
      slot->value = std::move(r);
      slot->cv.notify_all();
    });
  });
  std::unique_lock<std::mutex> lock(slot->mu);
  slot->cv.wait_for(lock, deadline, [&] { return slot->value.has_value(); });
  return slot->value;
}

// Thread-safe flag/counter the loop sets and the test thread reads.
template <typename T>
class Shared {
 public:
  void Set(T v) {
    std::lock_guard<std::mutex> lock(mu_);
    v_ = std::move(v);
  }
  T Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return v_;
  }
  template <typename F>
  void Update(F f) {
    std::lock_guard<std::mutex> lock(mu_);
    f(v_);
  }

 private:
  mutable std::mutex mu_;
  T v_{};
};

}  // namespace sluice::coordinator
