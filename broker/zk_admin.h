#pragma once
// ZkAdminClient: AdminClient over ZooKeeper, the way Kafka's AdminZkClient does it: a new topic is
// its config znode (/config/topics/<t>) plus its assignment (/brokers/topics/<t>, Kafka's
// rack-unaware placement over the registered brokers) written in one multi-op; the controller
// notices the new child and elects leaders. Deletion queues /admin/delete_topics/<t> for the
// controller. Loop thread only; callbacks run on the loop.
//
// TODO(#admin): switch to coordinator::Admin once it lands, keeping this interface.

#include <random>

#include "broker/admin_client.h"
#include "broker/config.h"
#include "broker/metadata_cache.h"
#include "coordinator/controller.h"
#include "coordinator/zk_session.h"

namespace sluice::broker {

class ZkAdminClient : public AdminClient {
 public:
  ZkAdminClient(coordinator::ZkSession* zk, coordinator::Controller* controller,
                MetadataCache* metadata, const Config* config)
      : zk_(zk), controller_(controller), metadata_(metadata), config_(config),
        rng_(std::random_device{}()) {}

  bool IsController() const override { return controller_->is_controller(); }
  void CreateTopic(const TopicSpec& spec, bool validate_only, AdminDone done) override;
  void DeleteTopic(const std::string& name, AdminDone done) override;

 private:
  coordinator::ZkSession* zk_;
  coordinator::Controller* controller_;
  MetadataCache* metadata_;
  const Config* config_;
  std::mt19937_64 rng_;
};

}  // namespace sluice::broker
