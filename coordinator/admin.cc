#include "coordinator/admin.h"

#include <glog/logging.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "coordinator/assignment.h"

namespace sluice::coordinator {
namespace {

// Kafka 3.5 LogConfig topic-level names.
const std::set<std::string>& TopicConfigNames() {
  static const std::set<std::string> kNames = {
      "cleanup.policy",
      "compression.type",
      "delete.retention.ms",
      "file.delete.delay.ms",
      "flush.messages",
      "flush.ms",
      "follower.replication.throttled.replicas",
      "index.interval.bytes",
      "leader.replication.throttled.replicas",
      "local.retention.bytes",
      "local.retention.ms",
      "max.compaction.lag.ms",
      "max.message.bytes",
      "message.downconversion.enable",
      "message.format.version",
      "message.timestamp.difference.max.ms",
      "message.timestamp.type",
      "min.cleanable.dirty.ratio",
      "min.compaction.lag.ms",
      "min.insync.replicas",
      "preallocate",
      "remote.storage.enable",
      "retention.bytes",
      "retention.ms",
      "segment.bytes",
      "segment.index.bytes",
      "segment.jitter.ms",
      "segment.ms",
      "unclean.leader.election.enable",
  };
  return kNames;
}

bool IsLong(const std::string& v) {
  int64_t x;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  return !v.empty() && ec == std::errc() && p == v.data() + v.size();
}

AdminResult FromZk(ZkErrc e, const std::string& what) {
  AdminError a = (e == ZkErrc::kConnectionLoss || e == ZkErrc::kSessionExpired ||
                  e == ZkErrc::kClosing)
                     ? AdminError::kUnavailable
                     : AdminError::kUnknown;
  return AdminResult::Error(a, ZkStatus(e, what));
}

}  // namespace

Status ValidateTopicName(const std::string& name) {
  if (name.empty()) return Status::InvalidArgument("Topic name is illegal, it can't be empty");
  if (name == "." || name == "..") {
    return Status::InvalidArgument("Topic name cannot be \".\" or \"..\"");
  }
  if (name.size() > 249) {
    return Status::InvalidArgument("Topic name is illegal, it can't be longer than 249 characters");
  }
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument("Topic name \"" + name +
                                     "\" is illegal, it contains a character other than ASCII "
                                     "alphanumerics, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

bool IsTopicConfigName(const std::string& name) { return TopicConfigNames().contains(name); }

Status ValidateTopicConfigs(const ConfigMap& configs) {
  for (const auto& [k, v] : configs) {
    if (!TopicConfigNames().contains(k)) {
      return Status::InvalidArgument("Unknown topic config name: " + k);
    }
    const std::string bad = "Invalid value " + v + " for configuration " + k;
    if (k == "cleanup.policy") {
      if (v != "delete" && v != "compact" && v != "compact,delete" && v != "delete,compact") {
        return Status::InvalidArgument(bad + ": String must be one of: compact, delete");
      }
    } else if (k == "unclean.leader.election.enable" || k == "preallocate" ||
               k == "message.downconversion.enable" || k == "remote.storage.enable") {
      if (v != "true" && v != "false") {
        return Status::InvalidArgument(bad + ": Expected value to be either true or false");
      }
    } else if (k == "compression.type") {
      if (v != "uncompressed" && v != "zstd" && v != "lz4" && v != "snappy" && v != "gzip" &&
          v != "producer") {
        return Status::InvalidArgument(
            bad + ": String must be one of: uncompressed, zstd, lz4, snappy, gzip, producer");
      }
    } else if (k == "message.timestamp.type") {
      if (v != "CreateTime" && v != "LogAppendTime") {
        return Status::InvalidArgument(bad + ": String must be one of: CreateTime, LogAppendTime");
      }
    } else if (k == "min.cleanable.dirty.ratio") {
      double d = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      if (v.empty() || ec != std::errc() || p != v.data() + v.size() || d < 0 || d > 1) {
        return Status::InvalidArgument(bad + ": Value must be a number in [0,1]");
      }
    } else if (k == "message.format.version" || k == "leader.replication.throttled.replicas" ||
               k == "follower.replication.throttled.replicas") {
      // Free-form strings.
    } else {
      // Every other topic config is a LONG (or INT) with a lower bound.
      if (!IsLong(v)) return Status::InvalidArgument(bad + ": Not a number of type LONG");
      const int64_t x = std::stoll(v);
      int64_t min = 0;
      if (k == "min.insync.replicas" || k == "segment.ms" || k == "flush.messages") min = 1;
      if (k == "segment.bytes") min = 14;
      if (k == "segment.index.bytes") min = 4;
      if (k == "retention.ms" || k == "retention.bytes") min = -1;
      if (k == "local.retention.ms" || k == "local.retention.bytes") min = -2;
      if (x < min) {
        return Status::InvalidArgument(bad + ": Value must be at least " + std::to_string(min));
      }
    }
  }
  return Status::Ok();
}

Admin::Admin(ZkSession* session) : session_(session), rng_(std::random_device{}()) {}

void Admin::CreateTopic(const NewTopic& topic, bool validate_only,
                        std::function<void(CreatedTopic)> done) {
  auto fail = [&done](AdminError e, Status s) {
    CreatedTopic out;
    out.result = AdminResult::Error(e, std::move(s));
    done(std::move(out));
  };
  if (Status s = ValidateTopicName(topic.name); !s.ok()) {
    return fail(AdminError::kInvalidTopic, s);
  }
  if (Status s = ValidateTopicConfigs(topic.configs); !s.ok()) {
    return fail(AdminError::kInvalidConfig, s);
  }
  if (!topic.assignment.empty() && (topic.partitions != -1 || topic.replication_factor != -1)) {
    return fail(AdminError::kInvalidRequest,
                Status::InvalidArgument("Both numPartitions or replicationFactor and "
                                        "replicasAssignments were set. Both cannot be used at "
                                        "the same time."));
  }
  session_->Exists(TopicPath(topic.name), [this, topic, validate_only, done](ZkRead r) {
    CreatedTopic out;
    if (r.err == ZkErrc::kOk) {
      out.result = AdminResult::Error(
          AdminError::kTopicAlreadyExists,
          Status::AlreadyExists("Topic '" + topic.name + "' already exists."));
      return done(std::move(out));
    }
    if (r.err != ZkErrc::kNoNode) {
      out.result = FromZk(r.err, "exists " + TopicPath(topic.name));
      return done(std::move(out));
    }
    session_->GetChildren(kBrokerIdsPath, [this, topic, validate_only, done](ZkChildren c) {
      CreatedTopic created;
      if (c.err != ZkErrc::kOk) {
        created.result = FromZk(c.err, "children /brokers/ids");
        return done(std::move(created));
      }
      std::vector<BrokerId> brokers;
      for (const std::string& n : c.children) {
        int32_t id;
        auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), id);
        if (ec == std::errc() && p == n.data() + n.size()) brokers.push_back(BrokerId(id));
      }
      std::sort(brokers.begin(), brokers.end());
      AdminError err = AdminError::kNone;
      PartitionAssignment assignment;
      if (!topic.assignment.empty()) {
        Status s = ValidateAssignment(topic.assignment, brokers, &err);
        if (!s.ok()) {
          created.result = AdminResult::Error(err, s);
          return done(std::move(created));
        }
        assignment = topic.assignment;
      } else {
        AssignmentParams params;
        params.partitions = topic.partitions;
        params.replication_factor = topic.replication_factor;
        params.brokers = brokers;
        Result<PartitionAssignment> a = AssignReplicasRackUnaware(params, &rng_, &err);
        if (!a.ok()) {
          created.result = AdminResult::Error(err, a.status());
          return done(std::move(created));
        }
        assignment = std::move(a).value();
      }
      if (validate_only) {
        created.assignment = std::move(assignment);
        return done(std::move(created));
      }
      WriteTopic(topic, std::move(assignment), done);
    });
  });
}

void Admin::WriteTopic(const NewTopic& topic, PartitionAssignment assignment,
                       std::function<void(CreatedTopic)> done) {
  // Config first (even if empty), then the assignment the controller watches for.
  const std::string config_path = ConfigTopicPath(topic.name);
  const std::string config = ConfigEntityZNode::Encode(topic.configs);
  auto write_assignment = [this, topic, assignment, done]() {
    TopicAssignment a;
    a.partitions = assignment;
    a.topic_id = RandomKafkaId();
    session_->Create(TopicPath(topic.name), TopicZNode::Encode(a), CreateMode::kPersistent,
                     [topic, a, done](ZkCreated c) {
                       CreatedTopic out;
                       if (c.err == ZkErrc::kNodeExists) {
                         out.result = AdminResult::Error(
                             AdminError::kTopicAlreadyExists,
                             Status::AlreadyExists("Topic '" + topic.name + "' already exists."));
                       } else if (c.err != ZkErrc::kOk) {
                         out.result = FromZk(c.err, "create " + TopicPath(topic.name));
                       } else {
                         LOG(INFO) << "topic_written topic=" << topic.name
                                   << " partitions=" << a.partitions.size()
                                   << " topic_id=" << a.topic_id;
                         out.topic_id = a.topic_id;
                         out.assignment = a.partitions;
                       }
                       done(std::move(out));
                     });
  };
  session_->Create(config_path, config, CreateMode::kPersistent,
                   [this, config_path, config, write_assignment, done](ZkCreated c) {
                     if (c.err == ZkErrc::kOk) return write_assignment();
                     if (c.err == ZkErrc::kNodeExists) {
                       // Left over from an interrupted create/delete: overwrite.
                       session_->Set(config_path, config, -1,
                                     [write_assignment, config_path, done](ZkWritten w) {
                                       if (w.err == ZkErrc::kOk) return write_assignment();
                                       CreatedTopic out;
                                       out.result = FromZk(w.err, "set " + config_path);
                                       done(std::move(out));
                                     });
                       return;
                     }
                     CreatedTopic out;
                     out.result = FromZk(c.err, "create " + config_path);
                     done(std::move(out));
                   });
}

void Admin::DeleteTopic(const std::string& name, std::function<void(AdminResult)> done) {
  session_->Exists(TopicPath(name), [this, name, done](ZkRead r) {
    if (r.err == ZkErrc::kNoNode) {
      return done(AdminResult::Error(
          AdminError::kUnknownTopic,
          Status::NotFound("This server does not host this topic-partition.")));
    }
    if (r.err != ZkErrc::kOk) return done(FromZk(r.err, "exists " + TopicPath(name)));
    session_->Create(DeleteTopicPath(name), "", CreateMode::kPersistent,
                     [name, done](ZkCreated c) {
                       if (c.err == ZkErrc::kOk || c.err == ZkErrc::kNodeExists) {
                         LOG(INFO) << "topic_deletion_requested topic=" << name;
                         return done(AdminResult::Ok());
                       }
                       done(FromZk(c.err, "create " + DeleteTopicPath(name)));
                     });
  });
}

void Admin::AlterTopicConfig(const std::string& name, const ConfigMap& configs,
                             bool validate_only, std::function<void(AdminResult)> done) {
  if (Status s = ValidateTopicConfigs(configs); !s.ok()) {
    return done(AdminResult::Error(AdminError::kInvalidConfig, s));
  }
  session_->Exists(TopicPath(name), [this, name, configs, validate_only, done](ZkRead r) {
    if (r.err == ZkErrc::kNoNode) {
      return done(AdminResult::Error(AdminError::kUnknownTopic,
                                     Status::NotFound("Topic " + name + " does not exist")));
    }
    if (r.err != ZkErrc::kOk) return done(FromZk(r.err, "exists " + TopicPath(name)));
    if (validate_only) return done(AdminResult::Ok());
    const std::string path = ConfigTopicPath(name);
    const std::string data = ConfigEntityZNode::Encode(configs);
    auto notify = [this, name, done] {
      session_->Create(kConfigChangePrefix,
                       ConfigChangeNotification::Encode("topics/" + name),
                       CreateMode::kPersistentSequential, [name, done](ZkCreated c) {
                         if (c.err != ZkErrc::kOk) {
                           return done(FromZk(c.err, "create config change notification"));
                         }
                         LOG(INFO) << "topic_config_changed topic=" << name;
                         done(AdminResult::Ok());
                       });
    };
    session_->Set(path, data, -1, [this, path, data, notify, done](ZkWritten w) {
      if (w.err == ZkErrc::kOk) return notify();
      if (w.err != ZkErrc::kNoNode) return done(FromZk(w.err, "set " + path));
      session_->Create(path, data, CreateMode::kPersistent, [path, notify, done](ZkCreated c) {
        if (c.err != ZkErrc::kOk) return done(FromZk(c.err, "create " + path));
        notify();
      });
    });
  });
}

Result<PartitionAssignment> PlanNewPartitions(const PartitionAssignment& existing, int32_t total,
                                              const std::vector<ReplicaList>& assignment,
                                              const std::vector<BrokerId>& live_brokers,
                                              std::mt19937_64* rng, AdminError* error) {
  auto fail = [error](AdminError e, std::string message) -> Status {
    if (error != nullptr) *error = e;
    return Status::InvalidArgument(std::move(message));
  };
  if (error != nullptr) *error = AdminError::kNone;
  const int32_t current = static_cast<int32_t>(existing.size());
  if (current == 0) return fail(AdminError::kUnknownTopic, "The topic has no partitions.");
  if (total <= current) {
    return fail(AdminError::kInvalidPartitions,
                total == current ? "Topic already has " + std::to_string(current) + " partitions."
                                 : "Topic currently has " + std::to_string(current) +
                                       " partitions, which is higher than the requested " +
                                       std::to_string(total) + ".");
  }
  const int32_t to_add = total - current;
  const ReplicaList& first = existing.begin()->second;
  const int32_t rf = static_cast<int32_t>(first.size());
  std::vector<BrokerId> brokers = live_brokers;
  std::sort(brokers.begin(), brokers.end());
  if (!assignment.empty()) {
    if (static_cast<int32_t>(assignment.size()) != to_add) {
      return fail(AdminError::kInvalidReplicaAssignment,
                  "Increasing the number of partitions by " + std::to_string(to_add) + " but " +
                      std::to_string(assignment.size()) + " assignments provided.");
    }
    PartitionAssignment renumbered;  // 0-based for ValidateAssignment
    for (size_t i = 0; i < assignment.size(); ++i) {
      renumbered[static_cast<int32_t>(i)] = assignment[i];
    }
    AdminError e = AdminError::kNone;
    if (Status s = ValidateAssignment(renumbered, brokers, &e); !s.ok()) {
      return fail(AdminError::kInvalidReplicaAssignment, s.message());
    }
    if (static_cast<int32_t>(assignment[0].size()) != rf) {
      return fail(AdminError::kInvalidReplicaAssignment,
                  "Inconsistent replication factor between partitions, partition 0 has " +
                      std::to_string(rf) + " while the new partitions have " +
                      std::to_string(assignment[0].size()) + ".");
    }
    PartitionAssignment out;
    for (size_t i = 0; i < assignment.size(); ++i) {
      out[current + static_cast<int32_t>(i)] = assignment[i];
    }
    return out;
  }
  // Kafka: start where partition 0's first replica sits in the sorted broker list.
  int32_t start = 0;
  for (size_t i = 0; i < brokers.size(); ++i) {
    if (brokers[i] >= first.front()) {
      start = static_cast<int32_t>(i);
      break;
    }
  }
  AssignmentParams params;
  params.partitions = to_add;
  params.replication_factor = rf;
  params.brokers = brokers;
  params.fixed_start_index = start;
  params.start_partition_id = current;
  return AssignReplicasRackUnaware(params, rng, error);
}

void Admin::AddPartitions(const NewPartitions& request, bool validate_only,
                          std::function<void(AddedPartitions)> done) {
  auto fail = [done](AdminResult r) {
    AddedPartitions out;
    out.result = std::move(r);
    done(std::move(out));
  };
  const std::string& name = request.topic;
  const std::string path = TopicPath(name);
  session_->Get(path, [this, request, validate_only, done, fail, name, path](ZkRead r) {
    if (r.err == ZkErrc::kNoNode) {
      return fail(AdminResult::Error(AdminError::kUnknownTopic,
                                     Status::NotFound("Topic " + name + " does not exist")));
    }
    if (r.err != ZkErrc::kOk) return fail(FromZk(r.err, "get " + path));
    Result<TopicAssignment> decoded = TopicZNode::Decode(r.data);
    if (!decoded.ok()) {
      return fail(AdminResult::Error(AdminError::kUnknown, decoded.status()));
    }
    const int32_t version = r.stat.version;
    session_->Exists(DeleteTopicPath(name), [this, request, validate_only, done, fail, name, path,
                                             version, topic = std::move(decoded).value()](
                                                ZkRead del) {
      if (del.err == ZkErrc::kOk) {
        return fail(AdminResult::Error(
            AdminError::kInvalidTopic,
            Status::InvalidArgument("The topic " + name + " is queued for deletion.")));
      }
      if (del.err != ZkErrc::kNoNode) return fail(FromZk(del.err, "exists delete marker"));
      session_->GetChildren(kBrokerIdsPath, [this, request, validate_only, done, fail, name,
                                             path, version, topic](ZkChildren c) {
        if (c.err != ZkErrc::kOk) return fail(FromZk(c.err, "children /brokers/ids"));
        std::vector<BrokerId> brokers;
        for (const std::string& n : c.children) {
          int32_t id;
          auto [p, ec] = std::from_chars(n.data(), n.data() + n.size(), id);
          if (ec == std::errc() && p == n.data() + n.size()) brokers.push_back(BrokerId(id));
        }
        AdminError err = AdminError::kNone;
        Result<PartitionAssignment> plan = PlanNewPartitions(
            topic.partitions, request.total, request.assignment, brokers, &rng_, &err);
        if (!plan.ok()) return fail(AdminResult::Error(err, plan.status()));
        AddedPartitions out;
        out.added = std::move(plan).value();
        if (validate_only) return done(std::move(out));
        TopicAssignment grown = topic;
        for (const auto& [p, replicas] : out.added) grown.partitions[p] = replicas;
        session_->Set(path, TopicZNode::Encode(grown), version,
                      [name, done, out = std::move(out), total = request.total](
                          ZkWritten w) mutable {
                        if (w.err == ZkErrc::kBadVersion) {
                          out.result = AdminResult::Error(
                              AdminError::kUnknown,
                              Status::Unavailable("Topic " + name +
                                                  " was modified concurrently; retry"));
                        } else if (w.err != ZkErrc::kOk) {
                          out.result = FromZk(w.err, "set " + TopicPath(name));
                        } else {
                          LOG(INFO) << "partitions_added topic=" << name << " total=" << total;
                        }
                        done(std::move(out));
                      });
      });
    });
  });
}

void Admin::ReadTopicConfig(const std::string& name,
                            std::function<void(Result<ConfigMap>)> done) {
  session_->Exists(TopicPath(name), [this, name, done](ZkRead r) {
    if (r.err == ZkErrc::kNoNode) return done(Status::NotFound("Topic " + name + " does not exist"));
    if (r.err != ZkErrc::kOk) return done(ZkStatus(r.err, "exists " + TopicPath(name)));
    session_->Get(ConfigTopicPath(name), [done](ZkRead c) {
      if (c.err == ZkErrc::kNoNode) return done(ConfigMap{});
      if (c.err != ZkErrc::kOk) return done(ZkStatus(c.err, "get config"));
      done(ConfigEntityZNode::Decode(c.data));
    });
  });
}

}  // namespace sluice::coordinator
