// FindCoordinator (key 10), v0-v2. A group's coordinator is the leader of partition
// abs(hash(group)) % offsets.topic.num.partitions of __consumer_offsets (README §7). The topic is
// created on first use (RF lowered to the live broker count, with a warning); until it has a
// leader the answer is COORDINATOR_NOT_AVAILABLE, which clients retry.
#include <glog/logging.h>

#include <algorithm>

#include "broker/admin_client.h"
#include "broker/group/group_coordinator.h"
#include "broker/group/offsets_records.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::FindCoordinatorRequest;
using protocol::FindCoordinatorResponse;

namespace {

bool& OffsetsTopicCreating() {
  static bool creating = false;  // loop thread only
  return creating;
}

void CreateOffsetsTopic(BrokerContext& ctx) {
  if (ctx.admin == nullptr || OffsetsTopicCreating()) return;
  int32_t live = static_cast<int32_t>(ctx.metadata->brokers().size());
  if (live == 0) return;
  TopicSpec spec;
  spec.name = kOffsetsTopic;
  spec.num_partitions = ctx.config->offsets_topic_num_partitions;
  spec.replication_factor = ctx.config->offsets_topic_replication_factor;
  if (spec.replication_factor > live) {
    LOG(WARNING) << "offsets_topic_replication_factor_lowered configured="
                 << spec.replication_factor << " live_brokers=" << live;
    spec.replication_factor = static_cast<int16_t>(live);
  }
  spec.configs = {{"cleanup.policy", "compact"},
                  {"segment.bytes", "104857600"},
                  {"compression.type", "producer"}};
  OffsetsTopicCreating() = true;
  ctx.admin->CreateTopic(spec, /*validate_only=*/false, [](AdminResult r) {
    OffsetsTopicCreating() = false;
    if (r.ok()) {
      LOG(INFO) << "offsets_topic_created topic=" << kOffsetsTopic;
    } else if (r.code != ErrorCode::kTopicAlreadyExists) {
      LOG_EVERY_T(WARNING, 10) << "offsets_topic_create_failed error="
                               << protocol::ErrorName(r.code) << " " << r.message;
    }
  });
}

}  // namespace

void HandleFindCoordinator(BrokerContext& ctx, Request& req, Responder responder) {
  FindCoordinatorRequest body;
  if (!DecodeBody(req, body, responder)) return;
  FindCoordinatorResponse resp;
  resp.node_id = -1;
  auto fail = [&](ErrorCode e) {
    resp.error_code = Code(e);
    resp.error_message = protocol::ErrorName(e);
    Respond(responder, resp);
  };
  if (body.key_type != 0) return fail(ErrorCode::kCoordinatorNotAvailable);  // no transactions
  if (ctx.groups == nullptr) return fail(ErrorCode::kCoordinatorNotAvailable);
  const TopicInfo* topic = ctx.metadata->FindTopic(kOffsetsTopic);
  if (topic == nullptr) {
    CreateOffsetsTopic(ctx);
    return fail(ErrorCode::kCoordinatorNotAvailable);
  }
  auto it = topic->find(ctx.groups->PartitionFor(body.key));
  if (it == topic->end() || it->second.leader < 0) {
    return fail(ErrorCode::kCoordinatorNotAvailable);
  }
  const int32_t leader = it->second.leader;
  auto broker = ctx.metadata->brokers().find(leader);
  if (leader == ctx.broker_id) {
    resp.host = ctx.advertised.host;
    resp.port = ctx.advertised.port;
  } else if (broker != ctx.metadata->brokers().end()) {
    resp.host = broker->second.host;
    resp.port = broker->second.port;
  } else {
    return fail(ErrorCode::kCoordinatorNotAvailable);
  }
  resp.node_id = leader;
  resp.error_message = std::nullopt;
  Respond(responder, resp);
}

}  // namespace sluice::broker
