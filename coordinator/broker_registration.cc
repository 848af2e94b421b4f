#include "coordinator/broker_registration.h"

#include <glog/logging.h>

#include <memory>

#include "common/clock.h"

namespace sluice::coordinator {

BrokerRegistration::BrokerRegistration(ZkSession* session, BrokerInfo info,
                                       std::function<void(const Registration&)> on_registered)
    : session_(session), info_(std::move(info)), on_registered_(std::move(on_registered)) {}

BrokerRegistration::~BrokerRegistration() {
  *alive_ = false;
  ++generation_;
  if (listener_id_ != 0) session_->RemoveListener(listener_id_);
}

void BrokerRegistration::Start() {
  if (started_) return;
  started_ = true;
  listener_id_ = session_->AddListener([this](const SessionEvent& e) { OnSessionEvent(e); });
  if (session_->connected()) Begin();
}

void BrokerRegistration::OnSessionEvent(const SessionEvent& e) {
  switch (e.type) {
    case SessionEventType::kConnected:
      if (e.new_session) {
        registered_ = false;
        waiting_ = false;
      }
      // (Re)start unless registered or parked on a watch that survived the reconnect; Begin()
      // drops the callbacks of an attempt interrupted by the disconnect.
      if (!registered_ && !waiting_) Begin();
      break;
    case SessionEventType::kDisconnected:
      break;  // the session (and our node) may survive; wait for kConnected or kExpired
    case SessionEventType::kExpired:
      if (registered_) {
        LOG(WARNING) << "broker_registration_lost broker=" << info_.id
                     << " broker_epoch=" << registration_.broker_epoch;
      }
      registered_ = false;
      in_flight_ = false;
      waiting_ = false;
      ++generation_;
      break;
  }
}

void BrokerRegistration::Begin() {
  in_flight_ = true;
  waiting_ = false;
  EnsurePaths(++generation_);
}

void BrokerRegistration::RetryLater(uint64_t gen, ZkErrc err, const char* step) {
  LOG(WARNING) << "broker_registration_retry broker=" << info_.id << " step=" << step
               << " error=" << ZkErrcName(err);
  // Connection trouble: the next kConnected restarts us. Anything else: try again in a second.
  if (IsRetryable(err) && !session_->connected()) return;
  session_->RunAfter(std::chrono::seconds(1), [this, gen, alive = alive_] {
    if (*alive && Current(gen)) Begin();
  });
}

void BrokerRegistration::EnsurePaths(uint64_t gen) {
  const auto& paths = PersistentPaths();
  auto remaining = std::make_shared<size_t>(paths.size());
  auto failed = std::make_shared<ZkErrc>(ZkErrc::kOk);
  for (const std::string& p : paths) {
    session_->EnsurePath(p, [this, gen, remaining, failed](ZkErrc e) {
      if (!Current(gen)) return;
      if (e != ZkErrc::kOk) *failed = e;
      if (--*remaining > 0) return;
      if (*failed != ZkErrc::kOk) return RetryLater(gen, *failed, "ensure_paths");
      EnsureClusterId(gen);
    });
  }
}

void BrokerRegistration::EnsureClusterId(uint64_t gen) {
  session_->Get(kClusterIdPath, [this, gen](ZkRead r) {
    if (!Current(gen)) return;
    if (r.err == ZkErrc::kOk) {
      Result<std::string> id = ClusterIdZNode::Decode(r.data);
      if (!id.ok()) {
        LOG(ERROR) << "cluster_id_corrupt " << id.status();
        return RetryLater(gen, ZkErrc::kOther, "cluster_id");
      }
      cluster_id_ = *id;
      return CreateRegistration(gen);
    }
    if (r.err != ZkErrc::kNoNode) return RetryLater(gen, r.err, "cluster_id_read");
    std::string fresh = RandomKafkaId();
    session_->Create(kClusterIdPath, ClusterIdZNode::Encode(fresh), CreateMode::kPersistent,
                     [this, gen, fresh](ZkCreated c) {
                       if (!Current(gen)) return;
                       if (c.err == ZkErrc::kOk) {
                         LOG(INFO) << "cluster_id_created cluster_id=" << fresh;
                         cluster_id_ = fresh;
                         return CreateRegistration(gen);
                       }
                       // NODEEXISTS: another broker won the race; read theirs.
                       if (c.err == ZkErrc::kNodeExists) return EnsureClusterId(gen);
                       if (c.err == ZkErrc::kNoNode) {  // no /cluster yet
                         return session_->EnsurePath("/cluster", [this, gen](ZkErrc e) {
                           if (!Current(gen)) return;
                           if (e != ZkErrc::kOk) return RetryLater(gen, e, "cluster_path");
                           EnsureClusterId(gen);
                         });
                       }
                       RetryLater(gen, c.err, "cluster_id_create");
                     });
  });
}

void BrokerRegistration::CreateRegistration(uint64_t gen) {
  BrokerInfo info = info_;
  info.timestamp_ms = WallMillis();
  const std::string path = BrokerIdPath(info_.id);
  session_->Create(path, BrokerIdZNode::Encode(info), CreateMode::kEphemeral,
                   [this, gen](ZkCreated c) {
                     if (!Current(gen)) return;
                     if (c.err == ZkErrc::kOk) {
                       registered_ = true;
                       in_flight_ = false;
                       waiting_ = false;
                       registration_ = Registration{info_.id, c.stat.czxid, cluster_id_,
                                                    session_->session_id()};
                       LOG(INFO) << "broker_registered broker=" << info_.id
                                 << " broker_epoch=" << c.stat.czxid
                                 << " cluster_id=" << cluster_id_ << " session=0x" << std::hex
                                 << session_->session_id() << std::dec;
                       if (on_registered_) on_registered_(registration_);
                       return;
                     }
                     if (c.err == ZkErrc::kNodeExists) return OnExisting(gen);
                     RetryLater(gen, c.err, "register");
                   });
}

void BrokerRegistration::OnExisting(uint64_t gen) {
  const std::string path = BrokerIdPath(info_.id);
  // Watch the node: when the old session's node is deleted we try again.
  session_->Exists(
      path,
      [this, gen, path](ZkRead r) {
        if (!Current(gen)) return;
        if (r.err == ZkErrc::kNoNode) return CreateRegistration(gen);  // gone already
        if (r.err != ZkErrc::kOk) return RetryLater(gen, r.err, "registration_exists");
        if (r.stat.ephemeral_owner == session_->session_id()) {
          // Ours (a create whose answer was lost to a connection loss).
          registered_ = true;
          in_flight_ = false;
          waiting_ = false;
          registration_ =
              Registration{info_.id, r.stat.czxid, cluster_id_, session_->session_id()};
          LOG(INFO) << "broker_registered broker=" << info_.id
                    << " broker_epoch=" << r.stat.czxid << " cluster_id=" << cluster_id_
                    << " (node from this session)";
          if (on_registered_) on_registered_(registration_);
          return;
        }
        waiting_ = true;
        LOG(WARNING) << "broker_registration_waiting broker=" << info_.id << " path=" << path
                     << " owner_session=0x" << std::hex << r.stat.ephemeral_owner << std::dec
                     << " reason=node_held_by_old_session";
      },
      [this, gen](const WatchEvent& e) {
        if (!Current(gen) || registered_) return;
        // Deleted (or changed): look again.
        OnExisting(gen);
      });
}

}  // namespace sluice::coordinator
