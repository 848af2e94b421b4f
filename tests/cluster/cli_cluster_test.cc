// `sluice cluster up|status|kill|start|down` against real ZooKeeper and sluiced processes.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <nlohmann/json.hpp>

#include "tests/cluster/cli_harness_test.h"

namespace sluice::testing {
namespace {

using nlohmann::json;

json ParseOrFail(const CliRun& r) {
  json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not one JSON document:\n" << r;
  return j;
}

TEST(CliCluster, UpStatusKillStartDownLeavesNoProcessBehind) {
  std::vector<pid_t> recorded;
  {
    CliCluster cluster(3, 3);
    ASSERT_EQ(cluster.up().code, 0) << cluster.up();
    // The bootstrap list is a line of its own.
    EXPECT_NE(cluster.up().out.find("\n" + cluster.bootstrap() + "\n"), std::string::npos)
        << cluster.up();
    EXPECT_EQ(std::count(cluster.bootstrap().begin(), cluster.bootstrap().end(), ','), 2);
    ASSERT_EQ(cluster.pids().size(), 6u);

    CliRun status = RunSluice({"cluster", "status", "--dir", cluster.dir(), "--json"});
    ASSERT_EQ(status.code, 0) << status;
    json s = ParseOrFail(status);
    ASSERT_TRUE(s["brokers"].is_array());
    ASSERT_EQ(s["brokers"].size(), 3u) << s.dump(2);
    for (const json& b : s["brokers"]) {
      EXPECT_TRUE(b["alive"].get<bool>()) << b.dump();
      EXPECT_TRUE(b["registered"].get<bool>()) << b.dump();
    }
    ASSERT_TRUE(s["controller"].is_number_integer()) << s.dump(2);
    EXPECT_GE(s["controller"].get<int>(), 1);
    int leaders = 0;
    for (const json& z : s["zookeepers"]) {
      EXPECT_TRUE(z["alive"].get<bool>());
      if (z["mode"] == "leader") ++leaders;
    }
    EXPECT_EQ(leaders, 1) << s.dump(2);

    // Drill: kill -9 broker 2, then restart it from its recorded config.
    CliRun kill = RunSluice({"cluster", "kill", "2", "--dir", cluster.dir()});
    ASSERT_EQ(kill.code, 0) << kill;
    s = ParseOrFail(RunSluice({"cluster", "status", "--dir", cluster.dir(), "--json"}));
    EXPECT_FALSE(s["brokers"][1]["alive"].get<bool>()) << s.dump(2);
    CliRun start = RunSluice({"cluster", "start", "2", "--dir", cluster.dir()});
    ASSERT_EQ(start.code, 0) << start;
    cluster.Track();
    s = ParseOrFail(RunSluice({"cluster", "status", "--dir", cluster.dir(), "--json"}));
    EXPECT_TRUE(s["brokers"][1]["alive"].get<bool>()) << s.dump(2);
    EXPECT_TRUE(s["brokers"][1]["registered"].get<bool>()) << s.dump(2);

    CliRun down = RunSluice({"cluster", "down", "--dir", cluster.dir()});
    EXPECT_EQ(down.code, 0) << down;
    recorded = cluster.pids();
    EXPECT_EQ(recorded.size(), 7u);  // 3 ZooKeeper + 3 brokers + the restarted broker
  }
  for (pid_t pid : recorded) EXPECT_FALSE(PidRunning(pid)) << "pid " << pid << " still running";
}

TEST(CliCluster, PortTakenIsOneLineErrorAndLeavesNothingRunning) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  std::string port = std::to_string(ntohs(addr.sin_port));
  {
    CliCluster cluster(1, 1, {"--broker-port", port});
    EXPECT_EQ(cluster.up().code, 1) << cluster.up();
    EXPECT_EQ(cluster.up().ErrLines(), 1) << cluster.up();
    EXPECT_NE(cluster.up().err.find("127.0.0.1:" + port + " is taken"), std::string::npos)
        << cluster.up();
    EXPECT_TRUE(cluster.up().out.empty());
    for (pid_t pid : cluster.pids()) EXPECT_FALSE(PidRunning(pid));
  }
  {
    CliCluster cluster(1, 1, {"--zookeeper-port", port});
    EXPECT_EQ(cluster.up().code, 1) << cluster.up();
    EXPECT_NE(cluster.up().err.find("is taken (ZooKeeper 1 client port)"), std::string::npos)
        << cluster.up();
    EXPECT_EQ(cluster.up().ErrLines(), 1) << cluster.up();
    EXPECT_TRUE(cluster.up().out.empty());
    for (pid_t pid : cluster.pids()) EXPECT_FALSE(PidRunning(pid));
  }
  close(fd);
}

TEST(CliCluster, ZooKeeperThatCannotStartIsOneLineErrorAndStopsEverything) {
  // /bin/false stands in for a java that exits at once.
  CliCluster cluster(1, 1, {"--java", "/bin/false"});
  EXPECT_EQ(cluster.up().code, 1) << cluster.up();
  std::string err = cluster.up().err;
  size_t last = err.rfind("error: ");
  ASSERT_NE(last, std::string::npos) << cluster.up();
  EXPECT_NE(err.find("ZooKeeper server 1 exited during start"), std::string::npos) << err;
  EXPECT_EQ(std::count(err.begin() + static_cast<long>(last), err.end(), '\n'), 1);
  for (pid_t pid : RecordedPids(cluster.dir())) EXPECT_FALSE(PidRunning(pid));
}

}  // namespace
}  // namespace sluice::testing
