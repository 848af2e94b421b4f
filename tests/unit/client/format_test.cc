#include "client/format.h"

#include <gtest/gtest.h>

namespace sluice::client {
namespace {

FormattedRecord Sample() {
  FormattedRecord r;
  r.topic = "orders";
  r.partition = 2;
  r.offset = 17;
  r.timestamp_ms = 1700000000000;
  r.key = "k1";
  r.value = "hello";
  r.headers = {{"a", "1"}, {"b", "2"}};
  return r;
}

TEST(FormatRecord, AllDirectives) {
  EXPECT_EQ(FormatRecord("%k %v %p %o %t %h %T %%\\n", Sample()),
            "k1 hello 2 17 1700000000000 a=1,b=2 orders %\n");
}

TEST(FormatRecord, NullKeyPrintsNothing) {
  FormattedRecord r = Sample();
  r.key.reset();
  EXPECT_EQ(FormatRecord("[%k]\\t%v", r), "[]\thello");
}

TEST(CheckFormat, RejectsUnknownAndTrailing) {
  EXPECT_TRUE(CheckFormat("%k %v\\n").ok());
  EXPECT_FALSE(CheckFormat("%x").ok());
  EXPECT_FALSE(CheckFormat("abc%").ok());
  EXPECT_FALSE(CheckFormat("\\q").ok());
}

}  // namespace
}  // namespace sluice::client
