#include "coordinator/election.h"

#include <algorithm>

namespace sluice::coordinator {
namespace {

bool Contains(const std::vector<BrokerId>& v, BrokerId b) {
  return std::find(v.begin(), v.end(), b) != v.end();
}

LeaderAndIsr Next(const LeaderAndIsr& current, BrokerId leader, std::vector<BrokerId> isr) {
  LeaderAndIsr s = current;
  s.leader = leader;
  s.isr = std::move(isr);
  s.leader_epoch = LeaderEpoch(current.leader_epoch.value() + 1);
  return s;
}

}  // namespace

std::optional<LeaderAndIsr> InitialLeaderAndIsr(const ReplicaList& assignment,
                                                const BrokerSet& live) {
  LeaderAndIsr s;
  for (BrokerId b : assignment) {
    if (live.contains(b)) s.isr.push_back(b);
  }
  if (s.isr.empty()) return std::nullopt;
  s.leader = s.isr.front();
  s.leader_epoch = LeaderEpoch(0);
  return s;
}

std::optional<Election> ElectOfflinePartitionLeader(const ReplicaList& assignment,
                                                    const LeaderAndIsr& current,
                                                    const BrokerSet& live, bool unclean_enabled) {
  for (BrokerId b : assignment) {
    if (live.contains(b) && Contains(current.isr, b)) {
      std::vector<BrokerId> isr;
      for (BrokerId r : current.isr) {
        if (live.contains(r)) isr.push_back(r);
      }
      Election e{Next(current, b, std::move(isr)), false};
      e.state.leader_recovery_state = 0;
      return e;
    }
  }
  if (!unclean_enabled) return std::nullopt;
  for (BrokerId b : assignment) {
    if (live.contains(b)) {
      Election e{Next(current, b, {b}), true};
      e.state.leader_recovery_state = 1;  // RECOVERING
      return e;
    }
  }
  return std::nullopt;
}

std::optional<LeaderAndIsr> ElectPreferredLeader(const ReplicaList& assignment,
                                                 const LeaderAndIsr& current,
                                                 const BrokerSet& live) {
  if (assignment.empty()) return std::nullopt;
  BrokerId head = assignment.front();
  if (head == current.leader || !live.contains(head) || !Contains(current.isr, head)) {
    return std::nullopt;
  }
  return Next(current, head, current.isr);
}

std::optional<LeaderAndIsr> ElectControlledShutdownLeader(const ReplicaList& assignment,
                                                          const LeaderAndIsr& current,
                                                          const BrokerSet& live,
                                                          const BrokerSet& shutting_down) {
  for (BrokerId b : assignment) {
    if (live.contains(b) && Contains(current.isr, b) && !shutting_down.contains(b)) {
      std::vector<BrokerId> isr;
      for (BrokerId r : current.isr) {
        if (!shutting_down.contains(r)) isr.push_back(r);
      }
      return Next(current, b, std::move(isr));
    }
  }
  return std::nullopt;
}

std::optional<LeaderAndIsr> RemoveReplicaFromIsr(const LeaderAndIsr& current, BrokerId replica) {
  const bool in_isr = Contains(current.isr, replica);
  const bool is_leader = current.leader == replica;
  if (!in_isr && !is_leader) return std::nullopt;
  std::vector<BrokerId> isr = current.isr;
  if (in_isr && isr.size() > 1) isr.erase(std::find(isr.begin(), isr.end(), replica));
  BrokerId leader = is_leader ? BrokerId(kNoLeader) : current.leader;
  if (isr == current.isr && leader == current.leader) return std::nullopt;
  return Next(current, leader, std::move(isr));
}

}  // namespace sluice::coordinator
