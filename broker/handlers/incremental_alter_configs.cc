// IncrementalAlterConfigs (key 44), v0-v1. Any broker answers. For a TOPIC resource each entry
// SETs, DELETEs, APPENDs to or SUBTRACTs from (list configs only: cleanup.policy and the
// throttled-replica lists) one override; the ops are checked first (unknown name or bad value:
// INVALID_CONFIG; unknown op, null SET value or a name twice: INVALID_REQUEST), then applied to
// the topic's current overrides read from ZooKeeper, and the result written through
// coordinator::Admin unless validate_only. BROKER resources: INVALID_REQUEST (no dynamic broker
// configs). Unknown topic: UNKNOWN_TOPIC_OR_PARTITION.
#include <glog/logging.h>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "broker/admin_client.h"
#include "broker/handlers/handlers.h"
#include "coordinator/admin.h"
#include "protocol/generated/messages.h"

namespace sluice::broker {

using protocol::ErrorCode;
using protocol::IncrementalAlterConfigsRequest;
using protocol::IncrementalAlterConfigsResponse;

namespace {

constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;

enum class Op : int8_t { kSet = 0, kDelete = 1, kAppend = 2, kSubtract = 3 };

struct ConfigOp {
  std::string name;
  Op op = Op::kSet;
  std::string value;
};

bool IsListConfig(const std::string& name) {
  return name == "cleanup.policy" || name == "leader.replication.throttled.replicas" ||
         name == "follower.replication.throttled.replicas";
}

std::vector<std::string> SplitList(const std::string& v) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= v.size()) {
    size_t comma = v.find(',', start);
    if (comma == std::string::npos) comma = v.size();
    if (comma > start) out.push_back(v.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

// The overrides after `ops`, or the reason they cannot apply.
Result<TopicConfigMap> Apply(TopicConfigMap current, const std::vector<ConfigOp>& ops) {
  for (const ConfigOp& c : ops) {
    switch (c.op) {
      case Op::kSet:
        current[c.name] = c.value;
        break;
      case Op::kDelete:
        current.erase(c.name);
        break;
      case Op::kAppend: {
        std::vector<std::string> items = SplitList(current.contains(c.name) ? current[c.name] : "");
        for (const std::string& v : SplitList(c.value)) {
          if (std::find(items.begin(), items.end(), v) == items.end()) items.push_back(v);
        }
        current[c.name] = JoinList(items);
        break;
      }
      case Op::kSubtract: {
        std::vector<std::string> items = SplitList(current.contains(c.name) ? current[c.name] : "");
        for (const std::string& v : SplitList(c.value)) {
          items.erase(std::remove(items.begin(), items.end(), v), items.end());
        }
        if (items.empty()) current.erase(c.name);
        else current[c.name] = JoinList(items);
        break;
      }
    }
  }
  if (Status s = coordinator::ValidateTopicConfigs(current); !s.ok()) return s;
  return current;
}

using PendingAlter = PendingResponse<IncrementalAlterConfigsResponse>;

void SetError(IncrementalAlterConfigsResponse::AlterConfigsResourceResponse& out, ErrorCode code,
              std::string message) {
  out.error_code = Code(code);
  out.error_message = std::move(message);
}

}  // namespace

void HandleIncrementalAlterConfigs(BrokerContext& ctx, Request& req, Responder responder) {
  IncrementalAlterConfigsRequest body;
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
    if (seen[{resource.resource_type, resource.resource_name}] > 1) {
      SetError(out, ErrorCode::kInvalidRequest, "Duplicate resource " + resource.resource_name);
      continue;
    }
    if (resource.resource_type == kResourceBroker) {
      SetError(out, ErrorCode::kInvalidRequest,
               "Altering broker configs is not supported (configure brokers through "
               "server.properties)");
      continue;
    }
    if (resource.resource_type != kResourceTopic) {
      SetError(out, ErrorCode::kInvalidRequest,
               "Unsupported resource type " + std::to_string(resource.resource_type));
      continue;
    }
    if (!IsValidTopicName(resource.resource_name)) {
      SetError(out, ErrorCode::kInvalidTopicException,
               "Topic name \"" + resource.resource_name + "\" is illegal");
      continue;
    }
    std::vector<ConfigOp> ops;
    std::set<std::string> names;
    std::string error;
    ErrorCode code = ErrorCode::kNone;
    for (const auto& c : resource.configs) {
      if (!names.insert(c.name).second) {
        code = ErrorCode::kInvalidRequest;
        error = "Error due to duplicate config keys: " + c.name;
        break;
      }
      if (c.config_operation < 0 || c.config_operation > 3) {
        code = ErrorCode::kInvalidRequest;
        error = "Unknown config operation " + std::to_string(c.config_operation) + " for " +
                c.name;
        break;
      }
      ConfigOp o{c.name, static_cast<Op>(c.config_operation), c.value.value_or("")};
      if (o.op != Op::kDelete && !c.value.has_value()) {
        code = ErrorCode::kInvalidRequest;
        error = "Null value not supported for : " + c.name;
        break;
      }
      // Name (and, for SET, value) checks before anything is read.
      Status s = !coordinator::IsTopicConfigName(c.name)
                     ? Status::InvalidArgument("Unknown topic config name: " + c.name)
                 : o.op == Op::kSet ? coordinator::ValidateTopicConfigs({{c.name, o.value}})
                                    : Status::Ok();
      if (!s.ok()) {
        code = ErrorCode::kInvalidConfig;
        error = s.message();
        break;
      }
      if ((o.op == Op::kAppend || o.op == Op::kSubtract) && !IsListConfig(c.name)) {
        code = ErrorCode::kInvalidConfig;
        error = std::string("Config value ") + (o.op == Op::kAppend ? "append" : "subtract") +
                " is not allowed for config key: " + c.name;
        break;
      }
      ops.push_back(std::move(o));
    }
    if (code != ErrorCode::kNone) {
      SetError(out, code, error);
      continue;
    }
    if (ctx.admin == nullptr) {
      SetError(out, ErrorCode::kRequestTimedOut, "not connected to ZooKeeper yet");
      continue;
    }
    ++op->outstanding;
    AdminClient* admin = ctx.admin;
    const std::string topic = resource.resource_name;
    const bool validate_only = body.validate_only;
    admin->ReadTopicConfig(topic, [admin, op, i, topic, ops, validate_only](
                                      AdminResult r, TopicConfigMap current) {
      auto& result = op->response.responses[i];
      if (!r.ok()) {
        SetError(result, r.code,
                 r.code == ErrorCode::kUnknownTopicOrPartition ? "Topic " + topic +
                                                                     " does not exist"
                                                               : r.message);
        return Complete(op);
      }
      Result<TopicConfigMap> next = Apply(std::move(current), ops);
      if (!next.ok()) {
        SetError(result, ErrorCode::kInvalidConfig, next.status().message());
        return Complete(op);
      }
      admin->AlterTopicConfig(topic, *next, validate_only,
                              [op, i, topic, validate_only](AdminResult w) {
                                auto& res = op->response.responses[i];
                                if (!w.ok()) {
                                  SetError(res, w.code, w.message);
                                } else if (!validate_only) {
                                  LOG(INFO) << "topic_configs_altered topic=" << topic
                                            << " incremental=true";
                                }
                                Complete(op);
                              });
    });
  }
  Complete(op);
}

}  // namespace sluice::broker
