#pragma once
// Workload: P producers (librdkafka, one thread each) writing uniquely numbered messages
// "d<producer>:<seq>:" (padded) round-robin over the topic's partitions at a fixed total rate,
// recording every delivery report: partition, offset, error and the time it arrived. With
// max.in.flight=1 a producer's messages to one partition are written in sequence order (retries
// may duplicate a batch, never reorder it), so the checker can demand per-partition order.
// Thread: Start/Stop from one thread; each producer owns its thread and its deliveries until
// Stop() joins it.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"

namespace sluice::drills {

using DrillClock = std::chrono::steady_clock;

struct Delivery {
  int32_t partition = -1;
  int64_t offset = -1;
  float ack_ms = -1;  // ms since the workload start when the report arrived; -1 = no report
  float send_ms = -1;  // ms since the workload start when it was enqueued
  int32_t error = 0;  // librdkafka error code; 0 = acknowledged
  bool reported() const { return ack_ms >= 0; }
  bool acked() const { return reported() && error == 0; }
};

struct WorkloadOptions {
  std::string bootstrap;
  std::string topic = "drill";
  int producers = 2;
  int partitions = 12;
  int rate = 10000;  // messages per second, all producers together
  int value_bytes = 64;
  std::string acks = "all";
  int message_timeout_ms = 60000;
  int request_timeout_ms = 5000;
};

// Parses "d<producer>:<seq>:..." into (producer, seq); false if it is not ours.
bool ParseValue(const std::string& value, int* producer, int64_t* seq);

class Workload {
 public:
  explicit Workload(WorkloadOptions options);
  ~Workload();
  Workload(const Workload&) = delete;
  Workload& operator=(const Workload&) = delete;

  Status Start();
  // Stops sending, waits up to `flush` for outstanding reports, joins. Messages still without a
  // report stay "unreported" (never acknowledged).
  void Stop(std::chrono::milliseconds flush);
  double NowMs() const;  // ms since Start()
  DrillClock::time_point start() const { return start_; }
  int64_t acked_so_far() const { return acked_.load(); }

  // After Stop(): per producer, deliveries indexed by sequence number.
  const std::vector<std::vector<Delivery>>& deliveries() const { return deliveries_; }
  std::string first_error() const { return first_error_; }

  struct Producer;  // one librdkafka producer and its thread's state (workload.cc)

 private:
  void Run(int index);

  WorkloadOptions options_;
  DrillClock::time_point start_;
  std::vector<std::unique_ptr<Producer>> producers_;
  std::vector<std::thread> threads_;
  std::vector<std::vector<Delivery>> deliveries_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> flush_ms_{0};
  std::atomic<int64_t> acked_{0};
  std::string first_error_;
};

}  // namespace sluice::drills
