// `sluice produce` (stdin lines → records) and `sluice consume` (records → stdout, formatted).
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "client/cli.h"
#include "client/format.h"
#include "client/kafka.h"
#include "client/output.h"

namespace sluice::client {
namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop = true; }

void InstallStopSignals() {
  g_stop = false;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
}

Result<Props> PropsFrom(const Context& ctx, const std::string& option) {
  Props props;
  for (const std::string& kv : ctx.args.GetAll(option)) {
    SLUICE_ASSIGN_OR_RETURN(auto pair, ParseKeyValue(kv, "--" + option));
    props.push_back(pair);
  }
  return props;
}

Result<std::string> ParseCompression(const std::string& c) {
  for (const char* ok : {"none", "gzip", "snappy", "lz4", "zstd"}) {
    if (c == ok) return c;
  }
  return Status::InvalidArgument("--compression: expected none, gzip, snappy, lz4 or zstd, got '" +
                                 c + "'");
}

struct DeliveryStats {
  int64_t ok = 0;
  int64_t failed = 0;
  std::string first_error;
};

void CountDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* stats = static_cast<DeliveryStats*>(opaque);
  if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++stats->ok;
  } else {
    ++stats->failed;
    if (stats->first_error.empty()) stats->first_error = rd_kafka_err2str(m->err);
  }
}

Status Produce(Context& ctx) {
  const std::string& topic = ctx.args.positionals()[0];
  SLUICE_ASSIGN_OR_RETURN(std::string acks, ParseAcks(ctx.args.Get("acks", "all")));
  SLUICE_ASSIGN_OR_RETURN(std::string compression,
                          ParseCompression(ctx.args.Get("compression", "none")));
  SLUICE_ASSIGN_OR_RETURN(int64_t partition, ctx.args.GetInt("partition", RD_KAFKA_PARTITION_UA));
  std::vector<std::pair<std::string, std::string>> headers;
  for (const std::string& h : ctx.args.GetAll("header")) {
    SLUICE_ASSIGN_OR_RETURN(auto kv, ParseKeyValue(h, "--header"));
    headers.push_back(kv);
  }
  std::string sep = ctx.args.Get("key-separator");
  if (ctx.args.Has("key-separator") && sep.empty()) {
    return Status::InvalidArgument("--key-separator must not be empty");
  }
  SLUICE_ASSIGN_OR_RETURN(Props props, PropsFrom(ctx, "producer-prop"));
  props.insert(props.begin(), {{"acks", acks}, {"compression.codec", compression}});
  DeliveryStats stats;
  SLUICE_ASSIGN_OR_RETURN(
      auto client, KafkaClient::Create(KafkaClient::Kind::kProducer, ctx.Bootstrap(), props,
                                       [&](rd_kafka_conf_t* conf) {
                                         rd_kafka_conf_set_dr_msg_cb(conf, CountDelivery);
                                         rd_kafka_conf_set_opaque(conf, &stats);
                                       }));
  SLUICE_RETURN_IF_ERROR(client->Metadata().status());  // unreachable: one line, now
  InstallStopSignals();
  rd_kafka_t* rk = client->rk();
  std::string line;
  int64_t sent = 0;
  while (!g_stop && std::getline(ctx.in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::string key;
    std::string value = line;
    bool has_key = false;
    if (!sep.empty()) {
      size_t at = line.find(sep);
      if (at != std::string::npos) {
        key = line.substr(0, at);
        value = line.substr(at + sep.size());
        has_key = true;
      }
    }
    while (true) {
      rd_kafka_headers_t* hdrs = nullptr;
      if (!headers.empty()) {
        hdrs = rd_kafka_headers_new(headers.size());
        for (const auto& [k, v] : headers) {
          rd_kafka_header_add(hdrs, k.c_str(), static_cast<ssize_t>(k.size()), v.data(),
                              static_cast<ssize_t>(v.size()));
        }
      }
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(static_cast<int32_t>(partition)),
          RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
          RD_KAFKA_V_KEY(has_key ? key.data() : nullptr, has_key ? key.size() : 0),
          RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return KafkaStatus(err, "cannot produce to '" + topic + "'");
      }
      rd_kafka_poll(rk, 50);
    }
    ++sent;
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_resp_err_t flushed = rd_kafka_flush(rk, 30000);
  if (flushed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::TimedOut(std::to_string(rd_kafka_outq_len(rk)) + " of " + std::to_string(sent) +
                            " records not acknowledged within 30s (" + LastKafkaLog() + ")");
  }
  if (ctx.json) {
    PrintJson(ctx.out, {{"topic", topic}, {"records", sent}, {"acknowledged", stats.ok},
                        {"failed", stats.failed}});
  }
  if (stats.failed > 0) {
    return Status::IoError(std::to_string(stats.failed) + " of " + std::to_string(sent) +
                           " records failed: " + stats.first_error);
  }
  return Status::Ok();
}

// Where an assigned consumer starts: a librdkafka logical offset, an offset, or a timestamp.
struct StartPosition {
  int64_t offset = RD_KAFKA_OFFSET_END;
  bool by_time = false;
};

Result<StartPosition> ParseFrom(const std::string& from) {
  StartPosition s;
  if (from == "earliest" || from == "beginning") {
    s.offset = RD_KAFKA_OFFSET_BEGINNING;
  } else if (from == "latest" || from == "end") {
    s.offset = RD_KAFKA_OFFSET_END;
  } else if (!from.empty() && from[0] == '@') {
    SLUICE_ASSIGN_OR_RETURN(s.offset, ParseInt(from.substr(1), "--from @timestamp"));
    s.by_time = true;
  } else {
    SLUICE_ASSIGN_OR_RETURN(s.offset, ParseInt(from, "--from"));
    if (s.offset < 0) return Status::InvalidArgument("--from: offset must be >= 0");
  }
  return s;
}

Status Consume(Context& ctx) {
  const std::string& topic = ctx.args.positionals()[0];
  std::string format = ctx.args.Get("format", "%v\\n");
  SLUICE_RETURN_IF_ERROR(CheckFormat(format));
  SLUICE_ASSIGN_OR_RETURN(StartPosition from, ParseFrom(ctx.args.Get("from", "earliest")));
  SLUICE_ASSIGN_OR_RETURN(int64_t count, ctx.args.GetInt("count", -1));
  SLUICE_ASSIGN_OR_RETURN(int64_t only_partition, ctx.args.GetInt("partition", -1));
  std::string group = ctx.args.Get("group");
  bool exit_at_end = ctx.args.Has("exit");
  if (!group.empty() && (from.by_time || from.offset >= 0)) {
    return Status::InvalidArgument("--group works with --from earliest|latest only");
  }
  SLUICE_ASSIGN_OR_RETURN(Props props, PropsFrom(ctx, "consumer-prop"));
  props.insert(props.begin(), {{"enable.partition.eof", "true"},
                               {"auto.offset.reset",
                                from.offset == RD_KAFKA_OFFSET_END ? "latest" : "earliest"}});
  if (!group.empty()) {
    props.push_back({"group.id", group});
  } else {
    // assign() still needs a group id; this one never commits, so it leaves no trace.
    props.push_back({"group.id", "sluice-console-" + std::to_string(getpid())});
    props.push_back({"enable.auto.commit", "false"});
    props.push_back({"enable.auto.offset.store", "false"});
  }
  SLUICE_ASSIGN_OR_RETURN(auto client,
                          KafkaClient::Create(KafkaClient::Kind::kConsumer, ctx.Bootstrap(), props));
  SLUICE_ASSIGN_OR_RETURN(MetadataPtr md, client->Metadata());
  std::vector<int32_t> partitions;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic != md->topics[i].topic || md->topics[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    for (int p = 0; p < md->topics[i].partition_cnt; ++p) {
      int32_t id = md->topics[i].partitions[p].id;
      if (only_partition < 0 || id == only_partition) partitions.push_back(id);
    }
  }
  if (partitions.empty()) return Status::NotFound("unknown topic '" + topic + "'");
  rd_kafka_t* rk = client->rk();
  rd_kafka_poll_set_consumer(rk);
  if (group.empty()) {
    rd_kafka_topic_partition_list_t* list =
        rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size()));
    for (int32_t p : partitions) {
      rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = from.offset;
    }
    if (from.by_time) {
      rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk, list, 10000);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_topic_partition_list_destroy(list);
        return KafkaStatus(err, "cannot look up offsets by timestamp");
      }
    }
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "cannot assign partitions");
  } else {
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "cannot subscribe");
  }
  InstallStopSignals();
  nlohmann::json records = nlohmann::json::array();
  int64_t seen = 0;
  std::set<int32_t> at_end;
  Status result;
  while (!g_stop && (count < 0 || seen < count)) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 200);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      at_end.insert(m->partition);
      rd_kafka_message_destroy(m);
      if (exit_at_end && at_end.size() >= partitions.size()) break;
      continue;
    }
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_resp_err_t err = m->err;
      std::string detail = rd_kafka_message_errstr(m);
      rd_kafka_message_destroy(m);
      if (err == RD_KAFKA_RESP_ERR__TRANSPORT || err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        continue;  // librdkafka reconnects
      }
      result = KafkaStatus(err, "consume from '" + topic + "' failed", detail.c_str());
      break;
    }
    at_end.erase(m->partition);
    FormattedRecord r;
    r.topic = topic;
    r.partition = m->partition;
    r.offset = m->offset;
    r.timestamp_ms = rd_kafka_message_timestamp(m, nullptr);
    if (m->key != nullptr) r.key = std::string_view(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) {
      r.value = std::string_view(static_cast<const char*>(m->payload), m->len);
    }
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) {
      const char* name;
      const void* val;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) ==
                         RD_KAFKA_RESP_ERR_NO_ERROR;
           ++i) {
        r.headers.emplace_back(name, val == nullptr ? "" : std::string(static_cast<const char*>(val), size));
      }
    }
    if (ctx.json) {
      nlohmann::json h = nlohmann::json::object();
      for (const auto& [k, v] : r.headers) h[k] = v;
      records.push_back({{"partition", r.partition}, {"offset", r.offset},
                         {"timestamp", r.timestamp_ms},
                         {"key", r.key ? nlohmann::json(std::string(*r.key)) : nlohmann::json()},
                         {"value", r.value ? nlohmann::json(std::string(*r.value)) : nlohmann::json()},
                         {"headers", h}});
    } else {
      ctx.out << FormatRecord(format, r);
      ctx.out.flush();
    }
    rd_kafka_message_destroy(m);
    ++seen;
  }
  rd_kafka_consumer_close(rk);
  if (ctx.json) PrintJson(ctx.out, {{"topic", topic}, {"records", records}});
  return result;
}

}  // namespace

std::vector<CommandSpec> ClientCommands() {
  return {
      {"produce", "TOPIC", 1, 1, "Produce stdin, one record per line.",
       {{"key-separator", "S", "split each line at the first S into key and value"},
        {"header", "KEY=VALUE", "header on every record", true},
        {"acks", "A", "all|-1|0|1 (default all)"},
        {"compression", "C", "none|gzip|snappy|lz4|zstd (default none)"},
        {"partition", "P", "produce to this partition (default: partitioner)"},
        {"producer-prop", "KEY=VALUE", "librdkafka producer property", true}},
       Produce, ""},
      {"consume", "TOPIC", 1, 1, "Consume records to stdout, one formatted line each.",
       {{"from", "WHERE", "earliest|latest|<offset>|@<timestamp-ms> (default earliest)"},
        {"group", "G", "consume as a member of group G (commits offsets)"},
        {"count", "N", "stop after N records"},
        {"exit", "", "stop at the end of every partition"},
        {"partition", "P", "only this partition"},
        {"format", "FMT", "%k key %v value %p partition %o offset %t timestamp %h headers %T "
                          "topic (default '%v\\n')"},
        {"consumer-prop", "KEY=VALUE", "librdkafka consumer property", true}},
       Consume, ""},
  };
}

}  // namespace sluice::client
