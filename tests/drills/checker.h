#pragma once
// Checker: the verdict of a drill from what the producers were told (delivery reports), what a
// full read of every partition returned after the faults healed, and the replicas' log files.
//  - acked_lost: acknowledged, found nowhere.                                   (safety)
//  - acked_moved: acknowledged at (partition, offset), but that offset now holds another record
//    (a retried copy may survive elsewhere; the acknowledged one was truncated). (safety)
//  - out_of_order: within a partition, a producer's first copies are not in sequence order.
//                                                                               (safety)
//  - replicas_diverged: two replicas' bytes differ below the high watermark.     (safety)
//  - duplicates (retries without idempotence) and unacked_present are reported, not failures.
// Plus availability: the per-second throughput timeline, the longest time any partition went
// without an acknowledgement, and the dip and recovery after the first fault.
// Thread: any; pure functions of their inputs plus file reads in CompareReplicas.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "tests/drills/group_workload.h"
#include "tests/drills/workload.h"

namespace sluice::drills {

struct ReadRecord {  // one record of the final full read
  int64_t offset = -1;
  std::string value;
};

struct FaultEvent {
  double ms = 0;      // since the workload start
  std::string what;   // "kill -9 b2", "heal", ...
  bool fault = true;  // false for heals, restarts, resumes
  std::string wall;   // UTC wall-clock time, to find the event in broker logs
};

struct ReplicaCheck {
  int32_t partition = 0;
  int64_t high_watermark = 0;
  std::vector<int32_t> replicas, isr;
  std::map<int32_t, int64_t> bytes_below_hw;  // replica → bytes compared
  std::vector<int32_t> lagging;               // shorter than HW (prefix of the others)
  std::vector<int32_t> diverged;              // bytes differ below HW
  int64_t first_divergent_offset = -1;
  std::string note;
};

struct Timeline {
  std::vector<int64_t> acked_per_s;   // by acknowledgement time
  std::vector<int64_t> failed_per_s;  // failed delivery reports
};

// The consumer group's side: committed offsets and what the group was handed.
struct GroupCheck {
  bool checked = false;
  int64_t consumed_records = 0;   // handed to the group, redeliveries included
  int64_t commits_acked = 0;      // partition commits the coordinator acknowledged
  int64_t commit_failures = 0;    // partition commits answered with an error (retried later)
  int64_t observations = 0;       // committed offsets read back by the watcher
  int64_t rebalances = 0;
  // A committed offset read back lower than one read back earlier for the same partition.
  int64_t committed_backwards = 0;                                               // (safety)
  // A partition whose final committed offset is below a commit that was acknowledged.
  int64_t acked_commit_lost = 0;                                                 // (safety)
  // An acknowledged message the group was never handed (at-least-once broken).  (safety)
  int64_t acked_not_consumed = 0;
  bool caught_up = false;  // committed offsets reached the log end after the heal
  std::string caught_up_note;
};

struct CheckResult {
  int64_t sent = 0, acked = 0, failed = 0, unreported = 0;
  int64_t read_records = 0, foreign_records = 0;
  int64_t acked_lost = 0, acked_moved = 0, unacked_present = 0;
  int64_t duplicated_messages = 0, duplicate_copies = 0, out_of_order = 0;
  // Out of order, but the late message's own report came >= retry_after_ms after it was sent:
  // the client retried it after a timeout and, without idempotence (the broker serves no
  // InitProducerId), librdkafka may resend it after newer batches once the leader moved. Reported,
  // not a broker safety failure.
  int64_t retry_reordered = 0;
  int64_t replicas_diverged = 0, replicas_lagging = 0;
  std::vector<std::string> examples;  // first few problems, one line each
  std::vector<ReplicaCheck> replica_checks;
  Timeline timeline;
  // Availability.
  double max_partition_gap_ms = 0;  // longest time between acks of one partition (while sending)
  int32_t max_gap_partition = -1;
  double max_gap_start_ms = 0;
  double cluster_gap_ms = 0;  // longest time with no ack at all
  double baseline_per_s = 0;  // mean acks/s before the first fault
  double min_per_s_after_fault = 0;
  double dip_fraction = 0;      // 1 - min/baseline
  double recovery_s = -1;       // from the first fault until 3 s in a row >= 90% baseline
  GroupCheck group;
  bool safe() const {
    return acked_lost == 0 && acked_moved == 0 && out_of_order == 0 && replicas_diverged == 0 &&
           group.committed_backwards == 0 && group.acked_commit_lost == 0 &&
           group.acked_not_consumed == 0;
  }
};

// Reads the batches of a partition's replica log (all segments in `dir`) below `hw`.
struct ReplicaBytes {
  std::string bytes;         // concatenated batches with last offset < hw
  int64_t next_offset = 0;   // offset after the last included batch
  std::string error;
};
ReplicaBytes ReadReplicaBelow(const std::string& partition_dir, int64_t hw);

// Compares the given replicas' logs (partition_dir per replica id) below `hw`.
ReplicaCheck CompareReplicas(int32_t partition, int64_t hw,
                             const std::map<int32_t, std::string>& partition_dirs);

CheckResult Check(const std::vector<std::vector<Delivery>>& deliveries,
                  const std::map<int32_t, std::vector<ReadRecord>>& read,
                  std::vector<ReplicaCheck> replica_checks, const std::vector<FaultEvent>& events,
                  double send_end_ms, double retry_after_ms = 5000);

// Fills r->group from the group's history: committed offsets never going backwards, no
// acknowledged commit lost (the watcher's last read per partition is the final committed offset),
// every acknowledged delivery handed to the group at least once.
void CheckGroup(const GroupHistory& history, const std::vector<std::vector<Delivery>>& deliveries,
                bool caught_up, const std::string& caught_up_note, CheckResult* r);

}  // namespace sluice::drills
