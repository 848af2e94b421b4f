#include "broker/controller_channel.h"

#include <glog/logging.h>

namespace sluice::broker {

namespace {
std::vector<int32_t> Ids(const std::vector<BrokerId>& v) {
  std::vector<int32_t> out;
  out.reserve(v.size());
  for (BrokerId id : v) out.push_back(id.value());
  return out;
}
}  // namespace

bool ControllerRequestApplier::CheckEpoch(int32_t controller_epoch, const char* what) {
  if (controller_epoch < controller_epoch_) {
    LOG(WARNING) << "controller_request_stale request=" << what
                 << " controller_epoch=" << controller_epoch << " seen=" << controller_epoch_;
    return false;
  }
  controller_epoch_ = controller_epoch;
  return true;
}

void ControllerRequestApplier::ApplyLeaderAndIsr(const coordinator::LeaderAndIsrBatch& batch) {
  if (!CheckEpoch(batch.controller_epoch.value(), "LeaderAndIsr")) return;
  for (const auto& ps : batch.partitions) {
    if (std::find(ps.replicas.begin(), ps.replicas.end(), BrokerId(broker_id_)) ==
        ps.replicas.end()) {
      continue;  // not a replica here
    }
    LeaderAndIsrState st;
    st.topic = ps.topic;
    st.partition = ps.partition;
    st.controller_epoch = ps.controller_epoch.value();
    st.leader = ps.leader.value();
    st.leader_epoch = ps.leader_epoch.value();
    st.isr = Ids(ps.isr);
    st.replicas = Ids(ps.replicas);
    Status s = replicas_->ApplyLeaderAndIsr(st);
    if (!s.ok() && s.code() != Errc::kInvalidArgument) {
      LOG(ERROR) << "leader_and_isr_failed topic=" << ps.topic << " partition=" << ps.partition
                 << " error=" << s;
    }
  }
  // Leaders named here may not be in the cache yet (UpdateMetadata follows).
  for (const auto& b : batch.leaders) {
    if (metadata_->IsBrokerAlive(b.info.id.value())) continue;
    for (const auto& ep : b.info.endpoints) {
      metadata_->AddOrUpdateBroker({b.info.id.value(), ep.host, ep.port, b.info.rack});
      break;
    }
  }
}

void ControllerRequestApplier::ApplyUpdateMetadata(const coordinator::UpdateMetadataBatch& batch) {
  if (!CheckEpoch(batch.controller_epoch.value(), "UpdateMetadata")) return;
  std::vector<BrokerEndpoint> brokers;
  for (const auto& b : batch.live_brokers) {
    const coordinator::EndPoint* chosen = nullptr;
    for (const auto& ep : b.info.endpoints) {
      if (ep.security_protocol == "PLAINTEXT" || chosen == nullptr) chosen = &ep;
    }
    if (chosen == nullptr) continue;
    brokers.push_back({b.info.id.value(), chosen->host, chosen->port, b.info.rack});
  }
  metadata_->SetBrokers(std::move(brokers));
  metadata_->set_controller_id(batch.controller_id.value());
  for (const auto& ps : batch.partitions) {
    PartitionInfo info;
    info.leader = ps.leader.value();
    info.leader_epoch = ps.leader_epoch.value();
    info.controller_epoch = ps.controller_epoch.value();
    info.isr = Ids(ps.isr);
    info.replicas = Ids(ps.replicas);
    info.offline_replicas = Ids(ps.offline_replicas);
    metadata_->UpdatePartition(ps.topic, ps.partition, std::move(info));
  }
  VLOG(1) << "update_metadata_applied controller_id=" << batch.controller_id
          << " brokers=" << batch.live_brokers.size() << " partitions=" << batch.partitions.size();
  if (on_metadata_) on_metadata_();
}

void ControllerRequestApplier::ApplyStopReplica(const coordinator::StopReplicaBatch& batch) {
  if (!CheckEpoch(batch.controller_epoch.value(), "StopReplica")) return;
  for (const auto& tp : batch.partitions) {
    Status s = replicas_->StopReplica(tp, batch.delete_partitions);
    if (!s.ok() && s.code() != Errc::kNotFound) {
      LOG(ERROR) << "stop_replica_failed topic=" << tp.topic << " partition=" << tp.partition
                 << " error=" << s;
    }
  }
}

void LoggingRemoteSender::SendLeaderAndIsr(BrokerId to, coordinator::LeaderAndIsrBatch batch) {
  VLOG(1) << "controller_request_not_sent request=LeaderAndIsr to=" << to
          << " partitions=" << batch.partitions.size();
}
void LoggingRemoteSender::SendUpdateMetadata(BrokerId to, coordinator::UpdateMetadataBatch batch) {
  VLOG(1) << "controller_request_not_sent request=UpdateMetadata to=" << to
          << " partitions=" << batch.partitions.size();
}
void LoggingRemoteSender::SendStopReplica(BrokerId to, coordinator::StopReplicaBatch batch) {
  VLOG(1) << "controller_request_not_sent request=StopReplica to=" << to
          << " partitions=" << batch.partitions.size();
}

// Local delivery is posted, not called: the Controller must not be re-entered synchronously.
void BrokerChannel::SendLeaderAndIsr(BrokerId to, coordinator::LeaderAndIsrBatch batch) {
  if (to != self_) return remote_->SendLeaderAndIsr(to, std::move(batch));
  loop_->Post([local = local_, b = std::move(batch)] { local->ApplyLeaderAndIsr(b); });
}
void BrokerChannel::SendUpdateMetadata(BrokerId to, coordinator::UpdateMetadataBatch batch) {
  if (to != self_) return remote_->SendUpdateMetadata(to, std::move(batch));
  loop_->Post([local = local_, b = std::move(batch)] { local->ApplyUpdateMetadata(b); });
}
void BrokerChannel::SendStopReplica(BrokerId to, coordinator::StopReplicaBatch batch) {
  if (to != self_) return remote_->SendStopReplica(to, std::move(batch));
  loop_->Post([local = local_, b = std::move(batch)] { local->ApplyStopReplica(b); });
}

}  // namespace sluice::broker
