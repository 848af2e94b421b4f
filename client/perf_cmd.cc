// `sluice perf produce|consume|e2e`: kafka-producer-perf-test style load and latency numbers.
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <ostream>
#include <thread>

#include "client/cli.h"
#include "client/kafka.h"
#include "client/latency.h"
#include "client/output.h"
#include "client/rate_limiter.h"

namespace sluice::client {
namespace {

using Clock = std::chrono::steady_clock;

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct PerfOptions {
  std::string topic;
  int64_t num_records = 0;
  int64_t record_size = 100;
  double throughput = -1;
  std::string acks;
  Props props;
  std::chrono::milliseconds interval{5000};
};

Result<PerfOptions> ParsePerf(const Context& ctx, bool producing) {
  PerfOptions o;
  o.topic = ctx.args.positionals()[0];
  if (!ctx.args.Has("num-records")) return Status::InvalidArgument("--num-records is required");
  SLUICE_ASSIGN_OR_RETURN(o.num_records, ctx.args.GetInt("num-records", 0));
  if (o.num_records < 1) return Status::InvalidArgument("--num-records must be at least 1");
  SLUICE_ASSIGN_OR_RETURN(o.record_size, ctx.args.GetInt("record-size", 100));
  if (o.record_size < (producing ? 8 : 0) || o.record_size > 64 * 1024 * 1024) {
    return Status::InvalidArgument("--record-size must be 8..67108864");
  }
  SLUICE_ASSIGN_OR_RETURN(o.throughput, ctx.args.GetDouble("throughput", -1));
  if (o.throughput == 0) return Status::InvalidArgument("--throughput must be positive or -1");
  SLUICE_ASSIGN_OR_RETURN(o.acks, ParseAcks(ctx.args.Get("acks", "all")));
  SLUICE_ASSIGN_OR_RETURN(int64_t interval, ctx.args.GetInt("reporting-interval", 5000));
  if (interval < 100) return Status::InvalidArgument("--reporting-interval must be >= 100 ms");
  o.interval = std::chrono::milliseconds(interval);
  for (const std::string& option : {std::string("producer-prop"), std::string("consumer-prop")}) {
    for (const std::string& kv : ctx.args.GetAll(option)) {
      SLUICE_ASSIGN_OR_RETURN(auto pair, ParseKeyValue(kv, "--" + option));
      o.props.push_back(pair);
    }
  }
  return o;
}

// Progress goes to stdout, or to stderr when stdout carries the one JSON document.
std::ostream& ProgressStream(Context& ctx) { return ctx.json ? ctx.err : ctx.out; }

std::string Fmt(const char* fmt, double a, double b, double c, double d) {
  char buf[256];
  std::snprintf(buf, sizeof(buf), fmt, a, b, c, d);
  return buf;
}

// The final result: JSON document or Kafka's perf-test line.
void Report(Context& ctx, const char* what, int64_t records, int64_t bytes, double seconds,
            LatencyRecorder& lat, int64_t errors) {
  double rps = seconds > 0 ? static_cast<double>(records) / seconds : 0;
  double mbps = seconds > 0 ? static_cast<double>(bytes) / seconds / (1024 * 1024) : 0;
  if (ctx.json) {
    PrintJson(ctx.out, {{"test", what},
                        {"records", records},
                        {"bytes", bytes},
                        {"errors", errors},
                        {"elapsed_s", seconds},
                        {"records_per_sec", rps},
                        {"mb_per_sec", mbps},
                        {"avg_latency_ms", lat.AvgMs()},
                        {"max_latency_ms", lat.MaxMs()},
                        {"p50_ms", lat.PercentileMs(50)},
                        {"p95_ms", lat.PercentileMs(95)},
                        {"p99_ms", lat.PercentileMs(99)},
                        {"p999_ms", lat.PercentileMs(99.9)}});
    return;
  }
  ctx.out << records << " records " << what << ", "
          << Fmt("%.1f records/sec (%.2f MB/sec), %.2f ms avg latency, %.2f ms max latency, ", rps,
                 mbps, lat.AvgMs(), lat.MaxMs())
          << Fmt("%.0f ms 50th, %.0f ms 95th, %.0f ms 99th, %.0f ms 99.9th.\n",
                 lat.PercentileMs(50), lat.PercentileMs(95), lat.PercentileMs(99),
                 lat.PercentileMs(99.9));
  if (errors > 0) ctx.out << errors << " records failed\n";
}

void Progress(std::ostream& out, int64_t records, int64_t bytes, double seconds,
              const LatencyRecorder::Window& w) {
  double rps = seconds > 0 ? static_cast<double>(records) / seconds : 0;
  double mbps = seconds > 0 ? static_cast<double>(bytes) / seconds / (1024 * 1024) : 0;
  out << records << " records, "
      << Fmt("%.1f records/sec (%.2f MB/sec), %.1f ms avg latency, %.1f ms max latency.\n", rps,
             mbps, w.avg_ms, w.max_ms);
  out.flush();
}

struct ProduceState {
  LatencyRecorder latency;  // touched only in delivery callbacks, which run in rd_kafka_poll()
  int64_t acked = 0;
  int64_t failed = 0;
  int64_t window_acked = 0;
  std::string first_error;
  int64_t last_ack_nanos = 0;
};

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* st = static_cast<ProduceState*>(opaque);
  int64_t now = NowNanos();
  st->last_ack_nanos = now;
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    ++st->failed;
    if (st->first_error.empty()) st->first_error = rd_kafka_err2str(m->err);
    return;
  }
  ++st->acked;
  ++st->window_acked;
  auto sent = static_cast<int64_t>(reinterpret_cast<intptr_t>(m->_private));
  st->latency.Add((now - sent) / 1000);
}

Status PerfProduce(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(PerfOptions o, ParsePerf(ctx, true));
  Props props = {{"acks", o.acks}};
  for (const auto& kv : o.props) props.push_back(kv);
  ProduceState st;
  SLUICE_ASSIGN_OR_RETURN(auto client,
                          KafkaClient::Create(KafkaClient::Kind::kProducer, ctx.Bootstrap(), props,
                                              [&](rd_kafka_conf_t* conf) {
                                                rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
                                                rd_kafka_conf_set_opaque(conf, &st);
                                              }));
  SLUICE_RETURN_IF_ERROR(client->Metadata().status());
  rd_kafka_t* rk = client->rk();
  std::string payload(static_cast<size_t>(o.record_size), 'x');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>('a' + i % 26);
  Clock::time_point start = Clock::now();
  RateLimiter limiter(o.throughput, start);
  Clock::time_point next_report = start + o.interval;
  Clock::time_point window_start = start;
  for (int64_t n = 0; n < o.num_records; ++n) {
    while (true) {
      Clock::duration wait = limiter.Delay(n, Clock::now());
      if (wait <= Clock::duration::zero()) break;
      if (wait > std::chrono::milliseconds(2)) rd_kafka_poll(rk, 1);
      else std::this_thread::sleep_for(wait);
    }
    while (true) {
      rd_kafka_resp_err_t err = rd_kafka_producev(
          rk, RD_KAFKA_V_TOPIC(o.topic.c_str()), RD_KAFKA_V_MSGFLAGS(0),
          RD_KAFKA_V_VALUE(payload.data(), payload.size()),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<intptr_t>(NowNanos()))),
          RD_KAFKA_V_END);
      if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        return KafkaStatus(err, "cannot produce to '" + o.topic + "'");
      }
      rd_kafka_poll(rk, 5);
    }
    rd_kafka_poll(rk, 0);
    Clock::time_point now = Clock::now();
    if (now >= next_report) {
      double secs = std::chrono::duration<double>(now - window_start).count();
      Progress(ProgressStream(ctx), st.window_acked, st.window_acked * o.record_size, secs,
               st.latency.TakeWindow());
      st.window_acked = 0;
      window_start = now;
      next_report = now + o.interval;
    }
  }
  // Wait for every acknowledgement, still reporting progress.
  Clock::time_point flush_deadline = Clock::now() + std::chrono::seconds(60);
  while (rd_kafka_outq_len(rk) > 0 && Clock::now() < flush_deadline) rd_kafka_poll(rk, 50);
  if (rd_kafka_outq_len(rk) > 0) {
    return Status::TimedOut(std::to_string(rd_kafka_outq_len(rk)) +
                            " records not acknowledged within 60s (" + LastKafkaLog() + ")");
  }
  double seconds =
      static_cast<double>(st.last_ack_nanos -
                          std::chrono::duration_cast<std::chrono::nanoseconds>(
                              start.time_since_epoch()).count()) / 1e9;
  Report(ctx, "sent", st.acked, st.acked * o.record_size, seconds, st.latency, st.failed);
  if (st.failed > 0) {
    return Status::IoError(std::to_string(st.failed) + " records failed: " + st.first_error);
  }
  return Status::Ok();
}

// Assigns every partition of `topic` at `offset` (a logical or absolute offset).
Status AssignAll(KafkaClient& client, const std::string& topic, int64_t offset) {
  SLUICE_ASSIGN_OR_RETURN(MetadataPtr md, client.Metadata());
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(8);
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (topic != md->topics[i].topic || md->topics[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    for (int p = 0; p < md->topics[i].partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(list, topic.c_str(), md->topics[i].partitions[p].id)
          ->offset = offset;
    }
  }
  if (list->cnt == 0) {
    rd_kafka_topic_partition_list_destroy(list);
    return Status::NotFound("unknown topic '" + topic + "'");
  }
  rd_kafka_poll_set_consumer(client.rk());
  rd_kafka_resp_err_t err = rd_kafka_assign(client.rk(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "cannot assign partitions");
  return Status::Ok();
}

Props ConsumerProps(const PerfOptions& o) {
  Props props = {{"group.id", "sluice-perf-" + std::to_string(NowNanos())},
                 {"enable.auto.commit", "false"},
                 {"auto.offset.reset", "earliest"},
                 {"fetch.wait.max.ms", "10"}};
  for (const auto& kv : o.props) props.push_back(kv);
  return props;
}

Status PerfConsume(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(PerfOptions o, ParsePerf(ctx, false));
  SLUICE_ASSIGN_OR_RETURN(int64_t idle_ms, ctx.args.GetInt("timeout", 10000));
  SLUICE_ASSIGN_OR_RETURN(auto client, KafkaClient::Create(KafkaClient::Kind::kConsumer,
                                                           ctx.Bootstrap(), ConsumerProps(o)));
  SLUICE_RETURN_IF_ERROR(AssignAll(*client, o.topic, RD_KAFKA_OFFSET_BEGINNING));
  rd_kafka_t* rk = client->rk();
  LatencyRecorder none;
  int64_t records = 0;
  int64_t bytes = 0;
  int64_t window_records = 0;
  int64_t window_bytes = 0;
  Clock::time_point start = Clock::now();
  Clock::time_point last_record = start;
  Clock::time_point window_start = start;
  while (records < o.num_records) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    Clock::time_point now = Clock::now();
    if (now - window_start >= o.interval) {
      Progress(ProgressStream(ctx), window_records, window_bytes,
               std::chrono::duration<double>(now - window_start).count(), none.TakeWindow());
      window_records = window_bytes = 0;
      window_start = now;
    }
    if (m == nullptr) {
      if (now - last_record > std::chrono::milliseconds(idle_ms)) {
        rd_kafka_consumer_close(rk);
        return Status::TimedOut("only " + std::to_string(records) + " of " +
                                std::to_string(o.num_records) + " records arrived (no record for " +
                                std::to_string(idle_ms) + " ms)");
      }
      continue;
    }
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++records;
      ++window_records;
      bytes += static_cast<int64_t>(m->len);
      window_bytes += static_cast<int64_t>(m->len);
      last_record = now;
    }
    rd_kafka_message_destroy(m);
  }
  double seconds = std::chrono::duration<double>(last_record - start).count();
  rd_kafka_consumer_close(rk);
  Report(ctx, "consumed", records, bytes, seconds, none, 0);
  return Status::Ok();
}

// Producer and consumer in one process; each record carries its send time (steady clock).
Status PerfE2e(Context& ctx) {
  SLUICE_ASSIGN_OR_RETURN(PerfOptions o, ParsePerf(ctx, true));
  if (o.throughput < 0) o.throughput = 1000;  // unthrottled e2e measures queueing, not latency
  SLUICE_ASSIGN_OR_RETURN(auto consumer, KafkaClient::Create(KafkaClient::Kind::kConsumer,
                                                             ctx.Bootstrap(), ConsumerProps(o)));
  SLUICE_RETURN_IF_ERROR(AssignAll(*consumer, o.topic, RD_KAFKA_OFFSET_END));
  Props props = {{"acks", o.acks}, {"linger.ms", "0"}};
  for (const auto& kv : o.props) props.push_back(kv);
  SLUICE_ASSIGN_OR_RETURN(auto producer,
                          KafkaClient::Create(KafkaClient::Kind::kProducer, ctx.Bootstrap(), props));
  // Warm up the producer: librdkafka learns the topic's leaders only on its first produce, and the
  // records of the first ~0.5 s waited for that metadata, which put the average at ~250 ms. The
  // warm-up record is 1 byte long; the reader below only counts records of 8 bytes or more.
  {
    const char warm = 'w';
    rd_kafka_resp_err_t err = rd_kafka_producev(
        producer->rk(), RD_KAFKA_V_TOPIC(o.topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY("warmup", 6), RD_KAFKA_V_VALUE(const_cast<char*>(&warm), 1), RD_KAFKA_V_END);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return KafkaStatus(err, "cannot produce");
    rd_kafka_flush(producer->rk(), 10000);
  }
  // Let the consumer resolve its END offsets before the first record is sent.
  for (int i = 0; i < 10; ++i) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer->rk(), 100);
    if (m != nullptr) rd_kafka_message_destroy(m);
  }
  std::mutex mu;
  LatencyRecorder latency;  // guarded by mu
  std::atomic<int64_t> received{0};
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done && received < o.num_records) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer->rk(), 50);
      if (m == nullptr) continue;
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->len >= 8) {
        int64_t sent = 0;
        std::memcpy(&sent, m->payload, sizeof(sent));
        std::lock_guard<std::mutex> lock(mu);
        latency.Add((NowNanos() - sent) / 1000);
        ++received;
      }
      rd_kafka_message_destroy(m);
    }
  });
  rd_kafka_t* rk = producer->rk();
  std::string payload(static_cast<size_t>(o.record_size), 'e');
  Clock::time_point start = Clock::now();
  RateLimiter limiter(o.throughput, start);
  Clock::time_point next_report = start + o.interval;
  Status status;
  for (int64_t n = 0; n < o.num_records && status.ok(); ++n) {
    Clock::duration wait = limiter.Delay(n, Clock::now());
    if (wait > Clock::duration::zero()) std::this_thread::sleep_for(wait);
    int64_t now_ns = NowNanos();
    std::memcpy(payload.data(), &now_ns, sizeof(now_ns));
    rd_kafka_resp_err_t err;
    while ((err = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(o.topic.c_str()),
                                    RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                    RD_KAFKA_V_VALUE(payload.data(), payload.size()),
                                    RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(rk, 5);
    }
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) status = KafkaStatus(err, "cannot produce");
    rd_kafka_poll(rk, 0);
    if (Clock::now() >= next_report) {
      std::lock_guard<std::mutex> lock(mu);
      Progress(ProgressStream(ctx), received, received * o.record_size,
               std::chrono::duration<double>(Clock::now() - start).count(), latency.TakeWindow());
      next_report += o.interval;
    }
  }
  rd_kafka_flush(rk, 30000);
  Clock::time_point deadline = Clock::now() + std::chrono::seconds(30);
  while (received < o.num_records && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  done = true;
  reader.join();
  rd_kafka_consumer_close(consumer->rk());
  SLUICE_RETURN_IF_ERROR(status);
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  Report(ctx, "end-to-end", received, received * o.record_size, seconds, latency,
         o.num_records - received);
  if (received < o.num_records) {
    return Status::TimedOut("only " + std::to_string(received.load()) + " of " +
                            std::to_string(o.num_records) + " records came back within 30s");
  }
  return Status::Ok();
}

std::vector<OptionSpec> CommonPerfOptions(const char* props_option) {
  return {{"num-records", "N", "number of records (required)"},
          {"record-size", "BYTES", "record value size (default 100)"},
          {"throughput", "N", "records/sec cap, -1 for unlimited (default -1)"},
          {"acks", "A", "all|-1|0|1 (default all)"},
          {"reporting-interval", "MS", "progress line interval (default 5000)"},
          {props_option, "KEY=VALUE", "librdkafka property", true}};
}

}  // namespace

std::vector<CommandSpec> PerfCommands() {
  std::vector<OptionSpec> consume = CommonPerfOptions("consumer-prop");
  consume.push_back({"timeout", "MS", "give up after this long without a record (default 10000)"});
  return {
      {"perf produce", "TOPIC", 1, 1,
       "Producer load test: rate-limited sends, progress every 5 s, latency percentiles.",
       CommonPerfOptions("producer-prop"), PerfProduce, ""},
      {"perf consume", "TOPIC", 1, 1, "Consumer throughput from the beginning of TOPIC.", consume,
       PerfConsume, ""},
      {"perf e2e", "TOPIC", 1, 1, "Produce-to-consume latency (default 1000 records/sec).",
       CommonPerfOptions("producer-prop"), PerfE2e, ""},
  };
}

}  // namespace sluice::client
