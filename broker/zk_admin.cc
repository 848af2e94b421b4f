#include "broker/zk_admin.h"

#include <glog/logging.h>

#include <cstdlib>

#include "coordinator/assignment.h"
#include "coordinator/znodes.h"

namespace sluice::broker {

using coordinator::AdminError;
using coordinator::ZkErrc;
using protocol::ErrorCode;

namespace {

// The one switch from coordinator's AdminError to the wire (STYLE.md §3).
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
    case AdminError::kTopicDeletionInProgress: return ErrorCode::kNone;
    case AdminError::kNotController: return ErrorCode::kNotController;
    case AdminError::kUnavailable: return ErrorCode::kRequestTimedOut;
    case AdminError::kUnknown: return ErrorCode::kUnknownServerError;
  }
  return ErrorCode::kUnknownServerError;
}

AdminResult ZkFailure(ZkErrc err, const std::string& what) {
  if (err == ZkErrc::kConnectionLoss || err == ZkErrc::kSessionExpired ||
      err == ZkErrc::kClosing) {
    return {ErrorCode::kRequestTimedOut, "ZooKeeper unavailable during " + what};
  }
  return {ErrorCode::kUnknownServerError,
          what + " failed: " + coordinator::ZkErrcName(err)};
}

}  // namespace

void ZkAdminClient::CreateTopic(const TopicSpec& spec, bool validate_only, AdminDone done) {
  zk_->GetChildren(coordinator::kBrokerIdsPath, [this, spec, validate_only,
                                                 done = std::move(done)](
                                                    coordinator::ZkChildren ids) {
    if (ids.err != ZkErrc::kOk) return done(ZkFailure(ids.err, "listing brokers"));
    std::vector<BrokerId> brokers;
    for (const auto& c : ids.children) brokers.push_back(BrokerId(std::atoi(c.c_str())));
    coordinator::PartitionAssignment assignment;
    AdminError error = AdminError::kNone;
    if (!spec.assignment.empty()) {
      for (const auto& [p, replicas] : spec.assignment) {
        auto& list = assignment[p];
        for (int32_t r : replicas) list.push_back(BrokerId(r));
      }
      Status s = coordinator::ValidateAssignment(assignment, brokers, &error);
      if (!s.ok()) return done({ToErrorCode(error), s.message()});
    } else {
      coordinator::AssignmentParams params;
      params.partitions = spec.num_partitions;
      params.replication_factor = spec.replication_factor;
      params.brokers = brokers;
      auto assigned = coordinator::AssignReplicasRackUnaware(params, &rng_, &error);
      if (!assigned.ok()) return done({ToErrorCode(error), assigned.status().message()});
      assignment = std::move(assigned).value();
    }
    // Existence is checked by the multi-op itself (NODEEXISTS); validate_only checks it here.
    zk_->Exists(coordinator::TopicPath(spec.name), [this, spec, validate_only, assignment,
                                                    done](coordinator::ZkRead read) {
      if (read.err == ZkErrc::kOk) {
        return done({ErrorCode::kTopicAlreadyExists, "topic '" + spec.name + "' already exists"});
      }
      if (read.err != ZkErrc::kNoNode) return done(ZkFailure(read.err, "checking topic"));
      if (validate_only) return done({});
      coordinator::TopicAssignment ta;
      ta.partitions = assignment;
      ta.topic_id = coordinator::RandomKafkaId();
      std::vector<coordinator::ZkOp> ops;
      ops.push_back(coordinator::ZkOp::Create(coordinator::ConfigTopicPath(spec.name),
                                              coordinator::ConfigEntityZNode::Encode(spec.configs)));
      ops.push_back(coordinator::ZkOp::Create(coordinator::TopicPath(spec.name),
                                              coordinator::TopicZNode::Encode(ta)));
      std::string name = spec.name;
      zk_->Multi(std::move(ops), [name, done](coordinator::ZkMultiResult r) {
        if (r.err == ZkErrc::kOk) {
          LOG(INFO) << "topic_znodes_created topic=" << name;
          return done({});
        }
        if (r.err == ZkErrc::kNodeExists) {
          return done({ErrorCode::kTopicAlreadyExists, "topic '" + name + "' already exists"});
        }
        done(ZkFailure(r.err, "creating topic znodes"));
      });
    });
  });
}

void ZkAdminClient::DeleteTopic(const std::string& name, AdminDone done) {
  zk_->Exists(coordinator::TopicPath(name), [this, name,
                                             done = std::move(done)](coordinator::ZkRead read) {
    if (read.err == ZkErrc::kNoNode) {
      return done({ErrorCode::kUnknownTopicOrPartition, "unknown topic " + name});
    }
    if (read.err != ZkErrc::kOk) return done(ZkFailure(read.err, "checking topic"));
    zk_->Create(coordinator::DeleteTopicPath(name), "", coordinator::CreateMode::kPersistent,
                [name, done](coordinator::ZkCreated c) {
                  if (c.err == ZkErrc::kOk || c.err == ZkErrc::kNodeExists) return done({});
                  done(ZkFailure(c.err, "queueing topic deletion"));
                });
  });
}

}  // namespace sluice::broker
