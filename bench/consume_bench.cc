// consume_bench: consumer throughput against any Kafka-compatible broker, without a consumer
// group: every partition of --topic from the beginning until --num-records have arrived.
//
//   consume_bench --bootstrap 127.0.0.1:9092 --topic bench --num-records 1000000
//                 --fetch-max-bytes 52428800 --max-partition-fetch-bytes 1048576
//
// Prints one line: msgs/s and MB/s (payload bytes). Exit code 1 on timeout or error.

#include <gflags/gflags.h>
#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

DEFINE_string(bootstrap, "127.0.0.1:9092", "bootstrap servers");
DEFINE_string(topic, "bench", "topic to read");
DEFINE_int64(num_records, 1000000, "records to read before stopping");
DEFINE_int32(record_size, 0, "expected value size (only echoed in the output line)");
DEFINE_int32(fetch_max_bytes, 52428800, "librdkafka fetch.max.bytes");
DEFINE_int32(max_partition_fetch_bytes, 1048576, "librdkafka max.partition.fetch.bytes");
DEFINE_int32(fetch_wait_max_ms, 100, "librdkafka fetch.wait.max.ms");
DEFINE_int32(timeout_s, 120, "give up after this many seconds");

int main(int argc, char** argv) {
  gflags::SetUsageMessage("librdkafka consumer throughput benchmark");
  gflags::ParseCommandLineFlags(&argc, &argv, true);
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  const std::vector<std::pair<std::string, std::string>> settings = {
      {"bootstrap.servers", FLAGS_bootstrap},
      {"fetch.max.bytes", std::to_string(FLAGS_fetch_max_bytes)},
      {"max.partition.fetch.bytes", std::to_string(FLAGS_max_partition_fetch_bytes)},
      {"fetch.wait.max.ms", std::to_string(FLAGS_fetch_wait_max_ms)},
      {"queued.max.messages.kbytes", "262144"}};
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      std::fprintf(stderr, "config %s=%s: %s\n", k.c_str(), v.c_str(), err);
      return 2;
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk == nullptr) {
    std::fprintf(stderr, "rd_kafka_new: %s\n", err);
    return 2;
  }
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, FLAGS_topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    std::fprintf(stderr, "no metadata for topic %s\n", FLAGS_topic.c_str());
    return 1;
  }
  std::vector<int32_t> partitions;
  for (int i = 0; i < md->topics[0].partition_cnt; ++i) {
    partitions.push_back(md->topics[0].partitions[i].id);
  }
  rd_kafka_metadata_destroy(md);

  rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
  auto start = std::chrono::steady_clock::now();
  for (int32_t p : partitions) rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q);
  int64_t count = 0, bytes = 0, errors = 0;
  std::vector<rd_kafka_message_t*> batch(10000);
  auto deadline = start + std::chrono::seconds(FLAGS_timeout_s);
  while (count < FLAGS_num_records && std::chrono::steady_clock::now() < deadline) {
    ssize_t n = rd_kafka_consume_batch_queue(q, 500, batch.data(), batch.size());
    for (ssize_t i = 0; i < n; ++i) {
      if (batch[i]->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++count;
        bytes += static_cast<int64_t>(batch[i]->len);
      } else if (batch[i]->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (errors++ == 0) std::fprintf(stderr, "consume: %s\n", rd_kafka_err2str(batch[i]->err));
      }
      rd_kafka_message_destroy(batch[i]);
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (int32_t p : partitions) rd_kafka_consume_stop(rkt, p);
  rd_kafka_queue_destroy(q);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  std::printf("consume records=%lld record_size=%d: %.0f msgs/s, %.2f MB/s, %.2f s, errors=%lld\n",
              static_cast<long long>(count), FLAGS_record_size, static_cast<double>(count) / secs,
              static_cast<double>(bytes) / secs / (1024.0 * 1024.0), secs,
              static_cast<long long>(errors));
  return count >= FLAGS_num_records && errors == 0 ? 0 : 1;
}
