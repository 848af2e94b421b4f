// Pure replication decisions: epoch truncation arithmetic (README §6), ISR shrink/expand.
#include <gtest/gtest.h>

#include "broker/isr_manager.h"
#include "broker/replica_fetcher.h"

namespace sluice::broker {
namespace {

TEST(DecideTruncation, SameEpochTruncatesToSmallestEnd) {
  auto s = DecideTruncation(/*leader_epoch=*/5, /*leader_end=*/90, /*own_epoch=*/5,
                            /*own_end=*/100, /*own_latest=*/5, /*own_leo=*/100);
  ASSERT_TRUE(s.truncate_to.has_value());
  EXPECT_EQ(*s.truncate_to, 90);
  EXPECT_TRUE(s.done);
}

TEST(DecideTruncation, MissingEpochCutsBackAndAsksAgain) {
  // Leader answers epoch 4 (its largest <= our 6); we only have 3 then 6.
  auto s = DecideTruncation(4, 80, /*own_epoch=*/3, /*own_end=*/70, /*own_latest=*/6, 120);
  ASSERT_TRUE(s.truncate_to.has_value());
  EXPECT_EQ(*s.truncate_to, 70);
  EXPECT_FALSE(s.done);
}

TEST(DecideTruncation, LeaderWithoutEpochsKeepsLog) {
  auto s = DecideTruncation(-1, -1, 5, 100, 5, 100);
  EXPECT_FALSE(s.truncate_to.has_value());
  EXPECT_TRUE(s.done);
}

TEST(DecideTruncation, NoOwnEpochsKeepsAtMostLeaderEnd) {
  auto s = DecideTruncation(2, 50, -1, -1, -1, 70);
  ASSERT_TRUE(s.truncate_to.has_value());
  EXPECT_EQ(*s.truncate_to, 50);
}

IsrInputs Base() {
  IsrInputs in;
  in.self = 1;
  in.isr = {1, 2, 3};
  in.replicas = {1, 2, 3};
  in.leader_leo = 100;
  in.high_watermark = 100;
  in.leader_since_ms = 0;
  in.now_ms = 100000;
  in.lag_time_max_ms = 3000;
  in.followers[2] = {100, 99000, 99000, 100};
  in.followers[3] = {100, 99000, 99000, 100};
  in.alive = {1, 2, 3};
  return in;
}

TEST(DecideIsr, CaughtUpFollowersStay) { EXPECT_FALSE(DecideIsr(Base()).has_value()); }

TEST(DecideIsr, LaggingFollowerIsRemoved) {
  IsrInputs in = Base();
  in.followers[3] = {60, 90000, 90000, 60};
  auto isr = DecideIsr(in);
  ASSERT_TRUE(isr.has_value());
  EXPECT_EQ(*isr, (std::vector<int32_t>{1, 2}));
}

TEST(DecideIsr, BehindButRecentlyCaughtUpStays) {
  IsrInputs in = Base();
  in.followers[3] = {60, 98000, 98000, 60};  // 2 s < 3 s lag
  EXPECT_FALSE(DecideIsr(in).has_value());
}

TEST(DecideIsr, NewLeaderGivesUnknownFollowersTheLagTime) {
  IsrInputs in = Base();
  in.followers.clear();
  in.leader_since_ms = 99000;
  EXPECT_FALSE(DecideIsr(in).has_value());
  in.leader_since_ms = 90000;
  auto isr = DecideIsr(in);
  ASSERT_TRUE(isr.has_value());
  EXPECT_EQ(*isr, (std::vector<int32_t>{1}));
}

TEST(DecideIsr, CaughtUpLiveFollowerRejoins) {
  IsrInputs in = Base();
  in.isr = {1, 2};
  auto isr = DecideIsr(in);
  ASSERT_TRUE(isr.has_value());
  EXPECT_EQ(*isr, (std::vector<int32_t>{1, 2, 3}));
  in.alive = {1, 2};  // dead brokers never rejoin
  EXPECT_FALSE(DecideIsr(in).has_value());
  in.alive = {1, 2, 3};
  in.followers[3].log_end = 99;  // below HW
  EXPECT_FALSE(DecideIsr(in).has_value());
}

TEST(DecideIsr, GoneFollowerLeavesAsSoonAsItLacksDataAndNeverRejoinsWhileGone) {
  IsrInputs in = Base();
  in.gone = {3};
  // Nothing new since it left: it still has everything, so acks=all does not wait on it.
  EXPECT_FALSE(DecideIsr(in).has_value());
  // New data it lacks: removed at once, although it caught up 1 s ago (lag is 3 s).
  in.leader_leo = 110;
  in.followers[3] = {100, 99000, 99000, 100};
  auto isr = DecideIsr(in);
  ASSERT_TRUE(isr.has_value());
  EXPECT_EQ(*isr, (std::vector<int32_t>{1, 2}));
  // Out of the ISR and still gone: not added back even though its LEO reaches the HW.
  in.isr = {1, 2};
  in.high_watermark = 100;
  EXPECT_FALSE(DecideIsr(in).has_value());
  in.gone.clear();  // it fetched again
  isr = DecideIsr(in);
  ASSERT_TRUE(isr.has_value());
  EXPECT_EQ(*isr, (std::vector<int32_t>{1, 2, 3}));
}

TEST(DecideIsr, GoneFollowersNeverTakeTheIsrBelowMinInsync) {
  IsrInputs in = Base();
  in.min_insync = 2;
  in.gone = {2, 3};  // both followers' connections reset at once
  in.leader_leo = 110;
  auto isr = DecideIsr(in);
  ASSERT_TRUE(isr.has_value());
  EXPECT_EQ(*isr, (std::vector<int32_t>{1, 3}));  // one leaves, the ISR keeps min.insync members
  in.isr = {1, 3};
  EXPECT_FALSE(DecideIsr(in).has_value());
  // The lag rule still applies in full: a follower that stopped fetching long ago leaves anyway.
  in.followers[3].last_caught_up_ms = 90000;
  isr = DecideIsr(in);
  ASSERT_TRUE(isr.has_value());
  EXPECT_EQ(*isr, (std::vector<int32_t>{1}));
}

TEST(DecideIsr, BelowEpochStartDoesNotRejoin) {
  IsrInputs in = Base();
  in.isr = {1, 2};
  in.high_watermark = 50;
  in.epoch_start_offset = 100;
  in.followers[3].log_end = 80;
  EXPECT_FALSE(DecideIsr(in).has_value());
}

}  // namespace
}  // namespace sluice::broker
