#include "broker/purgatory.h"

#include <algorithm>

namespace sluice::broker {

void Purgatory::Watch(const std::vector<TopicPartition>& keys, int64_t timeout_ms,
                      std::function<bool()> try_complete, std::function<void()> expire) {
  uint64_t id = next_id_++;
  Op& op = ops_[id];
  op.keys = keys;
  op.try_complete = std::move(try_complete);
  op.expire = std::move(expire);
  for (const auto& k : keys) watchers_[k].push_back(id);
  op.timer = loop_->RunAfter(timeout_ms, [this, id] {
    auto it = ops_.find(id);
    if (it == ops_.end()) return;
    std::function<void()> expire_fn = std::move(it->second.expire);
    Remove(id);  // destroys the timer whose callback this is: nothing of it is used below
    expire_fn();
  });
}

void Purgatory::Check(const TopicPartition& key) {
  auto it = watchers_.find(key);
  if (it == watchers_.end()) return;
  std::vector<uint64_t> ids = it->second;  // completions mutate watchers_
  for (uint64_t id : ids) {
    auto op = ops_.find(id);
    if (op == ops_.end()) continue;
    // Move the closure out while it runs so a completion that parks anew cannot invalidate it.
    std::function<bool()> fn = op->second.try_complete;
    if (fn()) Remove(id);
  }
}

void Purgatory::Remove(uint64_t id) {
  auto it = ops_.find(id);
  if (it == ops_.end()) return;
  for (const auto& k : it->second.keys) {
    auto w = watchers_.find(k);
    if (w == watchers_.end()) continue;
    auto& v = w->second;
    v.erase(std::remove(v.begin(), v.end(), id), v.end());
    if (v.empty()) watchers_.erase(w);
  }
  ops_.erase(it);
}

void Purgatory::ExpireAll() {
  while (!ops_.empty()) {
    uint64_t id = ops_.begin()->first;
    std::function<void()> fn = std::move(ops_.begin()->second.expire);
    Remove(id);
    if (fn) fn();
  }
}

}  // namespace sluice::broker
