#include "broker/metrics/broker_gauges.h"

#include <algorithm>
#include <map>

#include "broker/isr_manager.h"
#include "broker/metadata_cache.h"
#include "broker/purgatory.h"
#include "broker/replica_manager.h"
#include "broker/server.h"
#include "coordinator/controller.h"
#include "coordinator/zk_session.h"

namespace sluice::broker {

bool IsOffline(const MetadataCache& metadata, int32_t leader) {
  return leader < 0 || !metadata.IsBrokerAlive(leader);
}

bool IsUnderReplicated(size_t isr_size, size_t replica_count) {
  return isr_size < replica_count;
}

ClusterSummary Summarize(const MetadataCache& metadata) {
  ClusterSummary s;
  for (const auto& [id, b] : metadata.brokers()) s.live_brokers.push_back(id);
  s.controller_id = metadata.controller_id();
  s.topics = static_cast<int64_t>(metadata.topics().size());
  for (const auto& [name, topic] : metadata.topics()) {
    for (const auto& [p, info] : topic) {
      ++s.partitions;
      if (IsOffline(metadata, info.leader)) ++s.offline;
      if (IsUnderReplicated(info.isr.size(), info.replicas.size())) ++s.under_replicated;
    }
  }
  return s;
}

std::string ZkStateName(const coordinator::ZkSession* zk) {
  if (zk == nullptr) return "CLOSED";
  if (zk->connected()) return "CONNECTED";
  return zk->session_id() == 0 ? "CONNECTING" : "DISCONNECTED";
}

namespace {

void Gauge(Exposition& out, const char* name, const char* help, double value) {
  out.Family(name, help, MetricType::kGauge);
  out.Sample(name, {}, value);
}

void WriteReplicaGauges(const GaugeSources& s, Exposition& out) {
  int64_t partitions = 0, leaders = 0, urp = 0, under_min_isr = 0;
  if (s.replicas != nullptr) {
    for (const auto& [tp, p] : s.replicas->partitions()) {
      if (p->log() == nullptr) continue;  // stopped replica
      ++partitions;
      if (!p->is_leader()) continue;
      ++leaders;
      if (IsUnderReplicated(p->isr().size(), p->replicas().size())) ++urp;
      if (static_cast<int32_t>(p->isr().size()) < p->min_insync_replicas()) ++under_min_isr;
    }
  }
  Gauge(out, "kafka_server_replicamanager_partitioncount", "Partition replicas on this broker",
        partitions);
  Gauge(out, "kafka_server_replicamanager_leadercount", "Partitions led by this broker", leaders);
  Gauge(out, "kafka_server_replicamanager_underreplicatedpartitions",
        "Partitions led by this broker whose ISR is smaller than their replica list", urp);
  Gauge(out, "kafka_server_replicamanager_underminisrpartitioncount",
        "Partitions led by this broker whose ISR is below min.insync.replicas", under_min_isr);
  out.Family("kafka_server_replicamanager_isrshrinks_total",
             "ISR shrinks written by this broker as leader", MetricType::kCounter);
  out.Sample("kafka_server_replicamanager_isrshrinks_total", {},
             s.isr != nullptr ? s.isr->isr_shrinks() : 0);
  out.Family("kafka_server_replicamanager_isrexpands_total",
             "ISR expansions written by this broker as leader", MetricType::kCounter);
  out.Sample("kafka_server_replicamanager_isrexpands_total", {},
             s.isr != nullptr ? s.isr->isr_expands() : 0);

  // Per partition replica hosted here: log size and offsets (Kafka's kafka.log:type=Log).
  struct Row {
    Labels labels;
    const Partition* p;
  };
  std::vector<Row> rows;
  if (s.replicas != nullptr) {
    for (const auto& [tp, p] : s.replicas->partitions()) {
      if (p->log() == nullptr) continue;
      rows.push_back({{{"topic", tp.topic}, {"partition", std::to_string(tp.partition)}}, p.get()});
    }
  }
  out.Family("kafka_log_log_size", "Bytes of the partition's log on this broker",
             MetricType::kGauge);
  for (const auto& r : rows) out.Sample("kafka_log_log_size", r.labels, r.p->log()->size_bytes());
  out.Family("kafka_log_log_logendoffset", "Log end offset of the partition's log on this broker",
             MetricType::kGauge);
  for (const auto& r : rows) {
    out.Sample("kafka_log_log_logendoffset", r.labels, r.p->log()->log_end_offset().value());
  }
  out.Family("kafka_log_log_logstartoffset", "Log start offset of the partition's log",
             MetricType::kGauge);
  for (const auto& r : rows) {
    out.Sample("kafka_log_log_logstartoffset", r.labels, r.p->log()->log_start_offset().value());
  }
  out.Family("kafka_log_log_numlogsegments", "Segments of the partition's log",
             MetricType::kGauge);
  for (const auto& r : rows) {
    out.Sample("kafka_log_log_numlogsegments", r.labels,
               static_cast<double>(r.p->log()->segment_count()));
  }
  out.Family("kafka_cluster_partition_highwatermark",
             "High watermark of partitions led by this broker", MetricType::kGauge);
  for (const auto& r : rows) {
    if (!r.p->is_leader()) continue;
    out.Sample("kafka_cluster_partition_highwatermark", r.labels,
               r.p->log()->high_watermark().value());
  }
  out.Family("kafka_cluster_partition_underreplicated",
             "1 if this partition, led by this broker, has an ISR smaller than its replica list",
             MetricType::kGauge);
  for (const auto& r : rows) {
    if (!r.p->is_leader()) continue;
    out.Sample("kafka_cluster_partition_underreplicated", r.labels,
               IsUnderReplicated(r.p->isr().size(), r.p->replicas().size()) ? 1 : 0);
  }
}

void WriteControllerGauges(const GaugeSources& s, Exposition& out) {
  const coordinator::Controller* c = s.controller;
  const bool active = c != nullptr && c->is_controller();
  int64_t offline = 0, partitions = 0, topics = 0;
  if (active) {
    std::vector<BrokerId> live = c->live_brokers();
    for (const std::string& topic : c->topics()) {
      ++topics;
      for (int32_t p = 0;; ++p) {
        auto st = c->partition_state(topic, p);
        if (!st.has_value()) break;
        ++partitions;
        if (st->leader.value() < 0 ||
            std::find(live.begin(), live.end(), st->leader) == live.end()) {
          ++offline;
        }
      }
    }
  }
  Gauge(out, "kafka_controller_kafkacontroller_activecontrollercount",
        "1 if this broker is the active controller", active ? 1 : 0);
  Gauge(out, "kafka_controller_kafkacontroller_offlinepartitionscount",
        "Partitions without a live leader (reported by the active controller only)", offline);
  Gauge(out, "kafka_controller_kafkacontroller_globalpartitioncount",
        "Partitions in the cluster (reported by the active controller only)", partitions);
  Gauge(out, "kafka_controller_kafkacontroller_globaltopiccount",
        "Topics in the cluster (reported by the active controller only)", topics);
  out.Family("kafka_controller_kafkacontroller_controllerepoch",
             "Epoch of the active controller (reported by the active controller only)",
             MetricType::kGauge);
  if (active) {
    out.Sample("kafka_controller_kafkacontroller_controllerepoch", {}, c->epoch().value());
  }
  out.Family("kafka_controller_controllerstats_uncleanleaderelections_total",
             "Leaders elected from outside the ISR by this broker's controller",
             MetricType::kCounter);
  out.Sample("kafka_controller_controllerstats_uncleanleaderelections_total", {},
             c != nullptr ? c->unclean_elections() : 0);
}

void WriteClusterGauges(const GaugeSources& s, Exposition& out) {
  ClusterSummary sum;
  if (s.metadata != nullptr) sum = Summarize(*s.metadata);
  Gauge(out, "kafka_controller_kafkacontroller_activebrokercount",
        "Live brokers in this broker's metadata", static_cast<double>(sum.live_brokers.size()));
  Gauge(out, "sluice_cluster_underreplicatedpartitions",
        "Partitions in the cluster with an ISR smaller than their replica list, as this "
        "broker's metadata sees them",
        sum.under_replicated);
  Gauge(out, "sluice_cluster_offlinepartitions",
        "Partitions in the cluster without a live leader, as this broker's metadata sees them",
        sum.offline);
  Gauge(out, "sluice_cluster_controller_id", "Broker id of the active controller (-1: none)",
        sum.controller_id);
}

void WriteServerGauges(const GaugeSources& s, Exposition& out) {
  out.Family("kafka_server_delayedoperationpurgatory_purgatorysize",
             "Requests parked in a purgatory", MetricType::kGauge);
  if (s.produce_purgatory != nullptr) {
    out.Sample("kafka_server_delayedoperationpurgatory_purgatorysize",
               {{"delayedoperation", "Produce"}},
               static_cast<double>(s.produce_purgatory->waiting()));
  }
  if (s.fetch_purgatory != nullptr) {
    out.Sample("kafka_server_delayedoperationpurgatory_purgatorysize",
               {{"delayedoperation", "Fetch"}}, static_cast<double>(s.fetch_purgatory->waiting()));
  }
  Gauge(out, "kafka_server_socketservermetrics_connections", "Open Kafka client connections",
        s.server != nullptr ? static_cast<double>(s.server->connection_count()) : 0);
}

void WriteZkGauges(const GaugeSources& s, Exposition& out) {
  const std::string state = ZkStateName(s.zk);
  out.Family("kafka_server_sessionexpirelistener_sessionstate",
             "ZooKeeper session state of this broker (1 for the current state)",
             MetricType::kGauge);
  for (const char* st : {"CONNECTED", "CONNECTING", "DISCONNECTED", "CLOSED"}) {
    out.Sample("kafka_server_sessionexpirelistener_sessionstate", {{"state", st}},
               state == st ? 1 : 0);
  }
}

void WriteGroupGauges(const GaugeSources& s, Exposition& out) {
  std::vector<GroupLagRow> rows;
  if (s.group_lag) rows = s.group_lag();
  out.Family("kafka_consumergroup_lag",
             "Messages between a consumer group's committed offset and the partition's high "
             "watermark (groups coordinated by this broker)",
             MetricType::kGauge);
  for (const auto& r : rows) {
    if (r.lag < 0) continue;
    out.Sample("kafka_consumergroup_lag",
               {{"group", r.group}, {"topic", r.topic}, {"partition", std::to_string(r.partition)}},
               static_cast<double>(r.lag));
  }
  out.Family("kafka_consumergroup_current_offset", "A consumer group's committed offset",
             MetricType::kGauge);
  for (const auto& r : rows) {
    out.Sample("kafka_consumergroup_current_offset",
               {{"group", r.group}, {"topic", r.topic}, {"partition", std::to_string(r.partition)}},
               static_cast<double>(r.committed));
  }
}

}  // namespace

void WriteBrokerGauges(const GaugeSources& s, Exposition& out) {
  Gauge(out, "kafka_server_kafkaserver_brokerid", "This broker's broker.id", s.broker_id);
  WriteReplicaGauges(s, out);
  WriteControllerGauges(s, out);
  WriteClusterGauges(s, out);
  WriteServerGauges(s, out);
  WriteZkGauges(s, out);
  WriteGroupGauges(s, out);
}

}  // namespace sluice::broker
