#include "coordinator/znodes.h"

#include <nlohmann/json.hpp>

#include <charconv>
#include <random>

namespace sluice::coordinator {
namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;  // Kafka's (Jackson's) key order when encoding

Status Bad(const char* znode, const std::string& why) {
  return Status::Corruption(std::string(znode) + " znode: " + why);
}

// Parses bytes as a JSON object; nullopt (with *error set) if it is not one.
std::optional<Json> ParseObject(const char* znode, std::string_view bytes, Status* error) {
  Json j = Json::parse(bytes.begin(), bytes.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    *error = Bad(znode, "not JSON");
    return std::nullopt;
  }
  if (!j.is_object()) {
    *error = Bad(znode, "not a JSON object");
    return std::nullopt;
  }
  return j;
}

// Integer field that must fit in int32/int64 (Jackson writes numbers; accept numeric strings).
template <typename T>
bool GetInt(const Json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it == j.end()) return false;
  if (it->is_number_integer()) {
    auto v = it->get<int64_t>();
    if (v < std::numeric_limits<T>::min() || v > std::numeric_limits<T>::max()) return false;
    *out = static_cast<T>(v);
    return true;
  }
  if (it->is_string()) {
    const std::string& s = it->get_ref<const std::string&>();
    T v{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return false;
    *out = v;
    return true;
  }
  return false;
}

bool GetString(const Json& j, const char* key, std::string* out) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

bool GetBrokerList(const Json& j, ReplicaList* out) {
  if (!j.is_array()) return false;
  out->clear();
  for (const Json& e : j) {
    if (!e.is_number_integer()) return false;
    int64_t v = e.get<int64_t>();
    if (v < INT32_MIN || v > INT32_MAX) return false;
    out->push_back(BrokerId(static_cast<int32_t>(v)));
  }
  return true;
}

OrderedJson BrokerListJson(const ReplicaList& list) {
  OrderedJson a = OrderedJson::array();
  for (BrokerId b : list) a.push_back(b.value());
  return a;
}

bool ParsePartitionKey(const std::string& key, int32_t* out) {
  auto [p, ec] = std::from_chars(key.data(), key.data() + key.size(), *out);
  return ec == std::errc() && p == key.data() + key.size() && *out >= 0;
}

bool GetAssignmentMap(const Json& j, const char* key, PartitionAssignment* out) {
  out->clear();
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return true;  // optional in older versions
  if (!it->is_object()) return false;
  for (auto& [k, v] : it->items()) {
    int32_t p;
    ReplicaList replicas;
    if (!ParsePartitionKey(k, &p) || !GetBrokerList(v, &replicas)) return false;
    (*out)[p] = std::move(replicas);
  }
  return true;
}

OrderedJson AssignmentJson(const PartitionAssignment& a) {
  OrderedJson o = OrderedJson::object();
  for (const auto& [p, replicas] : a) o[std::to_string(p)] = BrokerListJson(replicas);
  return o;
}

std::string Base64UrlNoPad(const uint8_t* data, size_t len) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  size_t i = 0;
  for (; i + 3 <= len; i += 3) {
    uint32_t v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (len - i == 1) {
    uint32_t v = data[i] << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (len - i == 2) {
    uint32_t v = (data[i] << 16) | (data[i + 1] << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

}  // namespace

std::string BrokerIdPath(BrokerId id) {
  return std::string(kBrokerIdsPath) + "/" + std::to_string(id.value());
}
std::string TopicPath(const std::string& topic) { return std::string(kBrokerTopicsPath) + "/" + topic; }
std::string TopicPartitionsPath(const std::string& topic) { return TopicPath(topic) + "/partitions"; }
std::string PartitionPath(const std::string& topic, int32_t partition) {
  return TopicPartitionsPath(topic) + "/" + std::to_string(partition);
}
std::string PartitionStatePath(const std::string& topic, int32_t partition) {
  return PartitionPath(topic, partition) + "/state";
}
std::string ConfigTopicPath(const std::string& topic) {
  return std::string(kConfigTopicsPath) + "/" + topic;
}
std::string DeleteTopicPath(const std::string& topic) {
  return std::string(kDeleteTopicsPath) + "/" + topic;
}

const std::vector<std::string>& PersistentPaths() {
  static const std::vector<std::string> kPaths = {
      kConsumersPath,    kBrokerIdsPath,       kBrokerTopicsPath,
      kConfigChangesPath, "/config/topics",    "/config/clients",
      "/config/users",   "/config/brokers",    "/config/ips",
      kDeleteTopicsPath, kBrokerSeqIdPath,     kIsrChangeNotificationPath,
      kLatestProducerIdBlockPath, kLogDirEventNotificationPath};
  return kPaths;
}

std::string RandomKafkaId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  while (true) {
    uint8_t bytes[16];
    for (int i = 0; i < 16; i += 8) {
      uint64_t v = rng();
      for (int k = 0; k < 8; ++k) bytes[i + k] = static_cast<uint8_t>(v >> (8 * k));
    }
    std::string id = Base64UrlNoPad(bytes, sizeof(bytes));
    if (id[0] != '-') return id;
  }
}

// ---- cluster id ----
std::string ClusterIdZNode::Encode(const std::string& cluster_id) {
  OrderedJson j;
  j["version"] = "1";
  j["id"] = cluster_id;
  return j.dump();
}
Result<std::string> ClusterIdZNode::Decode(std::string_view bytes) {
  Status err;
  auto j = ParseObject("/cluster/id", bytes, &err);
  if (!j) return err;
  std::string id;
  if (!GetString(*j, "id", &id) || id.empty()) return Bad("/cluster/id", "missing id");
  return id;
}

// ---- broker registration ----
std::string EndPoint::ToString() const {
  bool v6 = host.find(':') != std::string::npos;
  return listener + "://" + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<EndPoint> ParseEndPoint(std::string_view s) {
  size_t sep = s.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return Status::InvalidArgument("endpoint '" + std::string(s) + "' is not NAME://host:port");
  }
  EndPoint ep;
  ep.listener = std::string(s.substr(0, sep));
  std::string_view rest = s.substr(sep + 3);
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    return Status::InvalidArgument("endpoint '" + std::string(s) + "' has no port");
  }
  std::string_view host = rest.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  ep.host = std::string(host);
  std::string_view port = rest.substr(colon + 1);
  auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), ep.port);
  if (ec != std::errc() || p != port.data() + port.size() || ep.port < 0 || ep.port > 65535) {
    return Status::InvalidArgument("endpoint '" + std::string(s) + "' has a bad port");
  }
  ep.security_protocol = ep.listener;
  return ep;
}

std::string BrokerIdZNode::Encode(const BrokerInfo& info) {
  // host/port are the first PLAINTEXT endpoint's (null/-1 if none), as Kafka writes them.
  const EndPoint* plaintext = nullptr;
  for (const EndPoint& ep : info.endpoints) {
    if (ep.security_protocol == "PLAINTEXT") {
      plaintext = &ep;
      break;
    }
  }
  OrderedJson j;
  j["version"] = 5;
  j["host"] = plaintext != nullptr ? OrderedJson(plaintext->host) : OrderedJson(nullptr);
  j["port"] = plaintext != nullptr ? plaintext->port : -1;
  j["jmx_port"] = info.jmx_port;
  j["timestamp"] = std::to_string(info.timestamp_ms);
  OrderedJson endpoints = OrderedJson::array();
  OrderedJson protocol_map = OrderedJson::object();
  for (const EndPoint& ep : info.endpoints) {
    endpoints.push_back(ep.ToString());
    protocol_map[ep.listener] = ep.security_protocol;
  }
  j["endpoints"] = endpoints;
  j["listener_security_protocol_map"] = protocol_map;
  if (info.rack.has_value()) j["rack"] = *info.rack;
  j["features"] = OrderedJson::object();
  return j.dump();
}

Result<BrokerInfo> BrokerIdZNode::Decode(BrokerId id, std::string_view bytes) {
  constexpr const char* kName = "/brokers/ids";
  Status err;
  auto j = ParseObject(kName, bytes, &err);
  if (!j) return err;
  BrokerInfo info;
  info.id = id;
  GetInt(*j, "jmx_port", &info.jmx_port);
  GetInt(*j, "timestamp", &info.timestamp_ms);
  std::map<std::string, std::string> protocols;
  if (auto it = j->find("listener_security_protocol_map"); it != j->end() && it->is_object()) {
    for (auto& [k, v] : it->items()) {
      if (v.is_string()) protocols[k] = v.get<std::string>();
    }
  }
  if (auto it = j->find("endpoints"); it != j->end() && it->is_array()) {
    for (const Json& e : *it) {
      if (!e.is_string()) return Bad(kName, "endpoint is not a string");
      Result<EndPoint> ep = ParseEndPoint(e.get<std::string>());
      if (!ep.ok()) return Bad(kName, ep.status().message());
      if (auto p = protocols.find(ep->listener); p != protocols.end()) {
        ep->security_protocol = p->second;
      }
      info.endpoints.push_back(std::move(ep).value());
    }
  } else {
    // Version 1..3 registrations: host and port only.
    std::string host;
    int32_t port = -1;
    if (!GetString(*j, "host", &host) || !GetInt(*j, "port", &port)) {
      return Bad(kName, "no endpoints and no host/port");
    }
    info.endpoints.push_back(EndPoint{"PLAINTEXT", host, port, "PLAINTEXT"});
  }
  std::string rack;
  if (GetString(*j, "rack", &rack)) info.rack = rack;
  return info;
}

// ---- topic assignment ----
std::string TopicZNode::Encode(const TopicAssignment& a) {
  OrderedJson j;
  j["version"] = 3;
  j["partitions"] = AssignmentJson(a.partitions);
  j["adding_replicas"] = AssignmentJson(a.adding_replicas);
  j["removing_replicas"] = AssignmentJson(a.removing_replicas);
  if (!a.topic_id.empty()) j["topic_id"] = a.topic_id;
  return j.dump();
}

Result<TopicAssignment> TopicZNode::Decode(std::string_view bytes) {
  constexpr const char* kName = "/brokers/topics";
  Status err;
  auto j = ParseObject(kName, bytes, &err);
  if (!j) return err;
  TopicAssignment a;
  auto it = j->find("partitions");
  if (it == j->end() || !it->is_object()) return Bad(kName, "missing partitions");
  if (!GetAssignmentMap(*j, "partitions", &a.partitions)) return Bad(kName, "bad partitions");
  if (!GetAssignmentMap(*j, "adding_replicas", &a.adding_replicas)) {
    return Bad(kName, "bad adding_replicas");
  }
  if (!GetAssignmentMap(*j, "removing_replicas", &a.removing_replicas)) {
    return Bad(kName, "bad removing_replicas");
  }
  GetString(*j, "topic_id", &a.topic_id);
  return a;
}

// ---- partition state ----
std::string TopicPartitionStateZNode::Encode(const LeaderAndIsr& s) {
  OrderedJson j;
  j["controller_epoch"] = s.controller_epoch.value();
  j["leader"] = s.leader.value();
  j["version"] = 1;
  j["leader_epoch"] = s.leader_epoch.value();
  j["isr"] = BrokerListJson(s.isr);
  if (s.leader_recovery_state != 0) j["leader_recovery_state"] = s.leader_recovery_state;
  return j.dump();
}

Result<LeaderAndIsr> TopicPartitionStateZNode::Decode(std::string_view bytes) {
  constexpr const char* kName = "partition state";
  Status err;
  auto j = ParseObject(kName, bytes, &err);
  if (!j) return err;
  int32_t leader, leader_epoch, controller_epoch;
  if (!GetInt(*j, "leader", &leader)) return Bad(kName, "missing leader");
  if (!GetInt(*j, "leader_epoch", &leader_epoch)) return Bad(kName, "missing leader_epoch");
  if (!GetInt(*j, "controller_epoch", &controller_epoch)) {
    return Bad(kName, "missing controller_epoch");
  }
  LeaderAndIsr s;
  s.leader = BrokerId(leader);
  s.leader_epoch = LeaderEpoch(leader_epoch);
  s.controller_epoch = ControllerEpoch(controller_epoch);
  auto it = j->find("isr");
  if (it == j->end() || !GetBrokerList(*it, &s.isr)) return Bad(kName, "bad isr");
  int32_t recovery = 0;
  if (GetInt(*j, "leader_recovery_state", &recovery)) {
    s.leader_recovery_state = static_cast<int8_t>(recovery);
  }
  return s;
}

// ---- controller ----
std::string ControllerZNode::Encode(BrokerId id, int64_t timestamp_ms) {
  OrderedJson j;
  j["version"] = 2;
  j["brokerid"] = id.value();
  j["timestamp"] = std::to_string(timestamp_ms);
  j["kraftControllerEpoch"] = -1;
  return j.dump();
}

Result<BrokerId> ControllerZNode::Decode(std::string_view bytes) {
  Status err;
  auto j = ParseObject("/controller", bytes, &err);
  if (!j) return err;
  int32_t id;
  if (!GetInt(*j, "brokerid", &id)) return Bad("/controller", "missing brokerid");
  return BrokerId(id);
}

std::string ControllerEpochZNode::Encode(ControllerEpoch epoch) {
  return std::to_string(epoch.value());
}

Result<ControllerEpoch> ControllerEpochZNode::Decode(std::string_view bytes) {
  int32_t v = 0;
  while (!bytes.empty() && (bytes.back() == '\n' || bytes.back() == ' ')) bytes.remove_suffix(1);
  auto [p, ec] = std::from_chars(bytes.data(), bytes.data() + bytes.size(), v);
  if (bytes.empty() || ec != std::errc() || p != bytes.data() + bytes.size() || v < 0) {
    return Bad("/controller_epoch", "not a decimal epoch");
  }
  return ControllerEpoch(v);
}

// ---- configs ----
std::string ConfigEntityZNode::Encode(const ConfigMap& config) {
  OrderedJson j;
  j["version"] = 1;
  OrderedJson c = OrderedJson::object();
  for (const auto& [k, v] : config) c[k] = v;
  j["config"] = c;
  return j.dump();
}

Result<ConfigMap> ConfigEntityZNode::Decode(std::string_view bytes) {
  ConfigMap out;
  if (bytes.empty()) return out;
  Status err;
  auto j = ParseObject("/config", bytes, &err);
  if (!j) return err;
  auto it = j->find("config");
  if (it == j->end() || it->is_null()) return out;
  if (!it->is_object()) return Bad("/config", "config is not an object");
  for (auto& [k, v] : it->items()) {
    if (v.is_string()) {
      out[k] = v.get<std::string>();
    } else if (v.is_number() || v.is_boolean()) {
      out[k] = v.dump();  // tolerate hand-written JSON
    } else {
      return Bad("/config", "value of " + k + " is not a string");
    }
  }
  return out;
}

std::string ConfigChangeNotification::Encode(const std::string& entity_path) {
  OrderedJson j;
  j["version"] = 2;
  j["entity_path"] = entity_path;
  return j.dump();
}

Result<std::string> ConfigChangeNotification::Decode(std::string_view bytes) {
  Status err;
  auto j = ParseObject("/config/changes", bytes, &err);
  if (!j) return err;
  std::string path;
  if (!GetString(*j, "entity_path", &path)) return Bad("/config/changes", "missing entity_path");
  return path;
}

// ---- partition lists ----
std::string IsrChangeNotification::Encode(const std::vector<TopicPartition>& partitions) {
  OrderedJson j;
  j["version"] = 1;
  OrderedJson a = OrderedJson::array();
  for (const TopicPartition& tp : partitions) {
    OrderedJson e;
    e["topic"] = tp.topic;
    e["partition"] = tp.partition;
    a.push_back(e);
  }
  j["partitions"] = a;
  return j.dump();
}

Result<std::vector<TopicPartition>> IsrChangeNotification::Decode(std::string_view bytes) {
  constexpr const char* kName = "partition list";
  Status err;
  auto j = ParseObject(kName, bytes, &err);
  if (!j) return err;
  auto it = j->find("partitions");
  if (it == j->end() || !it->is_array()) return Bad(kName, "missing partitions");
  std::vector<TopicPartition> out;
  for (const Json& e : *it) {
    TopicPartition tp;
    if (!e.is_object() || !GetString(e, "topic", &tp.topic) ||
        !GetInt(e, "partition", &tp.partition)) {
      return Bad(kName, "bad partition entry");
    }
    out.push_back(std::move(tp));
  }
  return out;
}

std::string ReassignPartitionsZNode::Encode(const std::vector<PartitionReassignment>& list) {
  OrderedJson j;
  j["version"] = 1;
  OrderedJson a = OrderedJson::array();
  for (const PartitionReassignment& r : list) {
    OrderedJson e;
    e["topic"] = r.partition.topic;
    e["partition"] = r.partition.partition;
    e["replicas"] = BrokerListJson(r.replicas);
    a.push_back(e);
  }
  j["partitions"] = a;
  return j.dump();
}

Result<std::vector<PartitionReassignment>> ReassignPartitionsZNode::Decode(
    std::string_view bytes) {
  constexpr const char* kName = "/admin/reassign_partitions";
  Status err;
  auto j = ParseObject(kName, bytes, &err);
  if (!j) return err;
  auto it = j->find("partitions");
  if (it == j->end() || !it->is_array()) return Bad(kName, "missing partitions");
  std::vector<PartitionReassignment> out;
  for (const Json& e : *it) {
    PartitionReassignment r;
    auto rep = e.is_object() ? e.find("replicas") : e.end();
    if (!e.is_object() || !GetString(e, "topic", &r.partition.topic) ||
        !GetInt(e, "partition", &r.partition.partition) || rep == e.end() ||
        !GetBrokerList(*rep, &r.replicas)) {
      return Bad(kName, "bad partition entry");
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sluice::coordinator
