#pragma once
// Partition leader election and ISR changes of the classic controller (kafka-protocol/README.md
// §6; Kafka Election.scala, PartitionLeaderElectionAlgorithms, ReplicaStateMachine). Pure
// functions of plain inputs; the controller writes their results (fenced) and tells the brokers.
// Every returned state has leader_epoch + 1 (Kafka's newLeaderAndIsr); the caller stamps
// controller_epoch. "assignment" is the replica list of /brokers/topics/<t>, in preference order.

#include <optional>
#include <set>
#include <vector>

#include "common/ids.h"
#include "coordinator/znodes.h"

namespace sluice::coordinator {

using BrokerSet = std::set<BrokerId>;

struct Election {
  LeaderAndIsr state;
  bool unclean = false;  // leader came from outside the ISR (data may be lost)
};

// New partition (no state znode yet): leader = first live replica in assignment order, ISR = the
// live replicas in assignment order, leader_epoch 0. nullopt if no replica is alive.
std::optional<LeaderAndIsr> InitialLeaderAndIsr(const ReplicaList& assignment,
                                                const BrokerSet& live);

// Offline partition (its leader died or it has none): first replica in assignment order that is
// alive and in the ISR; new ISR = old ISR ∩ alive. Else, with unclean election enabled, the first
// alive replica with ISR [it] (leader_recovery_state RECOVERING). Else nullopt: it stays offline.
std::optional<Election> ElectOfflinePartitionLeader(const ReplicaList& assignment,
                                                    const LeaderAndIsr& current,
                                                    const BrokerSet& live, bool unclean_enabled);

// Preferred replica election: the assignment head, only if alive, in the ISR and not already the
// leader (nullopt = nothing to do or not possible). ISR unchanged.
std::optional<LeaderAndIsr> ElectPreferredLeader(const ReplicaList& assignment,
                                                 const LeaderAndIsr& current,
                                                 const BrokerSet& live);

// Controlled shutdown: first replica in assignment order alive, in the ISR and not shutting down;
// ISR minus the shutting-down brokers. nullopt if there is none.
std::optional<LeaderAndIsr> ElectControlledShutdownLeader(const ReplicaList& assignment,
                                                          const LeaderAndIsr& current,
                                                          const BrokerSet& live,
                                                          const BrokerSet& shutting_down);

// Replica `replica` went offline (ReplicaStateMachine OfflineReplica): drop it from the ISR unless
// it is the last member (the ISR is never empty: the dead last member stays, so only it can
// become leader cleanly later); leader -1 if it was the leader. nullopt if nothing changes.
std::optional<LeaderAndIsr> RemoveReplicaFromIsr(const LeaderAndIsr& current, BrokerId replica);

}  // namespace sluice::coordinator
