#include <algorithm>
#include <string>

#include "broker/handlers/handlers.h"
#include "protocol/api_keys.h"
#include "protocol/served_versions.h"

#include <glog/logging.h>
#include <vector>

namespace sluice::broker {

namespace {
using protocol::ApiKey;

struct Entry {
  ApiKey key;
  HandlerFn handler;
};
// The APIs this broker implements; their version ranges come from protocol's served table.
constexpr Entry kImplemented[] = {
    {ApiKey::kProduce, &HandleProduce},
    {ApiKey::kFetch, &HandleFetch},
    {ApiKey::kListOffsets, &HandleListOffsets},
    {ApiKey::kMetadata, &HandleMetadata},
    {ApiKey::kApiVersions, &HandleApiVersions},
    {ApiKey::kCreateTopics, &HandleCreateTopics},
    {ApiKey::kDeleteTopics, &HandleDeleteTopics},
    // Consumer groups (broker/group/).
    {ApiKey::kOffsetCommit, &HandleOffsetCommit},
    {ApiKey::kOffsetFetch, &HandleOffsetFetch},
    {ApiKey::kFindCoordinator, &HandleFindCoordinator},
    {ApiKey::kJoinGroup, &HandleJoinGroup},
    {ApiKey::kHeartbeat, &HandleHeartbeat},
    {ApiKey::kLeaveGroup, &HandleLeaveGroup},
    {ApiKey::kSyncGroup, &HandleSyncGroup},
    {ApiKey::kDescribeGroups, &HandleDescribeGroups},
    {ApiKey::kListGroups, &HandleListGroups},
    {ApiKey::kDeleteGroups, &HandleDeleteGroups},
    {ApiKey::kDescribeConfigs, &HandleDescribeConfigs},
    {ApiKey::kAlterConfigs, &HandleAlterConfigs},
    {ApiKey::kIncrementalAlterConfigs, &HandleIncrementalAlterConfigs},
    {ApiKey::kCreatePartitions, &HandleCreatePartitions},
    // Inter-broker (our controller, fetchers and shutdown; advertising them is harmless).
    {ApiKey::kLeaderAndIsr, &HandleLeaderAndIsr},
    {ApiKey::kStopReplica, &HandleStopReplica},
    {ApiKey::kUpdateMetadata, &HandleUpdateMetadata},
    {ApiKey::kControlledShutdown, &HandleControlledShutdown},
    {ApiKey::kOffsetForLeaderEpoch, &HandleOffsetForLeaderEpoch},
};

std::vector<BrokerApi> BuildTable() {
  std::vector<BrokerApi> out;
  for (const Entry& e : kImplemented) {
    const protocol::ServedApi* served = protocol::FindServableApi(static_cast<int16_t>(e.key));
    CHECK(served != nullptr) << "no served range for api " << static_cast<int>(e.key);
    out.push_back({static_cast<int16_t>(e.key), served->versions.min, served->versions.max,
                   e.handler});
  }
  std::sort(out.begin(), out.end(),
            [](const BrokerApi& a, const BrokerApi& b) { return a.api_key < b.api_key; });
  return out;
}

const std::vector<BrokerApi>& Table() {
  static const std::vector<BrokerApi> table = BuildTable();
  return table;
}
}  // namespace

std::span<const BrokerApi> BrokerApis() { return Table(); }

const BrokerApi* FindBrokerApi(int16_t api_key) {
  for (const auto& api : Table()) {
    if (api.api_key == api_key) return &api;
  }
  return nullptr;
}

bool IsValidTopicName(const std::string& name) {
  if (name.empty() || name.size() > 249 || name == "." || name == "..") return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == '-';
  });
}

}  // namespace sluice::broker
