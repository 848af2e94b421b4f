// LeaveGroup (key 13), v0-v3: v0-v2 name one member; v3 a batch by member id and/or
// group.instance.id with an error per member.
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;

void HandleLeaveGroup(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::LeaveGroupRequest body;
  if (!DecodeBody(req, body, responder)) return;
  protocol::LeaveGroupResponse resp;
  std::vector<LeaveMember> members;
  if (req.api_version < 3) {
    members.push_back({body.member_id, std::nullopt});
  } else {
    for (const auto& m : body.members) members.push_back({m.member_id, m.group_instance_id});
  }
  if (ctx.groups == nullptr) {
    resp.error_code = Code(ErrorCode::kCoordinatorNotAvailable);
    return Respond(responder, resp);
  }
  LeaveResult r = ctx.groups->Leave(body.group_id, members);
  resp.error_code = Code(r.error);
  if (req.api_version < 3) {
    if (r.error == ErrorCode::kNone && !r.members.empty()) resp.error_code = Code(r.members[0]);
  } else {
    for (size_t i = 0; i < r.members.size(); ++i) {
      auto& out = resp.members.emplace_back();
      out.member_id = members[i].member_id;
      out.group_instance_id = members[i].group_instance_id;
      out.error_code = Code(r.members[i]);
    }
  }
  Respond(responder, resp);
}

}  // namespace sluice::broker
