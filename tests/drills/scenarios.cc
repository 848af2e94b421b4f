#include "tests/drills/scenarios.h"

#include <cstdio>
#include <ctime>
#include <map>
#include <random>
#include <thread>

#include "tests/support/test_util.h"

namespace sluice::drills {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string B(int id) { return "b" + std::to_string(id); }

}  // namespace

void DrillContext::Event(const std::string& what, bool fault) {
  const double ms = workload_->NowMs();
  fprintf(stderr, "drill: t=%.1fs %s %s\n", ms / 1000.0, fault ? "FAULT" : "heal ", what.c_str());
  char wall[64];
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const auto frac = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::snprintf(wall, sizeof(wall), "%02d:%02d:%02d.%03d", tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(frac.count()));
  std::lock_guard<std::mutex> lock(mu_);
  events_.push_back({ms, what, fault, wall});
}

std::vector<FaultEvent> DrillContext::events() const {
  std::lock_guard<std::mutex> lock(mu_);
  return events_;
}

void DrillContext::Sleep(double s) {
  std::this_thread::sleep_for(milliseconds(static_cast<int64_t>(s * 1000)));
}

Result<testing::ClusterMetadata> DrillContext::Meta() {
  return testing::FetchMetadata(cluster_->bootstrap(), milliseconds(3000));
}

Result<int> DrillContext::Controller() {
  Result<int> out = Status::NotFound("no controller");
  testing::WaitFor(
      [&] {
        auto md = Meta();
        if (!md.ok() || md.value().controller_id < 0) return false;
        out = md.value().controller_id;
        return true;
      },
      milliseconds(15000), milliseconds(200));
  return out;
}

Result<int> DrillContext::BusiestLeader(bool avoid_controller) {
  SLUICE_ASSIGN_OR_RETURN(testing::ClusterMetadata md, Meta());
  const testing::TopicMeta* t = md.Find(topic_);
  if (t == nullptr) return Status::NotFound("topic " + topic_ + " not in metadata");
  std::map<int, int> led;
  for (const auto& p : t->partitions) {
    if (p.leader >= 0) ++led[p.leader];
  }
  int best = -1;
  for (const auto& [id, n] : led) {
    if (avoid_controller && id == md.controller_id && led.size() > 1) continue;
    if (best < 0 || n > led[best]) best = id;
  }
  if (best < 0) return Status::NotFound("no partition has a leader");
  return best;
}

Status DrillContext::WaitPartitions(bool full_isr, milliseconds deadline) {
  std::string why = "no metadata";
  bool ok = testing::WaitFor(
      [&] {
        auto md = Meta();
        if (!md.ok()) return false;
        const testing::TopicMeta* t = md.value().Find(topic_);
        if (t == nullptr || static_cast<int>(t->partitions.size()) != partitions_) {
          why = "topic missing";
          return false;
        }
        for (const auto& p : t->partitions) {
          if (p.leader < 0) {
            why = "partition " + std::to_string(p.id) + " has no leader";
            return false;
          }
          if (full_isr && p.isrs.size() != p.replicas.size()) {
            why = "partition " + std::to_string(p.id) + " isr " + std::to_string(p.isrs.size()) +
                  "/" + std::to_string(p.replicas.size());
            return false;
          }
        }
        return true;
      },
      deadline, milliseconds(250));
  return ok ? Status::Ok() : Status::TimedOut(why);
}

Status DrillContext::WaitZkServing(milliseconds deadline) {
  bool ok = testing::WaitFor(
      [&] {
        int leaders = 0;
        for (int i = 1; i <= cluster_->options().zookeepers; ++i) {
          std::string m = cluster_->ZkMode(i);
          if (m.empty()) return false;
          leaders += m == "leader";
        }
        return leaders == 1;
      },
      deadline, milliseconds(250));
  return ok ? Status::Ok() : Status::TimedOut("ZooKeeper ensemble not serving");
}

Status DrillContext::HealEverything() {
  SLUICE_RETURN_IF_ERROR(cluster_->Hosts("heal", {}));
  return cluster_->ReviveAll();
}

std::vector<std::string> ScenarioNames() {
  return {"black_friday", "leader_isolated", "controller",      "zookeeper",
          "broker_zk_cut", "leader_cut",     "rolling_restart", "slow", "random"};
}

namespace {

Status BlackFriday(DrillContext& ctx, const ScenarioOptions& o) {
  ctx.Sleep(o.warmup_s);
  SLUICE_ASSIGN_OR_RETURN(int victim, ctx.BusiestLeader(/*avoid_controller=*/false));
  SLUICE_RETURN_IF_ERROR(ctx.cluster().KillBroker(victim));
  ctx.Event("kill -9 " + B(victim), true);
  ctx.Sleep(o.restart_delay_s);
  SLUICE_RETURN_IF_ERROR(ctx.cluster().StartBroker(victim));
  ctx.Event("restart " + B(victim), false);
  // Under the same load, the restarted broker recovers, truncates, catches up and is back in the
  // ISR of every partition it replicates.
  Status rejoined = ctx.WaitPartitions(/*full_isr=*/true, std::chrono::milliseconds(30000));
  if (!rejoined.ok()) {
    return Status::TimedOut("restarted " + B(victim) + " not back in every ISR 30 s after the " +
                            "restart, under load: " + rejoined.ToString());
  }
  ctx.Event(B(victim) + " back in every ISR", false);
  ctx.Sleep(4);
  return Status::Ok();
}

Status LeaderIsolated(DrillContext& ctx, const ScenarioOptions& o) {
  ctx.Sleep(o.warmup_s);
  SLUICE_ASSIGN_OR_RETURN(int victim, ctx.BusiestLeader(/*avoid_controller=*/true));
  SLUICE_RETURN_IF_ERROR(ctx.cluster().Hosts("isolate", {B(victim)}));
  ctx.Event("isolate " + B(victim) + " (leader)", true);
  ctx.Sleep(o.fault_s);
  SLUICE_RETURN_IF_ERROR(ctx.cluster().Hosts("heal", {}));
  ctx.Event("heal", false);
  ctx.Sleep(8);
  return Status::Ok();
}

Status ControllerScenario(DrillContext& ctx, const ScenarioOptions& o) {
  ctx.Sleep(o.warmup_s);
  SLUICE_ASSIGN_OR_RETURN(int c, ctx.Controller());
  SLUICE_RETURN_IF_ERROR(ctx.cluster().Hosts("isolate", {B(c)}));
  ctx.Event("isolate " + B(c) + " (controller)", true);
  ctx.Sleep(o.fault_s);
  SLUICE_RETURN_IF_ERROR(ctx.cluster().Hosts("heal", {}));
  ctx.Event("heal", false);
  SLUICE_RETURN_IF_ERROR(ctx.WaitPartitions(/*full_isr=*/false, milliseconds(30000)));
  ctx.Sleep(4);
  SLUICE_ASSIGN_OR_RETURN(int c2, ctx.Controller());
  SLUICE_RETURN_IF_ERROR(ctx.cluster().PauseBroker(c2));
  ctx.Event("SIGSTOP " + B(c2) + " (controller)", true);
  ctx.Sleep(ctx.cluster().options().session_timeout_ms / 1000.0 + 4);
  SLUICE_RETURN_IF_ERROR(ctx.cluster().ResumeBroker(c2));
  ctx.Event("SIGCONT " + B(c2), false);
  ctx.Sleep(8);
  return Status::Ok();
}

Status ZooKeeperScenario(DrillContext& ctx, const ScenarioOptions& o) {
  NetnsCluster& c = ctx.cluster();
  ctx.Sleep(o.warmup_s);
  int leader = c.ZkLeader();
  if (leader < 0) return Status::Unavailable("no ZooKeeper leader");
  int follower = leader % 3 + 1;
  SLUICE_RETURN_IF_ERROR(c.Hosts("isolate", {c.zk_host(follower)}));
  ctx.Event("isolate " + c.zk_host(follower) + " (follower)", true);
  ctx.Sleep(8);
  SLUICE_RETURN_IF_ERROR(c.Hosts("heal", {}));
  ctx.Event("heal", false);
  SLUICE_RETURN_IF_ERROR(ctx.WaitZkServing(milliseconds(40000)));
  leader = c.ZkLeader();
  SLUICE_RETURN_IF_ERROR(c.Hosts("isolate", {c.zk_host(leader)}));
  ctx.Event("isolate " + c.zk_host(leader) + " (ZooKeeper leader)", true);
  ctx.Sleep(10);
  SLUICE_RETURN_IF_ERROR(c.Hosts("heal", {}));
  ctx.Event("heal", false);
  SLUICE_RETURN_IF_ERROR(ctx.WaitZkServing(milliseconds(40000)));
  SLUICE_RETURN_IF_ERROR(ctx.WaitPartitions(/*full_isr=*/false, milliseconds(30000)));
  leader = c.ZkLeader();
  const int a = leader % 3 + 1, b = a % 3 + 1;  // two servers: the leader survives alone
  SLUICE_RETURN_IF_ERROR(c.Hosts("isolate", {c.zk_host(a)}));
  SLUICE_RETURN_IF_ERROR(c.Hosts("isolate", {c.zk_host(b)}));
  ctx.Event("isolate " + c.zk_host(a) + "+" + c.zk_host(b) + " (quorum lost)", true);
  ctx.Sleep(o.quorum_loss_s);
  SLUICE_RETURN_IF_ERROR(c.Hosts("heal", {}));
  ctx.Event("heal", false);
  SLUICE_RETURN_IF_ERROR(ctx.WaitZkServing(milliseconds(40000)));
  ctx.Sleep(6);
  return Status::Ok();
}

// Cuts `victim` from every ZooKeeper server and, if `brokers_too`, from the other brokers; the
// client still reaches it.
Status CutBroker(DrillContext& ctx, const ScenarioOptions& o, bool brokers_too) {
  NetnsCluster& c = ctx.cluster();
  ctx.Sleep(o.warmup_s);
  SLUICE_ASSIGN_OR_RETURN(int victim, ctx.BusiestLeader(/*avoid_controller=*/true));
  for (int i = 1; i <= c.options().zookeepers; ++i) {
    SLUICE_RETURN_IF_ERROR(c.Hosts("cut", {B(victim), c.zk_host(i)}));
  }
  if (brokers_too) {
    for (int id = 1; id <= c.options().brokers; ++id) {
      if (id != victim) SLUICE_RETURN_IF_ERROR(c.Hosts("cut", {B(victim), B(id)}));
    }
  }
  ctx.Event("cut " + B(victim) + " from ZooKeeper" + (brokers_too ? " and brokers" : ""), true);
  ctx.Sleep(o.fault_s);
  SLUICE_RETURN_IF_ERROR(c.Hosts("heal", {}));
  ctx.Event("heal", false);
  ctx.Sleep(10);
  return Status::Ok();
}

// Latency (no sch_netem here: compose/netns/delay_proxy.py): 100 ms each way on every connection
// to the busiest leader's Kafka port, then on the ZooKeeper leader's client and quorum ports.
Status SlowScenario(DrillContext& ctx, const ScenarioOptions& o) {
  NetnsCluster& c = ctx.cluster();
  ctx.Sleep(o.warmup_s);
  SLUICE_ASSIGN_OR_RETURN(int victim, ctx.BusiestLeader(/*avoid_controller=*/false));
  SLUICE_RETURN_IF_ERROR(c.Hosts("delay", {B(victim), "100", "9092"}));
  ctx.Event("+100 ms each way to " + B(victim) + ":9092 (leader)", true);
  ctx.Sleep(o.fault_s);
  SLUICE_RETURN_IF_ERROR(c.Hosts("heal", {}));
  ctx.Event("heal", false);
  ctx.Sleep(4);
  const int zk = c.ZkLeader();
  if (zk < 1) return Status::Unavailable("no ZooKeeper leader");
  SLUICE_RETURN_IF_ERROR(c.Hosts("delay", {c.zk_host(zk), "100", "2181", "2888"}));
  ctx.Event("+100 ms each way to " + c.zk_host(zk) + ":2181,2888 (ZooKeeper leader)", true);
  ctx.Sleep(o.fault_s);
  SLUICE_RETURN_IF_ERROR(c.Hosts("heal", {}));
  ctx.Event("heal", false);
  ctx.Sleep(6);
  return Status::Ok();
}

Status RollingRestart(DrillContext& ctx, const ScenarioOptions& o) {
  NetnsCluster& c = ctx.cluster();
  ctx.Sleep(o.warmup_s);
  for (int id = 1; id <= c.options().brokers; ++id) {
    ctx.Event("SIGTERM " + B(id), true);
    Result<int> code = c.TerminateBroker(id, milliseconds(30000));
    if (!code.ok()) return code.status();
    if (code.value() != 0) {
      ctx.Event(B(id) + " exited with " + std::to_string(code.value()), true);
    }
    SLUICE_RETURN_IF_ERROR(c.StartBroker(id));
    SLUICE_RETURN_IF_ERROR(c.WaitBrokerListed(id, milliseconds(30000)));
    SLUICE_RETURN_IF_ERROR(ctx.WaitPartitions(/*full_isr=*/true, milliseconds(40000)));
    ctx.Event(B(id) + " back, ISR full", false);
    ctx.Sleep(2);
  }
  ctx.Sleep(4);
  return Status::Ok();
}

// Seeded: the same seed replays the same faults at the same times (from the same start).
Status Random(DrillContext& ctx, const ScenarioOptions& o) {
  NetnsCluster& c = ctx.cluster();
  std::mt19937_64 rng(o.seed);
  auto uniform = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  const int nb = c.options().brokers, nz = c.options().zookeepers;
  const double slot = static_cast<double>(o.random_total_s) / o.random_faults;
  ctx.Sleep(o.warmup_s);
  for (int k = 0; k < o.random_faults; ++k) {
    const double hold = std::min(slot - 3.0, static_cast<double>(uniform(5, 12)));
    const int b = uniform(1, nb), z = uniform(1, nz);
    int b2 = uniform(1, nb - 1);
    if (b2 >= b) ++b2;
    switch (uniform(0, 6)) {
      case 0:
        SLUICE_RETURN_IF_ERROR(c.KillBroker(b));
        ctx.Event("kill -9 " + B(b), true);
        ctx.Sleep(hold);
        SLUICE_RETURN_IF_ERROR(c.StartBroker(b));
        ctx.Event("restart " + B(b), false);
        break;
      case 1:
        SLUICE_RETURN_IF_ERROR(c.Hosts("isolate", {B(b)}));
        ctx.Event("isolate " + B(b), true);
        break;
      case 2:
        for (int i = 1; i <= nz; ++i) SLUICE_RETURN_IF_ERROR(c.Hosts("cut", {B(b), c.zk_host(i)}));
        ctx.Event("cut " + B(b) + " from ZooKeeper", true);
        break;
      case 3:
        SLUICE_RETURN_IF_ERROR(c.PauseBroker(b));
        ctx.Event("SIGSTOP " + B(b), true);
        ctx.Sleep(hold);
        SLUICE_RETURN_IF_ERROR(c.ResumeBroker(b));
        ctx.Event("SIGCONT " + B(b), false);
        break;
      case 4:
        SLUICE_RETURN_IF_ERROR(c.Hosts("isolate", {c.zk_host(z)}));
        ctx.Event("isolate " + c.zk_host(z), true);
        break;
      case 5:
        SLUICE_RETURN_IF_ERROR(c.Hosts("loss", {B(b), "20"}));
        ctx.Event("20% loss " + B(b), true);
        break;
      default:
        SLUICE_RETURN_IF_ERROR(c.Hosts("cut", {B(b), B(b2), "oneway"}));
        ctx.Event("cut " + B(b) + "->" + B(b2) + " one way", true);
        break;
    }
    if (ctx.events().back().fault) {
      ctx.Sleep(hold);
      SLUICE_RETURN_IF_ERROR(c.Hosts("heal", {}));
      ctx.Event("heal", false);
    }
    ctx.Sleep(std::max(1.0, slot - hold));
  }
  ctx.Sleep(6);
  return Status::Ok();
}

}  // namespace

Status RunScenario(const std::string& name, DrillContext& ctx, const ScenarioOptions& o) {
  if (name == "black_friday") return BlackFriday(ctx, o);
  if (name == "leader_isolated") return LeaderIsolated(ctx, o);
  if (name == "controller") return ControllerScenario(ctx, o);
  if (name == "zookeeper") return ZooKeeperScenario(ctx, o);
  if (name == "broker_zk_cut") return CutBroker(ctx, o, /*brokers_too=*/false);
  if (name == "leader_cut") return CutBroker(ctx, o, /*brokers_too=*/true);
  if (name == "rolling_restart") return RollingRestart(ctx, o);
  if (name == "slow") return SlowScenario(ctx, o);
  if (name == "random") return Random(ctx, o);
  return Status::InvalidArgument("unknown scenario '" + name + "'");
}

}  // namespace sluice::drills
