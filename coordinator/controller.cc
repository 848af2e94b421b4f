// Controller: election, lifecycle, the job queue and requests to brokers.
#include "coordinator/controller.h"

#include <glog/logging.h>

#include "common/clock.h"

namespace sluice::coordinator {

Controller::Controller(ZkSession* session, ControllerChannel* channel, ControllerOptions options)
    : session_(session), channel_(channel), options_(options) {}

Controller::~Controller() {
  *alive_ = false;
  ++generation_;
  if (listener_id_ != 0) session_->RemoveListener(listener_id_);
}

void Controller::Start() {
  if (started_) return;
  started_ = true;
  listener_id_ = session_->AddListener([this](const SessionEvent& e) { OnSessionEvent(e); });
  if (session_->connected()) Elect();
}

void Controller::Shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  if (!is_controller_) return;
  const int64_t sid = session_->session_id();
  Resign("shutdown");
  // Hand over quickly: delete /controller if it is still ours (else it goes with our session).
  session_->Exists(kControllerPath, [this, sid](ZkRead r) {
    if (r.err != ZkErrc::kOk || r.stat.ephemeral_owner != sid) return;
    session_->Delete(kControllerPath, r.stat.version, [](ZkWritten) {});
  });
}

void Controller::OnSessionEvent(const SessionEvent& e) {
  switch (e.type) {
    case SessionEventType::kConnected:
      if (e.new_session && is_controller_) Resign("new_session");
      electing_ = false;
      Elect();  // re-arms the /controller watch (a new session has none)
      break;
    case SessionEventType::kDisconnected:
      break;  // keep going: writes fail until reconnect, and the epoch fence protects us
    case SessionEventType::kExpired:
      Resign("session_expired");
      electing_ = false;
      break;
  }
}

void Controller::NotifyChange() {
  if (on_change_) on_change_();
}

void Controller::Elect() {
  if (shut_down_ || electing_) return;
  electing_ = true;
  session_->Exists(
      kControllerPath,
      [this](ZkRead r) {
        if (r.err == ZkErrc::kNoNode) {
          if (is_controller_) Resign("controller_znode_gone");
          active_.reset();
          return TryBecomeController(generation_);
        }
        if (r.err != ZkErrc::kOk) {
          electing_ = false;
          return;  // connection trouble: the next kConnected runs Elect() again
        }
        session_->Get(kControllerPath, [this](ZkRead data) {
          electing_ = false;
          if (data.err == ZkErrc::kNoNode) return Elect();  // vanished meanwhile
          if (data.err != ZkErrc::kOk) return;
          Result<BrokerId> id = ControllerZNode::Decode(data.data);
          std::optional<BrokerId> before = active_;
          active_ = id.ok() ? std::optional<BrokerId>(*id) : std::nullopt;
          const bool ours = id.ok() && *id == options_.broker_id &&
                            data.stat.ephemeral_owner == session_->session_id();
          if (is_controller_ && !ours) {
            Resign("controller_znode_not_ours");
          } else if (!is_controller_ && ours) {
            // Our create went through but its answer was lost: we do not know the epoch we
            // set, so give the node up and run the election again.
            LOG(WARNING) << "controller_znode_orphaned broker=" << options_.broker_id;
            session_->Delete(kControllerPath, data.stat.version, [](ZkWritten) {});
          }
          if (before != active_) NotifyChange();
        });
      },
      [this](const WatchEvent&) {
        // Any change of /controller: re-read (and race if it is gone).
        electing_ = false;
        Elect();
      });
}

void Controller::TryBecomeController(uint64_t gen) {
  session_->Get(kControllerEpochPath, [this, gen](ZkRead r) {
    if (r.err == ZkErrc::kNoNode) {
      // First controller ever: create it with 0 (NODEEXISTS: someone else did), then re-read.
      session_->Create(kControllerEpochPath, ControllerEpochZNode::Encode(ControllerEpoch(0)),
                       CreateMode::kPersistent, [this, gen](ZkCreated c) {
                         if (c.err == ZkErrc::kOk || c.err == ZkErrc::kNodeExists) {
                           return TryBecomeController(gen);
                         }
                         electing_ = false;
                       });
      return;
    }
    if (r.err != ZkErrc::kOk) {
      electing_ = false;
      return;
    }
    Result<ControllerEpoch> epoch = ControllerEpochZNode::Decode(r.data);
    if (!epoch.ok()) {
      LOG(ERROR) << "controller_epoch_corrupt " << epoch.status();
      electing_ = false;
      return;
    }
    const ControllerEpoch next(epoch->value() + 1);
    std::vector<ZkOp> ops = {
        ZkOp::Create(kControllerPath, ControllerZNode::Encode(options_.broker_id, WallMillis()),
                     CreateMode::kEphemeral),
        ZkOp::Set(kControllerEpochPath, ControllerEpochZNode::Encode(next), r.stat.version)};
    session_->Multi(std::move(ops), [this, next](ZkMultiResult m) {
      electing_ = false;
      if (m.err == ZkErrc::kOk && m.results.size() == 2) {
        if (shut_down_) return;
        is_controller_ = true;
        active_ = options_.broker_id;
        epoch_ = next;
        epoch_zk_version_ = m.results[1].stat.version;
        const uint64_t my_gen = ++generation_;
        LOG(INFO) << "controller_elected broker=" << options_.broker_id
                  << " controller_epoch=" << epoch_
                  << " epoch_zk_version=" << epoch_zk_version_;
        NotifyChange();
        OnBecameController(my_gen);
        // Watch /controller so that losing it (e.g. deleted by an operator) is noticed.
        Elect();
        return;
      }
      // NODEEXISTS (someone holds /controller) or BADVERSION (someone bumped the epoch): lost.
      // Anything else (connection loss): the next kConnected retries.
      if (m.err == ZkErrc::kNodeExists || m.err == ZkErrc::kBadVersion) Elect();
    });
  });
}

void Controller::OnBecameController(uint64_t gen) {
  Enqueue("become_controller", [this, gen](Done done) { LoadAll(gen, std::move(done)); });
  ScheduleRebalance(gen);
}

void Controller::Resign(const char* reason) {
  if (!is_controller_) return;
  LOG(WARNING) << "controller_resigned broker=" << options_.broker_id
               << " controller_epoch=" << epoch_ << " reason=" << reason;
  is_controller_ = false;
  ++generation_;
  jobs_.clear();
  job_running_ = false;
  live_.clear();
  topics_.clear();
  shutting_down_.clear();
  if (active_ == options_.broker_id) active_.reset();
  NotifyChange();
}

void Controller::Enqueue(const char* name, Job job) {
  if (!is_controller_) return;
  jobs_.emplace_back(name, std::move(job));
  if (!job_running_) RunNext();
}

void Controller::RunNext() {
  if (jobs_.empty() || !is_controller_) {
    job_running_ = false;
    return;
  }
  job_running_ = true;
  auto [name, job] = std::move(jobs_.front());
  jobs_.pop_front();
  VLOG(1) << "controller_event name=" << name;
  const uint64_t gen = generation_;
  job([this, gen] {
    if (gen != generation_) return;  // resigned meanwhile; the queue was cleared
    RunNext();
  });
}

void Controller::ControlledShutdown(
    BrokerId broker, int64_t broker_epoch,
    std::function<void(Result<std::vector<TopicPartition>>)> done) {
  if (!is_controller_) {
    done(Status::NotLeader("not the controller"));
    return;
  }
  auto reply = std::make_shared<std::function<void(Result<std::vector<TopicPartition>>)>>(
      std::move(done));
  Enqueue("controlled_shutdown", [this, broker, broker_epoch, reply](Done job_done) {
    DoControlledShutdown(
        broker, broker_epoch,
        [reply](Result<std::vector<TopicPartition>> r) { (*reply)(std::move(r)); },
        std::move(job_done));
  });
}

std::set<BrokerId> Controller::LiveIds() const {
  std::set<BrokerId> ids;
  for (const auto& [id, b] : live_) ids.insert(id);
  return ids;
}

std::vector<BrokerId> Controller::live_brokers() const {
  std::vector<BrokerId> out;
  for (const auto& [id, b] : live_) out.push_back(id);
  return out;
}

std::vector<std::string> Controller::topics() const {
  std::vector<std::string> out;
  for (const auto& [name, t] : topics_) out.push_back(name);
  return out;
}

std::optional<PartitionState> Controller::partition_state(const std::string& topic,
                                                          int32_t p) const {
  auto t = topics_.find(topic);
  if (t == topics_.end()) return std::nullopt;
  auto it = t->second.partitions.find(p);
  if (it == t->second.partitions.end() || !it->second.state) return std::nullopt;
  return MakeState(topic, p, it->second);
}

PartitionState Controller::MakeState(const std::string& topic, int32_t p,
                                     const PartitionCtx& ctx) const {
  PartitionState s;
  s.topic = topic;
  s.partition = p;
  s.replicas = ctx.replicas;
  s.zk_version = ctx.zk_version;
  if (ctx.state) {
    s.controller_epoch = ctx.state->controller_epoch;
    s.leader = ctx.state->leader;
    s.leader_epoch = ctx.state->leader_epoch;
    s.isr = ctx.state->isr;
    s.leader_recovery_state = ctx.state->leader_recovery_state;
  }
  auto t = topics_.find(topic);
  if (t != topics_.end()) {
    if (auto a = t->second.assignment.adding_replicas.find(p);
        a != t->second.assignment.adding_replicas.end()) {
      s.adding_replicas = a->second;
    }
    if (auto r = t->second.assignment.removing_replicas.find(p);
        r != t->second.assignment.removing_replicas.end()) {
      s.removing_replicas = r->second;
    }
    if (t->second.deleting) s.leader = BrokerId(kLeaderDuringDelete);
  }
  for (BrokerId b : ctx.replicas) {
    if (!live_.contains(b)) s.offline_replicas.push_back(b);
  }
  return s;
}

void Controller::SendUpdateMetadata(const std::set<BrokerId>& to) {
  UpdateMetadataBatch batch;
  batch.controller_id = options_.broker_id;
  batch.controller_epoch = epoch_;
  for (const auto& [name, t] : topics_) {
    if (!t.assignment.topic_id.empty()) batch.topic_ids[name] = t.assignment.topic_id;
    for (const auto& [p, ctx] : t.partitions) {
      if (ctx.state) batch.partitions.push_back(MakeState(name, p, ctx));
    }
  }
  for (const auto& [id, b] : live_) batch.live_brokers.push_back(b);
  for (BrokerId b : to) {
    auto it = live_.find(b);
    if (it == live_.end()) continue;
    UpdateMetadataBatch copy = batch;
    copy.broker_epoch = it->second.epoch;
    channel_->SendUpdateMetadata(b, std::move(copy));
  }
}

void Controller::SendLeaderAndIsr(const std::set<TopicPartition>& partitions,
                                  const std::set<BrokerId>& only, bool is_new) {
  std::map<BrokerId, LeaderAndIsrBatch> batches;
  for (const TopicPartition& tp : partitions) {
    auto t = topics_.find(tp.topic);
    if (t == topics_.end() || t->second.deleting) continue;
    auto it = t->second.partitions.find(tp.partition);
    if (it == t->second.partitions.end() || !it->second.state) continue;
    PartitionState s = MakeState(tp.topic, tp.partition, it->second);
    s.is_new = is_new;
    for (BrokerId r : it->second.replicas) {
      if (!live_.contains(r) || (!only.empty() && !only.contains(r))) continue;
      LeaderAndIsrBatch& b = batches[r];
      b.partitions.push_back(s);
      if (!t->second.assignment.topic_id.empty()) {
        b.topic_ids[tp.topic] = t->second.assignment.topic_id;
      }
    }
  }
  for (auto& [to, batch] : batches) {
    batch.controller_id = options_.broker_id;
    batch.controller_epoch = epoch_;
    batch.broker_epoch = live_.at(to).epoch;
    std::set<BrokerId> leaders;
    for (const PartitionState& s : batch.partitions) leaders.insert(s.leader);
    for (BrokerId l : leaders) {
      if (auto it = live_.find(l); it != live_.end()) batch.leaders.push_back(it->second);
    }
    channel_->SendLeaderAndIsr(to, std::move(batch));
  }
}

}  // namespace sluice::coordinator
