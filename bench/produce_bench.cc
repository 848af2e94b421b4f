// produce_bench: producer throughput and delivery latency against any Kafka-compatible broker.
//
//   produce_bench --bootstrap 127.0.0.1:9092 --topic bench --num-records 1000000
//                 --record-size 100 --acks all --compression none --batch-size 1000000
//                 --linger-ms 5
//
// Prints one line: msgs/s, MB/s (payload bytes), and p50/p95/p99/p99.9 delivery latency
// (enqueue → delivery report). --throughput N sends at a steady N records/s (each record enqueued
// at its scheduled time, start + i/N; -1 = as fast as possible) to measure latency under a fixed
// load rather than under a full queue. Exit code 1 if any delivery report failed.

#include <gflags/gflags.h>
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

DEFINE_string(bootstrap, "127.0.0.1:9092", "bootstrap servers");
DEFINE_string(topic, "bench", "topic (created by the broker's auto-creation if absent)");
DEFINE_int64(num_records, 1000000, "records to produce");
DEFINE_int32(record_size, 100, "value size in bytes");
DEFINE_string(acks, "all", "acks: 0, 1 or all");
DEFINE_string(compression, "none", "compression.codec: none, gzip, snappy, lz4, zstd");
DEFINE_int32(batch_size, 1000000, "librdkafka batch.size (bytes per partition batch)");
DEFINE_int32(batch_num_messages, 10000, "librdkafka batch.num.messages");
DEFINE_int32(linger_ms, 5, "librdkafka linger.ms");
DEFINE_string(extra, "", "extra librdkafka properties, comma-separated key=value");
DEFINE_int64(throughput, -1, "records/s to send at (schedule-based); -1 = unlimited");

namespace {

using Clock = std::chrono::steady_clock;

struct Stats {
  std::vector<int64_t> latency_us;
  int64_t delivered = 0;
  int64_t failed = 0;
  std::string first_error;
};

int64_t NowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now().time_since_epoch())
      .count();
}

void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* stats = static_cast<Stats*>(opaque);
  if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (stats->failed++ == 0) stats->first_error = rd_kafka_err2str(m->err);
    return;
  }
  ++stats->delivered;
  int64_t sent_us = reinterpret_cast<intptr_t>(m->_private);
  stats->latency_us.push_back(NowUs() - sent_us);
}

bool Set(rd_kafka_conf_t* conf, const std::string& k, const std::string& v) {
  char err[512];
  if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
    std::fprintf(stderr, "config %s=%s: %s\n", k.c_str(), v.c_str(), err);
    return false;
  }
  return true;
}

double Percentile(std::vector<int64_t>& v, double p) {
  if (v.empty()) return 0;
  size_t i = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(i), v.end());
  return static_cast<double>(v[i]) / 1000.0;
}

}  // namespace

int main(int argc, char** argv) {
  gflags::SetUsageMessage("librdkafka producer throughput benchmark");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  Stats stats;
  stats.latency_us.reserve(static_cast<size_t>(FLAGS_num_records));
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  bool ok = Set(conf, "bootstrap.servers", FLAGS_bootstrap) && Set(conf, "acks", FLAGS_acks) &&
            Set(conf, "compression.codec", FLAGS_compression) &&
            Set(conf, "batch.size", std::to_string(FLAGS_batch_size)) &&
            Set(conf, "batch.num.messages", std::to_string(FLAGS_batch_num_messages)) &&
            Set(conf, "linger.ms", std::to_string(FLAGS_linger_ms)) &&
            Set(conf, "queue.buffering.max.messages", "1000000") &&
            Set(conf, "queue.buffering.max.kbytes", "1048576");
  std::string extra = FLAGS_extra;
  while (ok && !extra.empty()) {
    size_t comma = extra.find(',');
    std::string kv = extra.substr(0, comma);
    extra = comma == std::string::npos ? "" : extra.substr(comma + 1);
    size_t eq = kv.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "bad --extra entry %s\n", kv.c_str());
      return 2;
    }
    ok = Set(conf, kv.substr(0, eq), kv.substr(eq + 1));
  }
  if (!ok) return 2;
  rd_kafka_conf_set_opaque(conf, &stats);
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (rk == nullptr) {
    std::fprintf(stderr, "rd_kafka_new: %s\n", err);
    return 2;
  }
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, FLAGS_topic.c_str(), nullptr);

  // Warm-up: metadata (and topic auto-creation) before the clock starts.
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    rd_kafka_metadata_destroy(md);
  }

  std::string value(static_cast<size_t>(FLAGS_record_size), 'x');
  for (size_t i = 0; i < value.size(); ++i) value[i] = static_cast<char>('a' + (i * 7) % 26);
  auto start = Clock::now();
  for (int64_t i = 0; i < FLAGS_num_records; ++i) {
    if (FLAGS_throughput > 0) {  // wait for record i's slot, serving delivery reports meanwhile
      auto due = start + std::chrono::microseconds(i * 1000000 / FLAGS_throughput);
      while (Clock::now() < due) {
        rd_kafka_poll(rk, 0);
        auto left = due - Clock::now();
        if (left > std::chrono::microseconds(50)) {
          std::this_thread::sleep_for(std::min<Clock::duration>(left, std::chrono::milliseconds(1)));
        }
      }
    }
    std::string key = "k" + std::to_string(i % 10000);
    for (;;) {
      rd_kafka_resp_err_t e = rd_kafka_producev(
          rk, RD_KAFKA_V_RKT(rkt), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
          RD_KAFKA_V_KEY(key.data(), key.size()),
          RD_KAFKA_V_VALUE(value.data(), value.size()),
          RD_KAFKA_V_OPAQUE(reinterpret_cast<void*>(static_cast<intptr_t>(NowUs()))),
          RD_KAFKA_V_END);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) break;
      if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        std::fprintf(stderr, "produce: %s\n", rd_kafka_err2str(e));
        return 1;
      }
      rd_kafka_poll(rk, 5);
    }
    if (i % 1000 == 0 || FLAGS_throughput > 0) rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 120000);
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  int64_t unreported = rd_kafka_outq_len(rk);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);

  double msgs = static_cast<double>(stats.delivered) / secs;
  double mb = msgs * FLAGS_record_size / (1024.0 * 1024.0);
  double p50 = Percentile(stats.latency_us, 0.50);
  double p95 = Percentile(stats.latency_us, 0.95);
  double p99 = Percentile(stats.latency_us, 0.99);
  double p999 = Percentile(stats.latency_us, 0.999);
  std::string rate = FLAGS_throughput > 0 ? " throughput=" + std::to_string(FLAGS_throughput) : "";
  std::printf(
      "produce records=%lld record_size=%d acks=%s compression=%s%s: %.0f msgs/s, %.2f MB/s, "
      "latency p50 %.2f ms p95 %.2f ms p99 %.2f ms p99.9 %.2f ms, %.2f s, failed=%lld "
      "unreported=%lld\n",
      static_cast<long long>(FLAGS_num_records), FLAGS_record_size, FLAGS_acks.c_str(),
      FLAGS_compression.c_str(), rate.c_str(), msgs, mb, p50, p95, p99, p999, secs,
      static_cast<long long>(stats.failed), static_cast<long long>(unreported));
  if (stats.failed > 0) std::fprintf(stderr, "first error: %s\n", stats.first_error.c_str());
  return stats.failed == 0 && unreported == 0 ? 0 : 1;
}
