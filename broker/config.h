#pragma once
// Config: the broker's server.properties (Kafka's names and defaults), loaded once at startup by
// main() and then read-only; copied into the Broker. Any thread may read a const Config.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::broker {

struct Endpoint {
  std::string host;
  int port = 0;  // 0 = OS-assigned (tests); the bound port is then advertised
  std::string ToString() const { return host + ":" + std::to_string(port); }
};

struct Config {
  int32_t broker_id = -1;
  Endpoint listener;             // listeners=PLAINTEXT://host:port
  Endpoint advertised_listener;  // advertised.listeners; defaults to listener
  bool advertised_explicit = false;
  std::vector<std::string> log_dirs{"/tmp/kafka-logs"};
  std::string zookeeper_connect;  // host:port[,host:port...][/chroot]
  int32_t zookeeper_session_timeout_ms = 6000;
  int32_t num_partitions = 1;
  int16_t default_replication_factor = 1;
  int32_t min_insync_replicas = 1;
  bool unclean_leader_election_enable = false;
  bool auto_create_topics_enable = true;
  bool delete_topic_enable = true;
  int64_t log_segment_bytes = 1073741824;
  int64_t log_roll_ms = 168LL * 3600 * 1000;
  int64_t log_retention_ms = 168LL * 3600 * 1000;  // -1 = unlimited
  int64_t log_retention_bytes = -1;
  int64_t log_retention_check_interval_ms = 300000;
  int64_t log_flush_interval_ms = -1;  // -1 = never forced (Kafka: Long.MAX_VALUE)
  int32_t message_max_bytes = 1048588;
  int32_t socket_request_max_bytes = 104857600;
  int64_t replica_lag_time_max_ms = 30000;
  int32_t offsets_topic_num_partitions = 50;
  int16_t offsets_topic_replication_factor = 3;
  // Group coordinator (broker/group/), Kafka's names and defaults.
  int64_t offsets_retention_minutes = 10080;
  int64_t offsets_retention_check_interval_ms = 600000;
  int64_t offsets_commit_timeout_ms = 5000;
  int32_t offset_metadata_max_bytes = 4096;
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;
  int32_t group_initial_rebalance_delay_ms = 3000;
  std::optional<Endpoint> http_listener;
  // Every key=value as read (after overrides), for topic-config defaults and diagnostics.
  std::map<std::string, std::string> raw;

  // Reads `path` (server.properties syntax), then applies `args`: a list that may contain
  // "--override key=value" or "--override=key=value" pairs (other arguments are ignored, so
  // main() can pass argv through). Unknown keys log a WARNING; a bad value or a missing required
  // key is an InvalidArgument naming the key and value.
  static Result<Config> Load(const std::string& path, const std::vector<std::string>& args);
  // Same, from text already in memory (tests).
  static Result<Config> Parse(const std::string& text, const std::vector<std::string>& args);
  // Builds a Config from key/value pairs (after parsing and overrides).
  static Result<Config> FromMap(const std::map<std::string, std::string>& kv);
};

// Parses server.properties text into key/value pairs: `#`/`!` comments, `key=value` or
// `key: value` (or `key value`), surrounding whitespace trimmed; later keys win.
Result<std::map<std::string, std::string>> ParseProperties(const std::string& text);

// "PLAINTEXT://host:port" (first of a comma list) → Endpoint.
Result<Endpoint> ParseListener(const std::string& key, const std::string& value);

}  // namespace sluice::broker
