#include "broker/remote_controller_channel.h"

#include <glog/logging.h>

#include "broker/controller_wire.h"
#include "common/clock.h"
#include "protocol/error_codes.h"

namespace sluice::broker {

void BrokerClientPool::LearnEndpoint(int32_t id, const std::string& host, int port) {
  endpoints_[id] = {host, port};
  auto it = clients_.find(id);
  if (it != clients_.end()) it->second->SetEndpoint(host, port);
}

void BrokerClientPool::LearnEndpoints(const coordinator::BrokerInfo& info) {
  const coordinator::EndPoint* chosen = nullptr;
  for (const auto& ep : info.endpoints) {
    if (ep.security_protocol == "PLAINTEXT" || chosen == nullptr) chosen = &ep;
  }
  if (chosen != nullptr) LearnEndpoint(info.id.value(), chosen->host, chosen->port);
}

InterBrokerClient* BrokerClientPool::Get(int32_t id) {
  auto it = clients_.find(id);
  if (it != clients_.end()) return it->second.get();
  std::string host;
  int port = 0;
  auto ep = endpoints_.find(id);
  if (ep != endpoints_.end()) {
    host = ep->second.first;
    port = ep->second.second;
  } else {
    auto b = metadata_->brokers().find(id);
    if (b == metadata_->brokers().end()) return nullptr;
    host = b->second.host;
    port = b->second.port;
  }
  auto client = std::make_unique<InterBrokerClient>(loop_, host, port, opts_);
  InterBrokerClient* raw = client.get();
  clients_.emplace(id, std::move(client));
  return raw;
}

namespace {
template <typename Req, typename Resp>
std::function<void(InterBrokerClient*, std::function<void(bool)>)> Sender(Req req, int16_t version,
                                                                         const char* name) {
  auto shared = std::make_shared<Req>(std::move(req));
  return [shared, version, name](InterBrokerClient* c, std::function<void(bool)> done) {
    c->Send<Req, Resp>(*shared, version, 30000, [done, name](Result<Resp*> r) {
      if (!r.ok()) {
        VLOG(1) << "controller_request_failed request=" << name << " error=" << r.status();
        return done(false);
      }
      if ((*r)->error_code != 0) {
        LOG(WARNING) << "controller_request_rejected request=" << name << " error="
                     << protocol::ErrorName(static_cast<protocol::ErrorCode>((*r)->error_code));
      }
      done(true);  // delivered (a rejection is final: stale epoch)
    });
  };
}
}  // namespace

void RemoteControllerChannel::SendLeaderAndIsr(BrokerId to, coordinator::LeaderAndIsrBatch batch) {
  for (const auto& l : batch.leaders) pool_->LearnEndpoints(l.info);
  NoteBrokerEpoch(to.value(), batch.broker_epoch);
  Enqueue(to.value(),
          {"LeaderAndIsr", SteadyMillis() + give_up_ms_,
           Sender<protocol::LeaderAndIsrRequest, protocol::LeaderAndIsrResponse>(
               ToWire(batch), kLeaderAndIsrVersion, "LeaderAndIsr")});
}

void RemoteControllerChannel::SendUpdateMetadata(BrokerId to,
                                                 coordinator::UpdateMetadataBatch batch) {
  for (const auto& b : batch.live_brokers) pool_->LearnEndpoints(b.info);
  NoteBrokerEpoch(to.value(), batch.broker_epoch);
  Enqueue(to.value(),
          {"UpdateMetadata", SteadyMillis() + give_up_ms_,
           Sender<protocol::UpdateMetadataRequest, protocol::UpdateMetadataResponse>(
               ToWire(batch), kUpdateMetadataVersion, "UpdateMetadata")});
}

void RemoteControllerChannel::SendStopReplica(BrokerId to, coordinator::StopReplicaBatch batch) {
  NoteBrokerEpoch(to.value(), batch.broker_epoch);
  Enqueue(to.value(),
          {"StopReplica", SteadyMillis() + give_up_ms_,
           Sender<protocol::StopReplicaRequest, protocol::StopReplicaResponse>(
               ToWire(batch), kStopReplicaVersion, "StopReplica")});
}

void RemoteControllerChannel::NoteBrokerEpoch(int32_t to, int64_t broker_epoch) {
  if (broker_epoch < 0) return;
  Queue& q = queues_[to];
  if (broker_epoch <= q.broker_epoch) return;
  const bool first = q.broker_epoch < 0;
  q.broker_epoch = broker_epoch;
  if (first) return;
  LOG(INFO) << "controller_channel_reset to=" << to << " broker_epoch=" << broker_epoch
            << " dropped=" << q.items.size() << " in_flight=" << q.busy;
  // Also when idle: the connection (or a connect) from before may be in TCP retransmission
  // backoff after a partition heals and deliver nothing for 10 s or more. Closing fails the
  // request in flight, whose callback clears `busy` and arms a retry that is cancelled below.
  if (InterBrokerClient* client = pool_->Get(to)) client->Close("broker registered again");
  q.items.clear();
  q.retry.reset();
}

void RemoteControllerChannel::Enqueue(int32_t to, Item item) {
  Queue& q = queues_[to];
  q.items.push_back(std::move(item));
  if (!q.busy && q.retry == nullptr) Pump(to);
}

void RemoteControllerChannel::Pump(int32_t to) {
  Queue& q = queues_[to];
  q.retry.reset();
  while (!q.items.empty() && q.items.front().give_up_at <= SteadyMillis()) {
    LOG(WARNING) << "controller_request_dropped request=" << q.items.front().name << " to=" << to;
    q.items.pop_front();
  }
  if (q.items.empty() || q.busy) return;
  InterBrokerClient* client = pool_->Get(to);
  std::weak_ptr<bool> alive = alive_;
  auto retry_later = [this, to, alive] {
    if (alive.expired()) return;
    Queue& qq = queues_[to];
    qq.retry = pool_->loop()->RunAfter(retry_backoff_ms_, [this, to] { Pump(to); });
  };
  if (client == nullptr) {
    retry_later();
    return;
  }
  q.busy = true;
  q.items.front().send(client, [this, to, alive, retry_later](bool delivered) {
    if (alive.expired()) return;
    Queue& qq = queues_[to];
    qq.busy = false;
    if (delivered) {
      if (!qq.items.empty()) qq.items.pop_front();
      Pump(to);
    } else {
      retry_later();
    }
  });
}

}  // namespace sluice::broker
