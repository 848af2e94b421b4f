#include "client/rate_limiter.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

using std::chrono::milliseconds;
using Clock = RateLimiter::Clock;

TEST(RateLimiter, RecordNIsDueAtNOverRate) {
  Clock::time_point t0{};
  RateLimiter r(5000, t0);
  EXPECT_EQ(r.DueTime(0), t0);
  EXPECT_EQ(r.DueTime(5000), t0 + std::chrono::seconds(1));
  EXPECT_EQ(r.DueTime(25000), t0 + std::chrono::seconds(5));
  EXPECT_EQ(r.DueTime(1), t0 + std::chrono::microseconds(200));
}

TEST(RateLimiter, DelayCatchesUpAfterASlowSend) {
  Clock::time_point t0{};
  RateLimiter r(1000, t0);
  // Record 10 is due at 10 ms; at 4 ms we wait 6 ms; at 15 ms (late) we do not wait.
  EXPECT_EQ(r.Delay(10, t0 + milliseconds(4)), milliseconds(6));
  EXPECT_EQ(r.Delay(10, t0 + milliseconds(15)), Clock::duration::zero());
}

TEST(RateLimiter, UnlimitedNeverWaits) {
  Clock::time_point t0{};
  RateLimiter r(-1, t0);
  EXPECT_TRUE(r.unlimited());
  EXPECT_EQ(r.Delay(1000000, t0), Clock::duration::zero());
}

TEST(RateLimiter, ScheduleMeetsRateWithinOnePercentOverManyRecords) {
  Clock::time_point t0{};
  RateLimiter r(5000, t0);
  // Simulated sender that is always 50 us late: the schedule keeps the mean rate.
  Clock::time_point now = t0;
  for (int64_t n = 0; n < 25000; ++n) {
    now += r.Delay(n, now) + std::chrono::microseconds(50);
  }
  double seconds = std::chrono::duration<double>(now - t0).count();
  EXPECT_NEAR(25000 / seconds, 5000, 50);
}

}  // namespace
}  // namespace sluice::client
