// Inter-broker APIs (README §3 "Inter-broker versions are ours", §6): LeaderAndIsr v4,
// UpdateMetadata v6, StopReplica v3 (controller → broker, applied through the
// ControllerRequestApplier; an older controller epoch than one already seen gets
// STALE_CONTROLLER_EPOCH, an older broker epoch than our registration's STALE_BROKER_EPOCH),
// ControlledShutdown v3 (broker → controller) and OffsetForLeaderEpoch v4
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
#include "protocol/error_codes.h"
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

// Who may act on this broker (README §5 "Controller election and fencing" 6, KIP-380): a
// controller at least as new as the newest one seen, addressing our current registration. A
// request's broker epoch of -1 (sender does not know it) or ours of -1 (not registered yet) skips
// the check; a newer one than ours is accepted, as Kafka does: the controller may see our new
// /brokers/ids/<id> before our own create completion reaches the loop, and a rejection is final.
ErrorCode ControllerRequestError(BrokerContext& ctx, int32_t controller_epoch,
                                 int64_t broker_epoch, const char* api) {
  ControllerRequestApplier* applier = Applier(ctx);
  if (applier == nullptr) return ErrorCode::kBrokerNotAvailable;
  ErrorCode err = ErrorCode::kNone;
  const int64_t ours = ctx.inter_broker->broker_epoch;
  if (controller_epoch < applier->controller_epoch()) {
    err = ErrorCode::kStaleControllerEpoch;
  } else if (broker_epoch >= 0 && ours >= 0 && broker_epoch < ours) {
    err = ErrorCode::kStaleBrokerEpoch;
  }
  if (err != ErrorCode::kNone) {
    LOG_EVERY_T(WARNING, 1) << "controller_request_fenced api=" << api
                            << " controller_epoch=" << controller_epoch
                            << " seen_controller_epoch=" << applier->controller_epoch()
                            << " broker_epoch=" << broker_epoch << " our_broker_epoch=" << ours
                            << " error=" << protocol::ErrorName(err);
  }
  return err;
}

// LeaderAndIsr/UpdateMetadata/StopReplica: decode, fence, apply, answer.
template <typename Req, typename Resp, typename Apply>
void HandleControllerRequest(BrokerContext& ctx, Request& req, Responder& responder,
                             Apply apply) {
  Req body;
  if (!DecodeBody(req, body, responder)) return;
  Resp resp;
  ErrorCode err =
      ControllerRequestError(ctx, body.controller_epoch, body.broker_epoch, Req::kName);
  if (err != ErrorCode::kNone) {
    resp.error_code = Code(err);
  } else {
    apply(*Applier(ctx), body, resp);
  }
  Respond(responder, resp);
}

// One (error-free) entry per requested partition; LeaderAndIsr v4 and StopReplica v3 share the
// topic_states[].partition_states[] / partition_errors[] shape.
template <typename TopicStates, typename Errors>
void AckPartitions(const TopicStates& topic_states, Errors* errors) {
  for (const auto& t : topic_states) {
    for (const auto& p : t.partition_states) {
      auto& e = errors->emplace_back();
      e.topic_name = t.topic_name;
      e.partition_index = p.partition_index;
    }
  }
}
}  // namespace

void HandleLeaderAndIsr(BrokerContext& ctx, Request& req, Responder responder) {
  HandleControllerRequest<protocol::LeaderAndIsrRequest, protocol::LeaderAndIsrResponse>(
      ctx, req, responder, [&ctx](ControllerRequestApplier& applier, const auto& body, auto& resp) {
        applier.ApplyLeaderAndIsr(FromWire(body));
        AfterLeadershipChange(ctx);
        AckPartitions(body.topic_states, &resp.partition_errors);
      });
}

void HandleUpdateMetadata(BrokerContext& ctx, Request& req, Responder responder) {
  HandleControllerRequest<protocol::UpdateMetadataRequest, protocol::UpdateMetadataResponse>(
      ctx, req, responder, [](ControllerRequestApplier& applier, const auto& body, auto&) {
        applier.ApplyUpdateMetadata(FromWire(body));
      });
}

void HandleStopReplica(BrokerContext& ctx, Request& req, Responder responder) {
  HandleControllerRequest<protocol::StopReplicaRequest, protocol::StopReplicaResponse>(
      ctx, req, responder, [&ctx](ControllerRequestApplier& applier, const auto& body, auto& resp) {
        applier.ApplyStopReplica(FromWire(body));
        AfterLeadershipChange(ctx);
        AckPartitions(body.topic_states, &resp.partition_errors);
      });
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
