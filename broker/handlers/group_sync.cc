// SyncGroup (key 14), v0-v3: the leader sends the assignments; every member's answer is parked
// until the group metadata record is replicated (acks=all), then carries its assignment.
#include <memory>

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::SyncGroupRequest;
using protocol::SyncGroupResponse;

void HandleSyncGroup(BrokerContext& ctx, Request& req, Responder responder) {
  SyncGroupRequest body;
  if (!DecodeBody(req, body, responder)) return;
  if (ctx.groups == nullptr) {
    SyncGroupResponse resp;
    resp.error_code = Code(ErrorCode::kCoordinatorNotAvailable);
    return Respond(responder, resp);
  }
  SyncRequest r;
  r.group_id = body.group_id;
  r.generation_id = body.generation_id;
  r.member_id = body.member_id;
  r.group_instance_id = body.group_instance_id;
  r.protocol_type = body.protocol_type;
  r.protocol_name = body.protocol_name;
  for (auto& a : body.assignments) r.assignments.emplace_back(a.member_id, a.assignment);
  auto out = std::make_shared<Responder>(std::move(responder));
  ctx.groups->Sync(r, [out](SyncResult sr) {
    SyncGroupResponse resp;
    resp.error_code = Code(sr.error);
    resp.protocol_type = sr.protocol_type;
    resp.protocol_name = sr.protocol_name;
    resp.assignment = std::move(sr.assignment);
    Respond(*out, resp);
  });
}

}  // namespace sluice::broker
