// CreatePartitions (key 37), v0-v1. Only the controller accepts it (NOT_CONTROLLER elsewhere, as
// CreateTopics; librdkafka sends it to Metadata's controller_id). Per topic: a name twice →
// INVALID_REQUEST; unknown → UNKNOWN_TOPIC_OR_PARTITION; count <= current → INVALID_PARTITIONS;
// a bad explicit assignment → INVALID_REPLICA_ASSIGNMENT; queued for deletion →
// INVALID_TOPIC_EXCEPTION. coordinator::Admin rewrites /brokers/topics/<t> with the new
// partitions; the controller's watch on it elects their leaders. Unless validate_only we then
// wait, bounded by timeout_ms, until every partition of the topic has a live leader in our
// metadata cache (as CreateTopics does), so the new partitions are in Metadata when we answer.
#include <glog/logging.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/admin_client.h"
#include "broker/handlers/handlers.h"
#include "broker/metadata_cache.h"
#include "broker/wait_until.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::CreatePartitionsRequest;
using protocol::CreatePartitionsResponse;
using protocol::ErrorCode;

namespace {

struct Grown {
  size_t index;
  std::string topic;
  int32_t total;
};

struct PendingPartitions {
  CreatePartitionsResponse response;
  Responder responder;
  int outstanding = 0;
  std::vector<Grown> grown;  // to wait for
  int32_t timeout_ms = 0;
  int64_t start_ms = 0;
};

bool HasAllWithLeaders(const MetadataCache& cache, const std::string& topic, int32_t total) {
  const TopicInfo* t = cache.FindTopic(topic);
  if (t == nullptr || static_cast<int32_t>(t->size()) < total) return false;
  return cache.AllPartitionsHaveLiveLeaders(topic);
}

void Finish(BrokerContext& ctx, std::shared_ptr<PendingPartitions> op) {
  if (op->grown.empty()) {
    Respond(op->responder, op->response);
    return;
  }
  MetadataCache* cache = ctx.metadata;
  int64_t left = op->timeout_ms - (SteadyMillis() - op->start_ms);
  auto all = [cache, op] {
    for (const Grown& g : op->grown) {
      if (!HasAllWithLeaders(*cache, g.topic, g.total)) return false;
    }
    return true;
  };
  WaitUntil(ctx.loop, all, std::max<int64_t>(left, 0), [op, cache](bool ok) {
    if (!ok) {
      for (const Grown& g : op->grown) {
        if (HasAllWithLeaders(*cache, g.topic, g.total)) continue;
        op->response.results[g.index].error_code = Code(ErrorCode::kRequestTimedOut);
        op->response.results[g.index].error_message = "partitions added; leaders not yet elected";
      }
    }
    Respond(op->responder, op->response);
  });
}

}  // namespace

void HandleCreatePartitions(BrokerContext& ctx, Request& req, Responder responder) {
  CreatePartitionsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  auto op = std::make_shared<PendingPartitions>();
  op->timeout_ms = body.timeout_ms;
  op->start_ms = SteadyMillis();
  const bool controller = ctx.admin != nullptr && ctx.admin->IsController();
  std::map<std::string, int> seen;
  for (const auto& t : body.topics) seen[t.name]++;

  std::vector<std::pair<size_t, PartitionsSpec>> to_grow;
  for (const auto& t : body.topics) {
    size_t index = op->response.results.size();
    auto& out = op->response.results.emplace_back();
    out.name = t.name;
    auto fail = [&out](ErrorCode code, std::string message) {
      out.error_code = Code(code);
      out.error_message = std::move(message);
    };
    if (!controller) {
      fail(ErrorCode::kNotController, "this broker is not the controller");
      continue;
    }
    if (seen[t.name] > 1) {
      fail(ErrorCode::kInvalidRequest, "Duplicate topic in request: " + t.name);
      continue;
    }
    if (!IsValidTopicName(t.name)) {
      fail(ErrorCode::kInvalidTopicException, "Topic name \"" + t.name + "\" is illegal");
      continue;
    }
    if (t.count <= 0) {
      fail(ErrorCode::kInvalidPartitions, "Number of partitions must be larger than 0.");
      continue;
    }
    PartitionsSpec spec;
    spec.topic = t.name;
    spec.total = t.count;
    if (t.assignments.has_value()) {
      for (const auto& a : *t.assignments) spec.assignment.push_back(a.broker_ids);
    }
    to_grow.emplace_back(index, std::move(spec));
  }

  op->responder = std::move(responder);
  if (to_grow.empty()) {
    Respond(op->responder, op->response);
    return;
  }
  op->outstanding = static_cast<int>(to_grow.size());
  BrokerContext* c = &ctx;
  const bool validate_only = body.validate_only;
  for (auto& [index, spec] : to_grow) {
    Grown g{index, spec.topic, spec.total};
    ctx.admin->CreatePartitions(spec, validate_only, [c, op, g, validate_only](AdminResult r) {
      auto& out = op->response.results[g.index];
      if (!r.ok()) {
        out.error_code = Code(r.code);
        out.error_message = r.message;
      } else if (!validate_only) {
        LOG(INFO) << "partitions_created topic=" << g.topic << " total=" << g.total;
        op->grown.push_back(g);
      }
      if (--op->outstanding == 0) Finish(*c, op);
    });
  }
}

}  // namespace sluice::broker
