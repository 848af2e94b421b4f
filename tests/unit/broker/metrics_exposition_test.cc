// Prometheus exposition (broker/metrics/exposition.h), BrokerMetrics' recorded counters and the
// scrape-time gauges (broker/metrics/broker_gauges.h) over a Harness broker.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "broker/metrics/broker_gauges.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/metrics/exposition.h"
#include "handler_harness.h"
#include "protocol/api_keys.h"

namespace sluice::broker {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(Exposition, FamilyLinesAndEscapedLabels) {
  Exposition out;
  out.Family("x_total", "a \\ help\nline", MetricType::kCounter);
  out.Sample("x_total", {{"topic", "a\"b\\c\nd"}, {"partition", "0"}}, 3);
  out.Sample("x_total", {}, 0.25);
  EXPECT_EQ(out.text(),
            "# HELP x_total a \\\\ help\\nline\n"
            "# TYPE x_total counter\n"
            "x_total{topic=\"a\\\"b\\\\c\\nd\",partition=\"0\"} 3\n"
            "x_total 0.25\n");
}

TEST(Exposition, HistogramBucketsAreCumulativeWithInf) {
  Histogram h({0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // le is inclusive
  h.Observe(0.5);
  h.Observe(7);
  Exposition out;
  h.Write(out, "lat_seconds", {{"request", "Produce"}});
  EXPECT_EQ(out.text(),
            "lat_seconds_bucket{request=\"Produce\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{request=\"Produce\",le=\"1\"} 3\n"
            "lat_seconds_bucket{request=\"Produce\",le=\"+Inf\"} 4\n"
            "lat_seconds_sum{request=\"Produce\"} 7.65\n"
            "lat_seconds_count{request=\"Produce\"} 4\n");
}

TEST(BrokerMetrics, RecordedCountersPerTopicAndApi) {
  BrokerMetrics m;
  m.RecordBytesIn("orders", 1000, 10);
  m.RecordBytesIn("orders", 500, 5);
  m.RecordBytesOut("orders", 300);
  m.RecordRequest(static_cast<int16_t>(protocol::ApiKey::kProduce), 0.002);
  m.RecordZkConnect(true);
  m.RecordZkDisconnect();
  m.RecordZkConnect(false);
  m.AddCollector([](Exposition& out) {
    out.Family("extra_gauge", "from a collector", MetricType::kGauge);
    out.Sample("extra_gauge", {}, 42);
  });
  std::string text = m.Render();
  EXPECT_TRUE(Has(text, "kafka_server_brokertopicmetrics_bytesin_total{topic=\"orders\"} 1500\n"));
  EXPECT_TRUE(Has(text, "kafka_server_brokertopicmetrics_messagesin_total{topic=\"orders\"} 15\n"));
  EXPECT_TRUE(Has(text, "kafka_server_brokertopicmetrics_bytesout_total{topic=\"orders\"} 300\n"));
  EXPECT_TRUE(Has(text, "kafka_network_requestmetrics_requests_total{request=\"Produce\"} 1\n"));
  EXPECT_TRUE(Has(text, "kafka_network_requestmetrics_localtime_seconds_bucket{request=\"Produce\","
                        "le=\"0.0025\"} 1\n"));
  EXPECT_TRUE(Has(text, "kafka_server_sessionexpirelistener_zookeeperreconnects_total 1\n"));
  EXPECT_TRUE(Has(text, "extra_gauge 42\n"));
  EXPECT_EQ(m.totals().messages_in, 15);
}

TEST(BrokerGauges, UnderReplicatedLeaderCountAndClusterSummary) {
  testing::Harness h;
  h.metadata().AddOrUpdateBroker({2, "127.0.0.1", 9093, std::nullopt});
  h.AddPartition("t", 0, /*leader=*/1, /*isr=*/{1}, /*replicas=*/{1, 2});     // URP leader
  h.AddPartition("t", 1, /*leader=*/1, /*isr=*/{1, 2}, /*replicas=*/{1, 2});  // healthy leader
  h.AddPartition("t", 2, /*leader=*/2, /*isr=*/{2, 1}, /*replicas=*/{2, 1});  // follower here
  GaugeSources s;
  s.broker_id = 1;
  s.metadata = &h.metadata();
  s.replicas = &h.replicas();
  Exposition out;
  WriteBrokerGauges(s, out);
  const std::string& text = out.text();
  EXPECT_TRUE(Has(text, "kafka_server_replicamanager_underreplicatedpartitions 1\n")) << text;
  EXPECT_TRUE(Has(text, "kafka_server_replicamanager_leadercount 2\n"));
  EXPECT_TRUE(Has(text, "kafka_server_replicamanager_partitioncount 3\n"));
  EXPECT_TRUE(Has(text, "kafka_cluster_partition_underreplicated{topic=\"t\",partition=\"0\"} 1\n"));
  EXPECT_TRUE(Has(text, "kafka_log_log_logendoffset{topic=\"t\",partition=\"2\"} 0\n"));
  EXPECT_TRUE(Has(text, "kafka_controller_kafkacontroller_activecontrollercount 0\n"));
  EXPECT_TRUE(Has(text, "kafka_server_sessionexpirelistener_sessionstate{state=\"CLOSED\"} 1\n"));

  EXPECT_TRUE(Has(text, "# TYPE kafka_consumergroup_lag gauge\n"));
  EXPECT_FALSE(Has(text, "kafka_consumergroup_lag{"));  // no group coordinator wired

  s.group_lag = [] {
    return std::vector<GroupLagRow>{{"g", "t", 0, 5, 15, 10}, {"g", "t", 1, 3, -1, -1}};
  };
  Exposition with_groups;
  WriteBrokerGauges(s, with_groups);
  EXPECT_TRUE(Has(with_groups.text(),
                  "kafka_consumergroup_lag{group=\"g\",topic=\"t\",partition=\"0\"} 10\n"));
  EXPECT_FALSE(Has(with_groups.text(), "partition=\"1\"} -1"));  // unknown HW: no lag sample

  // Broker 2 leaves: its partition is offline in the cluster view.
  h.metadata().SetBrokers({{1, "127.0.0.1", 9092, std::nullopt}});
  ClusterSummary sum = Summarize(h.metadata());
  EXPECT_EQ(sum.partitions, 3);
  EXPECT_EQ(sum.offline, 1);
  EXPECT_EQ(sum.under_replicated, 1);
  EXPECT_EQ(sum.live_brokers, std::vector<int32_t>{1});
}

// The whole exposition passes promtool's linter when the Debian `prometheus` package is present.
TEST(BrokerGauges, ExpositionPassesPromtoolCheckMetrics) {
  if (std::system("command -v promtool >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "promtool not installed (Debian package prometheus)";
  }
  testing::Harness h;
  h.AddPartition("t", 0);
  BrokerMetrics m;
  m.RecordBytesIn("t", 10, 1);
  m.RecordRequest(0, 0.001);
  GaugeSources s;
  s.broker_id = 1;
  s.metadata = &h.metadata();
  s.replicas = &h.replicas();
  m.AddCollector([&s](Exposition& out) { WriteBrokerGauges(s, out); });
  char path[] = "/tmp/metrics_test_XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  std::ofstream(path) << m.Render();
  std::string cmd = std::string("promtool check metrics < ") + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[512];
  while (fgets(buf, sizeof(buf), p) != nullptr) output += buf;
  int rc = pclose(p);
  std::remove(path);
  EXPECT_EQ(rc, 0) << output;
  EXPECT_EQ(output, "") << "promtool lint findings";
}

}  // namespace
}  // namespace sluice::broker
