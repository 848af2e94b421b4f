// DeleteGroups (key 42), v0-v1: Empty groups only (NON_EMPTY_GROUP otherwise, GROUP_ID_NOT_FOUND
// for unknown ones); answers after the tombstones of the group and its offsets are replicated.
#include <memory>

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;

void HandleDeleteGroups(BrokerContext& ctx, Request& req, Responder responder) {
  protocol::DeleteGroupsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  struct Pending {
    protocol::DeleteGroupsResponse resp;
    Responder responder;
    size_t outstanding = 0;
  };
  auto op = std::make_shared<Pending>();
  op->responder = std::move(responder);
  op->outstanding = body.groups_names.size() + 1;
  auto finish_one = [op] {
    if (--op->outstanding == 0) Respond(op->responder, op->resp);
  };
  for (size_t i = 0; i < body.groups_names.size(); ++i) {
    op->resp.results.emplace_back().group_id = body.groups_names[i];
  }
  for (size_t i = 0; i < body.groups_names.size(); ++i) {
    if (ctx.groups == nullptr) {
      op->resp.results[i].error_code = Code(ErrorCode::kCoordinatorNotAvailable);
      finish_one();
      continue;
    }
    ctx.groups->Delete(body.groups_names[i], [op, i, finish_one](ErrorCode e) {
      op->resp.results[i].error_code = Code(e);
      finish_one();
    });
  }
  finish_one();
}

}  // namespace sluice::broker
