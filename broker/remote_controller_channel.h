#pragma once
// Inter-broker plumbing shared by the controller channel, the replica fetchers and controlled
// shutdown: a pool of InterBrokerClients keyed by broker id (endpoints learnt from the controller's
// own UpdateMetadata/LeaderAndIsr batches, else the MetadataCache), and RemoteControllerChannel,
// the RemoteSender that delivers LeaderAndIsr v4 / UpdateMetadata v6 / StopReplica v3 over it.
// Per destination, requests go out one at a time and in order (Kafka's RequestSendThread); a
// request that fails on the transport is retried every `retry_backoff_ms` until it succeeds or
// `give_up_ms` passed (the broker is then gone; the next request re-sends full state anyway).
// Loop thread only.

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "broker/controller_channel.h"
#include "broker/event_loop.h"
#include "broker/inter_broker_client.h"
#include "broker/metadata_cache.h"

namespace sluice::broker {

class BrokerClientPool {
 public:
  BrokerClientPool(EventLoop* loop, MetadataCache* metadata, InterBrokerClientOptions opts = {})
      : loop_(loop), metadata_(metadata), opts_(std::move(opts)) {}

  void LearnEndpoint(int32_t id, const std::string& host, int port);
  void LearnEndpoints(const coordinator::BrokerInfo& info);
  // The client for broker `id`, or nullptr when its endpoint is unknown.
  InterBrokerClient* Get(int32_t id);
  EventLoop* loop() const { return loop_; }

 private:
  EventLoop* loop_;
  MetadataCache* metadata_;
  InterBrokerClientOptions opts_;
  std::map<int32_t, std::pair<std::string, int>> endpoints_;
  std::map<int32_t, std::unique_ptr<InterBrokerClient>> clients_;
};

class RemoteControllerChannel : public RemoteSender {
 public:
  RemoteControllerChannel(BrokerClientPool* pool, int64_t retry_backoff_ms = 300,
                          int64_t give_up_ms = 30000)
      : pool_(pool), retry_backoff_ms_(retry_backoff_ms), give_up_ms_(give_up_ms) {}

  void SendLeaderAndIsr(BrokerId to, coordinator::LeaderAndIsrBatch batch) override;
  void SendUpdateMetadata(BrokerId to, coordinator::UpdateMetadataBatch batch) override;
  void SendStopReplica(BrokerId to, coordinator::StopReplicaBatch batch) override;
  // Nothing queued or in flight to any broker (controlled shutdown of the controller waits for
  // this, bounded, so the new leaders hear of their leadership before it stops).
  bool Idle() const {
    for (const auto& [to, q] : queues_) {
      if (q.busy || !q.items.empty()) return false;
    }
    return true;
  }

 private:
  // One queued request: `send` issues it and calls back with whether it was delivered.
  struct Item {
    const char* name;
    int64_t give_up_at;
    std::function<void(InterBrokerClient*, std::function<void(bool)>)> send;
  };
  struct Queue {
    std::deque<Item> items;
    bool busy = false;
    std::unique_ptr<Timer> retry;
    int64_t broker_epoch = -1;  // the recipient's registration the queued requests are for
  };
  // A request for a newer registration of `to` (it restarted, or its ZooKeeper session expired
  // and it registered again): what is queued or in flight for the old one is obsolete (the
  // controller sends the new one its full state), and the connection may be one that delivers
  // nothing for many seconds (an isolated broker dropped packets, no RST: the request in flight
  // holds the queue for the request timeout, and after the heal TCP retransmits only on its
  // backed-off timer), so drop them and reconnect, as Kafka's ControllerChannelManager does
  // (removeBroker/addBroker).
  void NoteBrokerEpoch(int32_t to, int64_t broker_epoch);
  void Enqueue(int32_t to, Item item);
  void Pump(int32_t to);

  BrokerClientPool* pool_;
  int64_t retry_backoff_ms_;
  int64_t give_up_ms_;
  std::map<int32_t, Queue> queues_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

 public:
  ~RemoteControllerChannel() override { *alive_ = false; }
};

}  // namespace sluice::broker
