#pragma once
// GroupWorkload: the reading side of a drill. C librdkafka consumers in one consumer group
// subscribe to the drill topic from the earliest offset, record every offset they are handed, and
// commit their positions synchronously once a second (enable.auto.commit=false), recording every
// commit the coordinator acknowledged. A watcher (a separate handle with the same group.id that
// never joins) reads the group's committed offsets with OffsetFetch every 500 ms, so the checker
// sees the committed offsets as any client of the cluster would.
// Thread: Start/Stop/accessors from the drill's main thread (which must already be in the client
// network namespace: threads inherit it); each consumer and the watcher own a thread.

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "tests/drills/workload.h"

namespace sluice::drills {

struct CommitRecord {  // an offset commit the coordinator acknowledged
  float ms = 0;        // since the workload start, when the acknowledgement arrived
  int32_t consumer = 0;
  int32_t partition = 0;
  int64_t offset = 0;
};

struct CommittedObservation {  // what OffsetFetch returned for a partition
  float ms = 0;
  int32_t partition = 0;
  int64_t offset = 0;
};

struct GroupHistory {
  std::vector<CommitRecord> commits;                // acknowledged commits, by ack time per thread
  std::vector<CommittedObservation> observations;   // watcher reads, in time order
  std::map<int32_t, std::vector<bool>> consumed;    // partition → offsets handed to the group
  int64_t consumed_records = 0;                     // including redeliveries
  int64_t commit_failures = 0;                      // commits answered with an error (retried)
  int64_t rebalances = 0;                           // assignments received, all consumers
};

struct GroupOptions {
  std::string bootstrap;
  std::string topic = "drill";
  std::string group = "drill-group";
  int consumers = 2;
  int partitions = 12;
  int commit_interval_ms = 1000;
  int watch_interval_ms = 500;
  int session_timeout_ms = 10000;
};

class GroupWorkload {
 public:
  // `clock` gives the workload's time base (ms since the producers started).
  GroupWorkload(GroupOptions options, const Workload* clock);
  ~GroupWorkload();
  GroupWorkload(const GroupWorkload&) = delete;
  GroupWorkload& operator=(const GroupWorkload&) = delete;

  Status Start();
  // Until the deadline: the watcher saw, for every partition in `end_offsets`, a committed offset
  // at least the partition's end (the group consumed and committed everything).
  Status WaitCaughtUp(const std::map<int32_t, int64_t>& end_offsets,
                      std::chrono::milliseconds deadline);
  // Stops the consumers (they leave the group) and the watcher; idempotent.
  void Stop();
  // After Stop(): everything recorded.
  GroupHistory TakeHistory();

  struct Consumer;  // one librdkafka consumer and its thread's state (group_workload.cc)

 private:
  void RunConsumer(Consumer* c);
  void RunWatcher();
  double NowMs() const { return clock_->NowMs(); }

  GroupOptions options_;
  const Workload* clock_;
  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::vector<std::thread> threads_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mu_;  // guards latest_ and observations_
  std::map<int32_t, int64_t> latest_;
  std::vector<CommittedObservation> observations_;
  std::string watcher_error_;
};

}  // namespace sluice::drills
