#pragma once
// AdminApi: the routes of the broker's HTTP listener (DESIGN.md "Observability"):
//   GET  /                     the dashboard (broker/http/dashboard.html, built in)
//   GET  /metrics              Prometheus text (BrokerMetrics)
//   GET  /api/health           JSON; 200 healthy, 503 with reasons
//   GET  /api/health/status    one word: healthy | degraded | unhealthy (same status codes)
//   GET  /api/cluster          what the dashboard draws: brokers, ZooKeeper, partitions, totals
//   GET  /api/topics           topic list with partition counts and health
//   POST /api/topics?topicName=&partitions=&replicationFactor=[&config=k=v...]
//                              or a JSON body {"topicName", "partitions", "replicationFactor",
//                              "configs": {...}}: creates through AdminClient (the CreateTopics
//                              path), answers once leaders are elected
//   GET  /api/topics/<name>    partitions with leader, replicas, ISR, HW, local log figures
//   DELETE /api/topics/<name>  deletes through AdminClient, answers once the topic is gone
// Errors are JSON {"error": KAFKA_ERROR_NAME, "error_code": n, "message": "..."} with a 4xx/5xx.
// Owned by the HTTP server's owner (Broker); loop thread only; callbacks that outlive it are
// dropped.

#include <memory>
#include <string>

#include "broker/http/cluster_json.h"
#include "broker/http/http_types.h"
#include "broker/metrics/broker_gauges.h"
#include "protocol/error_codes.h"

namespace sluice::broker {

struct BrokerContext;
class BrokerMetrics;

class AdminApi {
 public:
  // `ctx` gives config, loop, metadata and admin (ctx->admin may be null until ZooKeeper is
  // wired); `sources` the state the gauges and JSON read; `metrics` may be null.
  AdminApi(BrokerContext* ctx, const GaugeSources* sources, BrokerMetrics* metrics);
  ~AdminApi();
  AdminApi(const AdminApi&) = delete;
  AdminApi& operator=(const AdminApi&) = delete;

  void Handle(const HttpRequest& req, HttpReply reply);
  // Records the brokers currently registered (the "expected" set); the server calls it
  // periodically so a broker that dies between two requests is still expected.
  void NoteBrokers();
  const BrokerRoster& roster() const { return roster_; }

  // Longest wait for leaders after a create / for the topic to vanish after a delete.
  static constexpr int64_t kAdminWaitMs = 10000;

 private:
  void CreateTopic(const HttpRequest& req, HttpReply reply);
  void DeleteTopic(const std::string& name, HttpReply reply);

  BrokerContext* ctx_;
  const GaugeSources* sources_;
  BrokerMetrics* metrics_;
  BrokerRoster roster_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// {"error": name, "error_code": code, "message": message} with the HTTP status for `code`.
HttpResponse JsonError(protocol::ErrorCode code, const std::string& message, int status = 0);
// The HTTP status an admin error maps to (404 unknown topic, 409 exists, 400 invalid, 503, 500).
int HttpStatusFor(protocol::ErrorCode code);

}  // namespace sluice::broker
