#pragma once
// The inter-broker services the inter-broker handlers need (LeaderAndIsr, UpdateMetadata,
// StopReplica, ControlledShutdown). Reached from BrokerContext::inter_broker; members may be null
// (unit tests, a broker still starting). Loop thread only.

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
};

}  // namespace sluice::broker
