// Produce (key 0), v0-v7. Per partition, a ladder of guard clauses (STYLE.md §5): known partition,
// leader here, batches valid (magic 2, sizes, CRC-32C, message.max.bytes, zstd only from v7),
// enough in-sync replicas for acks=all; then append in place (the frame is ours: offsets and the
// leader epoch are rewritten in the request buffer, which is then written to the segment: no
// copy). acks=0 never answers and closes the connection on any error; acks=1 answers after the
// append; acks=-1 parks in the produce purgatory until HW >= last offset + 1 or timeout_ms.
#include <glog/logging.h>

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
#include "protocol/record_batch.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::ProduceRequest;
using protocol::ProduceResponse;

namespace {

// Checks every batch in [data, data+size) as Kafka does for a producer (README §2). kNone when
// all are valid.
ErrorCode ValidateBatches(const uint8_t* data, size_t size, int16_t version,
                          int32_t max_message_bytes) {
  if (size == 0) return ErrorCode::kCorruptMessage;
  size_t pos = 0;
  while (pos < size) {
    auto batch = protocol::RecordBatchView::Parse(data + pos, size - pos);
    if (!batch.ok()) {
      return batch.status().code() == Errc::kUnsupported ? ErrorCode::kUnsupportedForMessageFormat
                                                         : ErrorCode::kCorruptMessage;
    }
    if (batch->size_bytes() > static_cast<size_t>(max_message_bytes)) {
      return ErrorCode::kMessageTooLarge;
    }
    if (batch->compression() == protocol::Compression::kZstd && version < 7) {
      return ErrorCode::kUnsupportedCompressionType;
    }
    Status valid = protocol::ValidateProducerBatch(*batch);
    if (!valid.ok()) {
      return valid.code() == Errc::kCorruption ? ErrorCode::kCorruptMessage
                                               : ErrorCode::kInvalidRecord;
    }
    pos += batch->size_bytes();
  }
  return ErrorCode::kNone;
}

struct PendingAck {
  size_t topic_index;
  size_t partition_index;
  TopicPartition tp;
  int64_t required_offset;  // HW must reach this (last appended offset + 1)
};

// A parked acks=all produce: the response under construction and what it waits for.
struct DelayedProduce {
  ProduceResponse response;
  std::vector<PendingAck> pending;
  Responder responder;
  bool done = false;
};

// Fills the errors of partitions that are satisfied or failed; true when none is left waiting.
bool CheckPending(BrokerContext& ctx, DelayedProduce& op, bool timed_out) {
  bool all = true;
  for (auto& pa : op.pending) {
    auto& out = op.response.responses[pa.topic_index].partition_responses[pa.partition_index];
    if (pa.required_offset < 0) continue;  // already settled
    Partition* p = ctx.replicas->Find(pa.tp.topic, pa.tp.partition);
    if (p == nullptr || !p->is_leader()) {
      out.error_code = Code(ErrorCode::kNotLeaderOrFollower);
      pa.required_offset = -1;
      continue;
    }
    if (p->log()->high_watermark().value() >= pa.required_offset) {
      if (static_cast<int32_t>(p->isr().size()) < p->min_insync_replicas()) {
        out.error_code = Code(ErrorCode::kNotEnoughReplicasAfterAppend);
      }
      pa.required_offset = -1;
      continue;
    }
    if (timed_out) {
      out.error_code = Code(ErrorCode::kRequestTimedOut);
      pa.required_offset = -1;
      continue;
    }
    all = false;
  }
  return all;
}

}  // namespace

void HandleProduce(BrokerContext& ctx, Request& req, Responder responder) {
  ProduceRequest body;
  if (!DecodeBody(req, body, responder)) return;
  const int16_t acks = body.acks;
  auto op = std::make_shared<DelayedProduce>();
  ProduceResponse& resp = op->response;
  bool any_error = false;
  const bool bad_acks = acks != -1 && acks != 0 && acks != 1;
  const int64_t now = WallMillis();
  resp.responses.reserve(body.topic_data.size());
  for (size_t ti = 0; ti < body.topic_data.size(); ++ti) {
    const auto& topic = body.topic_data[ti];
    auto& topic_out = resp.responses.emplace_back();
    topic_out.name = topic.name;
    topic_out.partition_responses.reserve(topic.partition_data.size());
    for (size_t pi = 0; pi < topic.partition_data.size(); ++pi) {
      const auto& part = topic.partition_data[pi];
      auto& out = topic_out.partition_responses.emplace_back();
      out.index = part.index;
      out.base_offset = -1;
      auto fail = [&](ErrorCode code) {
        out.error_code = Code(code);
        any_error = true;
      };
      if (bad_acks) { fail(ErrorCode::kInvalidRequiredAcks); continue; }
      Partition* p = ctx.replicas->Find(topic.name, part.index);
      if (p == nullptr) {
        fail(ctx.metadata->FindPartition(topic.name, part.index) != nullptr
                 ? ErrorCode::kNotLeaderOrFollower
                 : ErrorCode::kUnknownTopicOrPartition);
        continue;
      }
      if (!p->is_leader()) { fail(ErrorCode::kNotLeaderOrFollower); continue; }
      std::string_view records = part.records.bytes();
      // The records view points into the request frame, which is writable and ours until this
      // handler returns (RawRequest contract): rewrite offsets in place, no copy.
      auto* data = reinterpret_cast<uint8_t*>(const_cast<char*>(records.data()));
      ErrorCode invalid = ValidateBatches(data, records.size(), req.api_version,
                                          ctx.config->message_max_bytes);
      if (invalid != ErrorCode::kNone) {
        LOG_EVERY_T(WARNING, 10) << "produce_rejected topic=" << topic.name
                                 << " partition=" << part.index
                                 << " error=" << protocol::ErrorName(invalid)
                                 << " client_id=" << req.header.client_id.value_or("");
        fail(invalid);
        continue;
      }
      if (acks == -1 && static_cast<int32_t>(p->isr().size()) < p->min_insync_replicas()) {
        fail(ErrorCode::kNotEnoughReplicas);
        continue;
      }
      auto info = ctx.replicas->AppendAsLeader(p, data, records.size(), now);
      if (!info.ok()) {
        LOG_EVERY_T(WARNING, 10) << "produce_append_failed topic=" << topic.name
                                 << " partition=" << part.index << " error=" << info.status();
        fail(protocol::ToKafkaError(info.status()));
        continue;
      }
      if (ctx.metrics != nullptr) {
        ctx.metrics->RecordBytesIn(topic.name, static_cast<int64_t>(records.size()),
                                   info->last_offset.value() - info->first_offset.value() + 1);
      }
      out.base_offset = info->first_offset.value();
      out.log_append_time_ms = info->log_append_time;
      out.log_start_offset = info->log_start_offset.value();
      if (acks == -1) {
        op->pending.push_back({ti, pi, p->tp(), info->last_offset.value() + 1});
      }
    }
  }

  if (acks == 0) {
    if (any_error) {
      responder.CloseConnection("acks0_produce_failed");
    } else {
      responder.NoResponse();
    }
    return;
  }
  if (acks != -1 || CheckPending(ctx, *op, /*timed_out=*/false)) {
    Respond(responder, resp);
    return;
  }
  op->responder = std::move(responder);
  std::vector<TopicPartition> keys;
  for (const auto& pa : op->pending) {
    if (pa.required_offset >= 0) keys.push_back(pa.tp);
  }
  BrokerContext* c = &ctx;
  ctx.produce_purgatory->Watch(
      keys, body.timeout_ms,
      [c, op] {
        if (!CheckPending(*c, *op, /*timed_out=*/false)) return false;
        Respond(op->responder, op->response);
        return true;
      },
      [c, op] {
        CheckPending(*c, *op, /*timed_out=*/true);
        Respond(op->responder, op->response);
      });
}

}  // namespace sluice::broker
