#include "tests/drills/checker.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

namespace sluice::drills {
namespace {

int64_t Be64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int64_t>(v);
}
int32_t Be32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return static_cast<int32_t>(v);
}

// Base offset of the batch containing byte `pos` of concatenated batches `bytes`.
int64_t BatchAt(const std::string& bytes, size_t pos) {
  size_t at = 0;
  while (at + 12 <= bytes.size()) {
    int64_t base = Be64(bytes.data() + at);
    size_t total = 12 + static_cast<size_t>(Be32(bytes.data() + at + 8));
    if (pos < at + total) return base;
    at += total;
  }
  return -1;
}

void AddExample(CheckResult* r, const std::string& line) {
  if (r->examples.size() < 20) r->examples.push_back(line);
}

}  // namespace

ReplicaBytes ReadReplicaBelow(const std::string& partition_dir, int64_t hw) {
  ReplicaBytes out;
  std::vector<std::string> segments;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(partition_dir, ec)) {
    if (e.path().extension() == ".log") segments.push_back(e.path().string());
  }
  if (ec) {
    out.error = "cannot list " + partition_dir + ": " + ec.message();
    return out;
  }
  std::sort(segments.begin(), segments.end());  // zero-padded base offsets sort as numbers
  for (const auto& path : segments) {
    std::ifstream in(path, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t at = 0;
    while (at + 27 <= data.size()) {
      int64_t base = Be64(data.data() + at);
      int32_t len = Be32(data.data() + at + 8);
      if (len < 15 || at + 12 + static_cast<size_t>(len) > data.size()) break;  // torn/empty tail
      int64_t last = base + Be32(data.data() + at + 23);
      if (last >= hw) return out;
      out.bytes.append(data, at, 12 + static_cast<size_t>(len));
      out.next_offset = last + 1;
      at += 12 + static_cast<size_t>(len);
    }
  }
  return out;
}

ReplicaCheck CompareReplicas(int32_t partition, int64_t hw,
                             const std::map<int32_t, std::string>& partition_dirs) {
  ReplicaCheck rc;
  rc.partition = partition;
  rc.high_watermark = hw;
  std::map<int32_t, ReplicaBytes> logs;
  int32_t longest = -1;
  for (const auto& [id, dir] : partition_dirs) {
    rc.replicas.push_back(id);
    logs[id] = ReadReplicaBelow(dir, hw);
    if (!logs[id].error.empty()) rc.note += logs[id].error + "; ";
    rc.bytes_below_hw[id] = static_cast<int64_t>(logs[id].bytes.size());
    if (longest < 0 || logs[id].bytes.size() > logs[longest].bytes.size()) longest = id;
  }
  if (longest < 0) return rc;
  const std::string& ref = logs[longest].bytes;
  if (logs[longest].next_offset != hw) {
    rc.note += "longest replica b" + std::to_string(longest) + " ends at " +
               std::to_string(logs[longest].next_offset) + " < hw; ";
  }
  for (const auto& [id, log] : logs) {
    if (id == longest) continue;
    const std::string& b = log.bytes;
    auto mismatch = std::mismatch(b.begin(), b.end(), ref.begin());
    if (mismatch.first == b.end()) {
      if (log.next_offset < hw) rc.lagging.push_back(id);
      continue;
    }
    rc.diverged.push_back(id);
    int64_t off = BatchAt(ref, static_cast<size_t>(mismatch.second - ref.begin()));
    if (rc.first_divergent_offset < 0 || off < rc.first_divergent_offset) {
      rc.first_divergent_offset = off;
    }
  }
  if (!rc.diverged.empty()) rc.diverged.push_back(longest);
  return rc;
}

CheckResult Check(const std::vector<std::vector<Delivery>>& deliveries,
                  const std::map<int32_t, std::vector<ReadRecord>>& read,
                  std::vector<ReplicaCheck> replica_checks, const std::vector<FaultEvent>& events,
                  double send_end_ms, double retry_after_ms) {
  CheckResult r;
  const int producers = static_cast<int>(deliveries.size());
  std::vector<std::vector<int32_t>> copies(producers);
  for (int p = 0; p < producers; ++p) copies[p].assign(deliveries[p].size(), 0);
  // partition → offset → (producer, seq), for "acknowledged offset holds another record".
  std::map<int32_t, std::unordered_map<int64_t, std::pair<int, int64_t>>> at;

  for (const auto& [partition, records] : read) {
    std::vector<int64_t> last_seq(producers, -1);
    auto& slot = at[partition];
    for (const auto& rec : records) {
      ++r.read_records;
      int p = 0;
      int64_t seq = 0;
      if (!ParseValue(rec.value, &p, &seq) || p < 0 || p >= producers || seq < 0 ||
          seq >= static_cast<int64_t>(deliveries[p].size())) {
        ++r.foreign_records;
        continue;
      }
      slot[rec.offset] = {p, seq};
      if (copies[p][seq]++ > 0) continue;  // a retried copy: counted as a duplicate below
      if (seq <= last_seq[p]) {
        const Delivery& late = deliveries[p][seq];
        const bool retried = late.reported() && late.send_ms >= 0 &&
                             late.ack_ms - late.send_ms >= retry_after_ms;
        ++(retried ? r.retry_reordered : r.out_of_order);
        AddExample(&r, std::string(retried ? "retry_reordered" : "out_of_order") + " partition=" + std::to_string(partition) + " offset=" +
                           std::to_string(rec.offset) + " producer=" + std::to_string(p) +
                           " seq=" + std::to_string(seq) + " after seq=" + std::to_string(last_seq[p]) +
                           " sent_ms=" + std::to_string(static_cast<int64_t>(late.send_ms)) +
                           " ack_ms=" + std::to_string(static_cast<int64_t>(late.ack_ms)));
      }
      last_seq[p] = std::max(last_seq[p], seq);
    }
  }

  for (int p = 0; p < producers; ++p) {
    for (size_t seq = 0; seq < deliveries[p].size(); ++seq) {
      const Delivery& d = deliveries[p][seq];
      ++r.sent;
      const int32_t n = copies[p][seq];
      if (n > 1) {
        ++r.duplicated_messages;
        r.duplicate_copies += n - 1;
      }
      if (!d.reported()) {
        ++r.unreported;
      } else if (!d.acked()) {
        ++r.failed;
      }
      if (!d.acked()) {
        if (n > 0) ++r.unacked_present;
        continue;
      }
      ++r.acked;
      const std::string id = "producer=" + std::to_string(p) + " seq=" + std::to_string(seq) +
                             " partition=" + std::to_string(d.partition) +
                             " acked_offset=" + std::to_string(d.offset);
      if (n == 0) {
        ++r.acked_lost;
        AddExample(&r, "acked_lost " + id + " ack_ms=" + std::to_string(static_cast<int64_t>(d.ack_ms)));
        continue;
      }
      auto part = at.find(d.partition);
      auto hit = part == at.end() ? nullptr : &part->second;
      auto it = hit == nullptr ? std::unordered_map<int64_t, std::pair<int, int64_t>>::const_iterator()
                               : hit->find(d.offset);
      if (hit == nullptr || it == hit->end() || it->second != std::make_pair(p, static_cast<int64_t>(seq))) {
        ++r.acked_moved;
        std::string now = "nothing";
        if (hit != nullptr && it != hit->end()) {
          now = "producer=" + std::to_string(it->second.first) + " seq=" + std::to_string(it->second.second);
        }
        AddExample(&r, "acked_moved " + id + " offset now holds " + now);
      }
    }
  }

  for (auto& rc : replica_checks) {
    if (!rc.diverged.empty()) {
      ++r.replicas_diverged;
      AddExample(&r, "replicas_diverged partition=" + std::to_string(rc.partition) +
                         " first_divergent_offset=" + std::to_string(rc.first_divergent_offset));
    }
    if (!rc.lagging.empty()) ++r.replicas_lagging;
  }
  r.replica_checks = std::move(replica_checks);

  // Timeline and availability.
  double end_ms = send_end_ms;
  std::map<int32_t, std::vector<double>> ack_times;
  std::vector<double> all_acks;
  for (const auto& per : deliveries) {
    for (const auto& d : per) {
      if (!d.reported()) continue;
      const auto sec = static_cast<size_t>(d.ack_ms / 1000.0);
      if (r.timeline.acked_per_s.size() <= sec) {
        r.timeline.acked_per_s.resize(sec + 1, 0);
        r.timeline.failed_per_s.resize(sec + 1, 0);
      }
      if (d.acked()) {
        ++r.timeline.acked_per_s[sec];
        ack_times[d.partition].push_back(d.ack_ms);
        all_acks.push_back(d.ack_ms);
      } else {
        ++r.timeline.failed_per_s[sec];
      }
    }
  }
  auto longest_gap = [&](std::vector<double>& t, double* start) {
    std::sort(t.begin(), t.end());
    double gap = 0;
    for (size_t i = 1; i < t.size(); ++i) {
      if (t[i] - t[i - 1] > gap) {
        gap = t[i] - t[i - 1];
        *start = t[i - 1];
      }
    }
    if (!t.empty() && end_ms - t.back() > gap) {
      gap = end_ms - t.back();
      *start = t.back();
    }
    return gap;
  };
  for (auto& [partition, times] : ack_times) {
    double start = 0;
    double gap = longest_gap(times, &start);
    if (gap > r.max_partition_gap_ms) {
      r.max_partition_gap_ms = gap;
      r.max_gap_partition = partition;
      r.max_gap_start_ms = start;
    }
  }
  double cluster_start = 0;
  r.cluster_gap_ms = longest_gap(all_acks, &cluster_start);

  const auto first_fault =
      std::find_if(events.begin(), events.end(), [](const FaultEvent& e) { return e.fault; });
  const auto& per_s = r.timeline.acked_per_s;
  const auto last_full = static_cast<size_t>(send_end_ms / 1000.0);  // seconds [0, last_full)
  if (first_fault != events.end() && !per_s.empty()) {
    const auto f = static_cast<size_t>(first_fault->ms / 1000.0);
    double sum = 0;
    int n = 0;
    for (size_t s = 1; s < f && s < per_s.size(); ++s, ++n) sum += static_cast<double>(per_s[s]);
    r.baseline_per_s = n > 0 ? sum / n : 0;
    double min_rate = -1;
    for (size_t s = f; s < last_full && s < per_s.size(); ++s) {
      if (min_rate < 0 || per_s[s] < min_rate) min_rate = static_cast<double>(per_s[s]);
    }
    r.min_per_s_after_fault = std::max(0.0, min_rate);
    if (r.baseline_per_s > 0) {
      r.dip_fraction = std::max(0.0, 1.0 - r.min_per_s_after_fault / r.baseline_per_s);
      // End of the first run of slow seconds (< 90% of baseline) starting within 5 s of the fault.
      const double good = 0.9 * r.baseline_per_s;
      size_t s = f;
      while (s < last_full && s < f + 5 && s < per_s.size() && per_s[s] >= good) ++s;
      if (s >= f + 5 || s >= last_full || s >= per_s.size()) {
        r.recovery_s = 0;
      } else {
        while (s < last_full && s < per_s.size() && per_s[s] < good) ++s;
        r.recovery_s = std::max(0.0, (static_cast<double>(s) * 1000.0 - first_fault->ms) / 1000.0);
        if (s >= last_full) r.recovery_s = -1;  // never recovered while sending
      }
    }
  }
  return r;
}

void CheckGroup(const GroupHistory& history, const std::vector<std::vector<Delivery>>& deliveries,
                bool caught_up, const std::string& caught_up_note, CheckResult* r) {
  GroupCheck& g = r->group;
  g.checked = true;
  g.consumed_records = history.consumed_records;
  g.commits_acked = static_cast<int64_t>(history.commits.size());
  g.commit_failures = history.commit_failures;
  g.observations = static_cast<int64_t>(history.observations.size());
  g.rebalances = history.rebalances;
  g.caught_up = caught_up;
  g.caught_up_note = caught_up_note;

  std::map<int32_t, CommittedObservation> last;  // per partition, the latest read back
  for (const CommittedObservation& o : history.observations) {
    auto it = last.find(o.partition);
    if (it != last.end() && o.offset < it->second.offset) {
      ++g.committed_backwards;
      AddExample(r, "committed_backwards partition=" + std::to_string(o.partition) + " read " +
                        std::to_string(it->second.offset) + " at t=" +
                        std::to_string(it->second.ms / 1000) + "s then " +
                        std::to_string(o.offset) + " at t=" + std::to_string(o.ms / 1000) + "s");
    }
    last[o.partition] = o;
  }
  std::map<int32_t, CommitRecord> highest;  // per partition, the highest acknowledged commit
  for (const CommitRecord& c : history.commits) {
    auto it = highest.find(c.partition);
    if (it == highest.end() || c.offset > it->second.offset) highest[c.partition] = c;
  }
  for (const auto& [p, c] : highest) {
    auto it = last.find(p);
    const int64_t final_offset = it == last.end() ? -1 : it->second.offset;
    if (final_offset < c.offset) {
      ++g.acked_commit_lost;
      AddExample(r, "acked_commit_lost partition=" + std::to_string(p) + " commit of " +
                        std::to_string(c.offset) + " acknowledged at t=" +
                        std::to_string(c.ms / 1000) + "s, final committed " +
                        std::to_string(final_offset));
    }
  }
  for (size_t producer = 0; producer < deliveries.size(); ++producer) {
    for (size_t seq = 0; seq < deliveries[producer].size(); ++seq) {
      const Delivery& d = deliveries[producer][seq];
      if (!d.acked() || d.offset < 0) continue;
      auto it = history.consumed.find(d.partition);
      const bool seen = it != history.consumed.end() &&
                        static_cast<size_t>(d.offset) < it->second.size() &&
                        it->second[static_cast<size_t>(d.offset)];
      if (!seen) {
        ++g.acked_not_consumed;
        AddExample(r, "acked_not_consumed producer=" + std::to_string(producer) + " seq=" +
                          std::to_string(seq) + " partition=" + std::to_string(d.partition) +
                          " offset=" + std::to_string(d.offset));
      }
    }
  }
}

}  // namespace sluice::drills
