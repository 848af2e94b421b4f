#pragma once
// Consumer-group lag for /metrics (kafka_consumergroup_lag) and the dashboard: every group this
// broker coordinates, each committed partition against the high watermark of the local replica
// (-1 when this broker hosts no replica of it). Loop thread only.

#include <vector>

#include "broker/metrics/broker_gauges.h"

namespace sluice::broker {

class GroupCoordinator;
class ReplicaManager;

std::vector<GroupLagRow> CollectGroupLag(GroupCoordinator& groups, const ReplicaManager& replicas);

}  // namespace sluice::broker
