#pragma once
// BrokerMetrics: the broker's metric registry for GET /metrics. Two kinds of metrics:
// - counters and histograms recorded by the data path as things happen (requests per API with
//   their handling latency, bytes/messages in and bytes out per topic, ZooKeeper session events);
// - everything else (under-replicated partitions, leader count, controller state, log sizes,
//   purgatory sizes, ...) computed at scrape time by collectors that read the broker's state
//   (broker/metrics/broker_gauges.h), so the owning code needs no hooks.
// Names follow what Kafka's JMX exporter produces (kafka_server_replicamanager_..., etc.).
// Owned by the Broker, reachable from handlers as BrokerContext::metrics (null in unit tests).
// Loop thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "broker/metrics/exposition.h"

namespace sluice::protocol {
struct FetchResponse;
}  // namespace sluice::protocol

namespace sluice::broker {

class BrokerMetrics {
 public:
  BrokerMetrics() = default;
  BrokerMetrics(const BrokerMetrics&) = delete;
  BrokerMetrics& operator=(const BrokerMetrics&) = delete;

  // Dispatcher: one request of `api_key` handled; `seconds` from dispatch until the handler
  // returned (Kafka's LocalTimeMs: time parked in a purgatory is not included).
  void RecordRequest(int16_t api_key, double seconds);
  // Produce handler, leader append: `bytes` of record batches holding `messages` records.
  void RecordBytesIn(const std::string& topic, int64_t bytes, int64_t messages);
  // Fetch handler: `bytes` of records sent (consumers and followers).
  void RecordBytesOut(const std::string& topic, int64_t bytes);
  // Fetch handler, the response actually sent: RecordBytesOut for each partition's records.
  void RecordFetchResponse(const protocol::FetchResponse& response);
  // ZooKeeper session events of this broker's session.
  void RecordZkDisconnect() { ++zk_disconnects_; }
  void RecordZkExpire() { ++zk_expires_; }
  void RecordZkConnect(bool new_session);

  // Scrape-time gauges: each collector writes whole families. Collectors run in order of
  // registration, after the recorded metrics.
  using Collector = std::function<void(Exposition&)>;
  void AddCollector(Collector c) { collectors_.push_back(std::move(c)); }
  // The whole exposition (text/plain; version=0.0.4).
  std::string Render() const;

  struct Totals {
    int64_t bytes_in = 0;
    int64_t bytes_out = 0;
    int64_t messages_in = 0;
    int64_t requests = 0;
  };
  Totals totals() const;
  int64_t zk_reconnects() const { return zk_reconnects_; }
  int64_t zk_disconnects() const { return zk_disconnects_; }
  int64_t zk_expires() const { return zk_expires_; }

 private:
  struct TopicCounters {
    int64_t bytes_in = 0;
    int64_t bytes_out = 0;
    int64_t messages_in = 0;
  };
  struct ApiStats {
    int64_t requests = 0;
    Histogram latency{LatencyBuckets()};
  };
  std::map<std::string, TopicCounters> topics_;
  std::map<std::string, ApiStats> apis_;  // by Kafka API name
  int64_t zk_disconnects_ = 0;
  int64_t zk_expires_ = 0;
  int64_t zk_connects_ = 0;
  int64_t zk_reconnects_ = 0;  // connected again after a disconnect (same or new session)
  int64_t zk_new_sessions_ = 0;
  std::vector<Collector> collectors_;
};

}  // namespace sluice::broker
