#pragma once
// The inter-broker services the inter-broker handlers need (LeaderAndIsr, UpdateMetadata,
// StopReplica, ControlledShutdown). Reached from BrokerContext::inter_broker; members may be null
// (unit tests, a broker still starting). Loop thread only.

#include <cstdint>

namespace sluice::coordinator {
class Controller;
}

namespace sluice::broker {

class ControllerRequestApplier;
class ReplicaFetcherManager;
class IsrManager;

struct InterBrokerServices {
  ControllerRequestApplier* applier = nullptr;
  coordinator::Controller* controller = nullptr;
  ReplicaFetcherManager* fetchers = nullptr;
  IsrManager* isr = nullptr;
  // czxid of our current /brokers/ids/<id> (KIP-380), -1 until registered. Controller requests
  // carrying an older one were meant for a previous incarnation: STALE_BROKER_EPOCH.
  int64_t broker_epoch = -1;
};

}  // namespace sluice::broker
