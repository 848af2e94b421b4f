// A broker started while ZooKeeper is unreachable stays up, says so in its log, keeps retrying,
// and registers and serves as soon as ZooKeeper appears on the configured port.

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <sstream>
#include <string>

#include "tests/cluster/cluster_env.h"
#include "tests/cluster/standalone_zookeeper.h"
#include "tests/support/test_util.h"

namespace sluice::testing {
namespace {

using std::chrono::seconds;

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Lines of the broker's own log (glog format "Lmmdd hh:mm:ss.uuuuuu pid file:line] msg") that
// say ZooKeeper cannot be reached. Lines printed by the ZooKeeper C library itself do not count.
int UnreachableLines(const std::string& output) {
  std::istringstream in(output);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    if (line.size() < 2 || (line[0] != 'I' && line[0] != 'W' && line[0] != 'E')) continue;
    if (line.find("] ") == std::string::npos) continue;
    std::string l = Lower(line);
    if (l.find("zookeeper") == std::string::npos && l.find("zk_") == std::string::npos) continue;
    if (l.find("unreachable") != std::string::npos || l.find("not reachable") != std::string::npos ||
        l.find("cannot connect") != std::string::npos ||
        l.find("connection_loss") != std::string::npos ||
        l.find("connection loss") != std::string::npos ||
        l.find("not connected") != std::string::npos || l.find("retry") != std::string::npos ||
        l.find("waiting") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

TEST(ZooKeeperDown, BrokerWaitsLogsAndRegistersWhenZooKeeperArrives) {
  const int zk_port = FreePort();
  ASSERT_GT(zk_port, 0);
  BrokerOptions options;
  options.binary = SluicedBinary();
  options.zookeeper_connect = "127.0.0.1:" + std::to_string(zk_port);
  RegistrationCheck::Install(&options);
  BrokerProcess broker(options);
  ASSERT_TRUE(broker.Start(/*wait=*/false).ok());

  ASSERT_TRUE(WaitFor([&] { return UnreachableLines(broker.ReadOutput()) >= 1; }, seconds(30)))
      << "no log line saying ZooKeeper is unreachable";
  // Still retrying, not exiting: more such lines come, and the process lives on.
  EXPECT_TRUE(WaitFor([&] { return UnreachableLines(broker.ReadOutput()) >= 2 || !broker.Alive(); },
                      seconds(30)))
      << "only one unreachable line: is the broker still retrying?";
  ASSERT_TRUE(broker.Alive()) << "sluiced exited (status " << broker.last_exit_status()
                              << ") while ZooKeeper was down";

  StandaloneZooKeeper zk(zk_port);
  Status started = zk.Start();
  ASSERT_TRUE(started.ok()) << started;
  Status ready = broker.WaitReady(seconds(60));
  ASSERT_TRUE(ready.ok()) << ready;

  CLUSTER_ASSERT_OK(CreateTopic(broker.bootstrap(), "after-zk", 1, 1, seconds(30)));
  std::vector<Record> records;
  for (int i = 0; i < 20; ++i) {
    Record r;
    r.key = "k" + std::to_string(i);
    r.value = "v" + std::to_string(i);
    records.push_back(r);
  }
  Result<ProduceReport> report =
      ProduceAll(broker.bootstrap(), "after-zk", records, {{"acks", "all"}}, seconds(30));
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_EQ(report->failed, 0) << report->first_error;
  Result<std::map<int32_t, std::vector<Record>>> consumed =
      ConsumeAll(broker.bootstrap(), "after-zk", seconds(30));
  ASSERT_TRUE(consumed.ok()) << consumed.status();
  EXPECT_EQ(consumed.value()[0].size(), records.size());

  Result<int> code = broker.Terminate(seconds(15));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(code.value(), 0) << "SIGTERM must be a clean stop";
}

}  // namespace
}  // namespace sluice::testing
