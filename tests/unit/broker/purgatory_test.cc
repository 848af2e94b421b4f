#include "broker/purgatory.h"

#include <gtest/gtest.h>

namespace sluice::broker {
namespace {

TEST(Purgatory, CompletesWhenConditionBecomesTrueOnCheck) {
  EventLoop loop;
  Purgatory p(&loop);
  int hw = 0;
  int completed = 0, expired = 0;
  TopicPartition tp{"t", 0};
  p.Watch({tp}, 10000, [&] { if (hw >= 5) { ++completed; return true; } return false; },
          [&] { ++expired; });
  p.Check(tp);
  EXPECT_EQ(completed, 0);
  hw = 5;
  p.Check(TopicPartition{"t", 1});  // other partition: not evaluated
  EXPECT_EQ(completed, 0);
  p.Check(tp);
  EXPECT_EQ(completed, 1);
  EXPECT_EQ(p.waiting(), 0u);
  p.Check(tp);
  EXPECT_EQ(completed, 1) << "a completed operation never runs again";
  EXPECT_EQ(expired, 0);
}

TEST(Purgatory, ExpiresAfterTimeoutExactlyOnce) {
  EventLoop loop;
  Purgatory p(&loop);
  int expired = 0;
  TopicPartition tp{"t", 0};
  p.Watch({tp}, 5, [] { return false; }, [&] { ++expired; loop.Stop(); });
  auto guard = loop.RunAfter(5000, [&] { loop.Stop(); });
  loop.Run();
  EXPECT_EQ(expired, 1);
  EXPECT_EQ(p.waiting(), 0u);
  p.Check(tp);
}

TEST(Purgatory, MultiKeyOperationCompletesOnceAndExpireAllFlushesTheRest) {
  EventLoop loop;
  Purgatory p(&loop);
  int done = 0, expired = 0;
  TopicPartition a{"t", 0}, b{"t", 1};
  p.Watch({a, b}, 10000, [&] { ++done; return true; }, [&] { ++expired; });
  p.Watch({b}, 10000, [] { return false; }, [&] { ++expired; });
  p.Check(a);
  p.Check(b);
  EXPECT_EQ(done, 1);
  p.ExpireAll();
  EXPECT_EQ(expired, 1);
}

}  // namespace
}  // namespace sluice::broker
