#include "client/latency.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

TEST(LatencyRecorder, PercentilesByNearestRank) {
  LatencyRecorder l;
  for (int i = 1000; i >= 1; --i) l.Add(i * 1000);  // 1..1000 ms, unsorted input
  EXPECT_DOUBLE_EQ(l.PercentileMs(50), 500);
  EXPECT_DOUBLE_EQ(l.PercentileMs(95), 950);
  EXPECT_DOUBLE_EQ(l.PercentileMs(99), 990);
  EXPECT_DOUBLE_EQ(l.PercentileMs(99.9), 999);
  EXPECT_DOUBLE_EQ(l.PercentileMs(100), 1000);
  EXPECT_DOUBLE_EQ(l.MaxMs(), 1000);
  EXPECT_DOUBLE_EQ(l.AvgMs(), 500.5);
}

TEST(LatencyRecorder, WindowResets) {
  LatencyRecorder l;
  l.Add(2000);
  l.Add(4000);
  LatencyRecorder::Window w = l.TakeWindow();
  EXPECT_EQ(w.count, 2);
  EXPECT_DOUBLE_EQ(w.avg_ms, 3);
  EXPECT_DOUBLE_EQ(w.max_ms, 4);
  EXPECT_EQ(l.TakeWindow().count, 0);
  EXPECT_EQ(l.count(), 2);
}

TEST(LatencyRecorder, EmptyIsZero) {
  LatencyRecorder l;
  EXPECT_EQ(l.PercentileMs(99), 0);
  EXPECT_EQ(l.AvgMs(), 0);
}

}  // namespace
}  // namespace sluice::client
