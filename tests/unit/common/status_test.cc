#include "common/status.h"

#include <gtest/gtest.h>

#include "common/ids.h"

namespace sluice {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("not positive: " + std::to_string(v));
  return v;
}

Status UsesAssignOrReturn(int v, int* out) {
  SLUICE_ASSIGN_OR_RETURN(int parsed, ParsePositive(v));
  *out = parsed;
  return Status::Ok();
}

TEST(Status, DefaultIsOkAndErrorsCarryCodeAndMessage) {
  EXPECT_TRUE(Status().ok());
  Status s = Status::Corruption("crc mismatch");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Errc::kCorruption);
  EXPECT_EQ(s.ToString(), "CORRUPTION: crc mismatch");
}

TEST(Result, HoldsValueOrStatus) {
  Result<int> good = ParsePositive(3);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good.value(), 3);
  Result<int> bad = ParsePositive(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Errc::kInvalidArgument);
}

TEST(Result, AssignOrReturnPropagatesTheError) {
  int out = 0;
  EXPECT_TRUE(UsesAssignOrReturn(5, &out).ok());
  EXPECT_EQ(out, 5);
  Status s = UsesAssignOrReturn(0, &out);
  EXPECT_EQ(s.code(), Errc::kInvalidArgument);
  EXPECT_EQ(out, 5);
}

TEST(StrongId, ComparesAndHashesByValue) {
  EXPECT_LT(Offset(1), Offset(2));
  EXPECT_EQ(BrokerId(7), BrokerId(7));
  EXPECT_EQ(std::hash<BrokerId>()(BrokerId(7)), std::hash<int32_t>()(7));
  TopicPartition a{"orders", 1}, b{"orders", 2};
  EXPECT_LT(a, b);
  EXPECT_EQ(a.ToString(), "orders-1");
}

}  // namespace
}  // namespace sluice
