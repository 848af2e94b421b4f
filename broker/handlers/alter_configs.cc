// AlterConfigs (key 33), v0-v1. Any broker answers (Kafka's ZooKeeper-mode brokers write
// /config/topics/<t> themselves): for a TOPIC resource the given configs REPLACE the topic's
// overrides (null values dropped), validated first (unknown name or bad value: INVALID_CONFIG
// with Kafka's message), written through coordinator::Admin (config znode + config change
// notification) unless validate_only. BROKER resources: no dynamic broker configs here
// (INVALID_REQUEST). Unknown topic: UNKNOWN_TOPIC_OR_PARTITION.
#include <glog/logging.h>

#include <map>
#include <memory>
#include <string>

#include "broker/admin_client.h"
#include "broker/handlers/handlers.h"
#include "coordinator/admin.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::AlterConfigsRequest;
using protocol::AlterConfigsResponse;
using protocol::ErrorCode;

namespace {

constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;

using PendingAlter = PendingResponse<AlterConfigsResponse>;

}  // namespace

void HandleAlterConfigs(BrokerContext& ctx, Request& req, Responder responder) {
  AlterConfigsRequest body;
  if (!DecodeBody(req, body, responder)) return;
  auto op = std::make_shared<PendingAlter>();
  op->responder = std::move(responder);
  std::map<std::pair<int8_t, std::string>, int> seen;
  for (const auto& r : body.resources) seen[{r.resource_type, r.resource_name}]++;
  op->response.responses.resize(body.resources.size());
  for (size_t i = 0; i < body.resources.size(); ++i) {
    const auto& resource = body.resources[i];
    auto& out = op->response.responses[i];
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    auto fail = [&out](ErrorCode code, std::string message) {
      out.error_code = Code(code);
      out.error_message = std::move(message);
    };
    if (seen[{resource.resource_type, resource.resource_name}] > 1) {
      fail(ErrorCode::kInvalidRequest, "Duplicate resource " + resource.resource_name);
      continue;
    }
    if (resource.resource_type == kResourceBroker) {
      fail(ErrorCode::kInvalidRequest, "Altering broker configs is not supported (configure "
                                       "brokers through server.properties)");
      continue;
    }
    if (resource.resource_type != kResourceTopic) {
      fail(ErrorCode::kInvalidRequest,
           "Unsupported resource type " + std::to_string(resource.resource_type));
      continue;
    }
    if (!IsValidTopicName(resource.resource_name)) {
      fail(ErrorCode::kInvalidTopicException,
           "Topic name \"" + resource.resource_name + "\" is illegal");
      continue;
    }
    TopicConfigMap configs;
    bool duplicate = false;
    for (const auto& c : resource.configs) {
      if (!c.value.has_value()) continue;
      duplicate |= !configs.emplace(c.name, *c.value).second;
    }
    if (duplicate) {
      fail(ErrorCode::kInvalidRequest, "Duplicate config name in the request");
      continue;
    }
    if (Status s = coordinator::ValidateTopicConfigs(configs); !s.ok()) {
      fail(ErrorCode::kInvalidConfig, s.message());
      continue;
    }
    if (ctx.admin == nullptr) {
      fail(ErrorCode::kRequestTimedOut, "not connected to ZooKeeper yet");
      continue;
    }
    ++op->outstanding;
    std::string topic = resource.resource_name;
    const bool validate_only = body.validate_only;
    ctx.admin->AlterTopicConfig(topic, configs, validate_only,
                                [op, i, topic, validate_only](AdminResult r) {
                                  auto& result = op->response.responses[i];
                                  if (!r.ok()) {
                                    result.error_code = Code(r.code);
                                    result.error_message = r.message;
                                  } else if (!validate_only) {
                                    LOG(INFO) << "topic_configs_altered topic=" << topic;
                                  }
                                  Complete(op);
                                });
  }
  Complete(op);
}

}  // namespace sluice::broker
