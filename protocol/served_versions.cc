#include "protocol/served_versions.h"

namespace sluice::protocol {

namespace {

// Client APIs: README §3 "advertise" (why each range: api-versions.tsv must_include). Inter-broker
// APIs ("ours"): one version each, the first with tagged fields where that is cheap.
constexpr ServedApi kServable[] = {
    {ApiKey::kProduce, {0, 7}},  // 0 only so librdkafka enables gzip/snappy/lz4
    {ApiKey::kFetch, {4, 11}},
    {ApiKey::kListOffsets, {1, 3}},
    {ApiKey::kMetadata, {4, 6}},
    {ApiKey::kLeaderAndIsr, {4, 4}},
    {ApiKey::kStopReplica, {3, 3}},
    {ApiKey::kUpdateMetadata, {6, 6}},
    {ApiKey::kControlledShutdown, {3, 3}},
    {ApiKey::kOffsetCommit, {2, 7}},
    {ApiKey::kOffsetFetch, {1, 7}},
    {ApiKey::kFindCoordinator, {0, 2}},
    {ApiKey::kJoinGroup, {0, 5}},
    {ApiKey::kHeartbeat, {0, 3}},
    {ApiKey::kLeaveGroup, {0, 3}},
    {ApiKey::kSyncGroup, {0, 3}},
    {ApiKey::kDescribeGroups, {0, 4}},
    {ApiKey::kListGroups, {0, 4}},
    {ApiKey::kSaslHandshake, {0, 1}},
    {ApiKey::kApiVersions, {0, 3}},
    {ApiKey::kCreateTopics, {0, 4}},
    {ApiKey::kDeleteTopics, {0, 1}},
    {ApiKey::kDeleteRecords, {0, 1}},
    {ApiKey::kInitProducerId, {0, 4}},
    {ApiKey::kOffsetForLeaderEpoch, {4, 4}},
    {ApiKey::kDescribeConfigs, {0, 2}},
    {ApiKey::kAlterConfigs, {0, 1}},
    {ApiKey::kSaslAuthenticate, {0, 1}},
    {ApiKey::kCreatePartitions, {0, 1}},
    {ApiKey::kDeleteGroups, {0, 1}},
    {ApiKey::kElectLeaders, {0, 2}},
    {ApiKey::kIncrementalAlterConfigs, {0, 1}},
    {ApiKey::kAlterPartitionReassignments, {0, 0}},
    {ApiKey::kListPartitionReassignments, {0, 0}},
    {ApiKey::kDescribeCluster, {0, 0}},
};

}  // namespace

std::span<const ServedApi> ServableApis() { return kServable; }

const ServedApi* FindServableApi(int16_t api_key) {
  for (const ServedApi& api : kServable) {
    if (static_cast<int16_t>(api.key) == api_key) return &api;
  }
  return nullptr;
}

ServedVersions ServedVersions::All() {
  ServedVersions v;
  for (const ServedApi& api : kServable) v.Enable(api.key);
  return v;
}

bool ServedVersions::Enable(ApiKey key) {
  auto k = static_cast<int16_t>(key);
  if (FindServableApi(k) == nullptr || k < 0 || static_cast<size_t>(k) >= kMaxKeys) return false;
  enabled_.set(static_cast<size_t>(k));
  return true;
}

void ServedVersions::Disable(ApiKey key) {
  auto k = static_cast<int16_t>(key);
  if (k >= 0 && static_cast<size_t>(k) < kMaxKeys) enabled_.reset(static_cast<size_t>(k));
}

const VersionRange* ServedVersions::Find(int16_t api_key) const {
  if (api_key < 0 || static_cast<size_t>(api_key) >= kMaxKeys) return nullptr;
  if (!enabled_.test(static_cast<size_t>(api_key))) return nullptr;
  const ServedApi* api = FindServableApi(api_key);
  return api == nullptr ? nullptr : &api->versions;
}

std::vector<ServedApi> ServedVersions::List() const {
  std::vector<ServedApi> out;
  for (const ServedApi& api : kServable) {
    if (Find(static_cast<int16_t>(api.key)) != nullptr) out.push_back(api);
  }
  return out;
}

std::vector<ApiVersionsResponse::ApiVersion> ServedVersions::ToApiVersions() const {
  std::vector<ApiVersionsResponse::ApiVersion> out;
  for (const ServedApi& api : List()) {
    ApiVersionsResponse::ApiVersion v;
    v.api_key = static_cast<int16_t>(api.key);
    v.min_version = api.versions.min;
    v.max_version = api.versions.max;
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace sluice::protocol
