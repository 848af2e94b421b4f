#include "storage/log_config.h"

#include <cerrno>
#include <cstdlib>
#include <functional>

namespace sluice::storage {
namespace {

constexpr int64_t kI32Max = std::numeric_limits<int32_t>::max();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

Status Bad(const std::string& key, const std::string& value, const std::string& why) {
  return Status::InvalidArgument("config " + key + "=\"" + value + "\": " + why);
}

Result<int64_t> ParseInt(const std::string& key, const std::string& value, int64_t min,
                         int64_t max) {
  if (value.empty()) return Bad(key, value, "empty");
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (errno != 0 || end == value.c_str() || *end != '\0') return Bad(key, value, "not an integer");
  if (v < min || v > max) {
    return Bad(key, value,
               "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<int64_t>(v);
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

Status ParsePolicy(const std::string& key, const std::string& value, LogConfig* c) {
  bool del = false, compact = false;
  size_t pos = 0;
  while (pos <= value.size()) {
    size_t comma = value.find(',', pos);
    if (comma == std::string::npos) comma = value.size();
    std::string item = Trim(value.substr(pos, comma - pos));
    if (item == "delete") {
      del = true;
    } else if (item == "compact") {
      compact = true;
    } else {
      return Bad(key, value, "expected delete, compact or compact,delete");
    }
    pos = comma + 1;
  }
  c->cleanup_delete = del;
  c->cleanup_compact = compact;
  return Status::Ok();
}

using Setter = std::function<Status(const std::string& key, const std::string& value, LogConfig*)>;

Setter Int64(int64_t LogConfig::*field, int64_t min, int64_t max = kI64Max) {
  return [=](const std::string& key, const std::string& value, LogConfig* c) -> Status {
    SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseInt(key, value, min, max));
    c->*field = v;
    return Status::Ok();
  };
}
Setter Int32(int32_t LogConfig::*field, int64_t min) {
  return [=](const std::string& key, const std::string& value, LogConfig* c) -> Status {
    SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseInt(key, value, min, kI32Max));
    c->*field = static_cast<int32_t>(v);
    return Status::Ok();
  };
}
// flush.messages / flush.ms: <= 0 means "never forced" (Kafka's Long.MAX_VALUE).
Setter Never(int64_t LogConfig::*field) {
  return [=](const std::string& key, const std::string& value, LogConfig* c) -> Status {
    SLUICE_ASSIGN_OR_RETURN(int64_t v, ParseInt(key, value, -1, kI64Max));
    c->*field = v <= 0 ? kI64Max : v;
    return Status::Ok();
  };
}

Status SetRatio(const std::string& key, const std::string& value, LogConfig* c) {
  if (value.empty()) return Bad(key, value, "empty");
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(value.c_str(), &end);
  if (errno != 0 || end == value.c_str() || *end != '\0') return Bad(key, value, "not a number");
  if (!(v >= 0.0 && v <= 1.0)) return Bad(key, value, "out of range [0, 1]");
  c->min_cleanable_dirty_ratio = v;
  return Status::Ok();
}

Status SetTimestampType(const std::string& key, const std::string& value, LogConfig* c) {
  if (value == "CreateTime") {
    c->message_timestamp_type = MessageTimestampType::kCreateTime;
  } else if (value == "LogAppendTime") {
    c->message_timestamp_type = MessageTimestampType::kLogAppendTime;
  } else {
    return Bad(key, value, "expected CreateTime or LogAppendTime");
  }
  return Status::Ok();
}

struct KeySpec {
  const char* topic_key;
  const char* broker_key;  // nullptr: handled separately (time units)
  Setter set;
};

const std::vector<KeySpec>& Specs() {
  static const std::vector<KeySpec> specs = {
      {"segment.bytes", "log.segment.bytes", Int64(&LogConfig::segment_bytes, 14, kI32Max)},
      {"segment.ms", nullptr, Int64(&LogConfig::segment_ms, 1)},
      {"retention.ms", nullptr, Int64(&LogConfig::retention_ms, -1)},
      {"retention.bytes", "log.retention.bytes", Int64(&LogConfig::retention_bytes, -1)},
      {"cleanup.policy", "log.cleanup.policy", ParsePolicy},
      {"min.cleanable.dirty.ratio", "log.cleaner.min.cleanable.ratio", SetRatio},
      {"delete.retention.ms", "log.cleaner.delete.retention.ms",
       Int64(&LogConfig::delete_retention_ms, 0)},
      {"min.compaction.lag.ms", "log.cleaner.min.compaction.lag.ms",
       Int64(&LogConfig::min_compaction_lag_ms, 0)},
      {"message.timestamp.type", "log.message.timestamp.type", SetTimestampType},
      {"max.message.bytes", "message.max.bytes", Int32(&LogConfig::max_message_bytes, 0)},
      {"index.interval.bytes", "log.index.interval.bytes",
       Int32(&LogConfig::index_interval_bytes, 0)},
      {"segment.index.bytes", "log.index.size.max.bytes",
       Int32(&LogConfig::segment_index_bytes, 8)},
      {"flush.messages", "log.flush.interval.messages", Never(&LogConfig::flush_messages)},
      {"flush.ms", "log.flush.interval.ms", Never(&LogConfig::flush_ms)},
      {"file.delete.delay.ms", "log.segment.delete.delay.ms",
       Int64(&LogConfig::file_delete_delay_ms, 0)},
  };
  return specs;
}

const std::string* Find(const std::map<std::string, std::string>& m, const char* key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

// One of `keys` (first present wins) scaled by its factor into `*out`.
Status TimeKey(const std::map<std::string, std::string>& props,
               std::initializer_list<std::pair<const char*, int64_t>> keys, int64_t min,
               int64_t* out) {
  for (const auto& [key, factor] : keys) {
    const std::string* v = Find(props, key);
    if (v == nullptr) continue;
    SLUICE_ASSIGN_OR_RETURN(int64_t n, ParseInt(key, *v, min, kI64Max / factor));
    *out = n < 0 ? -1 : n * factor;
    return Status::Ok();
  }
  return Status::Ok();
}

Status Apply(const LogConfig& defaults, const std::map<std::string, std::string>& overrides,
             LogConfig* out, std::vector<std::string>* errors) {
  *out = defaults;
  for (const KeySpec& spec : Specs()) {
    const std::string* v = Find(overrides, spec.topic_key);
    if (v == nullptr) continue;
    LogConfig candidate = *out;
    Status s = spec.set(spec.topic_key, *v, &candidate);
    if (s.ok()) {
      *out = candidate;
    } else if (errors == nullptr) {
      return s;
    } else {
      errors->push_back(s.message());
    }
  }
  return Status::Ok();
}

}  // namespace

std::string LogConfig::cleanup_policy() const {
  if (cleanup_compact && cleanup_delete) return "compact,delete";
  return cleanup_compact ? "compact" : "delete";
}

Result<LogConfig> LogConfigFromBrokerProperties(const std::map<std::string, std::string>& props,
                                                LogConfig base) {
  LogConfig c = base;
  for (const KeySpec& spec : Specs()) {
    if (spec.broker_key == nullptr) continue;
    const std::string* v = Find(props, spec.broker_key);
    if (v != nullptr) SLUICE_RETURN_IF_ERROR(spec.set(spec.broker_key, *v, &c));
  }
  SLUICE_RETURN_IF_ERROR(
      TimeKey(props, {{"log.roll.ms", 1}, {"log.roll.hours", 3600000}}, 1, &c.segment_ms));
  SLUICE_RETURN_IF_ERROR(TimeKey(props,
                                 {{"log.retention.ms", 1},
                                  {"log.retention.minutes", 60000},
                                  {"log.retention.hours", 3600000}},
                                 -1, &c.retention_ms));
  return c;
}

Result<LogConfig> ApplyTopicOverrides(const LogConfig& defaults,
                                      const std::map<std::string, std::string>& overrides) {
  LogConfig c;
  SLUICE_RETURN_IF_ERROR(Apply(defaults, overrides, &c, nullptr));
  return c;
}

LogConfig MergeTopicOverrides(const LogConfig& defaults,
                              const std::map<std::string, std::string>& overrides,
                              std::vector<std::string>* errors) {
  std::vector<std::string> ignored;
  LogConfig c;
  (void)Apply(defaults, overrides, &c, errors != nullptr ? errors : &ignored);
  return c;
}

bool IsTopicLogConfigKey(const std::string& key) {
  for (const KeySpec& spec : Specs()) {
    if (key == spec.topic_key) return true;
  }
  return false;
}

std::map<std::string, std::string> TopicConfigEntries(const LogConfig& c) {
  return {
      {"segment.bytes", std::to_string(c.segment_bytes)},
      {"segment.ms", std::to_string(c.segment_ms)},
      {"retention.ms", std::to_string(c.retention_ms)},
      {"retention.bytes", std::to_string(c.retention_bytes)},
      {"cleanup.policy", c.cleanup_policy()},
      {"min.cleanable.dirty.ratio", std::to_string(c.min_cleanable_dirty_ratio)},
      {"delete.retention.ms", std::to_string(c.delete_retention_ms)},
      {"min.compaction.lag.ms", std::to_string(c.min_compaction_lag_ms)},
      {"message.timestamp.type", c.message_timestamp_type == MessageTimestampType::kLogAppendTime
                                     ? "LogAppendTime"
                                     : "CreateTime"},
      {"max.message.bytes", std::to_string(c.max_message_bytes)},
      {"index.interval.bytes", std::to_string(c.index_interval_bytes)},
      {"segment.index.bytes", std::to_string(c.segment_index_bytes)},
      {"flush.messages", std::to_string(c.flush_messages)},
      {"flush.ms", std::to_string(c.flush_ms)},
      {"file.delete.delay.ms", std::to_string(c.file_delete_delay_ms)},
  };
}

}  // namespace sluice::storage
