// CreateTopics (key 19), v0-v4. Only the controller accepts it (NOT_CONTROLLER elsewhere: Kafka
// ZooKeeper-mode brokers forward nothing; admin clients send it to Metadata's controller_id).
// -1 partitions / replication factor = broker defaults; configs must be known topic configs
// (INVALID_CONFIG). After the znodes are written we wait, bounded by timeout_ms, until every new
// partition has a leader in our metadata cache, as Kafka does, so a client that creates and then
// produces finds leaders.
#include <glog/logging.h>

#include <cstdlib>
#include <memory>
#include <set>

#include "broker/admin_client.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/wait_until.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::CreateTopicsRequest;
using protocol::CreateTopicsResponse;
using protocol::ErrorCode;

namespace {

enum class ConfigType { kInt, kBool, kString, kCleanupPolicy, kRatio };

const std::map<std::string, ConfigType>& TopicConfigs() {
  static const std::map<std::string, ConfigType> configs = {
      {"cleanup.policy", ConfigType::kCleanupPolicy},
      {"compression.type", ConfigType::kString},
      {"delete.retention.ms", ConfigType::kInt},
      {"file.delete.delay.ms", ConfigType::kInt},
      {"flush.messages", ConfigType::kInt},
      {"flush.ms", ConfigType::kInt},
      {"follower.replication.throttled.replicas", ConfigType::kString},
      {"index.interval.bytes", ConfigType::kInt},
      {"leader.replication.throttled.replicas", ConfigType::kString},
      {"local.retention.bytes", ConfigType::kInt},
      {"local.retention.ms", ConfigType::kInt},
      {"max.compaction.lag.ms", ConfigType::kInt},
      {"max.message.bytes", ConfigType::kInt},
      {"message.downconversion.enable", ConfigType::kBool},
      {"message.format.version", ConfigType::kString},
      {"message.timestamp.difference.max.ms", ConfigType::kInt},
      {"message.timestamp.type", ConfigType::kString},
      {"min.cleanable.dirty.ratio", ConfigType::kRatio},
      {"min.compaction.lag.ms", ConfigType::kInt},
      {"min.insync.replicas", ConfigType::kInt},
      {"preallocate", ConfigType::kBool},
      {"remote.storage.enable", ConfigType::kBool},
      {"retention.bytes", ConfigType::kInt},
      {"retention.ms", ConfigType::kInt},
      {"segment.bytes", ConfigType::kInt},
      {"segment.index.bytes", ConfigType::kInt},
      {"segment.jitter.ms", ConfigType::kInt},
      {"segment.ms", ConfigType::kInt},
      {"unclean.leader.election.enable", ConfigType::kBool},
  };
  return configs;
}

// Empty when valid, else the reason.
std::string CheckTopicConfig(const std::string& key, const std::optional<std::string>& value) {
  auto it = TopicConfigs().find(key);
  if (it == TopicConfigs().end()) return "unknown topic config " + key;
  if (!value.has_value()) return "";  // null = default
  const std::string& v = *value;
  char* end = nullptr;
  switch (it->second) {
    case ConfigType::kInt:
      std::strtoll(v.c_str(), &end, 10);
      if (v.empty() || *end != '\0') return "invalid value " + v + " for " + key;
      return "";
    case ConfigType::kBool:
      if (v != "true" && v != "false") return "invalid value " + v + " for " + key;
      return "";
    case ConfigType::kRatio:
      std::strtod(v.c_str(), &end);
      if (v.empty() || *end != '\0') return "invalid value " + v + " for " + key;
      return "";
    case ConfigType::kCleanupPolicy:
      if (v != "delete" && v != "compact" && v != "compact,delete" && v != "delete,compact") {
        return "invalid value " + v + " for " + key;
      }
      return "";
    case ConfigType::kString:
      return "";
  }
  return "";
}

struct PendingCreate {
  CreateTopicsResponse response;
  Responder responder;
  int outstanding = 0;
  std::vector<std::pair<size_t, std::string>> created;  // (result index, topic) to wait for
  int32_t timeout_ms = 0;
  int64_t start_ms = 0;
};

void Finish(BrokerContext& ctx, std::shared_ptr<PendingCreate> op) {
  if (op->created.empty()) {
    Respond(op->responder, op->response);
    return;
  }
  MetadataCache* cache = ctx.metadata;
  int64_t left = op->timeout_ms - (SteadyMillis() - op->start_ms);
  WaitUntil(
      ctx.loop,
      [cache, op] {
        for (const auto& [i, name] : op->created) {
          if (!cache->AllPartitionsHaveLiveLeaders(name)) return false;
        }
        return true;
      },
      std::max<int64_t>(left, 0), [op, cache](bool all) {
        if (!all) {
          for (const auto& [i, name] : op->created) {
            if (!cache->AllPartitionsHaveLiveLeaders(name)) {
              op->response.topics[i].error_code = Code(ErrorCode::kRequestTimedOut);
              op->response.topics[i].error_message = "topic created; leaders not yet elected";
            }
          }
        }
        Respond(op->responder, op->response);
      });
}

}  // namespace

void HandleCreateTopics(BrokerContext& ctx, Request& req, Responder responder) {
  CreateTopicsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  auto op = std::make_shared<PendingCreate>();
  op->timeout_ms = body.timeout_ms;
  op->start_ms = SteadyMillis();
  const bool controller = ctx.admin != nullptr && ctx.admin->IsController();
  std::map<std::string, int> seen;
  for (const auto& t : body.topics) seen[t.name]++;

  std::vector<std::pair<size_t, TopicSpec>> to_create;
  for (const auto& t : body.topics) {
    size_t index = op->response.topics.size();
    auto& out = op->response.topics.emplace_back();
    out.name = t.name;
    auto fail = [&](ErrorCode code, std::string message) {
      out.error_code = Code(code);
      out.error_message = std::move(message);
    };
    if (!controller) { fail(ErrorCode::kNotController, "this broker is not the controller"); continue; }
    if (seen[t.name] > 1) { fail(ErrorCode::kInvalidRequest, "duplicate topic in request"); continue; }
    if (!IsValidTopicName(t.name)) { fail(ErrorCode::kInvalidTopicException, "illegal topic name"); continue; }
    if (ctx.metadata->FindTopic(t.name) != nullptr) {
      fail(ErrorCode::kTopicAlreadyExists, "topic '" + t.name + "' already exists");
      continue;
    }
    TopicSpec spec;
    spec.name = t.name;
    spec.num_partitions = t.num_partitions == -1 ? ctx.config->num_partitions : t.num_partitions;
    spec.replication_factor =
        t.replication_factor == -1 ? ctx.config->default_replication_factor : t.replication_factor;
    if (!t.assignments.empty()) {
      if (t.num_partitions != -1 || t.replication_factor != -1) {
        fail(ErrorCode::kInvalidRequest,
             "both assignments and num_partitions/replication_factor were set");
        continue;
      }
      for (const auto& a : t.assignments) spec.assignment[a.partition_index] = a.broker_ids;
      spec.num_partitions = static_cast<int32_t>(t.assignments.size());
      spec.replication_factor = static_cast<int16_t>(t.assignments.front().broker_ids.size());
    }
    if (spec.num_partitions <= 0) {
      fail(ErrorCode::kInvalidPartitions, "number of partitions must be larger than 0");
      continue;
    }
    if (spec.replication_factor <= 0) {
      fail(ErrorCode::kInvalidReplicationFactor, "replication factor must be larger than 0");
      continue;
    }
    std::string config_error;
    for (const auto& c : t.configs) {
      config_error = CheckTopicConfig(c.name, c.value);
      if (!config_error.empty()) break;
      if (c.value.has_value()) spec.configs[c.name] = *c.value;
    }
    if (!config_error.empty()) { fail(ErrorCode::kInvalidConfig, config_error); continue; }
    out.num_partitions = spec.num_partitions;
    out.replication_factor = spec.replication_factor;
    to_create.emplace_back(index, std::move(spec));
  }

  op->responder = std::move(responder);
  if (to_create.empty()) {
    Respond(op->responder, op->response);
    return;
  }
  op->outstanding = static_cast<int>(to_create.size());
  BrokerContext* c = &ctx;
  const bool validate_only = body.validate_only;
  for (auto& [index, spec] : to_create) {
    size_t i = index;
    std::string name = spec.name;
    ctx.admin->CreateTopic(spec, validate_only, [c, op, i, name, validate_only](AdminResult r) {
      auto& out = op->response.topics[i];
      if (!r.ok()) {
        out.error_code = Code(r.code);
        out.error_message = r.message;
      } else if (!validate_only) {
        LOG(INFO) << "topic_created topic=" << name;
        op->created.emplace_back(i, name);
      }
      if (--op->outstanding == 0) Finish(*c, op);
    });
  }
}

}  // namespace sluice::broker
