// ListGroups (key 16), v0-v4: the groups this broker coordinates (clients ask every broker);
// v4 filters by state.
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;

void HandleListGroups(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::ListGroupsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  protocol::ListGroupsResponse resp;
  std::vector<ListedGroup> groups;
  resp.error_code = Code(ctx.groups == nullptr ? ErrorCode::kNone
                                               : ctx.groups->List(body.states_filter, &groups));
  for (auto& g : groups) {
    auto& out = resp.groups.emplace_back();
    out.group_id = std::move(g.group_id);
    out.protocol_type = std::move(g.protocol_type);
    out.group_state = std::move(g.state);
  }
  Respond(responder, resp);
}

}  // namespace sluice::broker
