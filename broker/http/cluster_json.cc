#include "broker/http/cluster_json.h"

#include <algorithm>
#include <sstream>

#include "broker/metrics/broker_metrics.h"
#include "broker/replica_manager.h"
#include "common/clock.h"
#include "coordinator/controller.h"
#include "coordinator/zk_session.h"

namespace sluice::broker {

using nlohmann::json;

void BrokerRoster::Update(const MetadataCache& metadata) {
  for (const auto& [id, b] : metadata.brokers()) expected_[id] = b;
  for (const auto& [name, topic] : metadata.topics()) {
    for (const auto& [p, info] : topic) {
      for (int32_t r : info.replicas) {
        if (r >= 0 && !expected_.contains(r)) expected_[r] = BrokerEndpoint{r, "", 0, {}};
      }
    }
  }
}

namespace {
std::string HexSession(int64_t id) {
  std::ostringstream s;
  s << "0x" << std::hex << id;
  return s.str();
}

const char* PartitionState(const MetadataCache& m, const PartitionInfo& info) {
  if (IsOffline(m, info.leader)) return "offline";
  if (IsUnderReplicated(info.isr.size(), info.replicas.size())) return "under_replicated";
  return "ok";
}
// null until the group coordinator is wired (GaugeSources::group_lag).
json GroupsJson(const GaugeSources& s) {
  if (!s.group_lag) return nullptr;
  json rows = json::array();
  for (const auto& r : s.group_lag()) {
    rows.push_back({{"group", r.group},
                    {"topic", r.topic},
                    {"partition", r.partition},
                    {"committed", r.committed},
                    {"high_watermark", r.high_watermark},
                    {"lag", r.lag}});
  }
  return rows;
}
}  // namespace

Health EvaluateHealth(const GaugeSources& s, const BrokerRoster& roster) {
  Health h;
  ClusterSummary sum;
  if (s.metadata != nullptr) sum = Summarize(*s.metadata);
  const std::string zk_state = ZkStateName(s.zk);
  json reasons = json::array();
  bool severe = false;
  if (zk_state != "CONNECTED") {
    reasons.push_back("zookeeper session is " + zk_state);
    severe = true;
  }
  if (sum.controller_id < 0) {
    reasons.push_back("no active controller");
    severe = true;
  }
  json expected = json::array(), missing = json::array();
  for (const auto& [id, b] : roster.expected()) {
    expected.push_back(id);
    if (s.metadata == nullptr || !s.metadata->IsBrokerAlive(id)) missing.push_back(id);
  }
  if (!missing.empty()) reasons.push_back("brokers not registered: " + missing.dump());
  if (sum.under_replicated > 0) {
    reasons.push_back(std::to_string(sum.under_replicated) + " under-replicated partitions");
  }
  if (sum.offline > 0) {
    reasons.push_back(std::to_string(sum.offline) + " offline partitions");
    severe = true;
  }
  h.healthy = reasons.empty();
  h.status = h.healthy ? "healthy" : severe ? "unhealthy" : "degraded";
  const bool is_controller = s.controller != nullptr && s.controller->is_controller();
  h.doc = {
      {"status", h.status},
      {"healthy", h.healthy},
      {"reasons", reasons},
      {"broker_id", s.broker_id},
      {"controller_id", sum.controller_id},
      {"is_controller", is_controller},
      {"brokers",
       {{"registered", sum.live_brokers},
        {"expected", expected},
        {"missing", missing},
        {"registered_count", sum.live_brokers.size()},
        {"expected_count", roster.expected().size()}}},
      {"under_replicated_partitions", sum.under_replicated},
      {"offline_partitions", sum.offline},
      {"partitions", sum.partitions},
      {"zookeeper",
       {{"state", zk_state},
        {"session_id", HexSession(s.zk != nullptr ? s.zk->session_id() : 0)}}},
  };
  return h;
}

json PartitionJson(const GaugeSources& s, const std::string& topic, int32_t partition,
                   const PartitionInfo& info) {
  json j = {{"partition", partition},
            {"leader", info.leader},
            {"leader_epoch", info.leader_epoch},
            {"replicas", info.replicas},
            {"isr", info.isr},
            {"offline_replicas", info.offline_replicas},
            {"state", s.metadata != nullptr ? PartitionState(*s.metadata, info) : "unknown"}};
  // Local figures: only for replicas hosted here (the leader's are authoritative).
  const Partition* p = nullptr;
  if (s.replicas != nullptr) {
    auto it = s.replicas->partitions().find(TopicPartition{topic, partition});
    if (it != s.replicas->partitions().end() && it->second->log() != nullptr) {
      p = it->second.get();
    }
  }
  if (p != nullptr) {
    const storage::Log* log = p->log();
    j["local"] = {{"role", p->is_leader() ? "leader" : "follower"},
                  {"log_start_offset", log->log_start_offset().value()},
                  {"log_end_offset", log->log_end_offset().value()},
                  {"high_watermark", log->high_watermark().value()},
                  {"size_bytes", log->size_bytes()}};
    if (p->is_leader()) j["high_watermark"] = log->high_watermark().value();
  }
  return j;
}

json TopicJson(const GaugeSources& s, const std::string& name, const TopicInfo& topic) {
  json parts = json::array();
  int64_t urp = 0, offline = 0;
  size_t rf = 0;
  for (const auto& [p, info] : topic) {
    json pj = PartitionJson(s, name, p, info);
    if (pj["state"] == "offline") ++offline;
    if (IsUnderReplicated(info.isr.size(), info.replicas.size())) ++urp;
    rf = std::max(rf, info.replicas.size());
    parts.push_back(std::move(pj));
  }
  return {{"name", name},
          {"partition_count", topic.size()},
          {"replication_factor", rf},
          {"under_replicated_partitions", urp},
          {"offline_partitions", offline},
          {"partitions", std::move(parts)}};
}

json TopicListJson(const GaugeSources& s) {
  json topics = json::array();
  if (s.metadata == nullptr) return {{"topics", topics}};
  for (const auto& [name, topic] : s.metadata->topics()) {
    json t = TopicJson(s, name, topic);
    t.erase("partitions");
    topics.push_back(std::move(t));
  }
  return {{"topics", topics}};
}

json ClusterJson(const GaugeSources& s, const BrokerRoster& roster, const BrokerMetrics* metrics,
                 const std::string& zk_connect) {
  ClusterSummary sum;
  if (s.metadata != nullptr) sum = Summarize(*s.metadata);
  json brokers = json::array();
  for (const auto& [id, b] : roster.expected()) {
    const bool alive = s.metadata != nullptr && s.metadata->IsBrokerAlive(id);
    brokers.push_back({{"id", id},
                       {"host", b.host},
                       {"port", b.port},
                       {"alive", alive},
                       {"controller", id == sum.controller_id},
                       {"self", id == s.broker_id}});
  }
  json topics = json::array();
  if (s.metadata != nullptr) {
    for (const auto& [name, topic] : s.metadata->topics()) {
      json parts = json::array();
      for (const auto& [p, info] : topic) {
        parts.push_back({{"partition", p},
                         {"leader", info.leader},
                         {"replicas", info.replicas},
                         {"isr", info.isr},
                         {"state", PartitionState(*s.metadata, info)}});
      }
      topics.push_back({{"name", name}, {"partitions", std::move(parts)}});
    }
  }
  int64_t leo_sum = 0, size_sum = 0;
  if (s.replicas != nullptr) {
    for (const auto& [tp, p] : s.replicas->partitions()) {
      if (p->log() == nullptr) continue;
      leo_sum += p->log()->log_end_offset().value();
      size_sum += p->log()->size_bytes();
    }
  }
  BrokerMetrics::Totals totals;
  if (metrics != nullptr) totals = metrics->totals();
  json zk = {{"state", ZkStateName(s.zk)},
             {"connect", zk_connect},
             {"session_id", HexSession(s.zk != nullptr ? s.zk->session_id() : 0)}};
  if (metrics != nullptr) {
    zk["reconnects"] = metrics->zk_reconnects();
    zk["disconnects"] = metrics->zk_disconnects();
    zk["expires"] = metrics->zk_expires();
  }
  return {
      {"time_ms", WallMillis()},
      {"broker_id", s.broker_id},
      {"cluster_id", s.metadata != nullptr ? s.metadata->cluster_id() : ""},
      {"controller_id", sum.controller_id},
      {"brokers", std::move(brokers)},
      {"zookeeper", std::move(zk)},
      {"summary",
       {{"topics", sum.topics},
        {"partitions", sum.partitions},
        {"under_replicated_partitions", sum.under_replicated},
        {"offline_partitions", sum.offline},
        {"live_brokers", sum.live_brokers.size()},
        {"expected_brokers", roster.expected().size()}}},
      {"topics", std::move(topics)},
      {"throughput",
       {{"bytes_in_total", totals.bytes_in},
        {"bytes_out_total", totals.bytes_out},
        {"messages_in_total", totals.messages_in},
        {"requests_total", totals.requests},
        {"local_log_end_offset_sum", leo_sum},
        {"local_log_size_bytes", size_sum}}},
      {"groups", GroupsJson(s)},
  };
}

}  // namespace sluice::broker
