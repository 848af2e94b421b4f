#include "broker/metrics/broker_metrics.h"

#include "protocol/api_keys.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

void BrokerMetrics::RecordRequest(int16_t api_key, double seconds) {
  const char* name = protocol::ApiKeyName(api_key);
  ApiStats& s = apis_[name != nullptr ? std::string(name) : "ApiKey" + std::to_string(api_key)];
  ++s.requests;
  s.latency.Observe(seconds);
}

void BrokerMetrics::RecordBytesIn(const std::string& topic, int64_t bytes, int64_t messages) {
  TopicCounters& t = topics_[topic];
  t.bytes_in += bytes;
  t.messages_in += messages;
}

void BrokerMetrics::RecordBytesOut(const std::string& topic, int64_t bytes) {
  topics_[topic].bytes_out += bytes;
}

void BrokerMetrics::RecordFetchResponse(const protocol::FetchResponse& response) {
  for (const auto& topic : response.responses) {
    int64_t bytes = 0;
    for (const auto& part : topic.partitions) bytes += static_cast<int64_t>(part.records.size());
    if (bytes > 0) RecordBytesOut(topic.topic, bytes);
  }
}

void BrokerMetrics::RecordZkConnect(bool new_session) {
  if (zk_connects_ > 0) ++zk_reconnects_;
  ++zk_connects_;
  if (new_session) ++zk_new_sessions_;
}

BrokerMetrics::Totals BrokerMetrics::totals() const {
  Totals t;
  for (const auto& [name, c] : topics_) {
    t.bytes_in += c.bytes_in;
    t.bytes_out += c.bytes_out;
    t.messages_in += c.messages_in;
  }
  for (const auto& [name, a] : apis_) t.requests += a.requests;
  return t;
}

std::string BrokerMetrics::Render() const {
  Exposition out;
  const Totals all = totals();

  // Per topic, plus Kafka's topic-less aggregate under its own family name.
  out.Family("kafka_server_brokertopicmetrics_bytesin_total",
             "Bytes appended by producers to partitions led by this broker, per topic",
             MetricType::kCounter);
  for (const auto& [topic, c] : topics_) {
    out.Sample("kafka_server_brokertopicmetrics_bytesin_total", {{"topic", topic}}, c.bytes_in);
  }
  out.Family("kafka_server_brokertopicmetrics_bytesout_total",
             "Bytes of records sent by Fetch (consumers and followers), per topic",
             MetricType::kCounter);
  for (const auto& [topic, c] : topics_) {
    out.Sample("kafka_server_brokertopicmetrics_bytesout_total", {{"topic", topic}}, c.bytes_out);
  }
  out.Family("kafka_server_brokertopicmetrics_messagesin_total",
             "Records appended by producers to partitions led by this broker, per topic",
             MetricType::kCounter);
  for (const auto& [topic, c] : topics_) {
    out.Sample("kafka_server_brokertopicmetrics_messagesin_total", {{"topic", topic}},
               c.messages_in);
  }
  out.Family("kafka_server_brokertopicmetrics_allbytesin_total",
             "Bytes appended by producers, all topics", MetricType::kCounter);
  out.Sample("kafka_server_brokertopicmetrics_allbytesin_total", {}, all.bytes_in);
  out.Family("kafka_server_brokertopicmetrics_allbytesout_total",
             "Bytes of records sent by Fetch, all topics", MetricType::kCounter);
  out.Sample("kafka_server_brokertopicmetrics_allbytesout_total", {}, all.bytes_out);
  out.Family("kafka_server_brokertopicmetrics_allmessagesin_total",
             "Records appended by producers, all topics", MetricType::kCounter);
  out.Sample("kafka_server_brokertopicmetrics_allmessagesin_total", {}, all.messages_in);

  out.Family("kafka_network_requestmetrics_requests_total", "Requests handled, per Kafka API",
             MetricType::kCounter);
  for (const auto& [api, s] : apis_) {
    out.Sample("kafka_network_requestmetrics_requests_total", {{"request", api}}, s.requests);
  }
  out.Family("kafka_network_requestmetrics_localtime_seconds",
             "Time from dispatch until the handler returned, per Kafka API (excludes time "
             "parked in a purgatory)",
             MetricType::kHistogram);
  for (const auto& [api, s] : apis_) {
    s.latency.Write(out, "kafka_network_requestmetrics_localtime_seconds", {{"request", api}});
  }

  out.Family("kafka_server_sessionexpirelistener_zookeeperdisconnects_total",
             "ZooKeeper session disconnects", MetricType::kCounter);
  out.Sample("kafka_server_sessionexpirelistener_zookeeperdisconnects_total", {},
             zk_disconnects_);
  out.Family("kafka_server_sessionexpirelistener_zookeeperexpires_total",
             "ZooKeeper session expirations", MetricType::kCounter);
  out.Sample("kafka_server_sessionexpirelistener_zookeeperexpires_total", {}, zk_expires_);
  out.Family("kafka_server_sessionexpirelistener_zookeeperreconnects_total",
             "ZooKeeper connections re-established after the first one", MetricType::kCounter);
  out.Sample("kafka_server_sessionexpirelistener_zookeeperreconnects_total", {}, zk_reconnects_);
  out.Family("kafka_server_sessionexpirelistener_zookeepernewsessions_total",
             "ZooKeeper sessions established (1 + one per expiry)", MetricType::kCounter);
  out.Sample("kafka_server_sessionexpirelistener_zookeepernewsessions_total", {},
             zk_new_sessions_);

  for (const auto& c : collectors_) c(out);
  return out.Take();
}

}  // namespace sluice::broker
