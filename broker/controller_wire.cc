#include "broker/controller_wire.h"

#include <map>

namespace sluice::broker {

namespace {
std::vector<int32_t> Ints(const std::vector<BrokerId>& v) {
  std::vector<int32_t> out;
  out.reserve(v.size());
  for (BrokerId id : v) out.push_back(id.value());
  return out;
}
std::vector<BrokerId> Ids(const std::vector<int32_t>& v) {
  std::vector<BrokerId> out;
  out.reserve(v.size());
  for (int32_t id : v) out.push_back(BrokerId(id));
  return out;
}

// The partition state fields LeaderAndIsr and UpdateMetadata share, into the request's
// topic_states[] (grouped by topic in first-seen order; `index` maps topic -> slot).
template <typename TopicStates>
auto& AddPartitionState(TopicStates& topic_states, std::map<std::string, size_t>& index,
                        const coordinator::PartitionState& ps) {
  auto [it, added] = index.emplace(ps.topic, topic_states.size());
  if (added) topic_states.emplace_back().topic_name = ps.topic;
  auto& out = topic_states[it->second].partition_states.emplace_back();
  out.topic_name = ps.topic;
  out.partition_index = ps.partition;
  out.controller_epoch = ps.controller_epoch.value();
  out.leader = ps.leader.value();
  out.leader_epoch = ps.leader_epoch.value();
  out.isr = Ints(ps.isr);
  out.replicas = Ints(ps.replicas);
  return out;
}

// The reverse: one coordinator::PartitionState from a wire partition state of `topic`.
template <typename WireState>
coordinator::PartitionState PartitionStateFrom(const std::string& topic, const WireState& in) {
  coordinator::PartitionState ps;
  ps.topic = topic;
  ps.partition = in.partition_index;
  ps.controller_epoch = ControllerEpoch(in.controller_epoch);
  ps.leader = BrokerId(in.leader);
  ps.leader_epoch = LeaderEpoch(in.leader_epoch);
  ps.isr = Ids(in.isr);
  ps.replicas = Ids(in.replicas);
  return ps;
}
}  // namespace

protocol::LeaderAndIsrRequest ToWire(const coordinator::LeaderAndIsrBatch& b) {
  protocol::LeaderAndIsrRequest req;
  req.controller_id = b.controller_id.value();
  req.controller_epoch = b.controller_epoch.value();
  req.broker_epoch = b.broker_epoch;
  std::map<std::string, size_t> index;
  for (const auto& ps : b.partitions) {
    auto& out = AddPartitionState(req.topic_states, index, ps);
    out.partition_epoch = ps.zk_version;
    out.adding_replicas = Ints(ps.adding_replicas);
    out.removing_replicas = Ints(ps.removing_replicas);
    out.is_new = ps.is_new;
  }
  for (const auto& l : b.leaders) {
    for (const auto& ep : l.info.endpoints) {
      req.live_leaders.push_back({l.info.id.value(), ep.host, ep.port, {}});
      break;
    }
  }
  return req;
}

coordinator::LeaderAndIsrBatch FromWire(const protocol::LeaderAndIsrRequest& req) {
  coordinator::LeaderAndIsrBatch b;
  b.controller_id = BrokerId(req.controller_id);
  b.controller_epoch = ControllerEpoch(req.controller_epoch);
  b.broker_epoch = req.broker_epoch;
  for (const auto& t : req.topic_states) {
    for (const auto& in : t.partition_states) {
      auto& ps = b.partitions.emplace_back(PartitionStateFrom(t.topic_name, in));
      ps.zk_version = in.partition_epoch;
      ps.adding_replicas = Ids(in.adding_replicas);
      ps.removing_replicas = Ids(in.removing_replicas);
      ps.is_new = in.is_new;
    }
  }
  for (const auto& l : req.live_leaders) {
    coordinator::LiveBroker lb;
    lb.info.id = BrokerId(l.broker_id);
    lb.info.endpoints.push_back({"PLAINTEXT", l.host_name, l.port, "PLAINTEXT"});
    b.leaders.push_back(std::move(lb));
  }
  return b;
}

protocol::UpdateMetadataRequest ToWire(const coordinator::UpdateMetadataBatch& b) {
  protocol::UpdateMetadataRequest req;
  req.controller_id = b.controller_id.value();
  req.controller_epoch = b.controller_epoch.value();
  req.broker_epoch = b.broker_epoch;
  std::map<std::string, size_t> index;
  for (const auto& ps : b.partitions) {
    auto& out = AddPartitionState(req.topic_states, index, ps);
    out.zk_version = ps.zk_version;
    out.offline_replicas = Ints(ps.offline_replicas);
  }
  for (const auto& lb : b.live_brokers) {
    auto& out = req.live_brokers.emplace_back();
    out.id = lb.info.id.value();
    out.rack = lb.info.rack;
    for (const auto& ep : lb.info.endpoints) {
      auto& e = out.endpoints.emplace_back();
      e.port = ep.port;
      e.host = ep.host;
      e.listener = ep.listener;
      e.security_protocol = 0;  // PLAINTEXT
    }
  }
  return req;
}

coordinator::UpdateMetadataBatch FromWire(const protocol::UpdateMetadataRequest& req) {
  coordinator::UpdateMetadataBatch b;
  b.controller_id = BrokerId(req.controller_id);
  b.controller_epoch = ControllerEpoch(req.controller_epoch);
  b.broker_epoch = req.broker_epoch;
  for (const auto& t : req.topic_states) {
    for (const auto& in : t.partition_states) {
      auto& ps = b.partitions.emplace_back(PartitionStateFrom(t.topic_name, in));
      ps.zk_version = in.zk_version;
      ps.offline_replicas = Ids(in.offline_replicas);
    }
  }
  for (const auto& in : req.live_brokers) {
    coordinator::LiveBroker lb;
    lb.info.id = BrokerId(in.id);
    lb.info.rack = in.rack;
    for (const auto& e : in.endpoints) {
      lb.info.endpoints.push_back({e.listener, e.host, e.port, "PLAINTEXT"});
    }
    b.live_brokers.push_back(std::move(lb));
  }
  return b;
}

protocol::StopReplicaRequest ToWire(const coordinator::StopReplicaBatch& b) {
  protocol::StopReplicaRequest req;
  req.controller_id = b.controller_id.value();
  req.controller_epoch = b.controller_epoch.value();
  req.broker_epoch = b.broker_epoch;
  std::map<std::string, size_t> index;
  for (const auto& tp : b.partitions) {
    auto [it, added] = index.emplace(tp.topic, req.topic_states.size());
    if (added) req.topic_states.emplace_back().topic_name = tp.topic;
    auto& out = req.topic_states[it->second].partition_states.emplace_back();
    out.partition_index = tp.partition;
    out.leader_epoch = -1;
    out.delete_partition = b.delete_partitions;
  }
  return req;
}

coordinator::StopReplicaBatch FromWire(const protocol::StopReplicaRequest& req) {
  coordinator::StopReplicaBatch b;
  b.controller_id = BrokerId(req.controller_id);
  b.controller_epoch = ControllerEpoch(req.controller_epoch);
  b.broker_epoch = req.broker_epoch;
  for (const auto& t : req.topic_states) {
    for (const auto& in : t.partition_states) {
      b.partitions.push_back(TopicPartition{t.topic_name, in.partition_index});
      if (in.delete_partition) b.delete_partitions = true;
    }
  }
  return b;
}

}  // namespace sluice::broker
