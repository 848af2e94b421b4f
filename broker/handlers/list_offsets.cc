// ListOffsets (key 2), v1-v3: -1 = latest (HW for consumers, LSO = HW under read_committed, LEO
// for replicas), -2 = earliest (log start), otherwise the first offset whose batch has a
// timestamp >= the one asked (offset -1 when there is none). README §6.
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/partition.h"
#include "broker/replica_manager.h"
#include "protocol/errors_map.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::ListOffsetsRequest;
using protocol::ListOffsetsResponse;

namespace {
constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
}  // namespace

void HandleListOffsets(BrokerContext& ctx, Request& req, Responder responder) {
  ListOffsetsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  ListOffsetsResponse resp;
  for (const auto& topic : body.topics) {
    auto& topic_out = resp.topics.emplace_back();
    topic_out.name = topic.name;
    for (const auto& part : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = part.partition_index;
      out.timestamp = -1;
      out.offset = -1;
      Partition* p = ctx.replicas->Find(topic.name, part.partition_index);
      if (p == nullptr) {
        out.error_code = Code(ctx.metadata->FindPartition(topic.name, part.partition_index)
                                  ? ErrorCode::kNotLeaderOrFollower
                                  : ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (!p->is_leader()) {
        out.error_code = Code(ErrorCode::kNotLeaderOrFollower);
        continue;
      }
      storage::Log* log = p->log();
      out.leader_epoch = p->leader_epoch().value();
      if (part.timestamp == kLatest) {
        out.offset = body.replica_id >= 0 ? log->log_end_offset().value()
                                          : log->high_watermark().value();
      } else if (part.timestamp == kEarliest) {
        out.offset = log->log_start_offset().value();
      } else {
        auto found = log->OffsetForTimestamp(part.timestamp);
        if (!found.ok()) {
          out.error_code = Code(protocol::ToKafkaError(found.status()));
          continue;
        }
        int64_t limit = body.replica_id >= 0 ? log->log_end_offset().value()
                                             : log->high_watermark().value();
        if (found->value() < limit) {
          out.offset = found->value();
          out.timestamp = part.timestamp;
        }
      }
    }
  }
  Respond(responder, resp);
}

}  // namespace sluice::broker
