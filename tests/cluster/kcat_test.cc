// The real kcat binary (Debian kcat 1.7.1 on librdkafka 2.0.2) against sluiced: -L lists the
// broker and topics; -P then -C -e round-trips keys and values.

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>

#include "tests/cluster/cluster_env.h"
#include "tests/support/test_util.h"

#ifndef KCAT_PATH
#define KCAT_PATH "kcat"
#endif

namespace sluice::testing {
namespace {

using std::chrono::seconds;

class Kcat : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = new SingleBrokerCluster(); }
  static void TearDownTestSuite() {
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override { ASSERT_TRUE(cluster_->ok()) << cluster_->status(); }
  // kcat with a hard time limit (coreutils timeout kills it if it hangs). stdout only in
  // `output`; stderr goes to a file that is appended to `output` when kcat fails.
  static CommandOutput RunKcat(const std::string& args) {
    TempDir dir("sluice-kcat-err");
    std::string err = dir.path() + "/stderr";
    Result<CommandOutput> out = RunCommand("timeout -s KILL 60 " + std::string(KCAT_PATH) +
                                           " -b " + cluster_->bootstrap() + " " + args + " 2>" +
                                           err);
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok()) return CommandOutput{};
    if (out->exit_code != 0) {
      std::ifstream in(err);
      out->output += "\n[kcat stderr]\n" + std::string(std::istreambuf_iterator<char>(in), {});
    }
    return out.value();
  }
  static SingleBrokerCluster* cluster_;
};
SingleBrokerCluster* Kcat::cluster_ = nullptr;

TEST_F(Kcat, ListShowsBrokerAndTopics) {
  CLUSTER_ASSERT_OK(CreateTopic(cluster_->bootstrap(), "kcat-listed", 3, 1, seconds(30)));
  CommandOutput out = RunKcat("-L");
  ASSERT_EQ(out.exit_code, 0) << out.output;
  EXPECT_NE(out.output.find("1 brokers:"), std::string::npos) << out.output;
  EXPECT_NE(out.output.find("broker 1 at 127.0.0.1:" + std::to_string(cluster_->broker().port())),
            std::string::npos)
      << out.output;
  EXPECT_NE(out.output.find("topic \"kcat-listed\" with 3 partitions:"), std::string::npos)
      << out.output;
  EXPECT_NE(out.output.find("partition 2, leader 1, replicas: 1, isrs: 1"), std::string::npos)
      << out.output;
}

TEST_F(Kcat, ProduceThenConsumeToEndRoundTrips) {
  const std::string topic = "kcat-roundtrip";
  CLUSTER_ASSERT_OK(CreateTopic(cluster_->bootstrap(), topic, 1, 1, seconds(30)));
  TempDir dir("sluice-kcat");
  std::string input_path = dir.path() + "/input.txt";
  std::string expected;
  {
    std::ofstream in(input_path);
    for (int i = 0; i < 50; ++i) {
      in << "key" << i << ":value number " << i << "\n";
      expected += "key" + std::to_string(i) + "=value number " + std::to_string(i) + "\n";
    }
  }
  CommandOutput produced = RunKcat("-t " + topic + " -P -K: -l " + input_path);
  ASSERT_EQ(produced.exit_code, 0) << produced.output;

  CommandOutput consumed = RunKcat("-t " + topic + " -C -o beginning -e -q -f '%k=%s\\n'");
  ASSERT_EQ(consumed.exit_code, 0) << consumed.output;
  EXPECT_EQ(consumed.output, expected);

  // Offsets and partition as kcat prints them: the 50th record sits at offset 49.
  CommandOutput last = RunKcat("-t " + topic + " -C -o -1 -e -q -f '%p/%o %k\\n'");
  ASSERT_EQ(last.exit_code, 0) << last.output;
  EXPECT_EQ(last.output, "0/49 key49\n");
}

}  // namespace
}  // namespace sluice::testing
