#include "client/zk_view.h"

#include <gtest/gtest.h>

#include "client/procs.h"

namespace sluice::client {
namespace {

TEST(CountPartitionHealth, UnderReplicatedAndOffline) {
  ZkClusterView v;
  v.brokers = {{1, "h", 1}, {2, "h", 2}};  // broker 3 is not registered
  v.partitions = {
      {"t", 0, {1, 2}, true, 1, 0, {1, 2}},  // healthy
      {"t", 1, {1, 2}, true, 2, 0, {2}},     // under-replicated
      {"t", 2, {3}, true, 3, 0, {3}},        // leader not registered: offline
      {"t", 3, {1}, true, -1, 0, {}},        // no leader: offline and under-replicated
      {"t", 4, {1}, false, -1, 0, {}},       // no state znode yet: offline
  };
  CountPartitionHealth(v);
  EXPECT_EQ(v.under_replicated, 2);
  EXPECT_EQ(v.offline, 3);
}

TEST(ParseZkMode, FromSrvrAnswer) {
  EXPECT_EQ(ParseZkMode("Zookeeper version: 3.8.0\nLatency min/avg/max: 0/0.0/0\nMode: follower\n"
                        "Node count: 5\n"),
            "follower");
  EXPECT_EQ(ParseZkMode("Mode: leader\r\n"), "leader");
  EXPECT_EQ(ParseZkMode("This ZooKeeper instance is not currently serving requests\n"), "");
}

}  // namespace
}  // namespace sluice::client
