// Controller: fenced partition-state writes, topic creation and deletion, ISR change
// notifications, controlled shutdown.
#include <glog/logging.h>

#include <algorithm>

#include "coordinator/controller.h"
#include "coordinator/countdown.h"

namespace sluice::coordinator {
namespace {

constexpr int kMaxWriteAttempts = 5;

std::string Describe(const LeaderAndIsr& s) {
  std::string isr;
  for (BrokerId b : s.isr) isr += (isr.empty() ? "" : ",") + std::to_string(b.value());
  return "leader=" + std::to_string(s.leader.value()) +
         " leader_epoch=" + std::to_string(s.leader_epoch.value()) + " isr=[" + isr + "]";
}

}  // namespace

void Controller::UpdatePartitions(const std::vector<TopicPartition>& parts, Compute compute,
                                  int attempt,
                                  std::function<void(std::set<TopicPartition>)> done) {
  const uint64_t gen = generation_;
  struct Pending {
    TopicPartition tp;
    LeaderAndIsr next;
    int32_t expected_version;
  };
  std::vector<Pending> writes;
  for (const TopicPartition& tp : parts) {
    auto t = topics_.find(tp.topic);
    if (t == topics_.end()) continue;
    auto it = t->second.partitions.find(tp.partition);
    if (it == t->second.partitions.end() || !it->second.state) continue;
    std::optional<LeaderAndIsr> next = compute(tp.topic, tp.partition, it->second);
    if (!next) continue;
    next->controller_epoch = epoch_;
    writes.push_back(Pending{tp, *next, it->second.zk_version});
  }
  auto changed = std::make_shared<std::set<TopicPartition>>();
  auto retry = std::make_shared<std::vector<TopicPartition>>();
  auto finished = Countdown(writes.size(), [this, gen, compute, attempt, changed, retry, done] {
    if (!Current(gen)) return;
    if (retry->empty() || attempt + 1 >= kMaxWriteAttempts) {
      for (const TopicPartition& tp : *retry) {
        LOG(WARNING) << "partition_state_write_gave_up topic=" << tp.topic
                     << " partition=" << tp.partition;
      }
      return done(std::move(*changed));
    }
    UpdatePartitions(*retry, compute, attempt + 1,
                     [changed, done](std::set<TopicPartition> more) {
                       changed->insert(more.begin(), more.end());
                       done(std::move(*changed));
                     });
  });
  for (Pending& w : writes) {
    const std::string path = PartitionStatePath(w.tp.topic, w.tp.partition);
    std::vector<ZkOp> ops = {ZkOp::Check(kControllerEpochPath, epoch_zk_version_),
                             ZkOp::Set(path, TopicPartitionStateZNode::Encode(w.next),
                                       w.expected_version)};
    session_->Multi(std::move(ops), [this, gen, w, path, changed, retry,
                                     finished](ZkMultiResult m) {
      if (!Current(gen)) return;
      auto* ctx = [&]() -> PartitionCtx* {
        auto t = topics_.find(w.tp.topic);
        if (t == topics_.end()) return nullptr;
        auto it = t->second.partitions.find(w.tp.partition);
        return it == t->second.partitions.end() ? nullptr : &it->second;
      }();
      if (m.err == ZkErrc::kOk) {
        if (ctx != nullptr) {
          LOG(INFO) << "state_change topic=" << w.tp.topic << " partition=" << w.tp.partition
                    << " from=" << (ctx->state ? Describe(*ctx->state) : "none")
                    << " to=" << Describe(w.next) << " controller_epoch=" << epoch_;
          ctx->state = w.next;
          ctx->zk_version = m.results[1].stat.version;
          changed->insert(w.tp);
        }
        return finished();
      }
      if (m.failed_op == 0) {
        // The /controller_epoch check failed: another controller took over. Stop at once.
        LOG(WARNING) << "controller_fenced broker=" << options_.broker_id
                     << " controller_epoch=" << epoch_ << " error=" << ZkErrcName(m.err);
        Resign("fenced_by_controller_epoch");
        if (session_->connected()) Elect();  // gives up /controller if it is still ours
        return;
      }
      if (m.err == ZkErrc::kNoNode) return finished();  // topic deleted meanwhile
      // BADVERSION on the state (a leader's own ISR write) or connection loss: re-read, retry.
      session_->Get(path, [this, gen, w, ctx, retry, finished](ZkRead r) {
        if (!Current(gen)) return;
        if (r.err == ZkErrc::kOk && ctx != nullptr) {
          Result<LeaderAndIsr> s = TopicPartitionStateZNode::Decode(r.data);
          if (s.ok()) {
            ctx->state = std::move(s).value();
            ctx->zk_version = r.stat.version;
          }
        }
        retry->push_back(w.tp);
        finished();
      });
    });
  }
}

void Controller::InitNewPartitions(const std::vector<TopicPartition>& parts,
                                   std::function<void(std::set<TopicPartition>)> done) {
  const uint64_t gen = generation_;
  auto created = std::make_shared<std::set<TopicPartition>>();
  auto finished = Countdown(parts.size(), [this, gen, created, done] {
    if (Current(gen)) done(std::move(*created));
  });
  const std::set<BrokerId> live = LiveIds();
  for (const TopicPartition& tp : parts) {
    const ReplicaList replicas = topics_[tp.topic].partitions[tp.partition].replicas;
    std::optional<LeaderAndIsr> init = InitialLeaderAndIsr(replicas, live);
    if (!init) {
      LOG(WARNING) << "partition_offline topic=" << tp.topic << " partition=" << tp.partition
                   << " reason=no_live_replica";
      finished();
      continue;
    }
    init->controller_epoch = epoch_;
    const std::string state_path = PartitionStatePath(tp.topic, tp.partition);
    session_->EnsurePath(PartitionPath(tp.topic, tp.partition), [this, gen, tp, init, state_path,
                                                                  created, finished](ZkErrc e) {
      if (!Current(gen)) return;
      if (e != ZkErrc::kOk) return Fail(gen, "create_partition_path", e);
      std::vector<ZkOp> ops = {ZkOp::Check(kControllerEpochPath, epoch_zk_version_),
                               ZkOp::Create(state_path, TopicPartitionStateZNode::Encode(*init))};
      session_->Multi(std::move(ops), [this, gen, tp, init, state_path, created,
                                       finished](ZkMultiResult m) {
        if (!Current(gen)) return;
        auto t = topics_.find(tp.topic);
        if (t == topics_.end()) return finished();
        PartitionCtx& ctx = t->second.partitions[tp.partition];
        if (m.err == ZkErrc::kOk) {
          LOG(INFO) << "state_change topic=" << tp.topic << " partition=" << tp.partition
                    << " from=new to=" << Describe(*init) << " controller_epoch=" << epoch_;
          ctx.state = *init;
          ctx.zk_version = 0;
          created->insert(tp);
          return finished();
        }
        if (m.failed_op == 0) {
          Resign("fenced_by_controller_epoch");
          if (session_->connected()) Elect();
          return;
        }
        // NODEEXISTS (an earlier controller created it) or connection loss: read what is there.
        session_->Get(state_path, [this, gen, tp, finished](ZkRead r) {
          if (!Current(gen)) return;
          auto t2 = topics_.find(tp.topic);
          if (r.err == ZkErrc::kOk && t2 != topics_.end()) {
            Result<LeaderAndIsr> s = TopicPartitionStateZNode::Decode(r.data);
            if (s.ok()) {
              PartitionCtx& c = t2->second.partitions[tp.partition];
              c.state = std::move(s).value();
              c.zk_version = r.stat.version;
            }
          }
          finished();
        });
      });
    });
  }
}

void Controller::WatchTopicsChildren(uint64_t gen,
                                     std::function<void(std::vector<std::string>)> done) {
  session_->GetChildren(
      kBrokerTopicsPath,
      [this, gen, done](ZkChildren c) {
        if (!Current(gen)) return;
        if (c.err != ZkErrc::kOk) return Fail(gen, "read_topics", c.err);
        done(std::move(c.children));
      },
      [this, gen](const WatchEvent&) {
        if (!Current(gen)) return;
        Enqueue("topic_change", [this](Done d) { OnTopicsChanged(std::move(d)); });
      });
}

void Controller::OnTopicsChanged(Done done) {
  const uint64_t gen = generation_;
  WatchTopicsChildren(gen, [this, gen, done](std::vector<std::string> names) {
    std::set<std::string> now(names.begin(), names.end());
    for (auto it = topics_.begin(); it != topics_.end();) {
      if (!now.contains(it->first)) {
        LOG(INFO) << "topic_removed topic=" << it->first;
        it = topics_.erase(it);
      } else {
        ++it;
      }
    }
    std::vector<std::string> fresh;
    for (const std::string& n : names) {
      if (!topics_.contains(n)) fresh.push_back(n);
    }
    auto loaded = Countdown(fresh.size(), [this, gen, fresh, done] {
      if (!Current(gen)) return;
      std::vector<TopicPartition> parts;
      for (const std::string& n : fresh) {
        auto t = topics_.find(n);
        if (t == topics_.end()) continue;
        LOG(INFO) << "topic_created topic=" << n << " partitions=" << t->second.partitions.size();
        for (const auto& [p, ctx] : t->second.partitions) {
          if (!ctx.state) parts.push_back(TopicPartition{n, p});
        }
      }
      InitNewPartitions(parts, [this, gen, done](std::set<TopicPartition> created) {
        if (!Current(gen)) return;
        SendLeaderAndIsr(created, {}, /*is_new=*/true);
        SendUpdateMetadata(LiveIds());
        done();
      });
    });
    for (const std::string& n : fresh) LoadTopic(gen, n, loaded);
  });
}

void Controller::OnTopicDataChanged(const std::string& topic, Done done) {
  const uint64_t gen = generation_;
  LoadTopic(gen, topic, [this, gen, topic, done] {
    if (!Current(gen)) return;
    std::vector<TopicPartition> parts;
    if (auto t = topics_.find(topic); t != topics_.end()) {
      for (const auto& [p, ctx] : t->second.partitions) {
        if (!ctx.state) parts.push_back(TopicPartition{topic, p});
      }
    }
    InitNewPartitions(parts, [this, gen, done](std::set<TopicPartition> created) {
      if (!Current(gen)) return;
      SendLeaderAndIsr(created, {}, /*is_new=*/true);
      SendUpdateMetadata(LiveIds());
      done();
    });
  });
}

void Controller::OnDeleteTopics(Done done) {
  const uint64_t gen = generation_;
  session_->GetChildren(
      kDeleteTopicsPath,
      [this, gen, done](ZkChildren c) {
        if (!Current(gen)) return;
        if (c.err != ZkErrc::kOk) return Fail(gen, "read_delete_topics", c.err);
        // One topic after another.
        auto names = std::make_shared<std::vector<std::string>>(std::move(c.children));
        auto next = std::make_shared<std::function<void(size_t)>>();
        *next = [this, gen, names, next, done](size_t i) {
          if (!Current(gen)) return;
          if (i == names->size()) {
            Done finish = done;  // copy first: clearing *next destroys this lambda
            *next = nullptr;     // break the self-reference
            return finish();
          }
          DeleteTopic((*names)[i], [next, i] { (*next)(i + 1); });
        };
        (*next)(0);
      },
      [this, gen](const WatchEvent&) {
        if (!Current(gen)) return;
        Enqueue("delete_topics", [this](Done d) { OnDeleteTopics(std::move(d)); });
      });
}

void Controller::DeleteTopic(const std::string& topic, Done done) {
  const uint64_t gen = generation_;
  auto finish = [this, gen, topic, done] {
    session_->Delete(DeleteTopicPath(topic), -1, [this, gen, topic, done](ZkWritten w) {
      if (!Current(gen)) return;
      if (w.err != ZkErrc::kOk && w.err != ZkErrc::kNoNode) {
        return Fail(gen, "delete_topic_marker", w.err);
      }
      LOG(INFO) << "topic_deleted topic=" << topic;
      SendUpdateMetadata(LiveIds());
      done();
    });
  };
  auto t = topics_.find(topic);
  if (t == topics_.end()) return finish();  // unknown topic: just drop the marker
  t->second.deleting = true;
  LOG(INFO) << "topic_deletion_started topic=" << topic;
  SendUpdateMetadata(LiveIds());  // leader -2: clients stop using it
  std::map<BrokerId, StopReplicaBatch> stops;
  for (const auto& [p, ctx] : t->second.partitions) {
    for (BrokerId r : ctx.replicas) {
      if (!live_.contains(r)) continue;
      stops[r].partitions.push_back(TopicPartition{topic, p});
    }
  }
  for (auto& [to, batch] : stops) {
    batch.controller_id = options_.broker_id;
    batch.controller_epoch = epoch_;
    batch.broker_epoch = live_.at(to).epoch;
    batch.delete_partitions = true;
    channel_->SendStopReplica(to, std::move(batch));
  }
  // Kafka waits for every replica's StopReplica answer; we delete right away and rely on a
  // replica that was down to drop logs of topics it no longer hears about.
  session_->DeleteRecursive(TopicPath(topic), [this, gen, topic, finish](ZkErrc e) {
    if (!Current(gen)) return;
    if (e != ZkErrc::kOk) return Fail(gen, "delete_topic", e);
    topics_.erase(topic);
    session_->DeleteRecursive(ConfigTopicPath(topic), [this, gen, finish](ZkErrc e2) {
      if (!Current(gen)) return;
      if (e2 != ZkErrc::kOk) return Fail(gen, "delete_topic_config", e2);
      finish();
    });
  });
}

void Controller::OnIsrChangeNotifications(Done done) {
  const uint64_t gen = generation_;
  session_->GetChildren(
      kIsrChangeNotificationPath,
      [this, gen, done](ZkChildren c) {
        if (!Current(gen)) return;
        if (c.err != ZkErrc::kOk) return Fail(gen, "read_isr_changes", c.err);
        auto tps = std::make_shared<std::set<TopicPartition>>();
        auto names = c.children;
        auto reread = [this, gen, tps, names, done] {
          if (!Current(gen)) return;
          auto all = Countdown(tps->size(), [this, gen, names, done] {
            if (!Current(gen)) return;
            for (const std::string& n : names) {
              session_->Delete(std::string(kIsrChangeNotificationPath) + "/" + n, -1,
                               [](ZkWritten) {});
            }
            SendUpdateMetadata(LiveIds());
            done();
          });
          for (const TopicPartition& tp : *tps) {
            session_->Get(PartitionStatePath(tp.topic, tp.partition),
                          [this, gen, tp, all](ZkRead r) {
                            if (!Current(gen)) return;
                            auto t = topics_.find(tp.topic);
                            if (r.err == ZkErrc::kOk && t != topics_.end()) {
                              auto p = t->second.partitions.find(tp.partition);
                              Result<LeaderAndIsr> s = TopicPartitionStateZNode::Decode(r.data);
                              if (p != t->second.partitions.end() && s.ok()) {
                                p->second.state = std::move(s).value();
                                p->second.zk_version = r.stat.version;
                              }
                            }
                            all();
                          });
          }
        };
        auto read_all = Countdown(names.size(), reread);
        for (const std::string& n : names) {
          session_->Get(std::string(kIsrChangeNotificationPath) + "/" + n,
                        [tps, read_all](ZkRead r) {
                          if (r.err == ZkErrc::kOk) {
                            auto list = IsrChangeNotification::Decode(r.data);
                            if (list.ok()) tps->insert(list->begin(), list->end());
                          }
                          read_all();
                        });
        }
      },
      [this, gen](const WatchEvent&) {
        if (!Current(gen)) return;
        Enqueue("isr_change", [this](Done d) { OnIsrChangeNotifications(std::move(d)); });
      });
}

bool Controller::HasLiveSuccessor(const ReplicaList& replicas, BrokerId leaving) const {
  return std::any_of(replicas.begin(), replicas.end(), [&](BrokerId r) {
    return r != leaving && live_.contains(r) && !shutting_down_.contains(r);
  });
}

void Controller::DoControlledShutdown(
    BrokerId broker, int64_t broker_epoch,
    std::function<void(Result<std::vector<TopicPartition>>)> reply, Done done) {
  const uint64_t gen = generation_;
  auto it = live_.find(broker);
  if (it == live_.end() || (broker_epoch >= 0 && it->second.epoch != broker_epoch)) {
    reply(Status::InvalidArgument("stale_broker_epoch broker=" + std::to_string(broker.value())));
    return done();
  }
  shutting_down_.insert(broker);
  LOG(INFO) << "controlled_shutdown broker=" << broker;
  std::vector<TopicPartition> affected;
  std::vector<TopicPartition> followed;
  for (const auto& [name, t] : topics_) {
    for (const auto& [p, ctx] : t.partitions) {
      if (!ctx.state) continue;
      if (std::find(ctx.replicas.begin(), ctx.replicas.end(), broker) == ctx.replicas.end()) {
        continue;
      }
      affected.push_back(TopicPartition{name, p});
      if (ctx.state->leader != broker) followed.push_back(TopicPartition{name, p});
    }
  }
  Compute compute = [this, broker](const std::string&, int32_t,
                                   const PartitionCtx& ctx) -> std::optional<LeaderAndIsr> {
    if (!ctx.state) return std::nullopt;
    if (ctx.state->leader == broker) {
      if (ctx.replicas.size() <= 1) return std::nullopt;
      return ElectControlledShutdownLeader(ctx.replicas, *ctx.state, LiveIds(), shutting_down_);
    }
    // A follower leaves the ISR (unless it is the last member).
    return RemoveReplicaFromIsr(*ctx.state, broker);
  };
  UpdatePartitions(affected, compute, 0,
                   [this, gen, broker, followed, reply, done](std::set<TopicPartition> changed) {
                     if (!Current(gen)) return;
                     SendLeaderAndIsr(changed, {}, /*is_new=*/false);
                     if (!followed.empty() && live_.contains(broker)) {
                       StopReplicaBatch stop;
                       stop.controller_id = options_.broker_id;
                       stop.controller_epoch = epoch_;
                       stop.broker_epoch = live_.at(broker).epoch;
                       stop.partitions = followed;
                       channel_->SendStopReplica(broker, std::move(stop));
                     }
                     SendUpdateMetadata(LiveIds());
                     std::vector<TopicPartition> still_led;
                     for (const auto& [name, t] : topics_) {
                       for (const auto& [p, ctx] : t.partitions) {
                         // Only a partition whose leadership could still move holds the
                         // shutdown back: one with a single replica (as in Kafka), or whose
                         // other replicas are all down or shutting down too, has nowhere to go
                         // and would only make the broker wait out its timeout.
                         if (ctx.state && ctx.state->leader == broker &&
                             HasLiveSuccessor(ctx.replicas, broker)) {
                           still_led.push_back(TopicPartition{name, p});
                         }
                       }
                     }
                     reply(std::move(still_led));
                     done();
                   });
}

}  // namespace sluice::coordinator
