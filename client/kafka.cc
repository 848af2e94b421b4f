#include "client/kafka.h"

#include <algorithm>
#include <cctype>
#include <deque>
#include <mutex>

namespace sluice::client {
namespace {

std::mutex g_log_mu;
std::deque<std::string> g_recent_logs;  // guarded by g_log_mu; newest last, at most 16

void RecordLog(const char* text) {
  std::lock_guard<std::mutex> lock(g_log_mu);
  g_recent_logs.emplace_back(text == nullptr ? "" : text);
  if (g_recent_logs.size() > 16) g_recent_logs.pop_front();
}

std::string RecentLogsLower() {
  std::lock_guard<std::mutex> lock(g_log_mu);
  std::string all;
  for (const std::string& line : g_recent_logs) all += line + "\n";
  std::transform(all.begin(), all.end(), all.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return all;
}

// librdkafka threads: keep the line for our own error message, print nothing.
void LogCb(const rd_kafka_t*, int level, const char*, const char* buf) {
  if (level <= 4) RecordLog(buf);
}
void ErrorCb(rd_kafka_t*, int, const char* reason, void*) { RecordLog(reason); }

std::string Seconds(std::chrono::milliseconds ms) {
  if (ms.count() % 1000 == 0) return std::to_string(ms.count() / 1000) + "s";
  return std::to_string(ms.count()) + "ms";
}

const char* AdminOpName(rd_kafka_admin_op_t op) {
  switch (op) {
    case RD_KAFKA_ADMIN_OP_CREATETOPICS: return "CreateTopics";
    case RD_KAFKA_ADMIN_OP_DELETETOPICS: return "DeleteTopics";
    case RD_KAFKA_ADMIN_OP_CREATEPARTITIONS: return "CreatePartitions";
    case RD_KAFKA_ADMIN_OP_ALTERCONFIGS: return "AlterConfigs";
    case RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS: return "DescribeConfigs";
    case RD_KAFKA_ADMIN_OP_DELETEGROUPS: return "DeleteGroups";
    case RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS: return "ListGroups";
    case RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS: return "DescribeGroups";
    case RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS: return "OffsetFetch";
    case RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS: return "OffsetCommit";
    default: return "this admin request";
  }
}

}  // namespace

std::string LastKafkaLog() {
  std::lock_guard<std::mutex> lock(g_log_mu);
  return g_recent_logs.empty() ? "" : g_recent_logs.back();
}

Result<std::unique_ptr<KafkaClient>> KafkaClient::Create(
    Kind kind, const std::string& bootstrap, const Props& props,
    const std::function<void(rd_kafka_conf_t*)>& customize) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  Props all = {{"bootstrap.servers", bootstrap},
               {"log_level", "3"},
               {"log.connection.close", "false"},
               {"socket.connection.setup.timeout.ms", "5000"},
               {"reconnect.backoff.max.ms", "1000"},
               {"client.id", "sluice"}};
  for (const auto& kv : props) all.push_back(kv);
  for (const auto& [key, value] : all) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument("client property " + key + "=" + value + ": " + errstr);
    }
  }
  rd_kafka_conf_set_log_cb(conf, LogCb);
  rd_kafka_conf_set_error_cb(conf, ErrorCb);
  if (customize) customize(conf);
  rd_kafka_t* rk = rd_kafka_new(kind == Kind::kProducer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER,
                                conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(std::string("client configuration: ") + errstr);
  }
  return std::unique_ptr<KafkaClient>(new KafkaClient(rk, bootstrap));
}

KafkaClient::~KafkaClient() {
  if (rk_ != nullptr) rd_kafka_destroy(rk_);
}

Status KafkaClient::Unreachable(std::chrono::milliseconds waited) const {
  std::string reason = RecentLogsLower();
  std::string why;
  if (reason.find("connection refused") != std::string::npos) why = ": connection refused";
  else if (reason.find("resolve") != std::string::npos) why = ": cannot resolve host";
  return Status::Unavailable("cannot reach bootstrap " + bootstrap_ + " (timed out after " +
                             Seconds(waited) + why + ")");
}

Result<MetadataPtr> KafkaClient::Metadata(std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err =
      rd_kafka_metadata(rk_, /*all_topics=*/1, nullptr, &md, static_cast<int>(timeout.count()));
  if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__TIMED_OUT ||
      err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
    return Unreachable(timeout);
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "metadata");
  return MetadataPtr(md);
}

Result<EventPtr> KafkaClient::RunAdmin(
    rd_kafka_admin_op_t op,
    const std::function<void(rd_kafka_t*, rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& start,
    std::chrono::milliseconds timeout) {
  // Fail fast on an unreachable cluster: admin calls would otherwise wait the full timeout and
  // report a generic timeout.
  {
    Result<MetadataPtr> md = Metadata();
    if (!md.ok()) return md.status();
  }
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk_, op);
  char errstr[256];
  rd_kafka_AdminOptions_set_request_timeout(options, static_cast<int>(timeout.count()), errstr,
                                            sizeof(errstr));
  if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS ||
      op == RD_KAFKA_ADMIN_OP_CREATEPARTITIONS) {
    rd_kafka_AdminOptions_set_operation_timeout(options, static_cast<int>(timeout.count()), errstr,
                                                sizeof(errstr));
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk_);
  start(rk_, options, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 5000);
  rd_kafka_AdminOptions_destroy(options);
  rd_kafka_queue_destroy(queue);
  if (ev == nullptr) return Status::TimedOut("no answer from the cluster within the timeout");
  EventPtr event(ev);
  rd_kafka_resp_err_t err = rd_kafka_event_error(ev);
  if (err == RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE) {
    return Status::Unsupported(std::string(AdminOpName(op)) +
                               " is not supported by the broker yet");
  }
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(err, "request failed", rd_kafka_event_error_string(ev));
  }
  return event;
}

Status KafkaStatus(rd_kafka_resp_err_t err, const std::string& what, const char* detail) {
  std::string msg = what + ": " + rd_kafka_err2str(err);
  if (detail != nullptr && *detail != '\0' && std::string(detail) != rd_kafka_err2str(err)) {
    msg += " (" + std::string(detail) + ")";
  }
  switch (err) {
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
      return Status::NotFound(msg);
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
      return Status::Unsupported(msg + " — the broker does not support this request yet");
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
      return Status::TimedOut(msg);
    default:
      return Status::IoError(msg);
  }
}

Result<std::string> ParseAcks(const std::string& acks) {
  if (acks == "all" || acks == "-1") return std::string("all");
  if (acks == "0" || acks == "1") return acks;
  return Status::InvalidArgument("--acks: expected all, -1, 0 or 1, got '" + acks + "'");
}

}  // namespace sluice::client
