#include "storage/leader_epoch_cache.h"

#include <gtest/gtest.h>

#include <fstream>

#include "storage/file_util.h"
#include "tests/unit/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::TempDir;
using EO = std::pair<LeaderEpoch, Offset>;

LeaderEpochCache MakeCache(const std::string& dir) {
  LeaderEpochCache c(dir);
  EXPECT_TRUE(c.Assign(LeaderEpoch(1), Offset(0)).ok());
  EXPECT_TRUE(c.Assign(LeaderEpoch(3), Offset(100)).ok());
  EXPECT_TRUE(c.Assign(LeaderEpoch(5), Offset(250)).ok());
  return c;
}

TEST(LeaderEpochCache, EndOffsetForLatestEpochIsLogEnd) {
  TempDir dir;
  LeaderEpochCache c = MakeCache(dir.path());
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(5), Offset(400)), EO(LeaderEpoch(5), Offset(400)));
}

TEST(LeaderEpochCache, EndOffsetForKnownOlderEpochIsNextEpochStart) {
  TempDir dir;
  LeaderEpochCache c = MakeCache(dir.path());
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(1), Offset(400)), EO(LeaderEpoch(1), Offset(100)));
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(3), Offset(400)), EO(LeaderEpoch(3), Offset(250)));
}

TEST(LeaderEpochCache, EndOffsetForUnknownMiddleEpochAnswersLargestEpochBelow) {
  TempDir dir;
  LeaderEpochCache c = MakeCache(dir.path());
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(2), Offset(400)), EO(LeaderEpoch(1), Offset(100)));
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(4), Offset(400)), EO(LeaderEpoch(3), Offset(250)));
}

TEST(LeaderEpochCache, EndOffsetBelowEveryEpochIsFirstStart) {
  TempDir dir;
  LeaderEpochCache c(dir.path());
  ASSERT_TRUE(c.Assign(LeaderEpoch(2), Offset(10)).ok());
  ASSERT_TRUE(c.Assign(LeaderEpoch(4), Offset(20)).ok());
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(1), Offset(30)), EO(LeaderEpoch(1), Offset(10)));
}

TEST(LeaderEpochCache, EndOffsetForUnknownEpochsIsUndefined) {
  TempDir dir;
  LeaderEpochCache c = MakeCache(dir.path());
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(6), Offset(400)), EO(LeaderEpoch(-1), Offset(-1)));
  EXPECT_EQ(c.EndOffsetFor(LeaderEpoch(-1), Offset(400)), EO(LeaderEpoch(-1), Offset(-1)));
  LeaderEpochCache empty(dir.path());
  EXPECT_EQ(empty.EndOffsetFor(LeaderEpoch(0), Offset(0)), EO(LeaderEpoch(-1), Offset(-1)));
}

TEST(LeaderEpochCache, PersistsInKafkaFormatAndReloads) {
  TempDir dir;
  LeaderEpochCache c = MakeCache(dir.path());
  Result<std::string> text = ReadWholeFile(dir.path() + "/leader-epoch-checkpoint");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text.value(), "0\n3\n1 0\n3 100\n5 250\n");
  Result<LeaderEpochCache> loaded = LeaderEpochCache::Load(dir.path());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->entries(), c.entries());
  EXPECT_EQ(loaded->latest_epoch(), LeaderEpoch(5));
}

TEST(LeaderEpochCache, LoadRejectsGarbage) {
  TempDir dir;
  ASSERT_TRUE(WriteFileAtomically(dir.path() + "/leader-epoch-checkpoint", "0\n2\n5 10\n").ok());
  EXPECT_EQ(LeaderEpochCache::Load(dir.path()).status().code(), Errc::kCorruption);
  ASSERT_TRUE(
      WriteFileAtomically(dir.path() + "/leader-epoch-checkpoint", "0\n2\n5 10\n4 20\n").ok());
  EXPECT_EQ(LeaderEpochCache::Load(dir.path()).status().code(), Errc::kCorruption);
}

TEST(LeaderEpochCache, SameEpochAgainIsNoOpAndConflictsAreDropped) {
  TempDir dir;
  LeaderEpochCache c = MakeCache(dir.path());
  ASSERT_TRUE(c.Assign(LeaderEpoch(5), Offset(300)).ok());
  EXPECT_EQ(c.entries().back(), (EpochEntry{LeaderEpoch(5), Offset(250)}));
  // A lower epoch (follower after divergence) replaces what conflicts with it.
  ASSERT_TRUE(c.Assign(LeaderEpoch(4), Offset(200)).ok());
  ASSERT_EQ(c.entries().size(), 3u);
  EXPECT_EQ(c.entries().back(), (EpochEntry{LeaderEpoch(4), Offset(200)}));
}

TEST(LeaderEpochCache, TruncateFromEndDropsEpochsStartingAtOrAfter) {
  TempDir dir;
  LeaderEpochCache c = MakeCache(dir.path());
  ASSERT_TRUE(c.TruncateFromEnd(Offset(250)).ok());
  EXPECT_EQ(c.latest_epoch(), LeaderEpoch(3));
  ASSERT_TRUE(c.TruncateFromEnd(Offset(101)).ok());
  EXPECT_EQ(c.latest_epoch(), LeaderEpoch(3));
  ASSERT_TRUE(c.TruncateFromEnd(Offset(0)).ok());
  EXPECT_TRUE(c.entries().empty());
  Result<LeaderEpochCache> loaded = LeaderEpochCache::Load(dir.path());
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(loaded->entries().empty());
}

TEST(LeaderEpochCache, TruncateFromStartMovesFloorEntryUp) {
  TempDir dir;
  LeaderEpochCache c = MakeCache(dir.path());
  ASSERT_TRUE(c.TruncateFromStart(Offset(150)).ok());
  ASSERT_EQ(c.entries().size(), 2u);
  EXPECT_EQ(c.entries()[0], (EpochEntry{LeaderEpoch(3), Offset(150)}));
  EXPECT_EQ(c.entries()[1], (EpochEntry{LeaderEpoch(5), Offset(250)}));
  ASSERT_TRUE(c.TruncateFromStart(Offset(250)).ok());
  ASSERT_EQ(c.entries().size(), 1u);
  EXPECT_EQ(c.entries()[0], (EpochEntry{LeaderEpoch(5), Offset(250)}));
}

}  // namespace
}  // namespace sluice::storage
