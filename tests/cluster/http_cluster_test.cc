// HTTP cluster tests (issue 6): 3 ZooKeeper servers + 3 sluiced brokers with `http.listener`, all
// real processes on OS-assigned ports. Broker 1 binds its HTTP port 0 and the test reads the
// bound port from its log ("http_listening address=..."); brokers 2 and 3 get a free port.
// - /metrics of every broker passes `promtool check metrics`; compose/alerts.yml passes
//   `promtool check rules`; a real Prometheus (Debian) scrapes the three brokers and answers
//   sum(kafka_server_replicamanager_underreplicatedpartitions) through its query API.
// - The REST API creates and deletes topics; bad requests get 4xx JSON errors and change nothing.
// - kill -9 of a broker: the URP metric and /api/health report it within 10 s, the dashboard in
//   headless Chromium (one page, left open) shows the broker down; after a restart everything
//   returns to healthy. Screenshots are saved next to the test binary.
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "tests/cluster/cluster_env.h"
#include "tests/cluster/http_cdp.h"

#ifndef SLUICE_SOURCE_DIR
#define SLUICE_SOURCE_DIR ""
#endif
#ifndef HTTP_TEST_ARTIFACT_DIR
#define HTTP_TEST_ARTIFACT_DIR "."
#endif

namespace sluice::testing {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
constexpr int kSessionTimeoutMs = 6000;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Sum of every sample of `name` (without labels) in a Prometheus exposition; -1 if absent.
double MetricValue(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  double sum = -1;
  while (std::getline(in, line)) {
    if (line.rfind(name + " ", 0) == 0 || line.rfind(name + "{", 0) == 0) {
      if (sum < 0) sum = 0;
      sum += std::stod(line.substr(line.rfind(' ') + 1));
    }
  }
  return sum;
}

class HttpClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    zk_ = std::make_unique<ZkEnsemble>(3);
    ASSERT_TRUE(zk_->ok()) << zk_->status();
    CLUSTER_ASSERT_OK(StartBrokers(*zk_, 3, kSessionTimeoutMs, [this](BrokerOptions& o) {
      // Broker 1: port 0, found in its log; the others a fixed free port (stable over restarts).
      const int id = o.broker_id;
      http_ports_[id] = id == 1 ? 0 : FreePort();
      o.properties["http.listener"] = "127.0.0.1:" + std::to_string(http_ports_[id]);
    }, &brokers_));
    ASSERT_TRUE(WaitFor([&] { return FindLoggedHttpPort(1); }, 10s))
        << "broker 1 never logged http_listening";
    ASSERT_NE(http_ports_[1], 0);
  }

  // The last "http_listening address=host:port" line of broker `id`'s log.
  bool FindLoggedHttpPort(int id) {
    std::string log = brokers_[id - 1]->ReadOutput();
    static const std::regex re("http_listening address=[0-9.]+:([0-9]+)");
    int port = 0;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), re); it != std::sregex_iterator();
         ++it) {
      port = std::stoi((*it)[1]);
    }
    if (port == 0) return false;
    http_ports_[id] = port;
    return true;
  }

  std::string Bootstrap() const { return BootstrapOf(brokers_); }

  Result<HttpResult> Http(int id, const std::string& method, const std::string& target,
                          const std::string& body = "") {
    return HttpCall(http_ports_[id], method, target, body);
  }

  // Sum over the live brokers of a metric scraped from /metrics.
  double SumMetric(const std::vector<int>& ids, const std::string& name) {
    double sum = 0;
    for (int id : ids) {
      auto r = Http(id, "GET", "/metrics");
      if (!r.ok() || r->status != 200) return -1;
      double v = MetricValue(r->body, name);
      if (v < 0) return -1;
      sum += v;
    }
    return sum;
  }

  json Health(int id, int* status) {
    auto r = Http(id, "GET", "/api/health");
    if (!r.ok()) {
      *status = 0;
      return json();
    }
    *status = r->status;
    return json::parse(r->body, nullptr, false);
  }

  std::unique_ptr<ZkEnsemble> zk_;
  std::vector<std::unique_ptr<BrokerProcess>> brokers_;
  std::map<int, int> http_ports_;
};

TEST_F(HttpClusterTest, MetricsPassPromtoolAndARealPrometheusScrapesThem) {
  // A topic through the REST API, then traffic so per-topic counters exist.
  auto created = Http(2, "POST", "/api/topics?topicName=metered&partitions=6&replicationFactor=3");
  ASSERT_TRUE(created.ok()) << created.status();
  ASSERT_EQ(created->status, 201) << created->body;
  std::vector<Record> records;
  for (int i = 0; i < 300; ++i) {
    Record r;
    r.partition = i % 6;
    r.value = std::string(100, 'x');
    records.push_back(r);
  }
  auto report = ProduceAll(Bootstrap(), "metered", records, {{"acks", "all"}}, 60s);
  ASSERT_TRUE(report.ok()) << report.status();
  ASSERT_EQ(report->acked_count, 300) << report->first_error;
  ASSERT_TRUE(ConsumeAll(Bootstrap(), "metered", 60s).ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        return SumMetric({1, 2, 3}, "kafka_server_replicamanager_underreplicatedpartitions") == 0;
      },
      30s))
      << "ISR never full";

  TempDir dir("sluice-http-metrics");
  for (int id = 1; id <= 3; ++id) {
    auto m = Http(id, "GET", "/metrics");
    ASSERT_TRUE(m.ok()) << m.status();
    ASSERT_EQ(m->status, 200);
    EXPECT_NE(m->headers.find("text/plain; version=0.0.4"), std::string::npos) << m->headers;
    const std::string path = dir.path() + "/metrics-" + std::to_string(id) + ".txt";
    std::ofstream(path) << m->body;
    auto check = RunCommand("promtool check metrics < " + path);
    ASSERT_TRUE(check.ok()) << check.status();
    EXPECT_EQ(check->exit_code, 0) << "broker " << id << ": " << check->output;
    EXPECT_EQ(check->output, "") << "broker " << id << " lint findings";
    EXPECT_GE(MetricValue(m->body, "kafka_server_replicamanager_partitioncount"), 6);
    EXPECT_GE(MetricValue(m->body, "kafka_log_log_logendoffset"), 300);
  }
  EXPECT_EQ(SumMetric({1, 2, 3}, "kafka_controller_kafkacontroller_activecontrollercount"), 1);
  EXPECT_GE(SumMetric({1, 2, 3}, "kafka_server_replicamanager_leadercount"), 6);
  // acks=all without idempotence: a retried batch may be appended twice, never fewer.
  const double messages_in =
      SumMetric({1, 2, 3}, "kafka_server_brokertopicmetrics_messagesin_total");
  EXPECT_GE(messages_in, 300);
  EXPECT_GE(SumMetric({1, 2, 3}, "kafka_server_brokertopicmetrics_bytesin_total"), 30000);
  EXPECT_GE(SumMetric({1, 2, 3}, "kafka_server_brokertopicmetrics_bytesout_total"), 30000);
  EXPECT_EQ(SumMetric({1, 2, 3}, "kafka_controller_kafkacontroller_offlinepartitionscount"), 0);

  // The rules file the compose Prometheus loads.
  const std::string rules = std::string(SLUICE_SOURCE_DIR) + "/compose/alerts.yml";
  auto check = RunCommand("promtool check rules " + rules);
  ASSERT_TRUE(check.ok());
  EXPECT_EQ(check->exit_code, 0) << check->output;
  EXPECT_NE(check->output.find("SUCCESS: 5 rules found"), std::string::npos) << check->output;

  // A real Prometheus scraping the three brokers, with the same rules.
  const int prom_port = FreePort();
  std::ofstream(dir.path() + "/prometheus.yml")
      << "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      << "rule_files:\n  - " << rules << "\n"
      << "scrape_configs:\n  - job_name: sluice\n    static_configs:\n      - targets: ["
      << "\"127.0.0.1:" << http_ports_[1] << "\", \"127.0.0.1:" << http_ports_[2]
      << "\", \"127.0.0.1:" << http_ports_[3] << "\"]\n";
  auto prom = ChildProcess::Start(
      {"prometheus", "--config.file=" + dir.path() + "/prometheus.yml",
       "--storage.tsdb.path=" + dir.path() + "/data",
       "--web.listen-address=127.0.0.1:" + std::to_string(prom_port)},
      dir.path() + "/prometheus.log");
  ASSERT_TRUE(prom.ok()) << prom.status();
  auto query = [&](const std::string& q) -> std::optional<std::string> {
    std::string enc;
    for (char c : q) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
        enc += c;
      } else {
        char buf[4];
        std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
        enc += buf;
      }
    }
    auto r = HttpCall(prom_port, "GET", "/api/v1/query?query=" + enc);
    if (!r.ok() || r->status != 200) return std::nullopt;
    json doc = json::parse(r->body, nullptr, false);
    if (doc.is_discarded() || doc["status"] != "success") return std::nullopt;
    const json& result = doc["data"]["result"];
    if (!result.is_array() || result.empty()) return std::nullopt;
    return result[0]["value"][1].get<std::string>();
  };
  std::optional<std::string> up;
  ASSERT_TRUE(WaitFor(
      [&] {
        up = query("count(up{job=\"sluice\"} == 1)");
        return up == "3";
      },
      60s, 200ms))
      << "Prometheus never saw 3 brokers up (last: " << up.value_or("none") << ")\n"
      << ReadFile(dir.path() + "/prometheus.log");
  EXPECT_EQ(query("sum(kafka_server_replicamanager_underreplicatedpartitions)"), "0");
  EXPECT_EQ(query("sum(kafka_controller_kafkacontroller_activecontrollercount)"), "1");
  EXPECT_EQ(query("sum(kafka_server_brokertopicmetrics_messagesin_total{topic=\"metered\"})"),
            std::to_string(static_cast<int64_t>(messages_in)));
  auto rules_api = HttpCall(prom_port, "GET", "/api/v1/rules");
  ASSERT_TRUE(rules_api.ok());
  EXPECT_NE(rules_api->body.find("SluiceUnderReplicatedPartitions"), std::string::npos);
  (*prom)->Stop();
  EXPECT_FALSE((*prom)->Alive());
}

TEST_F(HttpClusterTest, RestApiCreatesDeletesAndRejectsBadRequestsWithoutChanges) {
  auto topics = [&] {
    auto r = Http(1, "GET", "/api/topics");
    return r.ok() ? json::parse(r->body, nullptr, false)["topics"] : json();
  };
  auto r = Http(1, "POST", "/api/topics", R"({"topicName": "rest", "partitions": 4,
      "replicationFactor": 3, "configs": {"min.insync.replicas": "2"}})");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->status, 201) << r->body;
  // Every broker's view has it, with leaders and full ISRs.
  ASSERT_TRUE(WaitFor(
      [&] {
        for (int id = 1; id <= 3; ++id) {
          auto d = Http(id, "GET", "/api/topics/rest");
          if (!d.ok() || d->status != 200) return false;
          json doc = json::parse(d->body);
          if (doc["partitions"].size() != 4) return false;
          for (const auto& p : doc["partitions"]) {
            if (p["state"] != "ok" || p["isr"].size() != 3) return false;
          }
        }
        return true;
      },
      30s))
      << "topic never fully replicated";
  const json before = topics();
  ASSERT_NE(before.dump().find("\"rest\""), std::string::npos) << before.dump();
  coordinator::SyncZk zk;
  CLUSTER_ASSERT_OK(zk.Connect(zk_->connect_string(), 10s, 5s));
  auto zk_before = zk.GetChildren("/brokers/topics");
  ASSERT_EQ(zk_before.err, coordinator::ZkErrc::kOk);

  struct Bad {
    const char* method;
    std::string target;
    std::string body;
    int status;
    const char* error;
  };
  const std::vector<Bad> bad = {
      {"GET", "/api/topics/missing", "", 404, "UNKNOWN_TOPIC_OR_PARTITION"},
      {"DELETE", "/api/topics/missing", "", 404, "UNKNOWN_TOPIC_OR_PARTITION"},
      {"POST", "/api/topics?topicName=zero&partitions=0&replicationFactor=1", "", 400,
       "INVALID_PARTITIONS"},
      {"POST", "/api/topics?topicName=wide&partitions=1&replicationFactor=4", "", 400,
       "INVALID_REPLICATION_FACTOR"},
      {"POST", "/api/topics", "{\"topicName\": \"broken\", ", 400, "INVALID_REQUEST"},
      {"POST", "/api/topics?topicName=rest&partitions=1&replicationFactor=1", "", 409,
       "TOPIC_ALREADY_EXISTS"},
      {"POST", "/api/topics?topicName=cfg&partitions=1&replicationFactor=1&config=bogus.key=1",
       "", 400, "INVALID_CONFIG"},
      {"PUT", "/api/topics", "", 405, "INVALID_REQUEST"},
      {"POST", "/api/topics/rest", "", 405, "INVALID_REQUEST"},
      {"DELETE", "/api/health", "", 405, "INVALID_REQUEST"},
  };
  for (const auto& b : bad) {
    auto res = Http(3, b.method, b.target, b.body);
    ASSERT_TRUE(res.ok()) << b.method << " " << b.target << ": " << res.status();
    EXPECT_EQ(res->status, b.status) << b.method << " " << b.target << ": " << res->body;
    EXPECT_NE(res->headers.find("application/json"), std::string::npos) << res->headers;
    json doc = json::parse(res->body, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << res->body;
    EXPECT_EQ(doc["error"], b.error) << b.method << " " << b.target;
    EXPECT_FALSE(doc["message"].get<std::string>().empty());
  }
  // Nothing changed: same topics in the API, and in ZooKeeper.
  EXPECT_EQ(topics(), before);
  auto zk_after = zk.GetChildren("/brokers/topics");
  ASSERT_EQ(zk_after.err, coordinator::ZkErrc::kOk);
  EXPECT_EQ(zk_after.children, zk_before.children);

  r = Http(2, "DELETE", "/api/topics/rest");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200) << r->body;
  ASSERT_TRUE(WaitFor([&] { return topics().dump().find("\"rest\"") == std::string::npos; },
                      20s))
      << topics().dump();
}

TEST_F(HttpClusterTest, KilledBrokerShowsInUrpHealthAndTheDashboard) {
  ASSERT_EQ(Http(1, "POST", "/api/topics?topicName=watched&partitions=6&replicationFactor=3")
                ->status,
            201);
  ASSERT_TRUE(WaitFor(
      [&] {
        int status = 0;
        Health(1, &status);
        return status == 200;
      },
      30s))
      << "cluster never healthy: " << Http(1, "GET", "/api/health")->body;
  EXPECT_EQ(Http(1, "GET", "/api/health/status")->body, "healthy\n");

  // The dashboard, one page kept open in headless Chromium, served by broker 1.
  TempDir dir("sluice-http-dashboard");
  auto browser = Chromium::Open("http://127.0.0.1:" + std::to_string(http_ports_[1]) + "/",
                                dir.path());
  ASSERT_TRUE(browser.ok()) << browser.status();
  Chromium& page = **browser;
  const std::string brokers_js =
      "JSON.stringify(Array.from(document.querySelectorAll('#broker-grid .broker'))"
      ".map(e => e.dataset.brokerId + ':' + e.dataset.state))";
  std::string shown;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto v = page.Evaluate(brokers_js);
        shown = v.ok() ? v->get<std::string>() : v.status().ToString();
        return shown == R"(["1:up","2:up","3:up"])";
      },
      30s, 200ms))
      << "dashboard broker grid: " << shown;
  auto cells = page.Evaluate("document.querySelectorAll('#partition-grid .cell.ok').length");
  ASSERT_TRUE(cells.ok()) << cells.status();
  EXPECT_EQ(*cells, 6);
  const std::string artifacts = HTTP_TEST_ARTIFACT_DIR;
  CLUSTER_ASSERT_OK(page.Screenshot(artifacts + "/dashboard_all_up.png"));

  // kill -9 broker 3: within 10 s (its session times out after 6) URP and health report it.
  const auto killed_at = std::chrono::steady_clock::now();
  brokers_[2]->Kill9();
  double urp = 0;
  json health;
  int status = 0;
  ASSERT_TRUE(WaitFor(
      [&] {
        urp = SumMetric({1, 2}, "kafka_server_replicamanager_underreplicatedpartitions");
        health = Health(1, &status);
        // Settled: new leaders elected (for a moment partitions led by the dead broker show as
        // offline, "unhealthy"), broker 3 missing, its replicas out of the ISRs.
        return urp > 0 && status == 503 && health["brokers"]["missing"] == json::array({3}) &&
               health["status"] == "degraded" && health["under_replicated_partitions"] > 0;
      },
      10s, 100ms))
      << "after 10 s: urp=" << urp << " health " << status << " " << health.dump();
  const auto noticed = std::chrono::steady_clock::now() - killed_at;
  std::cerr << "kill -9 noticed after "
            << std::chrono::duration_cast<std::chrono::milliseconds>(noticed).count() << " ms\n";
  EXPECT_EQ(health["status"], "degraded") << health.dump();
  EXPECT_GT(health["under_replicated_partitions"].get<int>(), 0);
  EXPECT_EQ(Http(2, "GET", "/api/health")->status, 503);

  // The open page shows broker 3 down (it refreshes itself every 2 s).
  ASSERT_TRUE(WaitFor(
      [&] {
        auto v = page.Evaluate(brokers_js);
        shown = v.ok() ? v->get<std::string>() : v.status().ToString();
        return shown == R"(["1:up","2:up","3:down"])";
      },
      10s, 200ms))
      << "dashboard broker grid: " << shown;
  auto urp_shown = page.Evaluate("document.getElementById('urp').textContent");
  ASSERT_TRUE(urp_shown.ok());
  EXPECT_NE(*urp_shown, "0");
  auto reasons = page.Evaluate("document.getElementById('reasons').textContent");
  ASSERT_TRUE(reasons.ok());
  EXPECT_NE(reasons->get<std::string>().find("brokers not registered: [3]"), std::string::npos)
      << *reasons;
  CLUSTER_ASSERT_OK(page.Screenshot(artifacts + "/dashboard_broker_down.png"));

  // Restart: the broker rejoins the ISRs and everything is healthy again.
  CLUSTER_ASSERT_OK(brokers_[2]->Restart());
  ASSERT_TRUE(WaitFor(
      [&] {
        health = Health(1, &status);
        return status == 200 &&
               SumMetric({1, 2, 3}, "kafka_server_replicamanager_underreplicatedpartitions") == 0;
      },
      60s, 200ms))
      << "never healthy again: " << health.dump();
  ASSERT_TRUE(WaitFor(
      [&] {
        auto v = page.Evaluate(brokers_js);
        shown = v.ok() ? v->get<std::string>() : v.status().ToString();
        return shown == R"(["1:up","2:up","3:up"])";
      },
      10s, 200ms))
      << "dashboard broker grid: " << shown;
}

}  // namespace
}  // namespace sluice::testing
