#pragma once
// A librdkafka (2.0.2) consumer-group member on its own poll thread for the groups cluster tests:
// subscribes, records its assignment through the rebalance callback and every consumed
// (partition, offset), and commits explicit offsets on request from the poll thread. Everything
// is a real Kafka client; nothing is faked. Thread: the test thread calls the public methods; the
// poll thread owns rd_kafka_t between Start() and Stop().

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/status.h"
#include "tests/support/kafka_client.h"

namespace sluice::testing {

class GroupConsumer {
 public:
  GroupConsumer(std::string bootstrap, std::string group, std::string topic,
                ClientConfig extra = {})
      : bootstrap_(std::move(bootstrap)), group_(std::move(group)), topic_(std::move(topic)),
        extra_(std::move(extra)) {}
  ~GroupConsumer() { Stop(); }

  Status Start() {
    char err[512];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    ClientConfig cfg = {{"bootstrap.servers", bootstrap_},
                        {"group.id", group_},
                        {"session.timeout.ms", "6000"},
                        {"heartbeat.interval.ms", "500"},
                        {"enable.auto.commit", "false"},
                        {"auto.offset.reset", "earliest"},
                        {"topic.metadata.refresh.interval.ms", "2000"}};
    for (const auto& [k, v] : extra_) cfg[k] = v;
    for (const auto& [k, v] : cfg) {
      if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        return Status::InvalidArgument(k + ": " + err);
      }
    }
    rd_kafka_conf_set_opaque(conf, this);
    rd_kafka_conf_set_rebalance_cb(conf, &GroupConsumer::OnRebalance);
    rk_ = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
    if (rk_ == nullptr) return Status::InvalidArgument(std::string("rd_kafka_new: ") + err);
    rd_kafka_poll_set_consumer(rk_);
    rd_kafka_topic_partition_list_t* sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic_.c_str(), RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk_, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::InvalidArgument(rd_kafka_err2str(e));
    thread_ = std::thread([this] { Run(); });
    return Status::Ok();
  }

  // Stops polling; with `close`, leaves the group (consumer_close) before destroying.
  void Stop(bool close = true) {
    if (rk_ == nullptr) return;
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    if (close) rd_kafka_consumer_close(rk_);
    rd_kafka_destroy(rk_);
    rk_ = nullptr;
  }

  std::set<int32_t> assignment() {
    std::lock_guard<std::mutex> lock(mu_);
    return assignment_;
  }
  int64_t count() const { return count_.load(); }
  // (partition, offset) of every consumed message, in arrival order.
  std::vector<std::pair<int32_t, int64_t>> consumed() {
    std::lock_guard<std::mutex> lock(mu_);
    return consumed_;
  }
  // Next offset to consume per partition (last consumed + 1).
  std::map<int32_t, int64_t> positions() {
    std::lock_guard<std::mutex> lock(mu_);
    return next_;
  }
  // Commits `positions()` synchronously on the poll thread; returns librdkafka's result.
  rd_kafka_resp_err_t CommitPositions() {
    std::unique_lock<std::mutex> lock(mu_);
    uint64_t ticket = ++commit_requested_;
    cv_.wait(lock, [&] { return commit_done_ >= ticket || stop_; });
    return commit_result_;
  }
  // Commits acknowledged so far: partition → highest acknowledged committed offset.
  std::map<int32_t, int64_t> acked_commits() {
    std::lock_guard<std::mutex> lock(mu_);
    return acked_;
  }
  int64_t acked_commit_count() const { return acked_count_.load(); }
  // Keep committing the current positions every `interval_ms` on the poll thread (0 = off).
  void set_commit_every_ms(int ms) { commit_every_ms_ = ms; }

 private:
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* parts, void* opaque) {
    auto* self = static_cast<GroupConsumer*>(opaque);
    std::lock_guard<std::mutex> lock(self->mu_);
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      rd_kafka_assign(rk, parts);
      self->assignment_.clear();
      for (int i = 0; i < parts->cnt; ++i) self->assignment_.insert(parts->elems[i].partition);
    } else {
      rd_kafka_assign(rk, nullptr);
      self->assignment_.clear();
    }
  }

  void DoCommit() {
    std::map<int32_t, int64_t> pos;
    {
      std::lock_guard<std::mutex> lock(mu_);
      pos = next_;
    }
    if (pos.empty()) return;  // nothing consumed yet: not a commit
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    {
      rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(pos.size());
      for (const auto& [p, off] : pos) {
        rd_kafka_topic_partition_list_add(list, topic_.c_str(), p)->offset = off;
      }
      e = rd_kafka_commit(rk_, list, /*async=*/0);
      if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < list->cnt; ++i) {
          if (list->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) e = list->elems[i].err;
        }
      }
      rd_kafka_topic_partition_list_destroy(list);
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
      for (const auto& [p, off] : pos) acked_[p] = std::max(acked_[p], off);
      ++acked_count_;
    }
    commit_result_ = e;
  }

  void Run() {
    auto last_commit = std::chrono::steady_clock::now();
    while (!stop_) {
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_, 50);
      if (m != nullptr) {
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
          std::lock_guard<std::mutex> lock(mu_);
          consumed_.emplace_back(m->partition, m->offset);
          next_[m->partition] = m->offset + 1;
          ++count_;
        }
        rd_kafka_message_destroy(m);
      }
      uint64_t want;
      {
        std::lock_guard<std::mutex> lock(mu_);
        want = commit_requested_;
      }
      if (want > commit_done_) {
        DoCommit();
        std::lock_guard<std::mutex> lock(mu_);
        commit_done_ = want;
        cv_.notify_all();
      } else if (commit_every_ms_ > 0 && std::chrono::steady_clock::now() - last_commit >
                                             std::chrono::milliseconds(commit_every_ms_.load())) {
        DoCommit();
        last_commit = std::chrono::steady_clock::now();
      }
    }
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();
  }

  std::string bootstrap_, group_, topic_;
  ClientConfig extra_;
  rd_kafka_t* rk_ = nullptr;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> count_{0};
  std::atomic<int64_t> acked_count_{0};
  std::atomic<int> commit_every_ms_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<int32_t> assignment_;
  std::vector<std::pair<int32_t, int64_t>> consumed_;
  std::map<int32_t, int64_t> next_;
  std::map<int32_t, int64_t> acked_;
  uint64_t commit_requested_ = 0;
  uint64_t commit_done_ = 0;
  rd_kafka_resp_err_t commit_result_ = RD_KAFKA_RESP_ERR_NO_ERROR;
};

// Committed offsets of `group` for partitions [0, partitions) of `topic`, read by a fresh
// (unsubscribed) consumer through OffsetFetch. -1001 (librdkafka's INVALID) = none.
inline Result<std::map<int32_t, int64_t>> FetchCommitted(const std::string& bootstrap,
                                                         const std::string& group,
                                                         const std::string& topic,
                                                         int partitions) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap.c_str(), err, sizeof(err));
  rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof(err));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
  if (rk == nullptr) return Status::InvalidArgument(err);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p);
  rd_kafka_resp_err_t e = rd_kafka_committed(rk, list, 30000);
  std::map<int32_t, int64_t> out;
  for (int i = 0; i < list->cnt; ++i) out[list->elems[i].partition] = list->elems[i].offset;
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  if (e != RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Unavailable(rd_kafka_err2str(e));
  return out;
}

}  // namespace sluice::testing
