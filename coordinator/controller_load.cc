// Controller: loading state from ZooKeeper, broker arrivals and deaths, offline elections.
#include <glog/logging.h>

#include <charconv>

#include "coordinator/controller.h"
#include "coordinator/countdown.h"

namespace sluice::coordinator {

void Controller::Fail(uint64_t gen, const char* step, ZkErrc err) {
  if (!Current(gen)) return;
  LOG(WARNING) << "controller_zookeeper_error step=" << step << " error=" << ZkErrcName(err);
  // State is now uncertain: resign; Elect() gives up our /controller so that a fresh controller
  // (maybe us again) reloads everything.
  Resign("zookeeper_error");
  if (session_->connected()) Elect();
}

std::set<TopicPartition> Controller::AllPartitions() const {
  std::set<TopicPartition> all;
  for (const auto& [name, t] : topics_) {
    for (const auto& [p, ctx] : t.partitions) all.insert(TopicPartition{name, p});
  }
  return all;
}

void Controller::LoadAll(uint64_t gen, Done done) {
  ReadBrokers(gen, [this, gen, done](std::map<BrokerId, LiveBroker> brokers) {
    live_ = std::move(brokers);
    WatchTopicsChildren(gen, [this, gen, done](std::vector<std::string> names) {
      auto loaded = Countdown(names.size(), [this, gen, done] {
        if (!Current(gen)) return;
        LOG(INFO) << "controller_loaded broker=" << options_.broker_id
                  << " controller_epoch=" << epoch_ << " live_brokers=" << live_.size()
                  << " topics=" << topics_.size();
        // Brokers learn the live broker list before any LeaderAndIsr (Kafka's order).
        SendUpdateMetadata(LiveIds());
        // Replicas on brokers that are not alive go offline (Kafka's ReplicaStateMachine
        // startup): leaders re-elected, dead followers leave the ISR.
        std::set<BrokerId> dead;
        for (const auto& [name, t] : topics_) {
          for (const auto& [p, ctx] : t.partitions) {
            for (BrokerId r : ctx.replicas) {
              if (!live_.contains(r)) dead.insert(r);
            }
          }
        }
        OnBrokersFailed(dead, [this, gen, done] {
          if (!Current(gen)) return;
          ElectOfflinePartitions(AllPartitions(), [this, gen, done](std::set<TopicPartition>) {
            if (!Current(gen)) return;
            SendLeaderAndIsr(AllPartitions(), {}, /*is_new=*/false);
            SendUpdateMetadata(LiveIds());
            Enqueue("delete_topics", [this](Done d) { OnDeleteTopics(std::move(d)); });
            Enqueue("isr_change", [this](Done d) { OnIsrChangeNotifications(std::move(d)); });
            done();
          });
        });
      });
      for (const std::string& name : names) LoadTopic(gen, name, loaded);
    });
  });
}

void Controller::ReadBrokers(uint64_t gen,
                             std::function<void(std::map<BrokerId, LiveBroker>)> done) {
  session_->GetChildren(
      kBrokerIdsPath,
      [this, gen, done](ZkChildren c) {
        if (!Current(gen)) return;
        if (c.err != ZkErrc::kOk) return Fail(gen, "read_brokers", c.err);
        auto result = std::make_shared<std::map<BrokerId, LiveBroker>>();
        std::vector<BrokerId> ids;
        for (const std::string& name : c.children) {
          int32_t id;
          auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
          if (ec == std::errc() && p == name.data() + name.size()) ids.push_back(BrokerId(id));
        }
        auto all = Countdown(ids.size(), [this, gen, result, done] {
          if (Current(gen)) done(std::move(*result));
        });
        for (BrokerId id : ids) {
          session_->Get(BrokerIdPath(id), [this, gen, id, result, all](ZkRead r) {
            if (!Current(gen)) return;
            if (r.err == ZkErrc::kOk) {
              Result<BrokerInfo> info = BrokerIdZNode::Decode(id, r.data);
              if (info.ok()) {
                (*result)[id] = LiveBroker{std::move(info).value(), r.stat.czxid};
              } else {
                LOG(WARNING) << "broker_registration_unreadable broker=" << id << " "
                             << info.status();
              }
            } else if (r.err != ZkErrc::kNoNode) {
              return Fail(gen, "read_broker", r.err);
            }
            all();
          });
        }
      },
      [this, gen](const WatchEvent&) {
        if (!Current(gen)) return;
        Enqueue("broker_change", [this](Done d) { OnBrokersChanged(std::move(d)); });
      });
}

void Controller::LoadTopic(uint64_t gen, const std::string& topic, Done done) {
  session_->Get(
      TopicPath(topic),
      [this, gen, topic, done](ZkRead r) {
        if (!Current(gen)) return;
        if (r.err == ZkErrc::kNoNode) {
          topics_.erase(topic);
          return done();
        }
        if (r.err != ZkErrc::kOk) return Fail(gen, "read_topic", r.err);
        Result<TopicAssignment> a = TopicZNode::Decode(r.data);
        if (!a.ok()) {
          LOG(ERROR) << "topic_znode_unreadable topic=" << topic << " " << a.status();
          return done();
        }
        TopicCtx& t = topics_[topic];
        t.assignment = std::move(a).value();
        for (const auto& [p, replicas] : t.assignment.partitions) t.partitions[p].replicas = replicas;
        session_->Get(ConfigTopicPath(topic), [this, gen, topic, done](ZkRead cfg) {
          if (!Current(gen)) return;
          auto t_it = topics_.find(topic);
          if (t_it == topics_.end()) return done();
          t_it->second.unclean = options_.unclean_leader_election_enable;
          if (cfg.err == ZkErrc::kOk) {
            Result<ConfigMap> c = ConfigEntityZNode::Decode(cfg.data);
            if (c.ok()) {
              if (auto u = c->find("unclean.leader.election.enable"); u != c->end()) {
                t_it->second.unclean = u->second == "true";
              }
            }
          }
          std::vector<int32_t> parts;
          for (const auto& [p, ctx] : t_it->second.partitions) parts.push_back(p);
          auto all = Countdown(parts.size(), done);
          for (int32_t p : parts) {
            session_->Get(PartitionStatePath(topic, p), [this, gen, topic, p, all](ZkRead s) {
              if (!Current(gen)) return;
              auto t2 = topics_.find(topic);
              if (t2 == topics_.end()) return all();
              PartitionCtx& ctx = t2->second.partitions[p];
              if (s.err == ZkErrc::kOk) {
                Result<LeaderAndIsr> st = TopicPartitionStateZNode::Decode(s.data);
                if (st.ok()) {
                  ctx.state = std::move(st).value();
                  ctx.zk_version = s.stat.version;
                } else {
                  LOG(ERROR) << "partition_state_unreadable topic=" << topic << " partition=" << p
                             << " " << st.status();
                }
              } else if (s.err == ZkErrc::kNoNode) {
                ctx.state.reset();
                ctx.zk_version = -1;
              } else {
                return Fail(gen, "read_partition_state", s.err);
              }
              all();
            });
          }
        });
      },
      [this, gen, topic](const WatchEvent&) {
        if (!Current(gen)) return;
        Enqueue("topic_data_change",
                [this, topic](Done d) { OnTopicDataChanged(topic, std::move(d)); });
      });
}

void Controller::OnBrokersChanged(Done done) {
  const uint64_t gen = generation_;
  ReadBrokers(gen, [this, gen, done](std::map<BrokerId, LiveBroker> now) {
    std::set<BrokerId> dead, started, bounced;
    for (const auto& [id, b] : live_) {
      auto it = now.find(id);
      if (it == now.end()) {
        dead.insert(id);
      } else if (it->second.epoch != b.epoch) {
        bounced.insert(id);  // re-registered: handled as failure + startup (Kafka)
      }
    }
    for (const auto& [id, b] : now) {
      if (!live_.contains(id)) started.insert(id);
    }
    for (BrokerId id : dead) {
      LOG(INFO) << "broker_failed broker=" << id << " controller_epoch=" << epoch_;
      shutting_down_.erase(id);
    }
    for (BrokerId id : started) LOG(INFO) << "broker_started broker=" << id;
    for (BrokerId id : bounced) LOG(INFO) << "broker_bounced broker=" << id;
    std::map<BrokerId, LiveBroker> without_bounced = now;
    for (BrokerId id : bounced) without_bounced.erase(id);
    live_ = std::move(without_bounced);
    std::set<BrokerId> failed = dead;
    failed.insert(bounced.begin(), bounced.end());
    OnBrokersFailed(failed, [this, gen, now, started, bounced, done]() mutable {
      if (!Current(gen)) return;
      live_ = std::move(now);
      std::set<BrokerId> up = started;
      up.insert(bounced.begin(), bounced.end());
      OnBrokersStarted(up, done);
    });
  });
}

void Controller::OnBrokersFailed(const std::set<BrokerId>& dead, Done done) {
  if (dead.empty()) return done();
  const uint64_t gen = generation_;
  std::vector<TopicPartition> affected;
  for (const auto& [name, t] : topics_) {
    for (const auto& [p, ctx] : t.partitions) {
      for (BrokerId r : ctx.replicas) {
        if (dead.contains(r)) {
          affected.push_back(TopicPartition{name, p});
          break;
        }
      }
    }
  }
  Compute compute = [this, dead](const std::string& topic, int32_t p,
                                 const PartitionCtx& ctx) -> std::optional<LeaderAndIsr> {
    if (!ctx.state) return std::nullopt;
    const LeaderAndIsr& cur = *ctx.state;
    if (dead.contains(cur.leader)) {
      const bool unclean = topics_.at(topic).unclean;
      if (auto e = ElectOfflinePartitionLeader(ctx.replicas, cur, LiveIds(), unclean)) {
        if (e->unclean) {
          ++unclean_elections_;
          LOG(WARNING) << "unclean_leader_election topic=" << topic << " partition=" << p
                       << " leader=" << e->state.leader;
        }
        return e->state;
      }
      LOG(WARNING) << "partition_offline topic=" << topic << " partition=" << p
                   << " reason=no_live_isr_member isr_size=" << cur.isr.size();
    }
    // OfflineReplica: drop dead brokers from the ISR (never emptying it), leader -1 if dead.
    LeaderAndIsr work = cur;
    bool changed = false;
    for (BrokerId d : dead) {
      if (auto next = RemoveReplicaFromIsr(work, d)) {
        work = *next;
        changed = true;
      }
    }
    if (!changed) return std::nullopt;
    work.leader_epoch = LeaderEpoch(cur.leader_epoch.value() + 1);  // one bump per change
    return work;
  };
  UpdatePartitions(affected, compute, 0, [this, gen, done](std::set<TopicPartition> changed) {
    if (!Current(gen)) return;
    SendLeaderAndIsr(changed, {}, /*is_new=*/false);
    SendUpdateMetadata(LiveIds());  // even if nothing changed: brokers learn who is gone
    done();
  });
}

void Controller::OnBrokersStarted(const std::set<BrokerId>& started, Done done) {
  if (started.empty()) return done();
  const uint64_t gen = generation_;
  // The new brokers get the full state; the others the new broker list.
  SendUpdateMetadata(LiveIds());
  std::set<TopicPartition> theirs;
  for (const auto& [name, t] : topics_) {
    for (const auto& [p, ctx] : t.partitions) {
      for (BrokerId r : ctx.replicas) {
        if (started.contains(r)) theirs.insert(TopicPartition{name, p});
      }
    }
  }
  SendLeaderAndIsr(theirs, started, /*is_new=*/false);
  // They may be the only eligible leaders of offline partitions.
  ElectOfflinePartitions(AllPartitions(), [this, gen, done](std::set<TopicPartition> changed) {
    if (!Current(gen)) return;
    SendLeaderAndIsr(changed, {}, /*is_new=*/false);
    if (!changed.empty()) SendUpdateMetadata(LiveIds());
    done();
  });
}

void Controller::ElectOfflinePartitions(const std::set<TopicPartition>& scope,
                                        std::function<void(std::set<TopicPartition>)> done) {
  const uint64_t gen = generation_;
  std::vector<TopicPartition> fresh, offline;
  for (const TopicPartition& tp : scope) {
    auto t = topics_.find(tp.topic);
    if (t == topics_.end() || t->second.deleting) continue;
    auto it = t->second.partitions.find(tp.partition);
    if (it == t->second.partitions.end()) continue;
    if (!it->second.state) {
      fresh.push_back(tp);
    } else if (!live_.contains(it->second.state->leader)) {
      offline.push_back(tp);
    }
  }
  InitNewPartitions(fresh, [this, gen, offline, done](std::set<TopicPartition> created) {
    if (!Current(gen)) return;
    Compute compute = [this](const std::string& topic, int32_t p,
                             const PartitionCtx& ctx) -> std::optional<LeaderAndIsr> {
      if (!ctx.state || live_.contains(ctx.state->leader)) return std::nullopt;
      auto e = ElectOfflinePartitionLeader(ctx.replicas, *ctx.state, LiveIds(),
                                           topics_.at(topic).unclean);
      if (!e) return std::nullopt;
      if (e->unclean) ++unclean_elections_;
      return e->state;
    };
    UpdatePartitions(offline, compute, 0,
                     [this, gen, created, done](std::set<TopicPartition> changed) mutable {
                       if (!Current(gen)) return;
                       changed.insert(created.begin(), created.end());
                       done(std::move(changed));
                     });
  });
}

}  // namespace sluice::coordinator
