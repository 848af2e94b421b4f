#pragma once
// Purgatory: parked requests waiting for something to happen on partitions (delayed produce waits
// for the high watermark, delayed fetch for new data) or for their timeout (Kafka's
// DelayedOperationPurgatory). Appends and HW moves call Check(tp); each waiting operation on that
// partition re-evaluates its condition. Owned by the Broker; loop thread only.

#include <cstdint>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

#include "broker/event_loop.h"
#include "common/ids.h"

namespace sluice::broker {

class Purgatory {
 public:
  explicit Purgatory(EventLoop* loop) : loop_(loop) {}
  ~Purgatory() { ExpireAll(); }
  Purgatory(const Purgatory&) = delete;
  Purgatory& operator=(const Purgatory&) = delete;

  // Parks an operation watching `keys`. `try_complete` returns true once it has finished (it has
  // responded); it is called on each Check() of a watched key. `expire` runs once if the timeout
  // passes first (it must respond). Neither runs after the other returned/ran.
  // The caller should try completing before parking; Watch does not call try_complete itself.
  void Watch(const std::vector<TopicPartition>& keys, int64_t timeout_ms,
             std::function<bool()> try_complete, std::function<void()> expire);
  // Re-evaluates the operations watching `key`.
  void Check(const TopicPartition& key);
  // Shutdown: expires every waiting operation now.
  void ExpireAll();
  size_t waiting() const { return ops_.size(); }

 private:
  struct Op {
    std::vector<TopicPartition> keys;
    std::function<bool()> try_complete;
    std::function<void()> expire;
    std::unique_ptr<Timer> timer;
  };
  void Remove(uint64_t id);

  EventLoop* loop_;
  uint64_t next_id_ = 1;
  std::unordered_map<uint64_t, Op> ops_;
  std::unordered_map<TopicPartition, std::vector<uint64_t>> watchers_;
};

}  // namespace sluice::broker
