#include "tests/drills/group_workload.h"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "tests/support/test_util.h"

namespace sluice::drills {

struct GroupWorkload::Consumer {
  GroupWorkload* owner = nullptr;
  int index = 0;
  rd_kafka_t* rk = nullptr;
  std::vector<CommitRecord> commits;
  std::map<int32_t, std::vector<bool>> consumed;
  int64_t consumed_records = 0;
  int64_t commit_failures = 0;
  int64_t rebalances = 0;
};

namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

Result<rd_kafka_t*> NewConsumer(const Settings& settings, void* opaque,
                                void (*rebalance)(rd_kafka_t*, rd_kafka_resp_err_t,
                                                  rd_kafka_topic_partition_list_t*, void*)) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : settings) {
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument("librdkafka " + k + ": " + err);
    }
  }
  rd_kafka_conf_set_opaque(conf, opaque);
  if (rebalance != nullptr) rd_kafka_conf_set_rebalance_cb(conf, rebalance);
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk == nullptr) return Status::IoError(std::string("rd_kafka_new: ") + err);
  rd_kafka_poll_set_consumer(rk);
  return rk;
}

// Eager protocols (range, roundrobin): take the whole new assignment, count it.
void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                 void* opaque) {
  auto* c = static_cast<GroupWorkload::Consumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    ++c->rebalances;
    rd_kafka_assign(rk, parts);
  } else {
    rd_kafka_assign(rk, nullptr);
  }
}

struct CommitContext {
  GroupWorkload::Consumer* consumer;
  double ms;
};

}  // namespace

GroupWorkload::GroupWorkload(GroupOptions options, const Workload* clock)
    : options_(std::move(options)), clock_(clock) {}

GroupWorkload::~GroupWorkload() { Stop(); }

Status GroupWorkload::Start() {
  const Settings common = {
      {"bootstrap.servers", options_.bootstrap},
      {"group.id", options_.group},
      {"enable.auto.commit", "false"},
      {"auto.offset.reset", "earliest"},
      {"session.timeout.ms", std::to_string(options_.session_timeout_ms)},
      {"heartbeat.interval.ms", "1000"},
      {"reconnect.backoff.max.ms", "1000"},
      {"log.connection.close", "false"},
      {"log_level", "2"},
  };
  for (int i = 0; i < options_.consumers; ++i) {
    auto c = std::make_unique<Consumer>();
    c->owner = this;
    c->index = i;
    Settings s = common;
    s.emplace_back("client.id", "drill-consumer-" + std::to_string(i));
    auto rk = NewConsumer(s, c.get(), OnRebalance);
    if (!rk.ok()) return rk.status();
    c->rk = *rk;
    rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, options_.topic.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(c->rk, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      rd_kafka_destroy(c->rk);
      return Status::IoError(std::string("subscribe: ") + rd_kafka_err2str(err));
    }
    consumers_.push_back(std::move(c));
  }
  for (auto& c : consumers_) threads_.emplace_back([this, p = c.get()] { RunConsumer(p); });
  threads_.emplace_back([this] { RunWatcher(); });
  return Status::Ok();
}

void GroupWorkload::RunConsumer(Consumer* c) {
  double next_commit = NowMs() + options_.commit_interval_ms;
  while (!stop_.load()) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(c->rk, 100);
    if (m != nullptr) {
      if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->offset >= 0) {
        std::vector<bool>& seen = c->consumed[m->partition];
        const auto at = static_cast<size_t>(m->offset);
        if (at >= seen.size()) seen.resize(std::max(at + 1, seen.size() * 3 / 2), false);
        seen[at] = true;
        ++c->consumed_records;
      }
      rd_kafka_message_destroy(m);
    }
    if (NowMs() < next_commit) continue;
    next_commit = NowMs() + options_.commit_interval_ms;
    // Commit the position (next offset to read) of every assigned partition that has one.
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(c->rk, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    rd_kafka_position(c->rk, assigned);
    rd_kafka_topic_partition_list_t* offsets = rd_kafka_topic_partition_list_new(assigned->cnt);
    for (int i = 0; i < assigned->cnt; ++i) {
      const rd_kafka_topic_partition_t& tp = assigned->elems[i];
      if (tp.offset >= 0) {
        rd_kafka_topic_partition_list_add(offsets, tp.topic, tp.partition)->offset = tp.offset;
      }
    }
    rd_kafka_topic_partition_list_destroy(assigned);
    if (offsets->cnt > 0) {
      CommitContext ctx{c, 0};
      // A null queue makes the call synchronous; the callback runs inside it with the outcome of
      // every partition.
      rd_kafka_commit_queue(
          c->rk, offsets, nullptr,
          [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* result,
             void* opaque) {
            auto* cc = static_cast<CommitContext*>(opaque);
            const double ms = cc->consumer->owner->NowMs();
            if (err != RD_KAFKA_RESP_ERR_NO_ERROR || result == nullptr) {
              ++cc->consumer->commit_failures;
              return;
            }
            for (int i = 0; i < result->cnt; ++i) {
              const rd_kafka_topic_partition_t& tp = result->elems[i];
              if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR || tp.offset < 0) {
                ++cc->consumer->commit_failures;
                continue;
              }
              cc->consumer->commits.push_back(CommitRecord{static_cast<float>(ms),
                                                           cc->consumer->index, tp.partition,
                                                           tp.offset});
            }
          },
          &ctx);
    }
    rd_kafka_topic_partition_list_destroy(offsets);
  }
  rd_kafka_consumer_close(c->rk);
  rd_kafka_destroy(c->rk);
  c->rk = nullptr;
}

void GroupWorkload::RunWatcher() {
  auto rk = NewConsumer({{"bootstrap.servers", options_.bootstrap},
                         {"group.id", options_.group},
                         {"enable.auto.commit", "false"},
                         {"client.id", "drill-offsets-watcher"},
                         {"reconnect.backoff.max.ms", "1000"},
                         {"log.connection.close", "false"},
                         {"log_level", "3"}},
                        nullptr, nullptr);
  if (!rk.ok()) {
    std::lock_guard<std::mutex> lock(mu_);
    watcher_error_ = rk.status().ToString();
    return;
  }
  while (!stop_.load()) {
    rd_kafka_topic_partition_list_t* parts =
        rd_kafka_topic_partition_list_new(options_.partitions);
    for (int p = 0; p < options_.partitions; ++p) {
      rd_kafka_topic_partition_list_add(parts, options_.topic.c_str(), p);
    }
    if (rd_kafka_committed(*rk, parts, 3000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const auto ms = static_cast<float>(NowMs());
      std::lock_guard<std::mutex> lock(mu_);
      for (int i = 0; i < parts->cnt; ++i) {
        const rd_kafka_topic_partition_t& tp = parts->elems[i];
        if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR || tp.offset < 0) continue;
        observations_.push_back(CommittedObservation{ms, tp.partition, tp.offset});
        latest_[tp.partition] = tp.offset;
      }
    }
    rd_kafka_topic_partition_list_destroy(parts);
    const auto until = std::chrono::steady_clock::now() +
                       std::chrono::milliseconds(options_.watch_interval_ms);
    while (!stop_.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the sampling period
    }
  }
  rd_kafka_destroy(*rk);
}

Status GroupWorkload::WaitCaughtUp(const std::map<int32_t, int64_t>& end_offsets,
                                   std::chrono::milliseconds deadline) {
  std::string behind;
  bool ok = testing::WaitFor(
      [&] {
        std::lock_guard<std::mutex> lock(mu_);
        behind.clear();
        for (const auto& [p, end] : end_offsets) {
          auto it = latest_.find(p);
          const int64_t committed = it == latest_.end() ? -1 : it->second;
          if (committed < end) {
            behind += " p" + std::to_string(p) + "=" + std::to_string(committed) + "/" +
                      std::to_string(end);
          }
        }
        return behind.empty();
      },
      deadline);
  if (ok) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  return Status::TimedOut("group committed offsets behind the log end:" + behind +
                          (watcher_error_.empty() ? "" : " (watcher: " + watcher_error_ + ")"));
}

void GroupWorkload::Stop() {
  if (threads_.empty()) return;
  stop_.store(true);
  for (auto& t : threads_) t.join();
  threads_.clear();
}

GroupHistory GroupWorkload::TakeHistory() {
  GroupHistory h;
  for (auto& c : consumers_) {
    h.commits.insert(h.commits.end(), c->commits.begin(), c->commits.end());
    for (auto& [p, seen] : c->consumed) {
      std::vector<bool>& all = h.consumed[p];
      if (all.size() < seen.size()) all.resize(seen.size(), false);
      for (size_t i = 0; i < seen.size(); ++i) {
        if (seen[i]) all[i] = true;
      }
    }
    h.consumed_records += c->consumed_records;
    h.commit_failures += c->commit_failures;
    h.rebalances += c->rebalances;
  }
  std::stable_sort(h.commits.begin(), h.commits.end(),
                   [](const CommitRecord& a, const CommitRecord& b) { return a.ms < b.ms; });
  std::lock_guard<std::mutex> lock(mu_);
  h.observations = observations_;
  return h;
}

}  // namespace sluice::drills
