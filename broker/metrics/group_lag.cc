#include "broker/metrics/group_lag.h"

#include "broker/group/group_coordinator.h"
#include "broker/replica_manager.h"

namespace sluice::broker {

std::vector<GroupLagRow> CollectGroupLag(GroupCoordinator& groups,
                                         const ReplicaManager& replicas) {
  auto high_watermark = [&replicas](const TopicPartition& tp) -> int64_t {
    auto it = replicas.partitions().find(tp);
    if (it == replicas.partitions().end() || it->second->log() == nullptr) return -1;
    return it->second->log()->high_watermark().value();
  };
  std::vector<ListedGroup> listed;
  // COORDINATOR_LOAD_IN_PROGRESS still lists the groups already loaded: report those.
  (void)groups.List({}, &listed);
  std::vector<GroupLagRow> rows;
  for (const auto& g : listed) {
    for (const auto& l : groups.Lag(g.group_id, high_watermark)) {
      rows.push_back({g.group_id, l.tp.topic, l.tp.partition, l.committed, l.high_watermark,
                      l.lag});
    }
  }
  return rows;
}

}  // namespace sluice::broker
