// DescribeConfigs (key 32), v0-v2. Any broker answers (Kafka's ZooKeeper-mode brokers read
// /config/topics themselves). TOPIC resources: every topic-level config, the topic's override
// from /config/topics/<t> (DYNAMIC_TOPIC_CONFIG) or else the broker's value for its synonym
// (STATIC_BROKER_CONFIG when server.properties sets it, DEFAULT_CONFIG otherwise); read_only is
// false. BROKER resources ("" or this broker's id): this broker's configuration, read_only (no
// dynamic broker configs). v0 carries is_default, v1+ config_source and, on request, synonyms.
#include <glog/logging.h>

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/admin_client.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::DescribeConfigsRequest;
using protocol::DescribeConfigsResponse;
using protocol::ErrorCode;

namespace {

constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;

// Kafka's ConfigSource ids.
constexpr int8_t kSourceDynamicTopic = 1;
constexpr int8_t kSourceStaticBroker = 4;
constexpr int8_t kSourceDefault = 5;

using Entry = DescribeConfigsResponse::DescribeConfigsResourceResult;
using Synonym = DescribeConfigsResponse::DescribeConfigsSynonym;

std::string Str(int64_t v) { return std::to_string(v); }
std::string Bool(bool v) { return v ? "true" : "false"; }

// A topic config, the broker config it defaults to ("" if none) and that broker config's value.
struct TopicDefault {
  const char* name;
  const char* broker_name;
  std::string value;
};

std::vector<TopicDefault> TopicDefaults(const Config& c) {
  const std::string kLongMax = "9223372036854775807";
  auto raw = [&c](const char* key, std::string fallback) {
    auto it = c.raw.find(key);
    return it == c.raw.end() ? fallback : it->second;
  };
  return {
      {"cleanup.policy", "log.cleanup.policy", raw("log.cleanup.policy", "delete")},
      {"compression.type", "compression.type", raw("compression.type", "producer")},
      {"delete.retention.ms", "log.cleaner.delete.retention.ms",
       raw("log.cleaner.delete.retention.ms", "86400000")},
      {"file.delete.delay.ms", "log.segment.delete.delay.ms",
       raw("log.segment.delete.delay.ms", "60000")},
      {"flush.messages", "log.flush.interval.messages",
       raw("log.flush.interval.messages", kLongMax)},
      {"flush.ms", "log.flush.interval.ms",
       c.log_flush_interval_ms < 0 ? kLongMax : Str(c.log_flush_interval_ms)},
      {"follower.replication.throttled.replicas", "", ""},
      {"index.interval.bytes", "log.index.interval.bytes",
       raw("log.index.interval.bytes", "4096")},
      {"leader.replication.throttled.replicas", "", ""},
      {"local.retention.bytes", "log.local.retention.bytes",
       raw("log.local.retention.bytes", "-2")},
      {"local.retention.ms", "log.local.retention.ms", raw("log.local.retention.ms", "-2")},
      {"max.compaction.lag.ms", "log.cleaner.max.compaction.lag.ms",
       raw("log.cleaner.max.compaction.lag.ms", kLongMax)},
      {"max.message.bytes", "message.max.bytes", Str(static_cast<int64_t>(c.message_max_bytes))},
      {"message.downconversion.enable", "log.message.downconversion.enable",
       raw("log.message.downconversion.enable", "true")},
      {"message.format.version", "log.message.format.version",
       raw("log.message.format.version", "3.0-IV1")},
      {"message.timestamp.difference.max.ms", "log.message.timestamp.difference.max.ms",
       raw("log.message.timestamp.difference.max.ms", kLongMax)},
      {"message.timestamp.type", "log.message.timestamp.type",
       raw("log.message.timestamp.type", "CreateTime")},
      {"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio",
       raw("log.cleaner.min.cleanable.ratio", "0.5")},
      {"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms",
       raw("log.cleaner.min.compaction.lag.ms", "0")},
      {"min.insync.replicas", "min.insync.replicas",
       Str(static_cast<int64_t>(c.min_insync_replicas))},
      {"preallocate", "log.preallocate", raw("log.preallocate", "false")},
      {"remote.storage.enable", "", "false"},
      {"retention.bytes", "log.retention.bytes", Str(c.log_retention_bytes)},
      {"retention.ms", "log.retention.ms", Str(c.log_retention_ms)},
      {"segment.bytes", "log.segment.bytes", Str(c.log_segment_bytes)},
      {"segment.index.bytes", "log.index.size.max.bytes",
       raw("log.index.size.max.bytes", "10485760")},
      {"segment.jitter.ms", "log.roll.jitter.ms", raw("log.roll.jitter.ms", "0")},
      {"segment.ms", "log.roll.ms", Str(c.log_roll_ms)},
      {"unclean.leader.election.enable", "unclean.leader.election.enable",
       Bool(c.unclean_leader_election_enable)},
  };
}

// Whether server.properties (or an --override) set the broker config `name`; retention.ms also
// counts Kafka's coarser synonyms.
bool SetStatically(const Config& c, const std::string& name) {
  if (name.empty()) return false;
  if (c.raw.contains(name)) return true;
  if (name == "log.retention.ms") {
    return c.raw.contains("log.retention.minutes") || c.raw.contains("log.retention.hours");
  }
  if (name == "log.roll.ms") return c.raw.contains("log.roll.hours");
  return false;
}

// (name, value) of this broker's configuration, Kafka's names.
std::vector<std::pair<std::string, std::string>> BrokerValues(const BrokerContext& ctx) {
  const Config& c = *ctx.config;
  std::string dirs;
  for (const std::string& d : c.log_dirs) dirs += (dirs.empty() ? "" : ",") + d;
  std::vector<std::pair<std::string, std::string>> out = {
      {"broker.id", Str(static_cast<int64_t>(c.broker_id))},
      {"listeners", "PLAINTEXT://" + c.listener.ToString()},
      {"advertised.listeners", "PLAINTEXT://" + ctx.advertised.ToString()},
      {"log.dirs", dirs},
      {"zookeeper.connect", c.zookeeper_connect},
      {"zookeeper.session.timeout.ms", Str(static_cast<int64_t>(c.zookeeper_session_timeout_ms))},
      {"num.partitions", Str(static_cast<int64_t>(c.num_partitions))},
      {"default.replication.factor", Str(static_cast<int64_t>(c.default_replication_factor))},
      {"min.insync.replicas", Str(static_cast<int64_t>(c.min_insync_replicas))},
      {"unclean.leader.election.enable", Bool(c.unclean_leader_election_enable)},
      {"auto.create.topics.enable", Bool(c.auto_create_topics_enable)},
      {"delete.topic.enable", Bool(c.delete_topic_enable)},
      {"log.segment.bytes", Str(c.log_segment_bytes)},
      {"log.roll.ms", Str(c.log_roll_ms)},
      {"log.retention.ms", Str(c.log_retention_ms)},
      {"log.retention.bytes", Str(c.log_retention_bytes)},
      {"log.retention.check.interval.ms", Str(c.log_retention_check_interval_ms)},
      {"message.max.bytes", Str(static_cast<int64_t>(c.message_max_bytes))},
      {"socket.request.max.bytes", Str(static_cast<int64_t>(c.socket_request_max_bytes))},
      {"replica.lag.time.max.ms", Str(c.replica_lag_time_max_ms)},
      {"offsets.topic.num.partitions", Str(static_cast<int64_t>(c.offsets_topic_num_partitions))},
      {"offsets.topic.replication.factor",
       Str(static_cast<int64_t>(c.offsets_topic_replication_factor))},
  };
  if (c.http_listener) out.emplace_back("http.listener", c.http_listener->ToString());
  std::set<std::string> known;
  for (const auto& [k, v] : out) known.insert(k);
  for (const auto& [k, v] : c.raw) {
    if (!known.contains(k)) out.emplace_back(k, v);
  }
  return out;
}

bool Wanted(const std::optional<std::vector<std::string>>& keys, const std::string& name) {
  if (!keys.has_value()) return true;
  for (const std::string& k : *keys) {
    if (k == name) return true;
  }
  return false;
}

Entry MakeEntry(std::string name, std::string value, int8_t source, bool read_only) {
  Entry e;
  e.name = std::move(name);
  e.value = std::move(value);
  e.config_source = source;
  e.is_default = source == kSourceDefault;
  e.read_only = read_only;
  e.is_sensitive = false;
  return e;
}

void DescribeTopic(const Config& config, const TopicConfigMap& overrides,
                   const DescribeConfigsRequest::DescribeConfigsResource& resource,
                   bool synonyms, DescribeConfigsResponse::DescribeConfigsResult& out) {
  for (const TopicDefault& d : TopicDefaults(config)) {
    if (!Wanted(resource.configuration_keys, d.name)) continue;
    const bool broker_set = SetStatically(config, d.broker_name);
    const int8_t default_source = broker_set ? kSourceStaticBroker : kSourceDefault;
    auto o = overrides.find(d.name);
    Entry e = o != overrides.end() ? MakeEntry(d.name, o->second, kSourceDynamicTopic, false)
                                   : MakeEntry(d.name, d.value, default_source, false);
    if (synonyms) {
      if (o != overrides.end()) {
        e.synonyms.push_back(Synonym{d.name, o->second, kSourceDynamicTopic, {}});
      }
      if (*d.broker_name != '\0') {
        e.synonyms.push_back(Synonym{d.broker_name, d.value, default_source, {}});
      }
    }
    out.configs.push_back(std::move(e));
  }
}

void DescribeBroker(const BrokerContext& ctx,
                    const DescribeConfigsRequest::DescribeConfigsResource& resource,
                    bool synonyms, DescribeConfigsResponse::DescribeConfigsResult& out) {
  for (auto& [name, value] : BrokerValues(ctx)) {
    if (!Wanted(resource.configuration_keys, name)) continue;
    const int8_t source = SetStatically(*ctx.config, name) ? kSourceStaticBroker : kSourceDefault;
    Entry e = MakeEntry(name, value, source, /*read_only=*/true);
    if (synonyms) e.synonyms.push_back(Synonym{name, value, source, {}});
    out.configs.push_back(std::move(e));
  }
}

using PendingDescribe = PendingResponse<DescribeConfigsResponse>;

}  // namespace

void HandleDescribeConfigs(BrokerContext& ctx, Request& req, Responder responder) {
  DescribeConfigsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  auto op = std::make_shared<PendingDescribe>();
  op->responder = std::move(responder);
  const bool synonyms = req.api_version >= 1 && body.include_synonyms;
  const std::string self = std::to_string(ctx.broker_id);
  op->response.results.resize(body.resources.size());
  for (size_t i = 0; i < body.resources.size(); ++i) {
    const auto& resource = body.resources[i];
    auto& out = op->response.results[i];
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    auto fail = [&out](ErrorCode code, std::string message) {
      out.error_code = Code(code);
      out.error_message = std::move(message);
    };
    if (resource.resource_type == kResourceBroker) {
      if (!resource.resource_name.empty() && resource.resource_name != self) {
        fail(ErrorCode::kInvalidRequest, "Unexpected broker id, expected " + self +
                                             " or empty string, but received " +
                                             resource.resource_name);
        continue;
      }
      DescribeBroker(ctx, resource, synonyms, out);
      continue;
    }
    if (resource.resource_type != kResourceTopic) {
      fail(ErrorCode::kInvalidRequest,
           "Unsupported resource type " + std::to_string(resource.resource_type));
      continue;
    }
    if (!IsValidTopicName(resource.resource_name)) {
      fail(ErrorCode::kInvalidTopicException,
           "Topic name \"" + resource.resource_name + "\" is illegal");
      continue;
    }
    if (ctx.admin == nullptr) {
      fail(ErrorCode::kRequestTimedOut, "not connected to ZooKeeper yet");
      continue;
    }
    ++op->outstanding;
    const Config* config = ctx.config;
    ctx.admin->ReadTopicConfig(
        resource.resource_name,
        [op, i, config, resource, synonyms](AdminResult r, TopicConfigMap overrides) {
          auto& result = op->response.results[i];
          if (!r.ok()) {
            result.error_code = Code(r.code);
            result.error_message = r.code == ErrorCode::kUnknownTopicOrPartition
                                       ? "Topic " + resource.resource_name + " does not exist"
                                       : r.message;
          } else {
            DescribeTopic(*config, overrides, resource, synonyms, result);
          }
          Complete(op);
        });
  }
  Complete(op);
}

}  // namespace sluice::broker
