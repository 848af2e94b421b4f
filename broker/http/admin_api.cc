#include "broker/http/admin_api.h"

#include <glog/logging.h>

#include <charconv>

#include "broker/admin_client.h"
#include "broker/handlers/handlers.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/request_context.h"
#include "broker/wait_until.h"

namespace sluice::broker {

using nlohmann::json;
using protocol::ErrorCode;

namespace {
constexpr char kDashboardHtml[] =
#include "broker/http/dashboard_html.inc"
    ;

HttpResponse Json(int status, const json& doc) {
  HttpResponse r;
  r.status = status;
  r.body = doc.dump(2) + "\n";
  return r;
}

HttpResponse MethodNotAllowed(const HttpRequest& req, const std::string& allow) {
  HttpResponse r = JsonError(ErrorCode::kInvalidRequest,
                             "method " + req.method + " not allowed on " + req.path +
                                 " (allowed: " + allow + ")",
                             405);
  r.headers.emplace_back("Allow", allow);
  return r;
}

// Strict integer: the whole string, optional sign, decimal digits, in int32 range.
bool ParseInt(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  const char* b = s.data();
  const char* e = b + s.size();
  if (*b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, *out);
  return ec == std::errc() && p == e && *out >= INT32_MIN && *out <= INT32_MAX;
}

// A JSON value as an integer (number or numeric string).
bool JsonInt(const json& v, int64_t* out) {
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return true;
  }
  if (v.is_string()) return ParseInt(v.get<std::string>(), out);
  return false;
}
}  // namespace

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNone: return 200;
    case ErrorCode::kUnknownTopicOrPartition: return 404;
    case ErrorCode::kTopicAlreadyExists: return 409;
    case ErrorCode::kInvalidTopicException:
    case ErrorCode::kInvalidPartitions:
    case ErrorCode::kInvalidReplicationFactor:
    case ErrorCode::kInvalidReplicaAssignment:
    case ErrorCode::kInvalidConfig:
    case ErrorCode::kInvalidRequest:
    case ErrorCode::kPolicyViolation:
      return 400;
    case ErrorCode::kNotController:
    case ErrorCode::kRequestTimedOut:
    case ErrorCode::kBrokerNotAvailable:
      return 503;
    default:
      return 500;
  }
}

HttpResponse JsonError(ErrorCode code, const std::string& message, int status) {
  return Json(status != 0 ? status : HttpStatusFor(code),
              {{"error", protocol::ErrorName(code)},
               {"error_code", static_cast<int>(code)},
               {"message", message}});
}

AdminApi::AdminApi(BrokerContext* ctx, const GaugeSources* sources, BrokerMetrics* metrics)
    : ctx_(ctx), sources_(sources), metrics_(metrics) {}

AdminApi::~AdminApi() { *alive_ = false; }

void AdminApi::NoteBrokers() {
  if (ctx_->metadata != nullptr) roster_.Update(*ctx_->metadata);
}

void AdminApi::Handle(const HttpRequest& req, HttpReply reply) {
  NoteBrokers();
  const std::string& path = req.path;
  const bool get = req.method == "GET" || req.method == "HEAD";
  if (path == "/" || path == "/index.html" || path == "/dashboard") {
    if (!get) return reply(MethodNotAllowed(req, "GET"));
    HttpResponse r;
    r.content_type = "text/html; charset=utf-8";
    r.body = kDashboardHtml;
    return reply(std::move(r));
  }
  if (path == "/metrics") {
    if (!get) return reply(MethodNotAllowed(req, "GET"));
    HttpResponse r;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = metrics_ != nullptr ? metrics_->Render() : "";
    return reply(std::move(r));
  }
  if (path == "/api/health" || path == "/api/health/status") {
    if (!get) return reply(MethodNotAllowed(req, "GET"));
    Health h = EvaluateHealth(*sources_, roster_);
    const int status = h.healthy ? 200 : 503;
    if (path == "/api/health") return reply(Json(status, h.doc));
    HttpResponse r;
    r.status = status;
    r.content_type = "text/plain; charset=utf-8";
    r.body = h.status + "\n";
    return reply(std::move(r));
  }
  if (path == "/api/cluster") {
    if (!get) return reply(MethodNotAllowed(req, "GET"));
    return reply(Json(200, ClusterJson(*sources_, roster_, metrics_,
                                       ctx_->config != nullptr ? ctx_->config->zookeeper_connect
                                                               : "")));
  }
  if (path == "/api/topics" || path == "/api/topics/") {
    if (get) return reply(Json(200, TopicListJson(*sources_)));
    if (req.method == "POST") return CreateTopic(req, std::move(reply));
    return reply(MethodNotAllowed(req, "GET, POST"));
  }
  constexpr std::string_view kTopicPrefix = "/api/topics/";
  if (path.starts_with(kTopicPrefix)) {
    std::string name = path.substr(kTopicPrefix.size());
    if (!name.empty() && name.back() == '/') name.pop_back();
    if (name.find('/') != std::string::npos) {
      return reply(JsonError(ErrorCode::kInvalidRequest, "no such endpoint: " + path, 404));
    }
    if (!get && req.method != "DELETE") return reply(MethodNotAllowed(req, "GET, DELETE"));
    const TopicInfo* topic = ctx_->metadata->FindTopic(name);
    if (topic == nullptr) {
      return reply(JsonError(ErrorCode::kUnknownTopicOrPartition,
                             "topic '" + name + "' does not exist"));
    }
    if (get) return reply(Json(200, TopicJson(*sources_, name, *topic)));
    return DeleteTopic(name, std::move(reply));
  }
  reply(JsonError(ErrorCode::kInvalidRequest, "no such endpoint: " + path, 404));
}

void AdminApi::CreateTopic(const HttpRequest& req, HttpReply reply) {
  // Parameters from the query string, or a JSON object body (query parameters win).
  json body = json::object();
  if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
    body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
    if (body.is_discarded() || !body.is_object()) {
      return reply(JsonError(ErrorCode::kInvalidRequest,
                             "request body is not a JSON object: expected {\"topicName\": ..., "
                             "\"partitions\": ..., \"replicationFactor\": ..., \"configs\": {}}"));
    }
  }
  auto field = [&](const char* query_key, const char* json_alt) -> std::optional<json> {
    if (const std::string* v = req.Param(query_key)) return json(*v);
    if (body.contains(query_key)) return body[query_key];
    if (json_alt != nullptr && body.contains(json_alt)) return body[json_alt];
    return std::nullopt;
  };
  TopicSpec spec;
  auto name = field("topicName", "name");
  if (!name.has_value() || !name->is_string() || name->get<std::string>().empty()) {
    return reply(JsonError(ErrorCode::kInvalidRequest, "topicName is required"));
  }
  spec.name = name->get<std::string>();
  if (!IsValidTopicName(spec.name)) {
    return reply(JsonError(ErrorCode::kInvalidTopicException,
                           "illegal topic name '" + spec.name +
                               "' (1-249 characters of [a-zA-Z0-9._-], not '.' or '..')"));
  }
  int64_t partitions = ctx_->config->num_partitions;
  if (auto v = field("partitions", "num_partitions")) {
    if (!JsonInt(*v, &partitions)) {
      return reply(JsonError(ErrorCode::kInvalidPartitions, "partitions must be an integer"));
    }
  }
  if (partitions <= 0) {
    return reply(JsonError(ErrorCode::kInvalidPartitions,
                           "number of partitions must be larger than 0"));
  }
  int64_t rf = ctx_->config->default_replication_factor;
  if (auto v = field("replicationFactor", "replication_factor")) {
    if (!JsonInt(*v, &rf)) {
      return reply(JsonError(ErrorCode::kInvalidReplicationFactor,
                             "replicationFactor must be an integer"));
    }
  }
  if (rf <= 0 || rf > INT16_MAX) {
    return reply(JsonError(ErrorCode::kInvalidReplicationFactor,
                           "replication factor must be between 1 and 32767"));
  }
  const size_t live = ctx_->metadata->brokers().size();
  if (static_cast<size_t>(rf) > live) {
    return reply(JsonError(ErrorCode::kInvalidReplicationFactor,
                           "replication factor " + std::to_string(rf) +
                               " larger than available brokers: " + std::to_string(live)));
  }
  spec.num_partitions = static_cast<int32_t>(partitions);
  spec.replication_factor = static_cast<int16_t>(rf);
  for (auto [it, end] = req.query.equal_range("config"); it != end; ++it) {
    size_t eq = it->second.find('=');
    if (eq == std::string::npos || eq == 0) {
      return reply(JsonError(ErrorCode::kInvalidConfig, "config must be key=value: " + it->second));
    }
    spec.configs[it->second.substr(0, eq)] = it->second.substr(eq + 1);
  }
  if (body.contains("configs")) {
    const json& c = body["configs"];
    if (!c.is_object()) return reply(JsonError(ErrorCode::kInvalidConfig, "configs must be an object"));
    for (const auto& [k, v] : c.items()) {
      if (v.is_string()) {
        spec.configs[k] = v.get<std::string>();
      } else if (v.is_number() || v.is_boolean()) {
        spec.configs[k] = v.dump();
      } else {
        return reply(JsonError(ErrorCode::kInvalidConfig, "config " + k + " must be a scalar"));
      }
    }
  }
  if (ctx_->metadata->FindTopic(spec.name) != nullptr) {
    return reply(JsonError(ErrorCode::kTopicAlreadyExists,
                           "topic '" + spec.name + "' already exists"));
  }
  if (ctx_->admin == nullptr) {
    return reply(JsonError(ErrorCode::kBrokerNotAvailable, "ZooKeeper is not wired yet"));
  }
  LOG(INFO) << "http_create_topic topic=" << spec.name << " partitions=" << spec.num_partitions
            << " replication_factor=" << spec.replication_factor;
  std::weak_ptr<bool> alive = alive_;
  ctx_->admin->CreateTopic(spec, /*validate_only=*/false,
                           [this, alive, spec, reply = std::move(reply)](AdminResult r) {
    if (alive.expired()) return;
    if (!r.ok()) return reply(JsonError(r.code, r.message));
    MetadataCache* cache = ctx_->metadata;
    std::string topic = spec.name;
    WaitUntil(
        ctx_->loop, [cache, topic] { return cache->AllPartitionsHaveLiveLeaders(topic); },
        kAdminWaitMs, [this, alive, spec, reply](bool elected) {
          if (alive.expired()) return;
          json doc = {{"name", spec.name},
                      {"partitions", spec.num_partitions},
                      {"replication_factor", spec.replication_factor},
                      {"configs", spec.configs},
                      {"leaders_elected", elected}};
          if (const TopicInfo* t = ctx_->metadata->FindTopic(spec.name)) {
            doc["topic"] = TopicJson(*sources_, spec.name, *t);
          }
          reply(Json(elected ? 201 : 202, doc));
        });
  });
}

void AdminApi::DeleteTopic(const std::string& name, HttpReply reply) {
  if (ctx_->admin == nullptr) {
    return reply(JsonError(ErrorCode::kBrokerNotAvailable, "ZooKeeper is not wired yet"));
  }
  LOG(INFO) << "http_delete_topic topic=" << name;
  std::weak_ptr<bool> alive = alive_;
  ctx_->admin->DeleteTopic(name, [this, alive, name, reply = std::move(reply)](AdminResult r) {
    if (alive.expired()) return;
    if (!r.ok()) return reply(JsonError(r.code, r.message));
    MetadataCache* cache = ctx_->metadata;
    WaitUntil(
        ctx_->loop, [cache, name] { return cache->FindTopic(name) == nullptr; }, kAdminWaitMs,
        [alive, name, reply](bool gone) {
          if (alive.expired()) return;
          reply(Json(gone ? 200 : 202, {{"name", name}, {"deleted", gone}}));
        });
  });
}

}  // namespace sluice::broker
