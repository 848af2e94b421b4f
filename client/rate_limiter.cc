#include "client/rate_limiter.h"

namespace sluice::client {

RateLimiter::Clock::time_point RateLimiter::DueTime(int64_t n) const {
  if (unlimited()) return start_;
  auto offset = std::chrono::duration<double>(static_cast<double>(n) / rate_);
  return start_ + std::chrono::duration_cast<Clock::duration>(offset);
}

RateLimiter::Clock::duration RateLimiter::Delay(int64_t n, Clock::time_point now) const {
  Clock::time_point due = DueTime(n);
  return due > now ? due - now : Clock::duration::zero();
}

}  // namespace sluice::client
