#pragma once
// Thin, blocking helpers over the librdkafka C API (Debian librdkafka-dev 2.0.2) for cluster
// tests: produce with every delivery report checked, read partitions back to their end without a
// consumer group, create topics, read metadata. Everything here is a real Kafka client talking to
// a real broker; nothing is faked. Each function owns the rd_kafka_t it creates and destroys it
// before returning, except Producer and SteadyProducer, which own theirs for their lifetime.
// Thread: any; one object is used by one thread at a time (SteadyProducer runs its own thread).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

typedef struct rd_kafka_s rd_kafka_t;

namespace sluice::testing {

struct Header {
  std::string key;
  std::optional<std::string> value;  // nullopt = null header value
  bool operator==(const Header&) const = default;
};

struct Record {
  int32_t partition = 0;
  std::optional<std::string> key;    // nullopt = null key
  std::optional<std::string> value;  // nullopt = null value
  std::vector<Header> headers;
  int64_t timestamp = 0;  // CreateTime in ms; 0 on produce = librdkafka stamps "now"
  int64_t offset = -1;    // set by delivery reports and by consumers
  // Equal in content (key, value, headers, timestamp); partition and offset are not compared.
  bool SameContent(const Record& o) const {
    return key == o.key && value == o.value && headers == o.headers && timestamp == o.timestamp;
  }
};

std::string Describe(const Record& r);  // one line for failure messages (sizes, not payloads)

// librdkafka configuration as key=value pairs ("acks" → "all", "compression.codec" → "lz4").
using ClientConfig = std::map<std::string, std::string>;

// Outcome of a produce run: each record that got a successful delivery report (with its
// partition and offset, in the order the reports arrived) and the failures.
struct ProduceReport {
  std::vector<Record> acked;  // only records sent with keep=true
  int64_t acked_count = 0;    // every successful report, kept or not
  int64_t failed = 0;
  std::string first_error;  // librdkafka's name and text of the first failed report
};

// A producer with delivery reports collected in memory. Send() copies the record.
class Producer {
 public:
  static Result<std::unique_ptr<Producer>> Create(const std::string& bootstrap,
                                                  const ClientConfig& config = {});
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Enqueues one record for `topic` (explicit partition; -1 = partitioner). Blocks (polling for
  // reports) while librdkafka's queue is full. If `keep` is false the record's content is not
  // remembered, only counted (for long background loads).
  Status Send(const std::string& topic, const Record& record, bool keep = true);
  // Serves delivery reports until every enqueued record has one or `timeout` passes.
  Status Flush(std::chrono::milliseconds timeout);
  void Poll(int timeout_ms);

  int64_t sent() const { return sent_.load(); }
  int64_t acked_count() const;
  int64_t failed_count() const;
  ProduceReport TakeReport();  // what has been reported so far

 private:
  struct Pending;
  Producer() = default;
  static void OnDelivery(rd_kafka_t* rk, const void* msg, void* opaque);
  rd_kafka_t* rk_ = nullptr;
  std::atomic<int64_t> sent_{0};  // written by the sending thread, read by any
  mutable std::mutex mu_;  // guards report_ (librdkafka calls back from Poll's thread only)
  ProduceReport report_;
  int64_t acked_count_ = 0;
};

// Produces all `records` to `topic` and waits for every report (or the timeout).
Result<ProduceReport> ProduceAll(const std::string& bootstrap, const std::string& topic,
                                 const std::vector<Record>& records, const ClientConfig& config,
                                 std::chrono::milliseconds timeout);

// Reads every partition of `topic` from its first offset to its high watermark (queried once at
// the start, via ListOffsets), without a consumer group. Returns records per partition in offset
// order. Fails if the end is not reached within `timeout`.
Result<std::map<int32_t, std::vector<Record>>> ConsumeAll(const std::string& bootstrap,
                                                          const std::string& topic,
                                                          std::chrono::milliseconds timeout);

struct PartitionMeta {
  int32_t id = 0;
  int32_t leader = -1;
  int error = 0;  // Kafka error code
  std::vector<int32_t> replicas, isrs;
};
struct TopicMeta {
  std::string name;
  int error = 0;
  std::vector<PartitionMeta> partitions;
};
struct BrokerMeta {
  int32_t id = -1;
  std::string host;
  int port = 0;
};
struct ClusterMetadata {
  int32_t controller_id = -1;
  std::vector<BrokerMeta> brokers;
  std::vector<TopicMeta> topics;
  const TopicMeta* Find(const std::string& topic) const;
};

// Metadata for all topics (or only `topic` when given; a known-topic query may auto-create it if
// the broker allows, as a librdkafka producer's would).
Result<ClusterMetadata> FetchMetadata(const std::string& bootstrap,
                                      std::chrono::milliseconds timeout,
                                      const std::string& topic = "");

// CreateTopics through librdkafka's admin API, then waits until Metadata shows every partition
// with a leader.
Status CreateTopic(const std::string& bootstrap, const std::string& topic, int partitions,
                   int replication_factor, std::chrono::milliseconds timeout,
                   const std::map<std::string, std::string>& topic_config = {});

// A producer on its own thread sending small keyed records (value = decimal sequence number) to
// one topic until Stop(): the "second client" that must see no error while something else
// happens. acks=all; partitioner chooses partitions.
class SteadyProducer {
 public:
  SteadyProducer(std::string bootstrap, std::string topic, ClientConfig config = {});
  ~SteadyProducer();  // stops and joins
  Status Start();
  // Stops sending, waits for outstanding reports (up to `timeout`), joins the thread.
  ProduceReport Stop(std::chrono::milliseconds timeout = std::chrono::seconds(30));
  int64_t sent() const { return sent_.load(); }

 private:
  void Run();
  std::string bootstrap_, topic_;
  ClientConfig config_;
  std::unique_ptr<Producer> producer_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sent_{0};
  Status run_status_;
};

}  // namespace sluice::testing
