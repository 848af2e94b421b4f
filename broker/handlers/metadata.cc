// Metadata (key 3), v4-v6: topics null = all, empty = none; unknown topics are auto-created when
// both the request and auto.create.topics.enable allow it (answer LEADER_NOT_AVAILABLE now, the
// client retries); brokers are the live ones with advertised endpoints; controller_id is the real
// controller (admin clients send CreateTopics there). README §3.
#include <glog/logging.h>

#include <set>

#include "broker/admin_client.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/wait_until.h"
#include "protocol/error_codes.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::MetadataRequest;
using protocol::MetadataResponse;

namespace {

bool IsInternalTopic(const std::string& name) { return name == "__consumer_offsets"; }

void FillTopic(const MetadataCache& cache, const std::string& name, const TopicInfo& info,
               MetadataResponse::MetadataResponseTopic& out) {
  out.name = name;
  out.is_internal = IsInternalTopic(name);
  for (const auto& [index, p] : info) {
    auto& part = out.partitions.emplace_back();
    part.partition_index = index;
    part.leader_epoch = p.leader_epoch;
    part.replica_nodes = p.replicas;
    part.isr_nodes = p.isr;
    for (int32_t r : p.replicas) {
      if (!cache.IsBrokerAlive(r)) part.offline_replicas.push_back(r);
    }
    if (p.leader >= 0 && cache.IsBrokerAlive(p.leader)) {
      part.leader_id = p.leader;
    } else {
      part.leader_id = -1;
      part.error_code = Code(ErrorCode::kLeaderNotAvailable);
    }
  }
}

// Topics whose auto-creation is in flight, so a burst of Metadata requests asks ZooKeeper once.
std::set<std::string>& PendingCreates() {
  static std::set<std::string> pending;  // loop thread only
  return pending;
}

void AutoCreate(BrokerContext& ctx, const std::string& name) {
  if (ctx.admin == nullptr || !PendingCreates().insert(name).second) return;
  TopicSpec spec;
  spec.name = name;
  spec.num_partitions = ctx.config->num_partitions;
  spec.replication_factor = ctx.config->default_replication_factor;
  ctx.admin->CreateTopic(spec, /*validate_only=*/false, [name](AdminResult r) {
    PendingCreates().erase(name);
    if (r.ok()) {
      LOG(INFO) << "topic_auto_created topic=" << name;
    } else if (r.code != ErrorCode::kTopicAlreadyExists) {
      LOG_EVERY_T(WARNING, 10) << "topic_auto_create_failed topic=" << name
                               << " error=" << protocol::ErrorName(r.code) << " " << r.message;
    }
  });
}

// While the cluster is starting no controller is known yet (librdkafka's admin client would take
// controller_id -1 as final and wait forever for a controller) and this broker may not be in the
// live set yet (a CreateTopics would find no broker to place replicas on). Hold such requests
// briefly until the controller's UpdateMetadata has told us both.
constexpr int64_t kControllerWaitMs = 3000;

void Answer(BrokerContext& ctx, const MetadataRequest& body, Responder& responder);

}  // namespace

void HandleMetadata(BrokerContext& ctx, Request& req, Responder responder) {
  auto body = std::make_shared<MetadataRequest>();
  if (!DecodeBody(req, *body, responder)) return;
  auto ready = [c = &ctx] {
    return c->metadata->controller_id() >= 0 && c->metadata->IsBrokerAlive(c->broker_id);
  };
  if (ready() || ctx.admin == nullptr) {
    Answer(ctx, *body, responder);
    return;
  }
  auto r = std::make_shared<Responder>(std::move(responder));
  BrokerContext* c = &ctx;
  WaitUntil(
      ctx.loop, ready, kControllerWaitMs,
      [c, body, r](bool) { Answer(*c, *body, *r); }, /*interval_ms=*/20);
}

namespace {

void Answer(BrokerContext& ctx, const MetadataRequest& body, Responder& responder) {
  const MetadataCache& cache = *ctx.metadata;
  MetadataResponse resp;
  for (const auto& [id, b] : cache.brokers()) {
    resp.brokers.push_back({b.id, b.host, b.port, b.rack, {}});
  }
  if (cache.brokers().count(ctx.broker_id) == 0) {
    // Before the first UpdateMetadata (or while our registration is pending) a client must still
    // learn an address to talk to: ourselves.
    resp.brokers.push_back(
        {ctx.broker_id, ctx.advertised.host, ctx.advertised.port, std::nullopt, {}});
  }
  resp.cluster_id = cache.cluster_id().empty() ? std::nullopt
                                               : std::optional<std::string>(cache.cluster_id());
  resp.controller_id = cache.controller_id();

  if (!body.topics.has_value()) {
    for (const auto& [name, info] : cache.topics()) {
      FillTopic(cache, name, info, resp.topics.emplace_back());
    }
  } else {
    bool may_create = body.allow_auto_topic_creation && ctx.config->auto_create_topics_enable;
    for (const auto& t : *body.topics) {
      auto& out = resp.topics.emplace_back();
      std::string name = t.name.value_or("");
      out.name = name;
      if (const TopicInfo* info = cache.FindTopic(name)) {
        FillTopic(cache, name, *info, out);
      } else if (!IsValidTopicName(name)) {
        out.error_code = Code(ErrorCode::kInvalidTopicException);
      } else if (may_create && ctx.admin != nullptr) {
        AutoCreate(ctx, name);
        out.error_code = Code(ErrorCode::kLeaderNotAvailable);
      } else {
        out.error_code = Code(ErrorCode::kUnknownTopicOrPartition);
      }
    }
  }
  Respond(responder, resp);
}

}  // namespace
}  // namespace sluice::broker
