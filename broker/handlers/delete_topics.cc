// DeleteTopics (key 20), v0-v1. Controller only (NOT_CONTROLLER elsewhere, as CreateTopics);
// unknown topic → UNKNOWN_TOPIC_OR_PARTITION; delete.topic.enable=false → TOPIC_DELETION_DISABLED.
// Answers once the topic left our metadata cache, or REQUEST_TIMED_OUT after timeout_ms.
#include <glog/logging.h>

#include <memory>

#include "broker/admin_client.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/wait_until.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::DeleteTopicsRequest;
using protocol::DeleteTopicsResponse;
using protocol::ErrorCode;

namespace {
struct PendingDelete {
  DeleteTopicsResponse response;
  Responder responder;
  int outstanding = 0;
  std::vector<std::pair<size_t, std::string>> deleting;
  int32_t timeout_ms = 0;
  int64_t start_ms = 0;
};

void Finish(BrokerContext& ctx, std::shared_ptr<PendingDelete> op) {
  MetadataCache* cache = ctx.metadata;
  int64_t left = op->timeout_ms - (SteadyMillis() - op->start_ms);
  WaitUntil(
      ctx.loop,
      [cache, op] {
        for (const auto& [i, name] : op->deleting) {
          if (cache->FindTopic(name) != nullptr) return false;
        }
        return true;
      },
      std::max<int64_t>(left, 0), [cache, op](bool all) {
        if (!all) {
          for (const auto& [i, name] : op->deleting) {
            if (cache->FindTopic(name) != nullptr) {
              op->response.responses[i].error_code = Code(ErrorCode::kRequestTimedOut);
            }
          }
        }
        Respond(op->responder, op->response);
      });
}
}  // namespace

void HandleDeleteTopics(BrokerContext& ctx, Request& req, Responder responder) {
  DeleteTopicsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  auto op = std::make_shared<PendingDelete>();
  op->timeout_ms = body.timeout_ms;
  op->start_ms = SteadyMillis();
  const bool controller = ctx.admin != nullptr && ctx.admin->IsController();
  std::vector<std::pair<size_t, std::string>> to_delete;
  for (const auto& name : body.topic_names) {
    size_t index = op->response.responses.size();
    auto& out = op->response.responses.emplace_back();
    out.name = name;
    if (!controller) {
      out.error_code = Code(ErrorCode::kNotController);
    } else if (!ctx.config->delete_topic_enable) {
      out.error_code = Code(ErrorCode::kTopicDeletionDisabled);
    } else if (ctx.metadata->FindTopic(name) == nullptr) {
      out.error_code = Code(ErrorCode::kUnknownTopicOrPartition);
    } else {
      to_delete.emplace_back(index, name);
    }
  }
  op->responder = std::move(responder);
  if (to_delete.empty()) {
    Respond(op->responder, op->response);
    return;
  }
  op->outstanding = static_cast<int>(to_delete.size());
  BrokerContext* c = &ctx;
  for (auto& [index, name] : to_delete) {
    size_t i = index;
    std::string topic = name;
    ctx.admin->DeleteTopic(topic, [c, op, i, topic](AdminResult r) {
      if (!r.ok()) {
        op->response.responses[i].error_code = Code(r.code);
      } else {
        LOG(INFO) << "topic_delete_requested topic=" << topic;
        op->deleting.emplace_back(i, topic);
      }
      if (--op->outstanding == 0) Finish(*c, op);
    });
  }
}

}  // namespace sluice::broker
