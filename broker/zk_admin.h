#pragma once
// ZkAdminClient: the handlers' AdminClient over coordinator::Admin (Kafka's AdminZkClient: config
// znode + assignment znode for a new topic, /admin/delete_topics/<t> for a deletion; the
// controller does the rest), and over the Controller for "am I the controller". Maps the
// coordinator's AdminError to wire error codes in one switch. Loop thread only; callbacks run on
// the loop. Destroy before the ZkSession, in the same loop task.

#include <memory>

#include "broker/admin_client.h"
#include "broker/config.h"
#include "broker/metadata_cache.h"
#include "coordinator/admin.h"
#include "coordinator/controller.h"
#include "coordinator/zk_session.h"

namespace sluice::broker {

class ZkAdminClient : public AdminClient {
 public:
  ZkAdminClient(coordinator::ZkSession* zk, coordinator::Controller* controller)
      : admin_(std::make_unique<coordinator::Admin>(zk)), controller_(controller) {}
  // Same; the cache and config are not needed (kept for Broker's wiring).
  ZkAdminClient(coordinator::ZkSession* zk, coordinator::Controller* controller, MetadataCache*,
                const Config*)
      : ZkAdminClient(zk, controller) {}

  bool IsController() const override { return controller_->is_controller(); }
  void CreateTopic(const TopicSpec& spec, bool validate_only, AdminDone done) override;
  void DeleteTopic(const std::string& name, AdminDone done) override;
  void ReadTopicConfig(const std::string& topic, TopicConfigDone done) override;
  void AlterTopicConfig(const std::string& topic, const TopicConfigMap& configs,
                        bool validate_only, AdminDone done) override;
  void CreatePartitions(const PartitionsSpec& spec, bool validate_only, AdminDone done) override;

 private:
  std::unique_ptr<coordinator::Admin> admin_;
  coordinator::Controller* controller_;
};

// The one switch from coordinator::AdminError to the wire (STYLE.md §3).
protocol::ErrorCode ToErrorCode(coordinator::AdminError e);

}  // namespace sluice::broker
