// Controller: preferred leader election (ElectLeaders PREFERRED) and the auto leader rebalance.
#include <glog/logging.h>

#include <algorithm>

#include "coordinator/controller.h"

namespace sluice::coordinator {

void Controller::ElectPreferredLeaders(
    std::vector<TopicPartition> partitions,
    std::function<void(std::map<TopicPartition, AdminResult>)> done) {
  if (!is_controller_) {
    std::map<TopicPartition, AdminResult> out;
    for (const TopicPartition& tp : partitions) {
      out[tp] = AdminResult::Error(AdminError::kNotController, Status::NotLeader("not controller"));
    }
    return done(std::move(out));
  }
  auto reply = std::make_shared<std::function<void(std::map<TopicPartition, AdminResult>)>>(
      std::move(done));
  Enqueue("preferred_election", [this, partitions = std::move(partitions), reply](Done d) {
    DoElectPreferred(partitions, [reply](auto r) { (*reply)(std::move(r)); }, std::move(d));
  });
}

void Controller::DoElectPreferred(
    std::vector<TopicPartition> partitions,
    std::function<void(std::map<TopicPartition, AdminResult>)> reply, Done done) {
  const uint64_t gen = generation_;
  if (partitions.empty()) {
    for (const TopicPartition& tp : AllPartitions()) partitions.push_back(tp);
  }
  auto results = std::make_shared<std::map<TopicPartition, AdminResult>>();
  std::vector<TopicPartition> eligible;
  const std::set<BrokerId> live = LiveIds();
  for (const TopicPartition& tp : partitions) {
    auto t = topics_.find(tp.topic);
    const PartitionCtx* ctx = nullptr;
    if (t != topics_.end() && !t->second.deleting) {
      auto it = t->second.partitions.find(tp.partition);
      if (it != t->second.partitions.end()) ctx = &it->second;
    }
    if (ctx == nullptr || !ctx->state || ctx->replicas.empty()) {
      (*results)[tp] = AdminResult::Error(AdminError::kUnknownTopic,
                                          Status::NotFound("unknown partition " + tp.ToString()));
      continue;
    }
    if (ctx->state->leader == ctx->replicas.front()) {
      (*results)[tp] = AdminResult::Error(
          AdminError::kElectionNotNeeded,
          Status::InvalidArgument("Leader is already the preferred replica"));
      continue;
    }
    if (!ElectPreferredLeader(ctx->replicas, *ctx->state, live)) {
      (*results)[tp] = AdminResult::Error(
          AdminError::kPreferredLeaderNotAvailable,
          Status::Unavailable("Preferred replica is not alive or not in the ISR"));
      continue;
    }
    eligible.push_back(tp);
  }
  Compute compute = [this](const std::string&, int32_t,
                           const PartitionCtx& ctx) -> std::optional<LeaderAndIsr> {
    if (!ctx.state) return std::nullopt;
    return ElectPreferredLeader(ctx.replicas, *ctx.state, LiveIds());
  };
  UpdatePartitions(eligible, compute, 0,
                   [this, gen, eligible, results, reply, done](std::set<TopicPartition> changed) {
                     if (!Current(gen)) return;
                     for (const TopicPartition& tp : eligible) {
                       (*results)[tp] =
                           changed.contains(tp)
                               ? AdminResult::Ok()
                               : AdminResult::Error(AdminError::kPreferredLeaderNotAvailable,
                                                    Status::Unavailable("election failed"));
                     }
                     SendLeaderAndIsr(changed, {}, /*is_new=*/false);
                     if (!changed.empty()) SendUpdateMetadata(LiveIds());
                     reply(std::move(*results));
                     done();
                   });
}

void Controller::ScheduleRebalance(uint64_t gen) {
  if (!options_.auto_leader_rebalance_enable) return;
  session_->RunAfter(options_.leader_imbalance_check_interval, [this, gen, alive = alive_] {
    if (!*alive || !Current(gen)) return;
    Enqueue("auto_leader_rebalance", [this](Done d) { Rebalance(std::move(d)); });
    ScheduleRebalance(gen);
  });
}

void Controller::Rebalance(Done done) {
  // Kafka's checkAndTriggerAutoLeaderRebalance: per preferred broker, the share of its
  // partitions led elsewhere; above the threshold, elect the preferred leader for them.
  std::map<BrokerId, std::vector<TopicPartition>> preferred, imbalanced;
  for (const auto& [name, t] : topics_) {
    if (t.deleting) continue;
    for (const auto& [p, ctx] : t.partitions) {
      if (!ctx.state || ctx.replicas.empty()) continue;
      BrokerId head = ctx.replicas.front();
      preferred[head].push_back(TopicPartition{name, p});
      if (ctx.state->leader != head) imbalanced[head].push_back(TopicPartition{name, p});
    }
  }
  std::vector<TopicPartition> todo;
  for (const auto& [broker, parts] : imbalanced) {
    if (!live_.contains(broker) || shutting_down_.contains(broker)) continue;
    const double ratio = static_cast<double>(parts.size()) / preferred[broker].size();
    if (ratio * 100 > options_.leader_imbalance_per_broker_percentage) {
      LOG(INFO) << "leader_imbalance broker=" << broker << " imbalanced=" << parts.size()
                << " preferred=" << preferred[broker].size();
      todo.insert(todo.end(), parts.begin(), parts.end());
    }
  }
  if (todo.empty()) return done();
  DoElectPreferred(todo, [](std::map<TopicPartition, AdminResult>) {}, std::move(done));
}

}  // namespace sluice::coordinator
