#pragma once
// ResponseQueue: per-connection ordered slots (README §1: responses leave in request order).
// A slot is reserved when a request is dispatched; it is completed, maybe much later (acks=all
// produce, long-poll fetch), with a response or with "nothing to send" (acks=0 produce). Ready
// slots at the front leave in order; a completed slot behind a pending one waits.
// Owned by one Connection; loop thread only.

#include <cstdint>
#include <deque>
#include <optional>
#include <utility>

#include <glog/logging.h>

namespace sluice::broker {

template <typename Response>
class ResponseQueue {
 public:
  using Slot = uint64_t;

  Slot Reserve() {
    slots_.emplace_back();
    return next_++;
  }
  // Completes `slot` (nullopt = no response). Completing twice or an unknown slot is a bug.
  void Complete(Slot slot, std::optional<Response> response) {
    CHECK_GE(slot, front_) << "slot already left";
    CHECK_LT(slot, next_) << "slot never reserved";
    Entry& e = slots_[slot - front_];
    CHECK(!e.done) << "slot completed twice";
    e.done = true;
    e.response = std::move(response);
  }
  // Calls fn(Response&&) for every completed slot at the front, in order, removing them.
  template <typename Fn>
  void DrainReady(Fn&& fn) {
    while (!slots_.empty() && slots_.front().done) {
      std::optional<Response> r = std::move(slots_.front().response);
      slots_.pop_front();
      ++front_;
      if (r.has_value()) fn(std::move(*r));
    }
  }
  size_t in_flight() const { return slots_.size(); }
  bool empty() const { return slots_.empty(); }

 private:
  struct Entry {
    bool done = false;
    std::optional<Response> response;
  };
  std::deque<Entry> slots_;  // slots_[i] is slot front_ + i
  Slot front_ = 0;
  Slot next_ = 0;
};

}  // namespace sluice::broker
