// `sluice topic ...` over librdkafka's admin API and Metadata.
#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <ostream>
#include <thread>

#include "client/cli.h"
#include "client/kafka.h"
#include "client/output.h"

namespace sluice::client {
namespace {

using Kind = KafkaClient::Kind;

Result<std::unique_ptr<KafkaClient>> Admin(const Context& ctx) {
  return KafkaClient::Create(Kind::kProducer, ctx.Bootstrap());
}

Result<std::map<std::string, std::string>> ConfigArgs(const Context& ctx) {
  std::map<std::string, std::string> out;
  for (const std::string& kv : ctx.args.GetAll("config")) {
    SLUICE_ASSIGN_OR_RETURN(auto pair, ParseKeyValue(kv, "--config"));
    out[pair.first] = pair.second;
  }
  return out;
}

const std::string& Topic(const Context& ctx) { return ctx.args.positionals()[0]; }

// Checks one topic_result_t array for the topic's error.
Status TopicResultStatus(const rd_kafka_topic_result_t** results, size_t n, const std::string& what) {
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(err, what + " '" + rd_kafka_topic_result_name(results[i]) + "'",
                         rd_kafka_topic_result_error_string(results[i]));
    }
  }
  return Status::Ok();
}

// Polls Metadata for up to 5 s until `topic` has `partitions` partitions, all with a leader, in
// three answers in a row (librdkafka picks the broker). Best effort: no error on timeout.
void WaitUntilListed(KafkaClient& client, const std::string& topic, int partitions) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  int in_a_row = 0;
  while (in_a_row < 3 && std::chrono::steady_clock::now() < deadline) {
    bool seen = false;
    Result<MetadataPtr> md = client.Metadata();
    for (int i = 0; md.ok() && i < (*md)->topic_cnt; ++i) {
      const rd_kafka_metadata_topic_t& t = (*md)->topics[i];
      if (topic != t.topic || t.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      seen = t.partition_cnt >= partitions;
      for (int p = 0; p < t.partition_cnt; ++p) seen &= t.partitions[p].leader >= 0;
    }
    in_a_row = seen ? in_a_row + 1 : 0;
    if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Status Create(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(int64_t partitions, ctx.args.GetInt("partitions", -1));
  SLUICE_ASSIGN_OR_RETURN(int64_t rf, ctx.args.GetInt("replication-factor", -1));
  if (!ctx.args.Has("partitions")) return Status::InvalidArgument("--partitions is required");
  if (partitions < 1 || partitions > 100000) {
    return Status::InvalidArgument("--partitions must be at least 1, got " +
                                   std::to_string(partitions));
  }
  if (ctx.args.Has("replication-factor") && (rf < 1 || rf > 32767)) {
    return Status::InvalidArgument("--replication-factor must be at least 1, got " +
                                   std::to_string(rf));
  }
  SLUICE_ASSIGN_OR_RETURN(auto configs, ConfigArgs(ctx));
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  char errstr[512];
  rd_kafka_NewTopic_t* nt = rd_kafka_NewTopic_new(Topic(ctx).c_str(), static_cast<int>(partitions),
                                                  static_cast<int>(rf), errstr, sizeof(errstr));
  if (nt == nullptr) return Status::InvalidArgument(errstr);
  for (const auto& [k, v] : configs) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  Result<EventPtr> ev = client->RunAdmin(
      RD_KAFKA_ADMIN_OP_CREATETOPICS,
      [&](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_CreateTopics(rk, &nt, 1, o, q);
      });
  rd_kafka_NewTopic_destroy(nt);
  if (!ev.ok()) return ev.status();
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev->get());
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
  SLUICE_RETURN_IF_ERROR(TopicResultStatus(results, n, "cannot create topic"));
  // The broker answered once the controller's metadata had leaders; other brokers learn of the
  // topic a moment later. Wait (bounded) until Metadata shows it, so that a script's next
  // command (describe, produce) finds it whichever broker it asks.
  WaitUntilListed(*client, Topic(ctx), static_cast<int>(partitions));
  if (ctx.json) {
    PrintJson(ctx.out, {{"topic", Topic(ctx)}, {"partitions", partitions},
                        {"replication_factor", rf}, {"configs", configs}, {"created", true}});
  } else {
    ctx.out << "created topic " << Topic(ctx) << " (" << partitions << " partitions"
            << (rf > 0 ? ", replication factor " + std::to_string(rf) : "") << ")\n";
  }
  return Status::Ok();
}

Status Delete(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  rd_kafka_DeleteTopic_t* dt = rd_kafka_DeleteTopic_new(Topic(ctx).c_str());
  Result<EventPtr> ev = client->RunAdmin(
      RD_KAFKA_ADMIN_OP_DELETETOPICS,
      [&](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DeleteTopics(rk, &dt, 1, o, q);
      });
  rd_kafka_DeleteTopic_destroy(dt);
  if (!ev.ok()) return ev.status();
  size_t n = 0;
  const rd_kafka_topic_result_t** results =
      rd_kafka_DeleteTopics_result_topics(rd_kafka_event_DeleteTopics_result(ev->get()), &n);
  SLUICE_RETURN_IF_ERROR(TopicResultStatus(results, n, "cannot delete topic"));
  if (ctx.json) PrintJson(ctx.out, {{"topic", Topic(ctx)}, {"deleted", true}});
  else ctx.out << "deleted topic " << Topic(ctx) << "\n";
  return Status::Ok();
}

Status AddPartitions(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(int64_t partitions, ctx.args.GetInt("partitions", -1));
  if (partitions < 1) {
    return Status::InvalidArgument("--partitions (the new total) must be at least 1");
  }
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  char errstr[512];
  rd_kafka_NewPartitions_t* np = rd_kafka_NewPartitions_new(
      Topic(ctx).c_str(), static_cast<size_t>(partitions), errstr, sizeof(errstr));
  if (np == nullptr) return Status::InvalidArgument(errstr);
  Result<EventPtr> ev = client->RunAdmin(
      RD_KAFKA_ADMIN_OP_CREATEPARTITIONS,
      [&](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_CreatePartitions(rk, &np, 1, o, q);
      });
  rd_kafka_NewPartitions_destroy(np);
  if (!ev.ok()) return ev.status();
  size_t n = 0;
  const rd_kafka_topic_result_t** results = rd_kafka_CreatePartitions_result_topics(
      rd_kafka_event_CreatePartitions_result(ev->get()), &n);
  SLUICE_RETURN_IF_ERROR(TopicResultStatus(results, n, "cannot add partitions to"));
  WaitUntilListed(*client, Topic(ctx), static_cast<int>(partitions));
  if (ctx.json) PrintJson(ctx.out, {{"topic", Topic(ctx)}, {"partitions", partitions}});
  else ctx.out << "topic " << Topic(ctx) << " now has " << partitions << " partitions\n";
  return Status::Ok();
}

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;
  std::string source;  // "topic" (override), "broker" (server.properties), "default", ...
  bool read_only = false;
};

const char* SourceName(rd_kafka_ConfigSource_t s) {
  switch (s) {
    case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_TOPIC_CONFIG: return "topic";
    case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_BROKER_CONFIG: return "dynamic-broker";
    case RD_KAFKA_CONFIG_SOURCE_DYNAMIC_DEFAULT_BROKER_CONFIG: return "dynamic-default-broker";
    case RD_KAFKA_CONFIG_SOURCE_STATIC_BROKER_CONFIG: return "broker";
    case RD_KAFKA_CONFIG_SOURCE_DEFAULT_CONFIG: return "default";
    default: return "unknown";
  }
}

// Every config of the topic as the broker reports it (DescribeConfigs).
Result<std::vector<ConfigEntry>> TopicConfigs(KafkaClient& client, const std::string& topic) {
  rd_kafka_ConfigResource_t* res = rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic.c_str());
  Result<EventPtr> ev = client.RunAdmin(
      RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS,
      [&](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_DescribeConfigs(rk, &res, 1, o, q);
      });
  rd_kafka_ConfigResource_destroy(res);
  if (!ev.ok()) return ev.status();
  size_t n = 0;
  const rd_kafka_ConfigResource_t** resources = rd_kafka_DescribeConfigs_result_resources(
      rd_kafka_event_DescribeConfigs_result(ev->get()), &n);
  std::vector<ConfigEntry> out;
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(resources[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(err, "cannot describe configs of '" + topic + "'",
                         rd_kafka_ConfigResource_error_string(resources[i]));
    }
    size_t cnt = 0;
    const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(resources[i], &cnt);
    for (size_t e = 0; e < cnt; ++e) {
      const char* value = rd_kafka_ConfigEntry_value(entries[e]);
      out.push_back({rd_kafka_ConfigEntry_name(entries[e]),
                     value == nullptr ? std::nullopt : std::optional<std::string>(value),
                     SourceName(rd_kafka_ConfigEntry_source(entries[e])),
                     rd_kafka_ConfigEntry_is_read_only(entries[e]) != 0});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const ConfigEntry& a, const ConfigEntry& b) { return a.name < b.name; });
  return out;
}

// Current per-topic overrides (DescribeConfigs, dynamic topic source only).
Result<std::map<std::string, std::string>> TopicOverrides(KafkaClient& client,
                                                          const std::string& topic) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<ConfigEntry> all, TopicConfigs(client, topic));
  std::map<std::string, std::string> out;
  for (const ConfigEntry& c : all) {
    if (c.source == "topic") out[c.name] = c.value.value_or("");
  }
  return out;
}

Status AlterConfig(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(auto configs, ConfigArgs(ctx));
  std::vector<std::string> deletes = ctx.args.GetAll("delete-config");
  if (configs.empty() && deletes.empty()) {
    return Status::InvalidArgument("give at least one --config k=v or --delete-config k");
  }
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  // AlterConfigs replaces the whole override set (librdkafka 2.0 has no incremental variant):
  // start from the current overrides so unrelated ones survive.
  // Without the current set we would drop unrelated overrides: fail instead.
  Result<std::map<std::string, std::string>> current = TopicOverrides(*client, Topic(ctx));
  if (!current.ok() && current.status().code() == Errc::kNotFound) {
    return Status::NotFound("unknown topic '" + Topic(ctx) + "'");
  }
  if (!current.ok()) return current.status();
  std::map<std::string, std::string> merged = *current;
  for (const auto& [k, v] : configs) merged[k] = v;
  for (const std::string& k : deletes) merged.erase(k);
  rd_kafka_ConfigResource_t* res =
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, Topic(ctx).c_str());
  for (const auto& [k, v] : merged) rd_kafka_ConfigResource_set_config(res, k.c_str(), v.c_str());
  Result<EventPtr> ev = client->RunAdmin(
      RD_KAFKA_ADMIN_OP_ALTERCONFIGS,
      [&](rd_kafka_t* rk, rd_kafka_AdminOptions_t* o, rd_kafka_queue_t* q) {
        rd_kafka_AlterConfigs(rk, &res, 1, o, q);
      });
  rd_kafka_ConfigResource_destroy(res);
  if (!ev.ok()) return ev.status();
  size_t n = 0;
  const rd_kafka_ConfigResource_t** resources =
      rd_kafka_AlterConfigs_result_resources(rd_kafka_event_AlterConfigs_result(ev->get()), &n);
  for (size_t i = 0; i < n; ++i) {
    rd_kafka_resp_err_t err = rd_kafka_ConfigResource_error(resources[i]);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaStatus(err, "cannot alter configs of topic '" + Topic(ctx) + "'",
                         rd_kafka_ConfigResource_error_string(resources[i]));
    }
  }
  if (ctx.json) {
    PrintJson(ctx.out, {{"topic", Topic(ctx)}, {"configs", merged}});
  } else {
    ctx.out << "altered configs of topic " << Topic(ctx) << ":";
    for (const auto& [k, v] : merged) ctx.out << " " << k << "=" << v;
    ctx.out << "\n";
  }
  return Status::Ok();
}

Status List(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  SLUICE_ASSIGN_OR_RETURN(MetadataPtr md, client->Metadata());
  std::vector<const rd_kafka_metadata_topic_t*> topics;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (!ctx.args.Has("internal") && md->topics[i].topic[0] == '_') continue;
    topics.push_back(&md->topics[i]);
  }
  std::sort(topics.begin(), topics.end(), [](auto* a, auto* b) {
    return std::string(a->topic) < std::string(b->topic);
  });
  nlohmann::json arr = nlohmann::json::array();
  Table t({"TOPIC", "PARTITIONS", "REPLICAS"});
  for (const auto* topic : topics) {
    int rf = topic->partition_cnt > 0 ? topic->partitions[0].replica_cnt : 0;
    arr.push_back({{"name", topic->topic}, {"partitions", topic->partition_cnt},
                   {"replication_factor", rf}});
    t.AddRow({topic->topic, std::to_string(topic->partition_cnt), std::to_string(rf)});
  }
  if (ctx.json) PrintJson(ctx.out, {{"topics", arr}});
  else t.Print(ctx.out);
  return Status::Ok();
}

std::vector<int32_t> Ints(const int32_t* v, int n) { return std::vector<int32_t>(v, v + n); }

Status Describe(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(auto client, Admin(ctx));
  SLUICE_ASSIGN_OR_RETURN(MetadataPtr md, client->Metadata());
  const rd_kafka_metadata_topic_t* topic = nullptr;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (Topic(ctx) == md->topics[i].topic) topic = &md->topics[i];
  }
  if (topic == nullptr || topic->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
    return Status::NotFound("unknown topic '" + Topic(ctx) + "'");
  }
  if (topic->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaStatus(topic->err, "cannot describe topic '" + Topic(ctx) + "'");
  }
  Result<std::vector<ConfigEntry>> all_configs = TopicConfigs(*client, Topic(ctx));
  std::map<std::string, std::string> overrides;
  if (all_configs.ok()) {
    for (const ConfigEntry& c : *all_configs) {
      if (c.source == "topic") overrides[c.name] = c.value.value_or("");
    }
  }
  const bool show_all = ctx.args.Has("all-configs");
  std::vector<const rd_kafka_metadata_partition_t*> parts;
  for (int p = 0; p < topic->partition_cnt; ++p) parts.push_back(&topic->partitions[p]);
  std::sort(parts.begin(), parts.end(), [](auto* a, auto* b) { return a->id < b->id; });
  nlohmann::json arr = nlohmann::json::array();
  Table t({"PARTITION", "LEADER", "REPLICAS", "ISR", "LOG-START", "HIGH-WATERMARK"});
  int urp = 0;
  for (const auto* p : parts) {
    int64_t low = -1;
    int64_t high = -1;
    if (p->leader >= 0) {
      rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(client->rk(), topic->topic, p->id,
                                                                &low, &high, 5000);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) low = high = -1;
    }
    if (p->isr_cnt < p->replica_cnt) ++urp;
    nlohmann::json j = {{"partition", p->id},
                        {"leader", p->leader},
                        {"replicas", Ints(p->replicas, p->replica_cnt)},
                        {"isr", Ints(p->isrs, p->isr_cnt)},
                        {"log_start_offset", low >= 0 ? nlohmann::json(low) : nlohmann::json()},
                        {"high_watermark", high >= 0 ? nlohmann::json(high) : nlohmann::json()}};
    if (p->err != RD_KAFKA_RESP_ERR_NO_ERROR) j["error"] = rd_kafka_err2name(p->err);
    arr.push_back(j);
    t.AddRow({std::to_string(p->id), p->leader >= 0 ? std::to_string(p->leader) : "none",
              JoinInts(Ints(p->replicas, p->replica_cnt)), JoinInts(Ints(p->isrs, p->isr_cnt)),
              low >= 0 ? std::to_string(low) : "-", high >= 0 ? std::to_string(high) : "-"});
  }
  if (ctx.json) {
    nlohmann::json doc = {{"name", topic->topic},
                          {"partitions", arr},
                          {"under_replicated_partitions", urp}};
    doc["configs"] = all_configs.ok() ? nlohmann::json(overrides) : nlohmann::json();
    if (!all_configs.ok()) doc["configs_error"] = all_configs.status().message();
    if (show_all && all_configs.ok()) {
      nlohmann::json entries = nlohmann::json::array();
      for (const ConfigEntry& c : *all_configs) {
        entries.push_back({{"name", c.name},
                           {"value", c.value ? nlohmann::json(*c.value) : nlohmann::json()},
                           {"source", c.source},
                           {"read_only", c.read_only}});
      }
      doc["all_configs"] = entries;
    }
    PrintJson(ctx.out, doc);
    return Status::Ok();
  }
  ctx.out << "topic " << topic->topic << ": " << parts.size() << " partitions, replication factor "
          << (parts.empty() ? 0 : parts[0]->replica_cnt) << ", under-replicated " << urp << "\n";
  if (!all_configs.ok()) {
    ctx.out << "configs: unavailable (" << all_configs.status().message() << ")\n";
  } else if (!overrides.empty()) {
    ctx.out << "configs:";
    for (const auto& [k, v] : overrides) ctx.out << " " << k << "=" << v;
    ctx.out << "\n";
  }
  ctx.out << "\n";
  t.Print(ctx.out);
  if (show_all && all_configs.ok()) {
    Table ct({"CONFIG", "VALUE", "SOURCE"});
    for (const ConfigEntry& c : *all_configs) {
      ct.AddRow({c.name, c.value.value_or("null"), c.source});
    }
    ctx.out << "\n";
    ct.Print(ctx.out);
  }
  return Status::Ok();
}

}  // namespace

std::vector<CommandSpec> TopicCommands() {
  OptionSpec config{"config", "KEY=VALUE", "topic config override", true};
  return {
      {"topic create", "TOPIC", 1, 1, "Create a topic.",
       {{"partitions", "N", "number of partitions (required, >= 1)"},
        {"replication-factor", "R", "replicas per partition (default: the broker's)"},
        config},
       Create, ""},
      {"topic list", "", 0, 0, "List topics.",
       {{"internal", "", "include internal topics (__consumer_offsets)"}}, List, ""},
      {"topic describe", "TOPIC", 1, 1,
       "Partitions with leader, replicas, ISR, log start and high watermark; config overrides.",
       {{"all-configs", "", "also list every config with its value and source"}}, Describe, ""},
      {"topic delete", "TOPIC", 1, 1, "Delete a topic.", {}, Delete, ""},
      {"topic alter-config", "TOPIC", 1, 1, "Set or remove topic config overrides (AlterConfigs).",
       {config, {"delete-config", "KEY", "remove an override", true}}, AlterConfig, ""},
      {"topic add-partitions", "TOPIC", 1, 1, "Grow a topic to N partitions (CreatePartitions).",
       {{"partitions", "N", "the new total number of partitions"}}, AddPartitions, ""},
  };
}

}  // namespace sluice::client
