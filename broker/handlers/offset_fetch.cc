// OffsetFetch (key 9), v1-v7. Partitions without a commit answer offset -1, metadata "", NONE;
// topics null (v2+) = every committed partition. Coordinator errors are per partition in v1 and
// top-level from v2 on.
#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::OffsetFetchRequest;
using protocol::OffsetFetchResponse;

void HandleOffsetFetch(BrokerContext& ctx, Request& req, Responder responder) {
  OffsetFetchRequest body;
  if (!DecodeBody(req, body, responder)) return;
  OffsetFetchResponse resp;
  std::optional<std::vector<std::pair<std::string, std::vector<int32_t>>>> topics;
  if (body.topics.has_value()) {
    topics.emplace();
    for (const auto& t : *body.topics) topics->emplace_back(t.name, t.partition_indexes);
  }
  FetchResult r;
  if (ctx.groups == nullptr) {
    r.error = ErrorCode::kCoordinatorNotAvailable;
  } else {
    r = ctx.groups->FetchOffsets(body.group_id, topics);
  }
  if (req.api_version >= 2 && r.error != ErrorCode::kNone) {
    resp.error_code = Code(r.error);
    return Respond(responder, resp);
  }
  for (const auto& f : r.offsets) {
    if (resp.topics.empty() || resp.topics.back().name != f.tp.topic) {
      resp.topics.emplace_back().name = f.tp.topic;
    }
    auto& p = resp.topics.back().partitions.emplace_back();
    p.partition_index = f.tp.partition;
    p.committed_offset = f.offset;
    p.committed_leader_epoch = f.leader_epoch;
    p.metadata = f.metadata;
    p.error_code = Code(f.error != ErrorCode::kNone ? f.error : r.error);
  }
  Respond(responder, resp);
}

}  // namespace sluice::broker
