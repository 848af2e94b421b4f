// DescribeGroups (key 15), v0-v4: state names, protocol, members; metadata and assignment bytes
// only for a Stable group. An unknown group is "Dead" with error NONE.
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;

void HandleDescribeGroups(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::DescribeGroupsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  protocol::DescribeGroupsResponse resp;
  for (const auto& id : body.groups) {
    auto& out = resp.groups.emplace_back();
    out.group_id = id;
    if (ctx.groups == nullptr) {
      out.error_code = Code(ErrorCode::kCoordinatorNotAvailable);
      continue;
    }
    GroupDescription d = ctx.groups->Describe(id);
    out.error_code = Code(d.error);
    out.group_state = d.state;
    out.protocol_type = d.protocol_type;
    out.protocol_data = d.protocol_name;
    for (auto& m : d.members) {
      auto& om = out.members.emplace_back();
      om.member_id = std::move(m.member_id);
      om.group_instance_id = std::move(m.group_instance_id);
      om.client_id = std::move(m.client_id);
      om.client_host = std::move(m.client_host);
      om.member_metadata = std::move(m.metadata);
      om.member_assignment = std::move(m.assignment);
    }
  }
  Respond(responder, resp);
}

}  // namespace sluice::broker
