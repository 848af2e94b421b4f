#include "tests/support/kafka_client.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <set>
#include <utility>

namespace sluice::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Per-message opaque: the record (if kept) travels with the message to its delivery report.
struct MsgCtx {
  bool keep = false;
  Record record;
};

Status Fail(const std::string& what, rd_kafka_resp_err_t err) {
  return Status::Unavailable(what + ": " + rd_kafka_err2name(err) + " (" + rd_kafka_err2str(err) +
                             ")");
}

Result<rd_kafka_conf_t*> MakeConf(const std::string& bootstrap, const ClientConfig& defaults,
                                  const ClientConfig& config) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  ClientConfig all = defaults;
  for (const auto& [k, v] : config) all[k] = v;
  all["bootstrap.servers"] = bootstrap;
  // SLUICE_RDKAFKA_DEBUG=admin,metadata,... turns on librdkafka's debug log (stderr).
  if (const char* debug = std::getenv("SLUICE_RDKAFKA_DEBUG"); debug != nullptr && *debug) {
    all["debug"] = debug;
  }
  for (const auto& [k, v] : all) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument("librdkafka config " + k + "=" + v + ": " + errstr);
    }
  }
  return conf;
}

Result<rd_kafka_t*> NewHandle(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(std::string("rd_kafka_new: ") + errstr);
  }
  return rk;  // owns conf now
}

int RemainingMs(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

Record FromMessage(const rd_kafka_message_t* m) {
  Record r;
  r.partition = m->partition;
  r.offset = m->offset;
  if (m->key != nullptr) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
  if (m->payload != nullptr) r.value.emplace(static_cast<const char*>(m->payload), m->len);
  rd_kafka_timestamp_type_t type;
  r.timestamp = rd_kafka_message_timestamp(m, &type);
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) {
    const char* name;
    const void* val;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &val, &size) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR;
         ++i) {
      Header h{name, std::nullopt};
      if (val != nullptr) h.value.emplace(static_cast<const char*>(val), size);
      r.headers.push_back(std::move(h));
    }
  }
  return r;
}

}  // namespace

std::string Describe(const Record& r) {
  std::string s = "partition=" + std::to_string(r.partition) + " offset=" + std::to_string(r.offset) +
                  " key=" + (r.key ? "'" + r.key->substr(0, 40) + "'" : "null") +
                  " value_size=" + (r.value ? std::to_string(r.value->size()) : "null") +
                  " headers=" + std::to_string(r.headers.size()) +
                  " timestamp=" + std::to_string(r.timestamp);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Producer

Result<std::unique_ptr<Producer>> Producer::Create(const std::string& bootstrap,
                                                   const ClientConfig& config) {
  SLUICE_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                          MakeConf(bootstrap,
                                   {{"acks", "all"},
                                    {"message.timeout.ms", "30000"},
                                    {"queue.buffering.max.messages", "200000"},
                                    {"log.connection.close", "false"}},
                                   config));
  std::unique_ptr<Producer> p(new Producer());
  rd_kafka_conf_set_opaque(conf, p.get());
  rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t* rk, const rd_kafka_message_t* m, void* op) {
    OnDelivery(rk, m, op);
  });
  SLUICE_ASSIGN_OR_RETURN(p->rk_, NewHandle(RD_KAFKA_PRODUCER, conf));
  return p;
}

Producer::~Producer() {
  if (rk_ == nullptr) return;
  rd_kafka_flush(rk_, 1000);
  rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
  rd_kafka_poll(rk_, 0);  // delivers the purge reports, freeing their MsgCtx
  rd_kafka_destroy(rk_);
}

void Producer::OnDelivery(rd_kafka_t*, const void* msg, void* opaque) {
  const auto* m = static_cast<const rd_kafka_message_t*>(msg);
  auto* self = static_cast<Producer*>(opaque);
  std::unique_ptr<MsgCtx> ctx(static_cast<MsgCtx*>(m->_private));
  std::lock_guard<std::mutex> lock(self->mu_);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (self->report_.failed++ == 0) {
      self->report_.first_error =
          std::string(rd_kafka_err2name(m->err)) + ": " + rd_kafka_err2str(m->err);
    }
    return;
  }
  ++self->acked_count_;
  if (ctx && ctx->keep) {
    ctx->record.partition = m->partition;
    ctx->record.offset = m->offset;
    self->report_.acked.push_back(std::move(ctx->record));
  }
}

Status Producer::Send(const std::string& topic, const Record& record, bool keep) {
  auto ctx = std::make_unique<MsgCtx>();
  ctx->keep = keep;
  if (keep) ctx->record = record;
  for (;;) {
    rd_kafka_headers_t* hdrs = nullptr;
    if (!record.headers.empty()) {
      hdrs = rd_kafka_headers_new(record.headers.size());
      for (const Header& h : record.headers) {
        rd_kafka_header_add(hdrs, h.key.data(), static_cast<ssize_t>(h.key.size()),
                            h.value ? h.value->data() : nullptr,
                            h.value ? static_cast<ssize_t>(h.value->size()) : 0);
      }
    }
    const char* key = record.key ? record.key->data() : nullptr;
    size_t key_len = record.key ? record.key->size() : 0;
    char* value = record.value ? const_cast<char*>(record.value->data()) : nullptr;
    size_t value_len = record.value ? record.value->size() : 0;
    rd_kafka_resp_err_t err = rd_kafka_producev(
        rk_, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(record.partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
        RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_TIMESTAMP(record.timestamp),
        RD_KAFKA_V_HEADERS(hdrs),
        RD_KAFKA_V_OPAQUE(ctx.get()), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ctx.release();  // owned by the delivery report now
      ++sent_;
      return Status::Ok();
    }
    if (hdrs != nullptr) rd_kafka_headers_destroy(hdrs);
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) return Fail("produce " + topic, err);
    rd_kafka_poll(rk_, 10);  // queue full: serve reports, then retry
  }
}

void Producer::Poll(int timeout_ms) { rd_kafka_poll(rk_, timeout_ms); }

Status Producer::Flush(std::chrono::milliseconds timeout) {
  rd_kafka_resp_err_t err = rd_kafka_flush(rk_, static_cast<int>(timeout.count()));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status::TimedOut("flush: " + std::to_string(rd_kafka_outq_len(rk_)) +
                            " messages still without a delivery report after " +
                            std::to_string(timeout.count()) + " ms");
  }
  return Status::Ok();
}

int64_t Producer::acked_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return acked_count_;
}

int64_t Producer::failed_count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return report_.failed;
}

ProduceReport Producer::TakeReport() {
  std::lock_guard<std::mutex> lock(mu_);
  ProduceReport out;
  out.acked.swap(report_.acked);
  out.acked_count = acked_count_;
  out.failed = report_.failed;
  out.first_error = report_.first_error;
  return out;
}

Result<ProduceReport> ProduceAll(const std::string& bootstrap, const std::string& topic,
                                 const std::vector<Record>& records, const ClientConfig& config,
                                 std::chrono::milliseconds timeout) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Producer> p, Producer::Create(bootstrap, config));
  for (const Record& r : records) {
    SLUICE_RETURN_IF_ERROR(p->Send(topic, r));
    if (p->sent() % 1024 == 0) p->Poll(0);
  }
  SLUICE_RETURN_IF_ERROR(p->Flush(timeout));
  return p->TakeReport();
}

// ---------------------------------------------------------------------------------------------
// Metadata, topics

const TopicMeta* ClusterMetadata::Find(const std::string& topic) const {
  for (const TopicMeta& t : topics) {
    if (t.name == topic) return &t;
  }
  return nullptr;
}

namespace {

Result<ClusterMetadata> MetadataOn(rd_kafka_t* rk, int timeout_ms) {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, /*all_topics=*/1, nullptr, &md, timeout_ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Fail("metadata", err);
  ClusterMetadata out;
  out.controller_id = rd_kafka_controllerid(rk, 0);  // from the response just cached
  for (int i = 0; i < md->broker_cnt; ++i) {
    out.brokers.push_back({md->brokers[i].id, md->brokers[i].host, md->brokers[i].port});
  }
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    TopicMeta tm{t.topic, t.err, {}};
    for (int j = 0; j < t.partition_cnt; ++j) {
      const rd_kafka_metadata_partition_t& p = t.partitions[j];
      PartitionMeta pm{p.id, p.leader, p.err, {}, {}};
      pm.replicas.assign(p.replicas, p.replicas + p.replica_cnt);
      pm.isrs.assign(p.isrs, p.isrs + p.isr_cnt);
      tm.partitions.push_back(std::move(pm));
    }
    std::sort(tm.partitions.begin(), tm.partitions.end(),
              [](const PartitionMeta& a, const PartitionMeta& b) { return a.id < b.id; });
    out.topics.push_back(std::move(tm));
  }
  rd_kafka_metadata_destroy(md);
  return out;
}

}  // namespace

Result<ClusterMetadata> FetchMetadata(const std::string& bootstrap,
                                      std::chrono::milliseconds timeout,
                                      const std::string& topic) {
  SLUICE_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                          MakeConf(bootstrap, {{"log.connection.close", "false"}}, {}));
  SLUICE_ASSIGN_OR_RETURN(rd_kafka_t * rk, NewHandle(RD_KAFKA_PRODUCER, conf));
  Result<ClusterMetadata> md = MetadataOn(rk, static_cast<int>(timeout.count()));
  rd_kafka_destroy(rk);
  if (md.ok() && !topic.empty()) {
    ClusterMetadata filtered = md.value();
    filtered.topics.clear();
    if (const TopicMeta* t = md->Find(topic)) filtered.topics.push_back(*t);
    return filtered;
  }
  return md;
}

Status CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions,
                   int replication_factor, std::chrono::milliseconds timeout,
                   const std::map<std::string, std::string>& topic_config) {
  auto deadline = Clock::now() + timeout;
  SLUICE_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                          MakeConf(bootstrap, {{"log.connection.close", "false"}}, {}));
  SLUICE_ASSIGN_OR_RETURN(rd_kafka_t * rk, NewHandle(RD_KAFKA_PRODUCER, conf));
  char errstr[512];
  rd_kafka_NewTopic_t* nt =
      rd_kafka_NewTopic_new(topic.c_str(), partitions, replication_factor, errstr, sizeof(errstr));
  Status status;
  if (nt == nullptr) {
    rd_kafka_destroy(rk);
    return Status::InvalidArgument(std::string("NewTopic: ") + errstr);
  }
  for (const auto& [k, v] : topic_config) rd_kafka_NewTopic_set_config(nt, k.c_str(), v.c_str());
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opts, RemainingMs(deadline), errstr, sizeof(errstr));
  rd_kafka_AdminOptions_set_request_timeout(opts, RemainingMs(deadline), errstr, sizeof(errstr));
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(q, RemainingMs(deadline) + 1000);
  if (ev == nullptr) {
    status = Status::TimedOut("CreateTopics " + topic + ": no result");
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = Status::Unavailable("CreateTopics " + topic + ": " +
                                 rd_kafka_event_error_string(ev));
  } else {
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; ++i) {
      rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char* msg = rd_kafka_topic_result_error_string(results[i]);
        status = Status::Unavailable("CreateTopics " + topic + ": " + rd_kafka_err2name(e) +
                                     (msg ? std::string(" ") + msg : ""));
      }
    }
    if (n != 1) status = Status::Unavailable("CreateTopics " + topic + ": no topic result");
  }
  if (ev != nullptr) rd_kafka_event_destroy(ev);
  rd_kafka_queue_destroy(q);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy(nt);
  // Wait until every partition has a leader in Metadata.
  std::string last = "no metadata yet";
  while (status.ok()) {
    Result<ClusterMetadata> md = MetadataOn(rk, std::max(100, RemainingMs(deadline)));
    if (md.ok()) {
      const TopicMeta* t = md->Find(topic);
      if (t == nullptr) {
        last = "topic absent from metadata";
      } else if (t->error != 0) {
        last = "topic error " + std::to_string(t->error);
      } else if (static_cast<int>(t->partitions.size()) != partitions) {
        last = std::to_string(t->partitions.size()) + " partitions";
      } else if (std::any_of(t->partitions.begin(), t->partitions.end(),
                             [](const PartitionMeta& p) { return p.leader < 0 || p.error != 0; })) {
        last = "a partition has no leader";
      } else {
        break;
      }
    } else {
      last = md.status().ToString();
    }
    if (Clock::now() >= deadline) {
      status = Status::TimedOut("topic " + topic + " not ready: " + last);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  rd_kafka_destroy(rk);
  return status;
}

// ---------------------------------------------------------------------------------------------
// Consumer

Result<std::map<int32_t, std::vector<Record>>> ConsumeAll(const std::string& bootstrap,
                                                          const std::string& topic,
                                                          std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  SLUICE_ASSIGN_OR_RETURN(rd_kafka_conf_t * conf,
                          MakeConf(bootstrap,
                                   {{"check.crcs", "true"},
                                    {"fetch.wait.max.ms", "100"},
                                    {"log.connection.close", "false"}},
                                   {}));
  SLUICE_ASSIGN_OR_RETURN(rd_kafka_t * rk, NewHandle(RD_KAFKA_CONSUMER, conf));
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  std::map<int32_t, std::vector<Record>> out;
  std::map<int32_t, int64_t> high;  // partition → high watermark to reach
  Status status;
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, RemainingMs(deadline));
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = Fail("metadata for " + topic, err);
  } else if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    status = Status::NotFound("topic " + topic + " not in metadata");
  } else {
    for (int i = 0; i < md->topics[0].partition_cnt && status.ok(); ++i) {
      int32_t p = md->topics[0].partitions[i].id;
      int64_t lo = 0, hi = 0;
      err = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &lo, &hi, RemainingMs(deadline));
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        status = Fail("watermarks " + topic + "/" + std::to_string(p), err);
      }
      out[p];
      if (hi > lo) high[p] = hi;
    }
  }
  if (md != nullptr) rd_kafka_metadata_destroy(md);
  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  std::set<int32_t> started;
  for (const auto& [p, hi] : high) {
    if (!status.ok()) break;
    if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q) != 0) {
      status = Fail("consume_start " + std::to_string(p), rd_kafka_last_error());
      break;
    }
    started.insert(p);
  }
  std::vector<rd_kafka_message_t*> batch(4096);
  std::map<int32_t, int64_t> pending = high;
  while (status.ok() && !pending.empty()) {
    int left = RemainingMs(deadline);
    if (left == 0) {
      std::string where;
      for (const auto& [p, hi] : pending) {
        where += " p" + std::to_string(p) + ": have " + std::to_string(out[p].size()) +
                 " want up to offset " + std::to_string(hi);
      }
      status = Status::TimedOut("consume " + topic + " did not reach the end:" + where);
      break;
    }
    ssize_t n = rd_kafka_consume_batch_queue(q, std::min(left, 500), batch.data(), batch.size());
    for (ssize_t i = 0; i < n; ++i) {
      rd_kafka_message_t* m = batch[i];
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        // nothing: we stop at the watermark
      } else if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (status.ok()) {
          status = Fail("consume " + topic + "/" + std::to_string(m->partition) + " at " +
                            std::to_string(m->offset),
                        m->err);
        }
      } else if (pending.count(m->partition) != 0) {
        out[m->partition].push_back(FromMessage(m));
        if (m->offset + 1 >= pending[m->partition]) pending.erase(m->partition);
      }
      rd_kafka_message_destroy(m);
    }
  }
  for (int32_t p : started) rd_kafka_consume_stop(rkt, p);
  rd_kafka_queue_destroy(q);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  if (!status.ok()) return status;
  return out;
}

// ---------------------------------------------------------------------------------------------
// SteadyProducer

SteadyProducer::SteadyProducer(std::string bootstrap, std::string topic, ClientConfig config)
    : bootstrap_(std::move(bootstrap)), topic_(std::move(topic)), config_(std::move(config)) {}

SteadyProducer::~SteadyProducer() {
  if (thread_.joinable()) Stop(std::chrono::seconds(5));
}

Status SteadyProducer::Start() {
  ClientConfig config = config_;
  config.emplace("linger.ms", "2");
  SLUICE_ASSIGN_OR_RETURN(producer_, Producer::Create(bootstrap_, config));
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void SteadyProducer::Run() {
  // About 2,000 records/s: steady background traffic, not a load test.
  for (int64_t i = 0; !stop_.load(); ++i) {
    Record r;
    r.partition = -1;  // RD_KAFKA_PARTITION_UA: the partitioner picks
    r.key = "steady-" + std::to_string(i % 97);
    r.value = std::to_string(i);
    Status s = producer_->Send(topic_, r, /*keep=*/false);
    if (!s.ok()) {
      run_status_ = s;
      return;
    }
    sent_.store(producer_->sent());
    if (i % 10 == 9) {
      producer_->Poll(0);
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

ProduceReport SteadyProducer::Stop(std::chrono::milliseconds timeout) {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  ProduceReport report;
  if (!producer_) return report;
  Status flushed = producer_->Flush(timeout);
  report = producer_->TakeReport();
  if (!run_status_.ok()) {
    report.failed += 1;
    if (report.first_error.empty()) report.first_error = run_status_.ToString();
  }
  int64_t missing = producer_->sent() - producer_->acked_count() - producer_->failed_count();
  if (!flushed.ok() || missing > 0) {
    report.failed += missing;
    if (report.first_error.empty()) report.first_error = flushed.ToString();
  }
  producer_.reset();
  return report;
}

}  // namespace sluice::testing
