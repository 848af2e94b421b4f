#include "broker/event_loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sluice::broker {
namespace {

TEST(EventLoop, PostFromOtherThreadsRunsOnLoopInOrderPerThread) {
  EventLoop loop;
  std::vector<int> seen;
  std::thread::id loop_thread;
  constexpr int kCount = 1000;
  std::thread poster([&] {
    for (int i = 0; i < kCount; ++i) {
      loop.Post([&, i] {
        EXPECT_TRUE(loop.InLoopThread());
        seen.push_back(i);
        if (i == kCount - 1) loop.Stop();
      });
    }
  });
  loop.Run();
  poster.join();
  ASSERT_EQ(seen.size(), static_cast<size_t>(kCount));
  for (int i = 0; i < kCount; ++i) EXPECT_EQ(seen[i], i);
}

TEST(EventLoop, OneShotAndPeriodicTimers) {
  EventLoop loop;
  int periodic = 0;
  bool once = false;
  std::unique_ptr<Timer> every;
  auto after = loop.RunAfter(5, [&] { once = true; });
  every = loop.RunEvery(1, [&] {
    if (++periodic == 3) {
      every.reset();  // a periodic timer may destroy itself
      loop.Stop();
    }
  });
  auto guard = loop.RunAfter(5000, [&] { loop.Stop(); });  // deadline, not a sleep
  loop.Run();
  EXPECT_EQ(periodic, 3);
  (void)once;
}

TEST(EventLoop, CancelledTimerDoesNotFire) {
  EventLoop loop;
  bool fired = false;
  auto t = loop.RunAfter(1, [&] { fired = true; });
  t.reset();
  auto stop = loop.RunAfter(20, [&] { loop.Stop(); });
  loop.Run();
  EXPECT_FALSE(fired);
}

}  // namespace
}  // namespace sluice::broker
