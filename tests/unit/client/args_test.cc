#include "client/args.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

const std::vector<OptionSpec> kSpecs = {
    {"partitions", "N", ""}, {"json", "", ""}, {"config", "K=V", "", true}, {"help", "", ""},
    {"throughput", "N", ""}};

TEST(ParseOptions, ValuesFlagsAndPositionals) {
  auto r = ParseOptions({"orders", "--partitions", "3", "--json", "--config=a=b", "--config",
                         "c=d"},
                        kSpecs);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->positionals(), std::vector<std::string>{"orders"});
  EXPECT_EQ(r->Get("partitions"), "3");
  EXPECT_TRUE(r->Has("json"));
  EXPECT_EQ(r->GetAll("config"), (std::vector<std::string>{"a=b", "c=d"}));
  EXPECT_EQ(*r->GetInt("partitions", 0), 3);
  EXPECT_EQ(*r->GetInt("missing", 7), 7);
}

TEST(ParseOptions, ValueMayStartWithDash) {
  auto r = ParseOptions({"--throughput", "-1"}, kSpecs);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->GetInt("throughput", 0), -1);
}

TEST(ParseOptions, DashHIsHelpAndDoubleDashEndsOptions) {
  auto r = ParseOptions({"-h", "--", "--json"}, kSpecs);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Has("help"));
  EXPECT_FALSE(r->Has("json"));
  EXPECT_EQ(r->positionals(), std::vector<std::string>{"--json"});
}

TEST(ParseOptions, RejectsUnknownMissingValueFlagValueAndRepeats) {
  EXPECT_FALSE(ParseOptions({"--nope"}, kSpecs).ok());
  EXPECT_FALSE(ParseOptions({"-x"}, kSpecs).ok());
  auto missing = ParseOptions({"--partitions"}, kSpecs);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("needs a value"), std::string::npos);
  EXPECT_FALSE(ParseOptions({"--json=yes"}, kSpecs).ok());
  EXPECT_FALSE(ParseOptions({"--partitions", "1", "--partitions", "2"}, kSpecs).ok());
}

TEST(ParseInt, WholeStringOnly) {
  EXPECT_EQ(*ParseInt("42", "x"), 42);
  EXPECT_EQ(*ParseInt("-5", "x"), -5);
  EXPECT_FALSE(ParseInt("4x", "x").ok());
  EXPECT_FALSE(ParseInt("", "x").ok());
  EXPECT_FALSE(ParseInt("99999999999999999999", "x").ok());
  EXPECT_EQ(ParseInt("abc", "--partitions").status().code(), Errc::kInvalidArgument);
}

TEST(ParseKeyValue, SplitsAtFirstEquals) {
  auto kv = ParseKeyValue("a=b=c", "--config");
  ASSERT_TRUE(kv.ok());
  EXPECT_EQ(kv->first, "a");
  EXPECT_EQ(kv->second, "b=c");
  EXPECT_FALSE(ParseKeyValue("novalue", "--config").ok());
  EXPECT_FALSE(ParseKeyValue("=v", "--config").ok());
}

}  // namespace
}  // namespace sluice::client
