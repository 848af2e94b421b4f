#include "broker/zk_admin.h"

#include <glog/logging.h>

namespace sluice::broker {

using coordinator::AdminError;
using protocol::ErrorCode;

ErrorCode ToErrorCode(AdminError e) {
  switch (e) {
    case AdminError::kNone: return ErrorCode::kNone;
    case AdminError::kTopicAlreadyExists: return ErrorCode::kTopicAlreadyExists;
    case AdminError::kInvalidPartitions: return ErrorCode::kInvalidPartitions;
    case AdminError::kInvalidReplicationFactor: return ErrorCode::kInvalidReplicationFactor;
    case AdminError::kInvalidReplicaAssignment: return ErrorCode::kInvalidReplicaAssignment;
    case AdminError::kInvalidTopic: return ErrorCode::kInvalidTopicException;
    case AdminError::kInvalidConfig: return ErrorCode::kInvalidConfig;
    case AdminError::kInvalidRequest: return ErrorCode::kInvalidRequest;
    case AdminError::kUnknownTopic: return ErrorCode::kUnknownTopicOrPartition;
    case AdminError::kElectionNotNeeded: return ErrorCode::kElectionNotNeeded;
    case AdminError::kPreferredLeaderNotAvailable: return ErrorCode::kPreferredLeaderNotAvailable;
    case AdminError::kTopicDeletionInProgress: return ErrorCode::kNone;  // Kafka: success
    case AdminError::kNotController: return ErrorCode::kNotController;
    case AdminError::kUnavailable: return ErrorCode::kRequestTimedOut;
    case AdminError::kUnknown: return ErrorCode::kUnknownServerError;
  }
  return ErrorCode::kUnknownServerError;
}

namespace {
AdminResult Convert(const coordinator::AdminResult& r) {
  if (r.ok()) return {};
  ErrorCode code = ToErrorCode(r.error);
  if (code == ErrorCode::kNone) return {};
  return {code, r.message()};
}
}  // namespace

void ZkAdminClient::CreateTopic(const TopicSpec& spec, bool validate_only, AdminDone done) {
  coordinator::NewTopic topic;
  topic.name = spec.name;
  topic.configs = spec.configs;
  if (spec.assignment.empty()) {
    topic.partitions = spec.num_partitions;
    topic.replication_factor = spec.replication_factor;
  } else {
    topic.partitions = -1;
    topic.replication_factor = -1;
    for (const auto& [p, replicas] : spec.assignment) {
      auto& list = topic.assignment[p];
      for (int32_t r : replicas) list.push_back(BrokerId(r));
    }
  }
  admin_->CreateTopic(topic, validate_only, [done = std::move(done)](coordinator::CreatedTopic c) {
    done(Convert(c.result));
  });
}

void ZkAdminClient::DeleteTopic(const std::string& name, AdminDone done) {
  admin_->DeleteTopic(name, [done = std::move(done)](coordinator::AdminResult r) {
    done(Convert(r));
  });
}

void ZkAdminClient::ReadTopicConfig(const std::string& topic, TopicConfigDone done) {
  admin_->ReadTopicConfig(topic, [done = std::move(done)](Result<coordinator::ConfigMap> r) {
    if (r.ok()) return done({}, std::move(r).value());
    ErrorCode code = r.status().code() == Errc::kNotFound ? ErrorCode::kUnknownTopicOrPartition
                     : r.status().code() == Errc::kUnavailable ? ErrorCode::kRequestTimedOut
                                                               : ErrorCode::kUnknownServerError;
    done({code, r.status().message()}, {});
  });
}

void ZkAdminClient::AlterTopicConfig(const std::string& topic, const TopicConfigMap& configs,
                                     bool validate_only, AdminDone done) {
  admin_->AlterTopicConfig(topic, configs, validate_only,
                           [done = std::move(done)](coordinator::AdminResult r) {
                             done(Convert(r));
                           });
}

void ZkAdminClient::CreatePartitions(const PartitionsSpec& spec, bool validate_only,
                                     AdminDone done) {
  coordinator::NewPartitions request;
  request.topic = spec.topic;
  request.total = spec.total;
  for (const auto& replicas : spec.assignment) {
    auto& list = request.assignment.emplace_back();
    for (int32_t r : replicas) list.push_back(BrokerId(r));
  }
  admin_->AddPartitions(request, validate_only,
                        [done = std::move(done)](coordinator::AddedPartitions a) {
                          done(Convert(a.result));
                        });
}

}  // namespace sluice::broker
