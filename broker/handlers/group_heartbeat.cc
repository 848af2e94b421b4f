// Heartbeat (key 12), v0-v3: REBALANCE_IN_PROGRESS tells a member to rejoin; UNKNOWN_MEMBER_ID /
// ILLEGAL_GENERATION fence members of an old generation.
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;

void HandleHeartbeat(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::HeartbeatRequest body;
  if (!DecodeBody(req, body, responder)) return;
  protocol::HeartbeatResponse resp;
  resp.error_code = Code(ctx.groups == nullptr
                             ? ErrorCode::kCoordinatorNotAvailable
                             : ctx.groups->Heartbeat(body.group_id, body.generation_id,
                                                     body.member_id, body.group_instance_id));
  Respond(responder, resp);
}

}  // namespace sluice::broker
