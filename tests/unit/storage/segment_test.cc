#include "storage/segment.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "storage/index.h"
#include "tests/unit/storage/test_util.h"

namespace sluice::storage {
namespace {

using testing::MakeBatch;
using testing::TempDir;

struct Placed {
  int64_t base;
  int64_t last;
  int64_t position;
  int64_t size;
};

// Appends batches of varying record counts and sizes at base offset 1000 (with a gap), returning
// where each landed by construction (the linear truth).
std::vector<Placed> Fill(Segment* seg, int n) {
  std::vector<Placed> placed;
  int64_t next = 1000;
  int64_t pos = 0;
  for (int i = 0; i < n; ++i) {
    int records = 1 + (i * 7) % 9;
    std::string b = MakeBatch(records, 10 + (i * 13) % 200, 5000 + i, next);
    if (i == n / 2) next += 17;  // a gap, as compaction leaves
    StoreBe64(reinterpret_cast<uint8_t*>(b.data()), next);
    EXPECT_TRUE(seg->Append(reinterpret_cast<const uint8_t*>(b.data()), b.size(), 0).ok());
    placed.push_back({next, next + records - 1, pos, static_cast<int64_t>(b.size())});
    next += records;
    pos += static_cast<int64_t>(b.size());
  }
  return placed;
}

TEST(Segment, FileNamesAreTwentyDigitBaseOffsets) {
  EXPECT_EQ(Segment::FileName("/d", 42, ".log"), "/d/00000000000000000042.log");
  EXPECT_EQ(Segment::FileName("/d", 0, ".timeindex"), "/d/00000000000000000000.timeindex");
}

TEST(Segment, IndexLookupMatchesLinearScan) {
  TempDir dir;
  LogConfig config;
  config.index_interval_bytes = 300;
  auto seg = Segment::Create(dir.path(), 1000, config);
  ASSERT_TRUE(seg.ok());
  std::vector<Placed> placed = Fill(seg->get(), 400);
  auto check = [&](Segment* s) {
    for (int64_t o = 990; o <= placed.back().last + 2; ++o) {
      Result<BatchPosition> got = s->FindPosition(o);
      ASSERT_TRUE(got.ok());
      const Placed* want = nullptr;
      for (const Placed& p : placed) {
        if (p.last >= o) {
          want = &p;
          break;
        }
      }
      if (want == nullptr) {
        EXPECT_EQ(got->position, s->size()) << o;
        EXPECT_EQ(got->size, 0) << o;
      } else {
        EXPECT_EQ(got->position, want->position) << o;
        EXPECT_EQ(got->base_offset, want->base) << o;
        EXPECT_EQ(got->size, want->size) << o;
      }
    }
  };
  check(seg->get());
  EXPECT_EQ((*seg)->next_offset(), placed.back().last + 1);
  ASSERT_TRUE((*seg)->Flush().ok());
  // Reloaded from its index files (clean) and rebuilt by a recovery scan: same answers.
  for (auto mode : {Segment::OpenMode::kClean, Segment::OpenMode::kRecover}) {
    int64_t cut = -1;
    auto reopened = Segment::Open(dir.path(), 1000, config, mode, &cut);
    ASSERT_TRUE(reopened.ok()) << reopened.status();
    EXPECT_EQ(cut, 0);
    EXPECT_EQ((*reopened)->next_offset(), placed.back().last + 1);
    EXPECT_EQ((*reopened)->max_timestamp(), 5000 + 399);
    check(reopened->get());
  }
}

TEST(Segment, IndexIsSparse) {
  TempDir dir;
  LogConfig config;
  config.index_interval_bytes = 4096;
  auto seg = Segment::Create(dir.path(), 0, config);
  ASSERT_TRUE(seg.ok());
  std::vector<Placed> placed = Fill(seg->get(), 400);
  ASSERT_TRUE((*seg)->Flush().ok());
  Result<std::string> index = ReadWholeFile(Segment::FileName(dir.path(), 0, ".index"));
  ASSERT_TRUE(index.ok());
  int64_t entries = static_cast<int64_t>(index->size() / 8);
  EXPECT_GT(entries, 0);
  EXPECT_LE(entries, (*seg)->size() / 4096 + 1);
}

TEST(Segment, RollsWhenIndexIsFull) {
  TempDir dir;
  LogConfig config;
  config.index_interval_bytes = 1;
  config.segment_index_bytes = 48;  // 6 offset entries, 4 time entries
  auto seg = Segment::Create(dir.path(), 0, config);
  ASSERT_TRUE(seg.ok());
  Fill(seg->get(), 4);  // the first batch is not indexed: 3 entries
  EXPECT_FALSE((*seg)->ShouldRoll(0, 100, 2000, 0));
  auto other = Segment::Create(dir.path(), 10, config);
  ASSERT_TRUE(other.ok());
  Fill(other->get(), 6);  // 5 entries: the time index (4) is full
  EXPECT_TRUE((*other)->ShouldRoll(0, 100, 2000, 0));
}

TEST(SparseIndex, TimeIndexLookupBeforeIsStrict) {
  TempDir dir;
  TimeIndex ti(dir.path() + "/x.timeindex", 100, 1 << 20);
  ti.Append({10, 100});
  ti.Append({20, 150});
  ti.Append({30, 170});
  EXPECT_EQ(ti.LookupBefore(10), nullptr);
  EXPECT_EQ(ti.LookupBefore(11)->offset, 100);
  EXPECT_EQ(ti.LookupBefore(20)->offset, 100);
  EXPECT_EQ(ti.LookupBefore(31)->offset, 170);
  ASSERT_TRUE(ti.Persist(true).ok());
  TimeIndex loaded(dir.path() + "/x.timeindex", 100, 1 << 20);
  ASSERT_TRUE(loaded.Load(1000).ok());
  EXPECT_EQ(loaded.size(), 3u);
  EXPECT_EQ(loaded.back().timestamp, 30);
  EXPECT_EQ(loaded.back().offset, 170);
  // Truncation rewrites the file shorter.
  loaded.TruncateFromOffset(150);
  ASSERT_TRUE(loaded.Persist(false).ok());
  EXPECT_EQ(ReadWholeFile(dir.path() + "/x.timeindex")->size(), 12u);
}

}  // namespace
}  // namespace sluice::storage
