#include "client/zk_view.h"

#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <cstdio>
#include <set>

#include "coordinator/sync_zk.h"
#include "coordinator/znodes.h"

namespace sluice::client {

namespace coord = sluice::coordinator;

void SilenceZooKeeperLog() {
  static FILE* devnull = std::fopen("/dev/null", "w");
  if (devnull != nullptr) zoo_set_log_stream(devnull);
}

void CountPartitionHealth(ZkClusterView& view) {
  std::set<int32_t> live;
  for (const ZkBroker& b : view.brokers) live.insert(b.id);
  view.under_replicated = 0;
  view.offline = 0;
  for (const ZkPartition& p : view.partitions) {
    if (!p.has_state || p.leader < 0 || live.count(p.leader) == 0) ++view.offline;
    if (p.has_state && p.isr.size() < p.replicas.size()) ++view.under_replicated;
  }
}

Result<ZkClusterView> ReadZkView(const std::string& connect, std::chrono::milliseconds timeout,
                                 bool with_partitions) {
  SilenceZooKeeperLog();
  coord::SyncZk zk;
  Status connected = zk.Connect(connect, std::chrono::seconds(6), timeout);
  if (!connected.ok()) {
    return Status::Unavailable("cannot reach ZooKeeper " + connect + " (timed out after " +
                               std::to_string(timeout.count() / 1000) + "s)");
  }
  auto zk_error = [&](coord::ZkErrc e, const std::string& path) {
    return Status::IoError("ZooKeeper read of " + path + " failed: " + coord::ZkErrcName(e));
  };
  ZkClusterView view;
  if (coord::ZkRead r = zk.Get(coord::kClusterIdPath); r.err == coord::ZkErrc::kOk) {
    Result<std::string> id = coord::ClusterIdZNode::Decode(r.data);
    if (id.ok()) view.cluster_id = *id;
  }
  coord::ZkChildren ids = zk.GetChildren(coord::kBrokerIdsPath);
  if (ids.err != coord::ZkErrc::kOk && ids.err != coord::ZkErrc::kNoNode) {
    return zk_error(ids.err, coord::kBrokerIdsPath);
  }
  for (const std::string& name : ids.children) {
    ZkBroker b;
    try {
      b.id = std::stoi(name);
    } catch (...) {
      continue;
    }
    coord::ZkRead r = zk.Get(coord::BrokerIdPath(BrokerId(b.id)));
    if (r.err != coord::ZkErrc::kOk) continue;  // went away between the list and the read
    Result<coord::BrokerInfo> info = coord::BrokerIdZNode::Decode(BrokerId(b.id), r.data);
    if (info.ok() && !info->endpoints.empty()) {
      b.host = info->endpoints.front().host;
      b.port = info->endpoints.front().port;
    }
    view.brokers.push_back(b);
  }
  std::sort(view.brokers.begin(), view.brokers.end(),
            [](const ZkBroker& a, const ZkBroker& b) { return a.id < b.id; });
  if (coord::ZkRead r = zk.Get(coord::kControllerPath); r.err == coord::ZkErrc::kOk) {
    Result<BrokerId> id = coord::ControllerZNode::Decode(r.data);
    if (id.ok()) view.controller = id->value();
  }
  if (coord::ZkRead r = zk.Get(coord::kControllerEpochPath); r.err == coord::ZkErrc::kOk) {
    Result<ControllerEpoch> epoch = coord::ControllerEpochZNode::Decode(r.data);
    if (epoch.ok()) view.controller_epoch = epoch->value();
  }
  coord::ZkChildren topics = zk.GetChildren(coord::kBrokerTopicsPath);
  if (topics.err != coord::ZkErrc::kOk && topics.err != coord::ZkErrc::kNoNode) {
    return zk_error(topics.err, coord::kBrokerTopicsPath);
  }
  view.topics = topics.children;
  std::sort(view.topics.begin(), view.topics.end());
  if (!with_partitions) return view;
  for (const std::string& topic : view.topics) {
    coord::ZkRead r = zk.Get(coord::TopicPath(topic));
    if (r.err != coord::ZkErrc::kOk) continue;
    Result<coord::TopicAssignment> assignment = coord::TopicZNode::Decode(r.data);
    if (!assignment.ok()) continue;
    for (const auto& [partition, replicas] : assignment->partitions) {
      ZkPartition p;
      p.topic = topic;
      p.partition = partition;
      for (BrokerId id : replicas) p.replicas.push_back(id.value());
      coord::ZkRead s = zk.Get(coord::PartitionStatePath(topic, partition));
      if (s.err == coord::ZkErrc::kOk) {
        Result<coord::LeaderAndIsr> state = coord::TopicPartitionStateZNode::Decode(s.data);
        if (state.ok()) {
          p.has_state = true;
          p.leader = state->leader.value();
          p.leader_epoch = state->leader_epoch.value();
          for (BrokerId id : state->isr) p.isr.push_back(id.value());
        }
      }
      view.partitions.push_back(std::move(p));
    }
  }
  CountPartitionHealth(view);
  return view;
}

Result<int64_t> BrokerRegistrationZxid(const std::string& connect, int32_t id,
                                       std::chrono::milliseconds timeout) {
  SilenceZooKeeperLog();
  coord::SyncZk zk;
  if (!zk.Connect(connect, std::chrono::seconds(6), timeout).ok()) {
    return Status::Unavailable("cannot reach ZooKeeper " + connect);
  }
  coord::ZkRead r = zk.Exists(coord::BrokerIdPath(BrokerId(id)));
  if (r.err == coord::ZkErrc::kNoNode) return int64_t{-1};
  if (r.err != coord::ZkErrc::kOk) return Status::IoError("ZooKeeper read failed");
  return r.stat.czxid;
}

}  // namespace sluice::client
