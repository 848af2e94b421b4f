#include "broker/config.h"

#include <glog/logging.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

namespace sluice::broker {

namespace {

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n\f\v");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n\f\v");
  return s.substr(b, e - b + 1);
}

Status Bad(const std::string& key, const std::string& value, const std::string& why) {
  return Status::InvalidArgument("bad value for " + key + "='" + value + "': " + why);
}

// Keys we read, plus Kafka keys we accept silently (no warning) because they have no effect here.
const std::set<std::string>& KnownKeys() {
  static const std::set<std::string> keys = {
      "broker.id", "listeners", "advertised.listeners", "log.dirs", "log.dir",
      "zookeeper.connect", "zookeeper.session.timeout.ms", "zookeeper.connection.timeout.ms",
      "num.partitions", "default.replication.factor", "min.insync.replicas",
      "unclean.leader.election.enable", "auto.create.topics.enable", "delete.topic.enable",
      "log.segment.bytes", "log.roll.ms", "log.roll.hours", "log.retention.ms",
      "log.retention.minutes", "log.retention.hours", "log.retention.bytes",
      "log.retention.check.interval.ms", "log.flush.interval.ms", "log.flush.interval.messages",
      "message.max.bytes", "socket.request.max.bytes", "replica.lag.time.max.ms",
      "offsets.topic.num.partitions", "offsets.topic.replication.factor", "http.listener",
      "offsets.retention.minutes", "offsets.retention.check.interval.ms",
      "offsets.commit.timeout.ms", "offset.metadata.max.bytes",
      "group.min.session.timeout.ms", "group.max.session.timeout.ms",
      "log.cleanup.policy", "num.network.threads", "num.io.threads",
      "socket.send.buffer.bytes", "socket.receive.buffer.bytes", "num.recovery.threads.per.data.dir",
      "transaction.state.log.replication.factor", "transaction.state.log.min.isr",
      "group.initial.rebalance.delay.ms", "listener.security.protocol.map",
      "inter.broker.listener.name", "controlled.shutdown.enable",
      // Log configs read by storage (LogConfigFromBrokerProperties, CleanerSettings).
      "log.cleaner.enable", "log.cleaner.backoff.ms", "log.cleaner.io.max.bytes.per.second",
      "log.cleaner.min.cleanable.ratio", "log.cleaner.delete.retention.ms",
      "log.cleaner.min.compaction.lag.ms", "log.message.timestamp.type",
      "log.index.interval.bytes", "log.index.size.max.bytes", "log.segment.delete.delay.ms"};
  return keys;
}

Result<int64_t> ParseInt(const std::string& key, const std::string& value, int64_t min,
                         int64_t max) {
  if (value.empty()) return Bad(key, value, "empty");
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(value.c_str(), &end, 10);
  if (errno != 0 || end == value.c_str() || *end != '\0') return Bad(key, value, "not an integer");
  if (v < min || v > max) {
    return Bad(key, value, "out of range [" + std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  return static_cast<int64_t>(v);
}

Result<bool> ParseBool(const std::string& key, const std::string& value) {
  std::string v = value;
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "true") return true;
  if (v == "false") return false;
  return Bad(key, value, "expected true or false");
}

Result<Endpoint> ParseHostPort(const std::string& key, const std::string& value,
                               const std::string& hostport) {
  size_t colon = hostport.rfind(':');
  if (colon == std::string::npos) return Bad(key, value, "expected host:port");
  Endpoint ep;
  ep.host = hostport.substr(0, colon);
  if (ep.host.size() >= 2 && ep.host.front() == '[' && ep.host.back() == ']') {
    ep.host = ep.host.substr(1, ep.host.size() - 2);
  }
  auto port = ParseInt(key, hostport.substr(colon + 1), 0, 65535);
  if (!port.ok()) return Bad(key, value, "port must be an integer in [0, 65535]");
  ep.port = static_cast<int>(port.value());
  if (ep.host.empty()) ep.host = "0.0.0.0";  // Kafka: empty host binds all interfaces
  return ep;
}

}  // namespace

Result<std::map<std::string, std::string>> ParseProperties(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::string t = Trim(line);
    if (t.empty() || t[0] == '#' || t[0] == '!') continue;
    size_t sep = t.find_first_of("=:");
    size_t ws = t.find_first_of(" \t");
    std::string key, value;
    if (sep == std::string::npos && ws == std::string::npos) {
      key = t;
    } else {
      size_t cut = sep;
      if (cut == std::string::npos || (ws != std::string::npos && ws < cut)) {
        // "key value" or "key = value": the separator is the first '='/':' after whitespace,
        // if only whitespace precedes it; otherwise the whitespace itself.
        size_t next = t.find_first_not_of(" \t", ws);
        cut = (next != std::string::npos && (t[next] == '=' || t[next] == ':')) ? next : ws;
      }
      key = Trim(t.substr(0, cut));
      value = Trim(t.substr(cut + 1));
    }
    if (key.empty()) return Status::InvalidArgument("malformed line: '" + t + "'");
    out[key] = value;
  }
  return out;
}

Result<Endpoint> ParseListener(const std::string& key, const std::string& value) {
  std::string first = Trim(value.substr(0, value.find(',')));
  size_t scheme = first.find("://");
  if (scheme == std::string::npos) return Bad(key, value, "expected PLAINTEXT://host:port");
  std::string proto = first.substr(0, scheme);
  if (proto != "PLAINTEXT") return Bad(key, value, "only PLAINTEXT listeners are supported");
  return ParseHostPort(key, value, first.substr(scheme + 3));
}

Result<Config> Config::FromMap(const std::map<std::string, std::string>& kv) {
  Config c;
  c.raw = kv;
  for (const auto& [key, value] : kv) {
    if (KnownKeys().count(key) == 0) {
      LOG(WARNING) << "config_unknown_key key=" << key << " value=" << value;
    }
  }
  auto get = [&](const char* key) -> const std::string* {
    auto it = kv.find(key);
    return it == kv.end() ? nullptr : &it->second;
  };
  constexpr int64_t kI32 = 2147483647;
  constexpr int64_t kI64 = INT64_MAX;
  auto int_key = [&](const char* key, int64_t min, int64_t max, auto* field) -> Status {
    if (const std::string* v = get(key)) {
      auto r = ParseInt(key, *v, min, max);
      if (!r.ok()) return r.status();
      *field = static_cast<std::remove_pointer_t<decltype(field)>>(r.value());
    }
    return Status::Ok();
  };
  auto bool_key = [&](const char* key, bool* field) -> Status {
    if (const std::string* v = get(key)) {
      auto r = ParseBool(key, *v);
      if (!r.ok()) return r.status();
      *field = r.value();
    }
    return Status::Ok();
  };

  const std::string* id = get("broker.id");
  if (id == nullptr) return Status::InvalidArgument("missing required key broker.id");
  SLUICE_RETURN_IF_ERROR(int_key("broker.id", 0, kI32, &c.broker_id));

  const std::string* listeners = get("listeners");
  if (listeners == nullptr) {
    c.listener = Endpoint{"0.0.0.0", 9092};
  } else {
    SLUICE_ASSIGN_OR_RETURN(c.listener, ParseListener("listeners", *listeners));
  }
  if (const std::string* adv = get("advertised.listeners")) {
    SLUICE_ASSIGN_OR_RETURN(c.advertised_listener, ParseListener("advertised.listeners", *adv));
    c.advertised_explicit = true;
  } else {
    c.advertised_listener = c.listener;
    if (c.advertised_listener.host == "0.0.0.0") c.advertised_listener.host = "127.0.0.1";
  }

  const std::string* dirs = get("log.dirs");
  if (dirs == nullptr) dirs = get("log.dir");
  if (dirs != nullptr) {
    c.log_dirs.clear();
    std::istringstream in(*dirs);
    std::string d;
    while (std::getline(in, d, ',')) {
      d = Trim(d);
      if (!d.empty()) c.log_dirs.push_back(d);
    }
    if (c.log_dirs.empty()) return Bad("log.dirs", *dirs, "no directory given");
  }

  const std::string* zk = get("zookeeper.connect");
  if (zk == nullptr || Trim(*zk).empty()) {
    return Status::InvalidArgument("missing required key zookeeper.connect");
  }
  c.zookeeper_connect = Trim(*zk);
  {
    std::string hosts = c.zookeeper_connect.substr(0, c.zookeeper_connect.find('/'));
    if (hosts.empty()) return Bad("zookeeper.connect", *zk, "no host:port given");
    size_t slash = c.zookeeper_connect.find('/');
    if (slash != std::string::npos) {
      std::string chroot = c.zookeeper_connect.substr(slash);
      if (chroot.size() > 1 && chroot.back() == '/') {
        return Bad("zookeeper.connect", *zk, "chroot must not end with '/'");
      }
    }
  }
  SLUICE_RETURN_IF_ERROR(
      int_key("zookeeper.session.timeout.ms", 1, kI32, &c.zookeeper_session_timeout_ms));
  SLUICE_RETURN_IF_ERROR(int_key("num.partitions", 1, kI32, &c.num_partitions));
  SLUICE_RETURN_IF_ERROR(
      int_key("default.replication.factor", 1, 32767, &c.default_replication_factor));
  SLUICE_RETURN_IF_ERROR(int_key("min.insync.replicas", 1, kI32, &c.min_insync_replicas));
  SLUICE_RETURN_IF_ERROR(
      bool_key("unclean.leader.election.enable", &c.unclean_leader_election_enable));
  SLUICE_RETURN_IF_ERROR(bool_key("auto.create.topics.enable", &c.auto_create_topics_enable));
  SLUICE_RETURN_IF_ERROR(bool_key("delete.topic.enable", &c.delete_topic_enable));
  SLUICE_RETURN_IF_ERROR(int_key("log.segment.bytes", 14, kI32, &c.log_segment_bytes));

  if (get("log.roll.ms") != nullptr) {
    SLUICE_RETURN_IF_ERROR(int_key("log.roll.ms", 1, kI64, &c.log_roll_ms));
  } else if (get("log.roll.hours") != nullptr) {
    int64_t h = 0;
    SLUICE_RETURN_IF_ERROR(int_key("log.roll.hours", 1, kI32, &h));
    c.log_roll_ms = h * 3600 * 1000;
  }
  if (get("log.retention.ms") != nullptr) {
    SLUICE_RETURN_IF_ERROR(int_key("log.retention.ms", -1, kI64, &c.log_retention_ms));
  } else if (get("log.retention.minutes") != nullptr) {
    int64_t m = 0;
    SLUICE_RETURN_IF_ERROR(int_key("log.retention.minutes", -1, kI32, &m));
    c.log_retention_ms = m < 0 ? -1 : m * 60 * 1000;
  } else if (get("log.retention.hours") != nullptr) {
    int64_t h = 0;
    SLUICE_RETURN_IF_ERROR(int_key("log.retention.hours", -1, kI32, &h));
    c.log_retention_ms = h < 0 ? -1 : h * 3600 * 1000;
  }
  SLUICE_RETURN_IF_ERROR(int_key("log.retention.bytes", -1, kI64, &c.log_retention_bytes));
  SLUICE_RETURN_IF_ERROR(int_key("log.retention.check.interval.ms", 1, kI64,
                                 &c.log_retention_check_interval_ms));
  SLUICE_RETURN_IF_ERROR(int_key("log.flush.interval.ms", -1, kI64, &c.log_flush_interval_ms));
  SLUICE_RETURN_IF_ERROR(int_key("message.max.bytes", 0, kI32, &c.message_max_bytes));
  SLUICE_RETURN_IF_ERROR(
      int_key("socket.request.max.bytes", 1, kI32, &c.socket_request_max_bytes));
  SLUICE_RETURN_IF_ERROR(
      int_key("replica.lag.time.max.ms", 1, kI64, &c.replica_lag_time_max_ms));
  SLUICE_RETURN_IF_ERROR(
      int_key("offsets.topic.num.partitions", 1, kI32, &c.offsets_topic_num_partitions));
  SLUICE_RETURN_IF_ERROR(int_key("offsets.topic.replication.factor", 1, 32767,
                                 &c.offsets_topic_replication_factor));
  SLUICE_RETURN_IF_ERROR(
      int_key("offsets.retention.minutes", 1, kI32, &c.offsets_retention_minutes));
  SLUICE_RETURN_IF_ERROR(int_key("offsets.retention.check.interval.ms", 1, kI64,
                                 &c.offsets_retention_check_interval_ms));
  SLUICE_RETURN_IF_ERROR(
      int_key("offsets.commit.timeout.ms", 1, kI32, &c.offsets_commit_timeout_ms));
  SLUICE_RETURN_IF_ERROR(
      int_key("offset.metadata.max.bytes", 0, kI32, &c.offset_metadata_max_bytes));
  SLUICE_RETURN_IF_ERROR(
      int_key("group.min.session.timeout.ms", 0, kI32, &c.group_min_session_timeout_ms));
  SLUICE_RETURN_IF_ERROR(
      int_key("group.max.session.timeout.ms", 0, kI32, &c.group_max_session_timeout_ms));
  SLUICE_RETURN_IF_ERROR(int_key("group.initial.rebalance.delay.ms", 0, kI32,
                                 &c.group_initial_rebalance_delay_ms));
  if (const std::string* http = get("http.listener")) {
    if (!Trim(*http).empty()) {
      std::string v = Trim(*http);
      size_t scheme = v.find("://");
      SLUICE_ASSIGN_OR_RETURN(
          Endpoint ep,
          ParseHostPort("http.listener", *http, scheme == std::string::npos ? v : v.substr(scheme + 3)));
      c.http_listener = ep;
    }
  }
  if (c.default_replication_factor < 1) {
    return Bad("default.replication.factor", std::to_string(c.default_replication_factor), ">= 1");
  }
  return c;
}

Result<Config> Config::Parse(const std::string& text, const std::vector<std::string>& args) {
  SLUICE_ASSIGN_OR_RETURN(auto kv, ParseProperties(text));
  for (size_t i = 0; i < args.size(); ++i) {
    std::string pair;
    if (args[i] == "--override" || args[i] == "-override") {
      if (i + 1 >= args.size()) return Status::InvalidArgument("--override needs key=value");
      pair = args[++i];
    } else if (args[i].rfind("--override=", 0) == 0) {
      pair = args[i].substr(11);
    } else {
      continue;
    }
    size_t eq = pair.find('=');
    if (eq == std::string::npos || Trim(pair.substr(0, eq)).empty()) {
      return Status::InvalidArgument("bad --override '" + pair + "': expected key=value");
    }
    kv[Trim(pair.substr(0, eq))] = Trim(pair.substr(eq + 1));
  }
  return FromMap(kv);
}

Result<Config> Config::Load(const std::string& path, const std::vector<std::string>& args) {
  if (path.empty()) return Status::InvalidArgument("--config is required");
  std::ifstream in(path);
  if (!in) return Status::InvalidArgument("cannot read config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str(), args);
}

}  // namespace sluice::broker
