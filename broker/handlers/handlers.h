#pragma once
// The Kafka APIs this broker serves: one handler per API (one file each in broker/handlers/) and
// the served-versions table that both dispatch and ApiVersions read (STYLE.md §4, README §3).

#include <cstdint>
#include <span>

#include "broker/request_context.h"

namespace sluice::broker {

struct BrokerApi {
  int16_t api_key;
  int16_t min_version;  // from protocol/served_versions.h
  int16_t max_version;
  HandlerFn handler;
};

// Ascending by api key. Only APIs with a handler appear (ApiVersions advertises exactly these),
// each with the range of protocol::ServableApis().
std::span<const BrokerApi> BrokerApis();
const BrokerApi* FindBrokerApi(int16_t api_key);

void HandleApiVersions(BrokerContext& ctx, Request& req, Responder responder);
void HandleMetadata(BrokerContext& ctx, Request& req, Responder responder);
void HandleProduce(BrokerContext& ctx, Request& req, Responder responder);
void HandleFetch(BrokerContext& ctx, Request& req, Responder responder);
void HandleListOffsets(BrokerContext& ctx, Request& req, Responder responder);
void HandleCreateTopics(BrokerContext& ctx, Request& req, Responder responder);
void HandleDeleteTopics(BrokerContext& ctx, Request& req, Responder responder);
// Consumer groups (issue 4; broker/group/).
void HandleFindCoordinator(BrokerContext& ctx, Request& req, Responder responder);
void HandleJoinGroup(BrokerContext& ctx, Request& req, Responder responder);
void HandleSyncGroup(BrokerContext& ctx, Request& req, Responder responder);
void HandleHeartbeat(BrokerContext& ctx, Request& req, Responder responder);
void HandleLeaveGroup(BrokerContext& ctx, Request& req, Responder responder);
void HandleOffsetCommit(BrokerContext& ctx, Request& req, Responder responder);
void HandleOffsetFetch(BrokerContext& ctx, Request& req, Responder responder);
void HandleDescribeGroups(BrokerContext& ctx, Request& req, Responder responder);
void HandleListGroups(BrokerContext& ctx, Request& req, Responder responder);
void HandleDeleteGroups(BrokerContext& ctx, Request& req, Responder responder);
// Config and partition admin (issue 5).
void HandleDescribeConfigs(BrokerContext& ctx, Request& req, Responder responder);
void HandleAlterConfigs(BrokerContext& ctx, Request& req, Responder responder);
void HandleIncrementalAlterConfigs(BrokerContext& ctx, Request& req, Responder responder);
void HandleCreatePartitions(BrokerContext& ctx, Request& req, Responder responder);
// Inter-broker (handlers/inter_broker.cc).
void HandleLeaderAndIsr(BrokerContext& ctx, Request& req, Responder responder);
void HandleUpdateMetadata(BrokerContext& ctx, Request& req, Responder responder);
void HandleStopReplica(BrokerContext& ctx, Request& req, Responder responder);
void HandleControlledShutdown(BrokerContext& ctx, Request& req, Responder responder);
void HandleOffsetForLeaderEpoch(BrokerContext& ctx, Request& req, Responder responder);

// Kafka's legal topic names: 1..249 of [a-zA-Z0-9._-], not "." or "..".
bool IsValidTopicName(const std::string& name);

}  // namespace sluice::broker
