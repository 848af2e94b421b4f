// Fetch (key 1), v4-v11, sessionless (session_id 0). Consumers (replica_id -1) read up to the high
// watermark, followers (replica_id >= 0) up to the log end and report their position, which
// drives the leader's HW. Records go out as FileRegions (sendfile, no copy). When fewer than
// min_bytes are available the request waits in the fetch purgatory, woken by appends and HW
// moves, until max_wait_ms. README §3 (client behaviour) and §6 (HW, fetch semantics).
#include <glog/logging.h>

#include <algorithm>
#include <memory>

#include "broker/handlers/handlers.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/metadata_cache.h"
#include "broker/partition.h"
#include "broker/purgatory.h"
#include "broker/replica_manager.h"
#include "common/clock.h"
#include "protocol/errors_map.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::FetchRequest;
using protocol::FetchResponse;

namespace {

struct FetchOutcome {
  FetchResponse response;
  int64_t bytes = 0;
  bool has_error = false;
};

// Reads every requested partition now. `record_follower` is false on re-evaluation from the
// purgatory (the follower position was already recorded).
FetchOutcome ReadAll(BrokerContext& ctx, const FetchRequest& req, bool record_follower) {
  FetchOutcome result;
  FetchResponse& resp = result.response;
  resp.session_id = 0;
  const bool follower = req.replica_id >= 0;
  int64_t budget = req.max_bytes > 0 ? req.max_bytes : 0;
  const int64_t now = WallMillis();
  resp.responses.reserve(req.topics.size());
  for (const auto& topic : req.topics) {
    auto& topic_out = resp.responses.emplace_back();
    topic_out.topic = topic.topic;
    topic_out.partitions.reserve(topic.partitions.size());
    for (const auto& part : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = part.partition;
      out.high_watermark = -1;
      out.last_stable_offset = -1;
      out.log_start_offset = -1;
      out.preferred_read_replica = -1;
      out.records = protocol::Records::Borrowed(std::string_view());
      auto fail = [&](ErrorCode code) {
        out.error_code = Code(code);
        result.has_error = true;
      };
      Partition* p = ctx.replicas->Find(topic.topic, part.partition);
      if (p == nullptr) {
        fail(ctx.metadata->FindPartition(topic.topic, part.partition) != nullptr
                 ? ErrorCode::kNotLeaderOrFollower
                 : ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (!p->is_leader()) { fail(ErrorCode::kNotLeaderOrFollower); continue; }
      if (part.current_leader_epoch >= 0 && part.current_leader_epoch != p->leader_epoch().value()) {
        fail(part.current_leader_epoch < p->leader_epoch().value() ? ErrorCode::kFencedLeaderEpoch
                                                                   : ErrorCode::kUnknownLeaderEpoch);
        continue;
      }
      storage::Log* log = p->log();
      if (follower && record_follower) {
        ctx.replicas->RecordFollowerFetch(p, req.replica_id, part.fetch_offset, now);
      }
      Offset limit = follower ? log->log_end_offset() : log->high_watermark();
      int32_t max = static_cast<int32_t>(
          std::min<int64_t>(std::max<int32_t>(part.partition_max_bytes, 0), budget));
      // The first partition that returns data gets its first batch whole even above the limits.
      bool min_one = result.bytes == 0;
      auto read = log->Read(Offset(part.fetch_offset), max, limit, min_one);
      out.high_watermark = log->high_watermark().value();
      out.last_stable_offset = out.high_watermark;
      out.log_start_offset = log->log_start_offset().value();
      if (!read.ok()) {
        fail(read.status().code() == Errc::kOutOfRange ? ErrorCode::kOffsetOutOfRange
                                                       : protocol::ToKafkaError(read.status()));
        continue;
      }
      if (read->region.length > 0) {
        result.bytes += read->region.length;
        budget = std::max<int64_t>(0, budget - read->region.length);
        out.records = protocol::Records::Region(std::move(read->region));
      }
    }
  }
  return result;
}

struct DelayedFetch {
  FetchRequest request;
  Responder responder;
};

}  // namespace

void HandleFetch(BrokerContext& ctx, Request& req, Responder responder) {
  auto op = std::make_shared<DelayedFetch>();
  if (!DecodeBody(req, op->request, responder)) return;
  const FetchRequest& body = op->request;
  if (body.replica_id >= 0 && ctx.replicas != nullptr) {
    ctx.replicas->NoteFollowerConnection(body.replica_id, responder.connection_id());
  }
  FetchOutcome now = ReadAll(ctx, body, /*record_follower=*/true);
  if (body.max_wait_ms <= 0 || now.bytes >= std::max(body.min_bytes, 1) || now.has_error ||
      body.topics.empty()) {
    if (ctx.metrics != nullptr) ctx.metrics->RecordFetchResponse(now.response);
    Respond(responder, now.response);
    return;
  }
  op->responder = std::move(responder);
  std::vector<TopicPartition> keys;
  for (const auto& t : body.topics) {
    for (const auto& p : t.partitions) keys.push_back(TopicPartition{t.topic, p.partition});
  }
  BrokerContext* c = &ctx;
  ctx.fetch_purgatory->Watch(
      keys, body.max_wait_ms,
      [c, op] {
        if (!op->responder.connection_alive()) {
          op->responder.NoResponse();
          return true;
        }
        FetchOutcome again = ReadAll(*c, op->request, /*record_follower=*/false);
        if (again.bytes < std::max(op->request.min_bytes, 1) && !again.has_error) return false;
        if (c->metrics != nullptr) c->metrics->RecordFetchResponse(again.response);
        Respond(op->responder, again.response);
        return true;
      },
      [c, op] {
        FetchOutcome last = ReadAll(*c, op->request, false);
        if (c->metrics != nullptr) c->metrics->RecordFetchResponse(last.response);
        Respond(op->responder, last.response);
      });
}

}  // namespace sluice::broker
