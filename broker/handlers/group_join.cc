// JoinGroup (key 11), v0-v5; SyncGroup: group_sync.cc. v4+ new members first get
// MEMBER_ID_REQUIRED with their id (two-step join); v5 adds group.instance.id (static members).
// The answer is parked in the GroupCoordinator until the join phase completes.
#include <memory>

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::JoinGroupRequest;
using protocol::JoinGroupResponse;

void HandleJoinGroup(BrokerContext& ctx, Request& req, Responder responder) {
  JoinGroupRequest body;
  if (!DecodeBody(req, body, responder)) return;
  if (ctx.groups == nullptr) {
    JoinGroupResponse resp;
    resp.error_code = Code(ErrorCode::kCoordinatorNotAvailable);
    resp.member_id = body.member_id;
    return Respond(responder, resp);
  }
  JoinRequest r;
  r.group_id = body.group_id;
  r.member_id = body.member_id;
  r.group_instance_id = body.group_instance_id;
  r.client_id = req.header.client_id.value_or("");
  r.session_timeout_ms = body.session_timeout_ms;
  r.rebalance_timeout_ms = req.api_version == 0 ? body.session_timeout_ms
                                                : body.rebalance_timeout_ms;
  r.protocol_type = body.protocol_type;
  for (auto& p : body.protocols) r.protocols.emplace_back(p.name, p.metadata);
  r.require_known_member_id = req.api_version >= 4;
  auto out = std::make_shared<Responder>(std::move(responder));
  ctx.groups->Join(r, [out](JoinResult jr) {
    JoinGroupResponse resp;
    resp.error_code = Code(jr.error);
    resp.generation_id = jr.generation_id;
    resp.protocol_type = jr.protocol_type;
    resp.protocol_name = jr.protocol_name;
    resp.leader = jr.leader;
    resp.member_id = jr.member_id;
    for (auto& m : jr.members) {
      auto& rm = resp.members.emplace_back();
      rm.member_id = std::move(m.member_id);
      rm.group_instance_id = std::move(m.group_instance_id);
      rm.metadata = std::move(m.metadata);
    }
    Respond(*out, resp);
  });
}

}  // namespace sluice::broker
