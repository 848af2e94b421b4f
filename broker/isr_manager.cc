#include "broker/isr_manager.h"

#include <glog/logging.h>

#include <algorithm>

#include "common/clock.h"
#include "coordinator/znodes.h"

namespace sluice::broker {

namespace {
constexpr int64_t kNotifyIntervalMs = 1000;
// A follower whose fetch connection closed counts as gone after this grace (a fetcher that only
// reconnects fetches again well within it), and is checked for this often while gone.
constexpr int64_t kGoneGraceMs = 500;
constexpr int64_t kGoneCheckMs = 100;
constexpr int64_t kConfigRefreshMs = 5000;
// A topic seen here for the first time has its config read this soon, so its min.insync.replicas
// override applies from (nearly) its first write rather than up to kConfigRefreshMs later.
constexpr int64_t kNewTopicConfigMs = 200;

bool Contains(const std::vector<int32_t>& v, int32_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}
}  // namespace

std::optional<std::vector<int32_t>> DecideIsr(const IsrInputs& in) {
  std::vector<int32_t> shrunk;
  bool removed = false;
  for (int32_t r : in.isr) {
    if (r == in.self) {
      shrunk.push_back(r);
      continue;
    }
    auto it = in.followers.find(r);
    int64_t leo = it == in.followers.end() ? -1 : it->second.log_end;
    int64_t caught_up = it == in.followers.end() ? 0 : it->second.last_caught_up_ms;
    caught_up = std::max(caught_up, in.leader_since_ms);  // a new leader gives everyone `lag`
    bool out_of_sync = leo != in.leader_leo && in.now_ms - caught_up > in.lag_time_max_ms;
    if (out_of_sync) {
      removed = true;
    } else {
      shrunk.push_back(r);
    }
  }
  if (!Contains(shrunk, in.self)) shrunk.insert(shrunk.begin(), in.self);  // leader always in
  // Gone followers lacking data leave early, but never below min.insync.replicas: that would not
  // let acks=all through anyway, and when every follower's connection blips at once (a network
  // reset) it would only trade a short wait for NOT_ENOUGH_REPLICAS errors and an ISR churn.
  for (auto it = shrunk.begin(); it != shrunk.end();) {
    const int32_t r = *it;
    auto f = in.followers.find(r);
    const int64_t leo = f == in.followers.end() ? -1 : f->second.log_end;
    if (r != in.self && in.gone.count(r) > 0 && leo != in.leader_leo &&
        static_cast<int32_t>(shrunk.size()) > std::max(in.min_insync, 1)) {
      it = shrunk.erase(it);
      removed = true;
    } else {
      ++it;
    }
  }
  if (removed) return shrunk;
  std::vector<int32_t> expanded = in.isr;
  bool added = false;
  for (int32_t r : in.replicas) {
    if (r == in.self || Contains(expanded, r) || in.alive.count(r) == 0 || in.gone.count(r) > 0) {
      continue;
    }
    auto it = in.followers.find(r);
    if (it == in.followers.end()) continue;
    int64_t leo = it->second.log_end;
    if (leo >= in.high_watermark && leo >= in.epoch_start_offset) {
      expanded.push_back(r);
      added = true;
    }
  }
  if (!Contains(expanded, in.self)) {
    expanded.insert(expanded.begin(), in.self);
    added = true;
  }
  if (added) return expanded;
  return std::nullopt;
}

IsrManager::IsrManager(int32_t self, EventLoop* loop, ReplicaManager* replicas,
                       MetadataCache* metadata, coordinator::ZkSession* zk,
                       int64_t lag_time_max_ms,
                       std::function<void(const TopicPartition&)> on_isr_changed)
    : self_(self), loop_(loop), replicas_(replicas), metadata_(metadata), zk_(zk),
      lag_ms_(lag_time_max_ms), on_isr_changed_(std::move(on_isr_changed)) {
  check_timer_ = loop_->RunEvery(std::max<int64_t>(lag_ms_ / 2, 100), [this] { Check(); });
  // Only while a follower's disconnect is recent: once lag_ms has passed, the lag rule removes it
  // anyway and the regular check suffices (a broker that stays dead must not keep this 10 Hz scan
  // of every partition going for ever).
  gone_timer_ = loop_->RunEvery(kGoneCheckMs, [this] {
    const int64_t now = WallMillis();
    for (const auto& [replica, since] : replicas_->gone_followers()) {
      if (now - since <= lag_ms_ + kGoneGraceMs) return Check();
    }
  });
  notify_timer_ = loop_->RunEvery(kNotifyIntervalMs, [this] { FlushNotifications(); });
  config_timer_ = loop_->RunEvery(kConfigRefreshMs, [this] { RefreshTopicConfigs(); });
  new_topic_timer_ = loop_->RunEvery(kNewTopicConfigMs, [this] {
    RefreshTopicConfigs(/*only_new=*/true);
  });
}

IsrManager::~IsrManager() { *alive_ = false; }

void IsrManager::RefreshTopicConfigs(bool only_new) {
  std::set<std::string> topics;
  for (const auto& [tp, p] : replicas_->partitions()) {
    if (only_new && !config_requested_.insert(tp.topic).second) continue;
    topics.insert(tp.topic);
  }
  std::weak_ptr<bool> alive = alive_;
  for (const auto& topic : topics) {
    zk_->Get(coordinator::ConfigTopicPath(topic), [this, alive, topic](coordinator::ZkRead r) {
      if (alive.expired()) return;
      if (r.err == coordinator::ZkErrc::kNoNode) {
        replicas_->SetTopicMinInsyncReplicas(topic, std::nullopt);
        return;
      }
      if (r.err != coordinator::ZkErrc::kOk) return;
      auto cfg = coordinator::ConfigEntityZNode::Decode(r.data);
      if (!cfg.ok()) return;
      auto it = cfg->find("min.insync.replicas");
      if (it == cfg->end()) {
        replicas_->SetTopicMinInsyncReplicas(topic, std::nullopt);
        return;
      }
      try {
        replicas_->SetTopicMinInsyncReplicas(topic, std::stoi(it->second));
      } catch (...) {
        return;
      }
    });
  }
}

void IsrManager::Check() {
  const int64_t now = WallMillis();
  std::map<TopicPartition, Led> next;
  std::set<int32_t> alive_brokers;
  for (const auto& [id, b] : metadata_->brokers()) alive_brokers.insert(id);
  alive_brokers.insert(self_);
  std::set<int32_t> gone;
  const int64_t grace = std::min(kGoneGraceMs, lag_ms_);
  for (const auto& [replica, since] : replicas_->gone_followers()) {
    if (now - since >= grace) gone.insert(replica);
  }
  struct PendingWrite {
    TopicPartition tp;
    int32_t epoch;
    std::vector<int32_t> isr;
  };
  std::vector<PendingWrite> writes;
  for (const auto& [tp, p] : replicas_->partitions()) {
    if (!p->is_leader()) continue;
    Led led;
    auto it = led_.find(tp);
    if (it != led_.end() && it->second.epoch == p->leader_epoch().value()) {
      led = it->second;
    } else {
      led.epoch = p->leader_epoch().value();
      led.since_ms = now;
    }
    next[tp] = led;
    if (led.writing) continue;
    storage::Log* log = p->log();
    IsrInputs in;
    in.self = self_;
    in.isr = p->isr();
    in.replicas = p->replicas();
    in.leader_leo = log->log_end_offset().value();
    in.high_watermark = log->high_watermark().value();
    in.epoch_start_offset = 0;
    if (log->latest_epoch() == p->leader_epoch()) {
      auto start = log->epoch_cache().latest_start_offset();
      if (start.has_value()) in.epoch_start_offset = start->value();
    }
    in.leader_since_ms = led.since_ms;
    in.now_ms = now;
    in.lag_time_max_ms = lag_ms_;
    in.followers = p->followers();
    in.alive = alive_brokers;
    in.gone = gone;
    in.min_insync = p->min_insync_replicas();
    auto decided = DecideIsr(in);
    if (!decided.has_value()) continue;
    next[tp].writing = true;
    writes.push_back({tp, led.epoch, std::move(*decided)});
  }
  led_.swap(next);
  for (auto& w : writes) Write(w.tp, w.epoch, std::move(w.isr));
}

void IsrManager::Write(const TopicPartition& tp, int32_t epoch, std::vector<int32_t> isr) {
  std::weak_ptr<bool> alive = alive_;
  std::string path = coordinator::PartitionStatePath(tp.topic, tp.partition);
  auto finish = [this, tp]() {
    auto it = led_.find(tp);
    if (it != led_.end()) it->second.writing = false;
  };
  zk_->Get(path, [this, alive, tp, epoch, isr, path, finish](coordinator::ZkRead r) {
    if (alive.expired()) return;
    if (r.err != coordinator::ZkErrc::kOk) {
      LOG_EVERY_T(WARNING, 5) << "isr_update_read_failed partition=" << tp.ToString()
                              << " error=" << coordinator::ZkErrcName(r.err);
      return finish();
    }
    auto state = coordinator::TopicPartitionStateZNode::Decode(r.data);
    if (!state.ok()) return finish();
    if (state->leader.value() != self_ || state->leader_epoch.value() != epoch) {
      // The controller moved on (new leader or epoch): wait for its LeaderAndIsr.
      LOG(INFO) << "isr_update_skipped partition=" << tp.ToString()
                << " zk_leader=" << state->leader << " zk_leader_epoch=" << state->leader_epoch
                << " our_epoch=" << epoch;
      return finish();
    }
    coordinator::LeaderAndIsr next = *state;
    next.isr.clear();
    for (int32_t id : isr) next.isr.push_back(BrokerId(id));
    zk_->Set(path, coordinator::TopicPartitionStateZNode::Encode(next), r.stat.version,
             [this, alive, tp, epoch, isr, finish](coordinator::ZkWritten w) {
               if (alive.expired()) return;
               finish();
               if (w.err != coordinator::ZkErrc::kOk) {
                 LOG(WARNING) << "isr_update_failed partition=" << tp.ToString()
                              << " error=" << coordinator::ZkErrcName(w.err);
                 return;
               }
               Partition* p = replicas_->Find(tp.topic, tp.partition);
               if (p == nullptr || !p->is_leader() || p->leader_epoch().value() != epoch) return;
               std::string from, to;
               for (int32_t id : p->isr()) from += (from.empty() ? "" : ",") + std::to_string(id);
               for (int32_t id : isr) to += (to.empty() ? "" : ",") + std::to_string(id);
               LOG(INFO) << "isr_changed partition=" << tp.ToString() << " from=[" << from
                         << "] to=[" << to << "] leader_epoch=" << epoch;
               if (isr.size() < p->isr().size()) ++isr_shrinks_;
               if (isr.size() > p->isr().size()) ++isr_expands_;
               p->SetIsr(isr);
               pending_notifications_.push_back(tp);
               if (on_isr_changed_) on_isr_changed_(tp);
             });
  });
}

void IsrManager::FlushNotifications() {
  if (pending_notifications_.empty()) return;
  std::vector<TopicPartition> batch;
  batch.swap(pending_notifications_);
  std::sort(batch.begin(), batch.end());
  batch.erase(std::unique(batch.begin(), batch.end()), batch.end());
  std::weak_ptr<bool> alive = alive_;
  std::string path = std::string(coordinator::kIsrChangeNotificationPath) + "/isr_change_";
  zk_->Create(path, coordinator::IsrChangeNotification::Encode(batch),
              coordinator::CreateMode::kPersistentSequential,
              [this, alive, batch](coordinator::ZkCreated c) {
                if (alive.expired()) return;
                if (c.err != coordinator::ZkErrc::kOk) {
                  LOG_EVERY_T(WARNING, 5) << "isr_change_notification_failed error="
                                          << coordinator::ZkErrcName(c.err);
                  pending_notifications_.insert(pending_notifications_.end(), batch.begin(),
                                                batch.end());
                }
              });
}

}  // namespace sluice::broker
