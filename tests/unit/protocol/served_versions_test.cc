#include "protocol/served_versions.h"

#include <gtest/gtest.h>

#include "protocol/generated/messages.h"

namespace sluice::protocol {
namespace {

TEST(ServedVersions, EveryRangeLiesInsideTheSchemaRange) {
  ASSERT_FALSE(ServableApis().empty());
  for (const ServedApi& api : ServableApis()) {
    const ApiInfo* info = FindApiInfo(static_cast<int16_t>(api.key));
    ASSERT_NE(info, nullptr) << static_cast<int>(api.key);
    EXPECT_LE(api.versions.min, api.versions.max) << info->name;
    EXPECT_GE(api.versions.min, info->min_version) << info->name;
    EXPECT_LE(api.versions.max, info->max_version) << info->name;
  }
}

TEST(ServedVersions, AdvertiseRangesOfTheClientsCompatibilityTable) {
  ServedVersions all = ServedVersions::All();
  // librdkafka compresses only if Produce 0 is served; MsgVer2 needs Produce 3 and Fetch 4.
  EXPECT_TRUE(all.Serves(0, 0));
  EXPECT_TRUE(all.Serves(0, 7));
  EXPECT_FALSE(all.Serves(0, 8));
  EXPECT_TRUE(all.Serves(1, 4));
  EXPECT_FALSE(all.Serves(1, 3));
  EXPECT_TRUE(all.Serves(1, 11));
  EXPECT_TRUE(all.Serves(3, 4));
  EXPECT_TRUE(all.Serves(3, 6));
  EXPECT_FALSE(all.Serves(3, 7));
  EXPECT_TRUE(all.Serves(18, 3));
  EXPECT_TRUE(all.Serves(10, 0));  // FindCoordinator 0: librdkafka's group feature check
  EXPECT_TRUE(all.Serves(4, 4));   // LeaderAndIsr, ours
  EXPECT_FALSE(all.Serves(4, 5));
  EXPECT_FALSE(all.Serves(56, 0));  // AlterPartition: not served
  EXPECT_FALSE(all.Serves(-1, 0));
  EXPECT_FALSE(all.Serves(1000, 0));
}

TEST(ServedVersions, OnlyEnabledApisAreServedAndListed) {
  ServedVersions v;
  EXPECT_EQ(v.Find(18), nullptr);
  EXPECT_TRUE(v.Enable(ApiKey::kApiVersions));
  EXPECT_TRUE(v.Enable(ApiKey::kMetadata));
  EXPECT_FALSE(v.Enable(ApiKey::kAlterPartition));
  EXPECT_TRUE(v.Serves(18, 0));
  EXPECT_FALSE(v.Serves(0, 7));
  auto list = v.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].key, ApiKey::kMetadata);
  EXPECT_EQ(list[1].key, ApiKey::kApiVersions);
  auto api_versions = v.ToApiVersions();
  ASSERT_EQ(api_versions.size(), 2u);
  EXPECT_EQ(api_versions[1].api_key, 18);
  EXPECT_EQ(api_versions[1].min_version, 0);
  EXPECT_EQ(api_versions[1].max_version, 3);
  v.Disable(ApiKey::kMetadata);
  EXPECT_FALSE(v.Serves(3, 4));
}

}  // namespace
}  // namespace sluice::protocol
