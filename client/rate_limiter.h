#pragma once
// Paces a sender at a fixed rate by schedule, not by sleeping a fixed gap after each send: the
// n-th record is due at start + n / rate, so time lost to a slow send is caught up and the mean
// rate over any long window is exact (kafka-producer-perf-test's ThroughputThrottler idea).
// Pure arithmetic on time points; the caller sleeps. Thread: one.

#include <chrono>
#include <cstdint>

namespace sluice::client {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // per_second <= 0: unlimited.
  RateLimiter(double per_second, Clock::time_point start) : rate_(per_second), start_(start) {}

  bool unlimited() const { return rate_ <= 0; }
  // When the record with zero-based index `n` may be sent.
  Clock::time_point DueTime(int64_t n) const;
  // How long to wait at `now` before sending record `n` (zero if due or unlimited).
  Clock::duration Delay(int64_t n, Clock::time_point now) const;

 private:
  double rate_;
  Clock::time_point start_;
};

}  // namespace sluice::client
