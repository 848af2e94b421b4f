// Inter-broker APIs (README §3 "Inter-broker versions are ours", §6): LeaderAndIsr v4,
// UpdateMetadata v6, StopReplica v3 (controller → broker, applied through the
// ControllerRequestApplier; an older controller epoch than one already seen gets
// STALE_CONTROLLER_EPOCH), ControlledShutdown v3 (broker → controller) and OffsetForLeaderEpoch v4
// (follower → leader, answered from the leader's epoch cache).
#include <glog/logging.h>

#include <memory>

#include "broker/controller_channel.h"
#include "broker/controller_wire.h"
#include "broker/handlers/handlers.h"
#include "broker/inter_broker.h"
#include "broker/partition.h"
#include "broker/replica_fetcher.h"
#include "broker/replica_manager.h"
#include "coordinator/controller.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;

namespace {
ControllerRequestApplier* Applier(BrokerContext& ctx) {
  return ctx.inter_broker == nullptr ? nullptr : ctx.inter_broker->applier;
}
void AfterLeadershipChange(BrokerContext& ctx) {
  if (ctx.inter_broker != nullptr && ctx.inter_broker->fetchers != nullptr) {
    ctx.inter_broker->fetchers->Reconcile();
  }
}
}  // namespace

void HandleLeaderAndIsr(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::LeaderAndIsrRequest body;
  if (!DecodeBody(req, body, responder)) return;
  protocol::LeaderAndIsrResponse resp;
  ControllerRequestApplier* applier = Applier(ctx);
  if (applier == nullptr) {
    resp.error_code = Code(ErrorCode::kBrokerNotAvailable);
  } else if (body.controller_epoch < applier->controller_epoch()) {
    resp.error_code = Code(ErrorCode::kStaleControllerEpoch);
  } else {
    applier->ApplyLeaderAndIsr(FromWire(body));
    AfterLeadershipChange(ctx);
    for (const auto& t : body.topic_states) {
      for (const auto& p : t.partition_states) {
        auto& e = resp.partition_errors.emplace_back();
        e.topic_name = t.topic_name;
        e.partition_index = p.partition_index;
      }
    }
  }
  Respond(responder, resp);
}

void HandleUpdateMetadata(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::UpdateMetadataRequest body;
  if (!DecodeBody(req, body, responder)) return;
  protocol::UpdateMetadataResponse resp;
  ControllerRequestApplier* applier = Applier(ctx);
  if (applier == nullptr) {
    resp.error_code = Code(ErrorCode::kBrokerNotAvailable);
  } else if (body.controller_epoch < applier->controller_epoch()) {
    resp.error_code = Code(ErrorCode::kStaleControllerEpoch);
  } else {
    applier->ApplyUpdateMetadata(FromWire(body));
  }
  Respond(responder, resp);
}

void HandleStopReplica(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::StopReplicaRequest body;
  if (!DecodeBody(req, body, responder)) return;
  protocol::StopReplicaResponse resp;
  ControllerRequestApplier* applier = Applier(ctx);
  if (applier == nullptr) {
    resp.error_code = Code(ErrorCode::kBrokerNotAvailable);
  } else if (body.controller_epoch < applier->controller_epoch()) {
    resp.error_code = Code(ErrorCode::kStaleControllerEpoch);
  } else {
    applier->ApplyStopReplica(FromWire(body));
    AfterLeadershipChange(ctx);
    for (const auto& t : body.topic_states) {
      for (const auto& p : t.partition_states) {
        auto& e = resp.partition_errors.emplace_back();
        e.topic_name = t.topic_name;
        e.partition_index = p.partition_index;
      }
    }
  }
  Respond(responder, resp);
}

void HandleControlledShutdown(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::ControlledShutdownRequest body;
  if (!DecodeBody(req, body, responder)) return;
  coordinator::Controller* controller =
      ctx.inter_broker == nullptr ? nullptr : ctx.inter_broker->controller;
  if (controller == nullptr || !controller->is_controller()) {
    protocol::ControlledShutdownResponse resp;
    resp.error_code = Code(ErrorCode::kNotController);
    Respond(responder, resp);
    return;
  }
  LOG(INFO) << "controlled_shutdown_requested broker_id=" << body.broker_id
            << " broker_epoch=" << body.broker_epoch;
  auto shared = std::make_shared<Responder>(std::move(responder));
  controller->ControlledShutdown(
      BrokerId(body.broker_id), body.broker_epoch,
      [shared](Result<std::vector<TopicPartition>> r) {
        protocol::ControlledShutdownResponse resp;
        if (!r.ok()) {
          resp.error_code = Code(r.status().code() == Errc::kNotLeader
                                     ? ErrorCode::kNotController
                                     : r.status().code() == Errc::kInvalidArgument
                                           ? ErrorCode::kStaleBrokerEpoch
                                           : ErrorCode::kUnknownServerError);
        } else {
          for (const auto& tp : *r) {
            resp.remaining_partitions.push_back({tp.topic, tp.partition, {}});
          }
        }
        Respond(*shared, resp);
      });
}

void HandleOffsetForLeaderEpoch(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::OffsetForLeaderEpochRequest body;
  if (!DecodeBody(req, body, responder)) return;
  protocol::OffsetForLeaderEpochResponse resp;
  for (const auto& t : body.topics) {
    auto& tout = resp.topics.emplace_back();
    tout.topic = t.topic;
    for (const auto& part : t.partitions) {
      auto& out = tout.partitions.emplace_back();
      out.partition = part.partition;
      out.leader_epoch = -1;
      out.end_offset = -1;
      Partition* p = ctx.replicas->Find(t.topic, part.partition);
      if (p == nullptr) {
        out.error_code = Code(ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (!p->is_leader()) {
        out.error_code = Code(ErrorCode::kNotLeaderOrFollower);
        continue;
      }
      int32_t current = p->leader_epoch().value();
      if (part.current_leader_epoch >= 0 && part.current_leader_epoch != current) {
        out.error_code = Code(part.current_leader_epoch < current
                                  ? ErrorCode::kFencedLeaderEpoch
                                  : ErrorCode::kUnknownLeaderEpoch);
        continue;
      }
      auto [epoch, end] = p->log()->EndOffsetForEpoch(LeaderEpoch(part.leader_epoch));
      out.leader_epoch = epoch.value();
      out.end_offset = end.value();
    }
  }
  Respond(responder, resp);
}

}  // namespace sluice::broker
