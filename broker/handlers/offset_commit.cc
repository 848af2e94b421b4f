// OffsetCommit (key 8), v2-v7. The offsets are appended to the group's __consumer_offsets
// partition and acknowledged only once replicated to the ISR (acks=all). Generation -1 with an
// empty member id is a standalone commit, accepted only for an Empty or unknown group.
#include <memory>

#include "broker/group/group_coordinator.h"
#include "broker/handlers/handlers.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::OffsetCommitRequest;
using protocol::OffsetCommitResponse;

void HandleOffsetCommit(BrokerContext& ctx, Request& req, Responder responder) {
  OffsetCommitRequest body;
  if (!DecodeBody(req, body, responder)) return;
  auto resp = std::make_shared<OffsetCommitResponse>();
  CommitRequest r;
  r.group_id = body.group_id;
  r.generation_id = body.generation_id;
  r.member_id = body.member_id;
  r.group_instance_id = body.group_instance_id;
  r.retention_time_ms = req.api_version <= 4 ? body.retention_time_ms : -1;
  for (const auto& t : body.topics) {
    auto& topic_out = resp->topics.emplace_back();
    topic_out.name = t.name;
    for (const auto& p : t.partitions) {
      topic_out.partitions.emplace_back().partition_index = p.partition_index;
      r.partitions.push_back(
          {t.name, p.partition_index, p.committed_offset, p.committed_leader_epoch,
           p.committed_metadata});
    }
  }
  auto out = std::make_shared<Responder>(std::move(responder));
  auto answer = [resp, out](std::vector<ErrorCode> errors) {
    size_t i = 0;
    for (auto& t : resp->topics) {
      for (auto& p : t.partitions) {
        p.error_code = Code(i < errors.size() ? errors[i] : ErrorCode::kUnknownServerError);
        ++i;
      }
    }
    Respond(*out, *resp);
  };
  if (ctx.groups == nullptr) {
    return answer(std::vector<ErrorCode>(r.partitions.size(), ErrorCode::kCoordinatorNotAvailable));
  }
  ctx.groups->CommitOffsets(r, std::move(answer));
}

}  // namespace sluice::broker
