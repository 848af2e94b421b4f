#include "broker/response_queue.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::broker {
namespace {

TEST(ResponseQueue, LaterCompletionWaitsForEarlierParkedSlot) {
  ResponseQueue<std::string> q;
  auto a = q.Reserve();  // e.g. acks=all produce, parked
  auto b = q.Reserve();  // metadata, answered at once
  std::vector<std::string> out;
  q.Complete(b, std::string("b"));
  q.DrainReady([&](std::string&& s) { out.push_back(s); });
  EXPECT_TRUE(out.empty()) << "b must not overtake the parked a";
  q.Complete(a, std::string("a"));
  q.DrainReady([&](std::string&& s) { out.push_back(s); });
  EXPECT_EQ(out, (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(q.empty());
}

TEST(ResponseQueue, NoResponseSlotsAreSkippedButKeepOrder) {
  ResponseQueue<std::string> q;
  auto a = q.Reserve();
  auto b = q.Reserve();  // acks=0 produce: nothing to send
  auto c = q.Reserve();
  q.Complete(c, std::string("c"));
  q.Complete(b, std::nullopt);
  std::vector<std::string> out;
  q.DrainReady([&](std::string&& s) { out.push_back(s); });
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(q.in_flight(), 3u);
  q.Complete(a, std::string("a"));
  q.DrainReady([&](std::string&& s) { out.push_back(s); });
  EXPECT_EQ(out, (std::vector<std::string>{"a", "c"}));
}

TEST(ResponseQueue, ManyInterleavedCompletionsLeaveInReserveOrder) {
  ResponseQueue<int> q;
  std::vector<ResponseQueue<int>::Slot> slots;
  for (int i = 0; i < 100; ++i) slots.push_back(q.Reserve());
  std::vector<int> out;
  for (int i = 99; i >= 0; i -= 2) q.Complete(slots[i], i);
  q.DrainReady([&](int&& v) { out.push_back(v); });
  EXPECT_TRUE(out.empty());
  for (int i = 0; i < 100; i += 2) {
    q.Complete(slots[i], i);
    q.DrainReady([&](int&& v) { out.push_back(v); });
  }
  ASSERT_EQ(out.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(out[i], i);
}

TEST(ResponseQueueDeathTest, DoubleCompletionIsABug) {
  ResponseQueue<int> q;
  auto a = q.Reserve();
  q.Reserve();
  q.Complete(a, 1);
  EXPECT_DEATH(q.Complete(a, 2), "completed twice");
}

}  // namespace
}  // namespace sluice::broker
