#include "tests/drills/workload.h"

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstdlib>
#include <map>

namespace sluice::drills {

struct Workload::Producer {
  Workload* owner = nullptr;
  int index = 0;
  rd_kafka_t* rk = nullptr;
  std::vector<Delivery>* out = nullptr;
  std::string first_error;
};

namespace {

void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* opaque) {
  auto* p = static_cast<Workload::Producer*>(opaque);
  auto seq = static_cast<size_t>(reinterpret_cast<uintptr_t>(msg->_private));
  if (seq >= p->out->size()) return;
  Delivery& d = (*p->out)[seq];
  d.ack_ms = static_cast<float>(p->owner->NowMs());
  d.error = msg->err;
  d.partition = msg->partition;
  d.offset = msg->err == RD_KAFKA_RESP_ERR_NO_ERROR ? msg->offset : -1;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR && p->first_error.empty()) {
    p->first_error = std::string(rd_kafka_err2name(msg->err)) + ": " + rd_kafka_err2str(msg->err);
  }
}

}  // namespace

bool ParseValue(const std::string& value, int* producer, int64_t* seq) {
  if (value.size() < 4 || value[0] != 'd') return false;
  char* end = nullptr;
  long p = std::strtol(value.c_str() + 1, &end, 10);
  if (end == value.c_str() + 1 || *end != ':') return false;
  const char* s = end + 1;
  long long q = std::strtoll(s, &end, 10);
  if (end == s || *end != ':') return false;
  *producer = static_cast<int>(p);
  *seq = q;
  return true;
}

Workload::Workload(WorkloadOptions options) : options_(std::move(options)) {}

Workload::~Workload() { Stop(std::chrono::milliseconds(0)); }

double Workload::NowMs() const {
  return std::chrono::duration<double, std::milli>(DrillClock::now() - start_).count();
}

Status Workload::Start() {
  start_ = DrillClock::now();
  deliveries_.assign(options_.producers, {});
  for (int i = 0; i < options_.producers; ++i) {
    auto p = std::make_unique<Producer>();
    p->owner = this;
    p->index = i;
    p->out = &deliveries_[i];
    p->out->reserve(static_cast<size_t>(options_.rate / options_.producers) * 240);
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    char err[512];
    const std::map<std::string, std::string> settings = {
        {"bootstrap.servers", options_.bootstrap},
        {"acks", options_.acks},
        {"enable.idempotence", "false"},
        // One request in flight per broker: a retried batch cannot overtake the next one.
        {"max.in.flight.requests.per.connection", "1"},
        {"linger.ms", "5"},
        {"message.timeout.ms", std::to_string(options_.message_timeout_ms)},
        {"request.timeout.ms", std::to_string(options_.request_timeout_ms)},
        // librdkafka's request.timeout.ms is only the broker-side ack timeout; on the client a
        // ProduceRequest waits for min(socket.timeout.ms (60 s default), message.timeout.ms). When
        // the leader is isolated (packets dropped, no RST) neither the broker's REQUEST_TIMED_OUT
        // nor anything else arrives, so the partition stayed on the dead connection until the
        // heal (bench/drills/AVAILABILITY.md). Timing out 1 s after the broker would have
        // answered drops the connection; the broker is then down, librdkafka's 1 s topic scan
        // queries the leader from a live broker and the partition moves to the new leader. This
        // is the Java producer's behaviour (its request.timeout.ms is client-side).
        {"socket.timeout.ms", std::to_string(options_.request_timeout_ms + 1000)},
        {"retry.backoff.ms", "100"},
        {"reconnect.backoff.max.ms", "1000"},
        {"queue.buffering.max.messages", "2000000"},
        {"queue.buffering.max.kbytes", "2097151"},
        {"log.connection.close", "false"},
        {"log_level", "3"},
    };
    for (const auto& [k, v] : settings) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return Status::InvalidArgument("librdkafka " + k + ": " + err);
      }
    }
    // SLUICE_RDKAFKA_DEBUG=broker,topic,metadata: librdkafka debug log on stderr (off by default;
    // how the availability gaps in bench/drills/AVAILABILITY.md were traced).
    if (const char* dbg = std::getenv("SLUICE_RDKAFKA_DEBUG"); dbg != nullptr && *dbg != 0) {
      rd_kafka_conf_set(conf, "debug", dbg, err, sizeof(err));
      rd_kafka_conf_set(conf, "log_level", "7", err, sizeof(err));
    }
    rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
    rd_kafka_conf_set_opaque(conf, p.get());
    p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
    if (p->rk == nullptr) return Status::IoError(std::string("rd_kafka_new: ") + err);
    producers_.push_back(std::move(p));
  }
  for (int i = 0; i < options_.producers; ++i) threads_.emplace_back([this, i] { Run(i); });
  return Status::Ok();
}

void Workload::Run(int index) {
  Producer& p = *producers_[index];
  const double per_ms = static_cast<double>(options_.rate) / options_.producers / 1000.0;
  int64_t seq = 0;
  std::string value;
  int64_t acked_seen = 0;
  while (!stop_.load()) {
    const auto due = static_cast<int64_t>(per_ms * NowMs());
    while (seq < due && !stop_.load()) {
      value = "d" + std::to_string(index) + ":" + std::to_string(seq) + ":";
      if (static_cast<int>(value.size()) < options_.value_bytes) value.resize(options_.value_bytes, '.');
      p.out->emplace_back();
      p.out->back().send_ms = static_cast<float>(NowMs());
      rd_kafka_resp_err_t err = rd_kafka_producev(
          p.rk, RD_KAFKA_V_TOPIC(options_.topic.c_str()),
          RD_KAFKA_V_PARTITION(static_cast<int32_t>(seq % options_.partitions)),
          RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<uintptr_t>(seq))),
          RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        p.out->pop_back();
        rd_kafka_poll(p.rk, 10);
        continue;
      }
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {  // never enqueued: counts as not acknowledged
        p.out->back().error = err;
        p.out->back().ack_ms = static_cast<float>(NowMs());
      }
      ++seq;
    }
    rd_kafka_poll(p.rk, 1);
    // Publish progress for the live timeline (cheap: count since the last look).
    int64_t acked_now = 0;
    for (int64_t i = acked_seen; i < seq && (*p.out)[i].acked(); ++i) ++acked_now;
    acked_seen += acked_now;
    acked_.fetch_add(acked_now);
  }
  rd_kafka_flush(p.rk, static_cast<int>(flush_ms_.load()));
  rd_kafka_destroy(p.rk);
  p.rk = nullptr;
}

void Workload::Stop(std::chrono::milliseconds flush) {
  if (threads_.empty()) return;
  flush_ms_.store(flush.count());
  stop_.store(true);
  for (auto& t : threads_) t.join();
  threads_.clear();
  for (const auto& p : producers_) {
    if (first_error_.empty() && !p->first_error.empty()) first_error_ = p->first_error;
  }
}

}  // namespace sluice::drills
