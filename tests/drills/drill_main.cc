// sluice_drill: one fault drill end to end. Creates the hosts (compose/netns/hosts.sh), starts 3
// ZooKeeper servers and 3 brokers in their namespaces, creates a 12-partition RF3 topic, runs the
// workload from the client namespace while the scenario injects faults, heals, reads every
// partition back, compares the replicas' logs byte for byte below the high watermark, and writes
// the report. Exit 0 when the verdict is the expected one (safe; or, with --expect_unsafe, losses
// found), 1 when not, 2 when the drill could not run, 77 (skip) when not root.
#include <gflags/gflags.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "tests/drills/checker.h"
#include "tests/drills/group_workload.h"
#include "tests/drills/netns_cluster.h"
#include "tests/drills/report.h"
#include "tests/drills/scenarios.h"
#include "tests/drills/workload.h"
#include "tests/support/kafka_client.h"

DEFINE_string(scenario, "black_friday",
              "black_friday|leader_isolated|controller|zookeeper|broker_zk_cut|leader_cut|"
              "rolling_restart|slow|random");
DEFINE_string(out_dir, "", "where the report goes (default: the run's work dir)");
DEFINE_string(name, "", "report file stem (default: the scenario, plus -negative)");
DEFINE_string(sluiced, "", "sluiced binary (default: compiled-in path)");
DEFINE_string(hosts_script, "", "compose/netns/hosts.sh (default: compiled-in path)");
DEFINE_int32(rate, 10000, "messages per second, all producers");
DEFINE_int32(producers, 2, "producer clients");
DEFINE_int32(restart_delay_s, 20, "black_friday: seconds between kill -9 and restart");
DEFINE_int32(fault_s, 15, "duration of a partition / isolation");
DEFINE_int32(quorum_loss_s, 20, "zookeeper: seconds without a quorum");
DEFINE_int32(random_faults, 10, "random: number of faults");
DEFINE_int32(random_total_s, 180, "random: seconds over which the faults are spread");
DEFINE_uint64(seed, 1, "random: schedule seed");
DEFINE_bool(negative_control, false, "acks=1 and unclean.leader.election.enable=true");
DEFINE_bool(expect_unsafe, false, "succeed only if the checker finds acknowledged losses");
DEFINE_int32(consumers, 2, "consumers in the drill's consumer group (0: no group)");
DEFINE_bool(keep, false, "keep the work dir even when the verdict is the expected one");

namespace sluice::drills {
namespace {

using std::chrono::milliseconds;

std::string RunName() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "d%06x", (rd() ^ static_cast<unsigned>(getpid())) & 0xffffff);
  return buf;
}

int Main(const std::string& command) {
  const std::string run = RunName();
  const std::string work = "/tmp/sluice-drill-" + run;
  ClusterOptions co;
  co.hosts_script = FLAGS_hosts_script.empty() ? SLUICE_HOSTS_SCRIPT : FLAGS_hosts_script;
  co.sluiced = FLAGS_sluiced.empty() ? SLUICED_PATH : FLAGS_sluiced;
  co.work_dir = work;
  co.run = run;
  co.unclean_leader_election = FLAGS_negative_control;
  const std::string acks = FLAGS_negative_control ? "1" : "all";
  const std::string topic = "drill";
  const int partitions = 12;

  ReportInfo info;
  info.scenario = FLAGS_scenario;
  info.name = !FLAGS_name.empty() ? FLAGS_name
                                  : FLAGS_scenario + (FLAGS_negative_control ? "-negative" : "");
  info.command = command;
  info.work_dir = work;
  info.session_timeout_s = co.session_timeout_ms / 1000.0;
  info.settings = "acks=" + acks + " min.insync.replicas=2 unclean.leader.election.enable=" +
                  (FLAGS_negative_control ? "true" : "false") + " rate=" +
                  std::to_string(FLAGS_rate) + "/s producers=" + std::to_string(FLAGS_producers) +
                  " partitions=12 rf=3 zookeeper.session.timeout.ms=" +
                  std::to_string(co.session_timeout_ms) + " replica.lag.time.max.ms=" +
                  std::to_string(co.replica_lag_time_max_ms) + " run=" + run;
  info.expectation = FLAGS_expect_unsafe ? "unsafe: checker must find acknowledged losses"
                                         : "safe: 0 lost, 0 moved, 0 out of order, 0 diverged, 0 committed offsets backwards";
  const std::string out_dir = FLAGS_out_dir.empty() ? work : FLAGS_out_dir;
  fprintf(stderr, "drill: run=%s work=%s scenario=%s %s\n", run.c_str(), work.c_str(),
          FLAGS_scenario.c_str(), info.settings.c_str());

  NetnsCluster cluster(co);
  Status up = cluster.Up(milliseconds(90000));
  if (!up.ok()) {
    fprintf(stderr, "drill: cluster did not come up: %s (logs in %s)\n", up.ToString().c_str(),
            work.c_str());
    return 2;
  }
  Status created = testing::CreateTopic(cluster.bootstrap(), topic, partitions, 3, milliseconds(60000),
                                        {{"min.insync.replicas", "2"},
                                         {"unclean.leader.election.enable",
                                          FLAGS_negative_control ? "true" : "false"}});
  if (!created.ok()) {
    fprintf(stderr, "drill: create topic: %s\n", created.ToString().c_str());
    return 2;
  }
  WorkloadOptions wo;
  wo.bootstrap = cluster.bootstrap();
  wo.topic = topic;
  wo.producers = FLAGS_producers;
  wo.partitions = partitions;
  wo.rate = FLAGS_rate;
  wo.acks = acks;
  Workload workload(wo);
  DrillContext ctx(&cluster, &workload, topic, partitions);
  Status ready = ctx.WaitPartitions(/*full_isr=*/true, milliseconds(60000));
  if (!ready.ok()) {
    fprintf(stderr, "drill: topic not fully replicated: %s\n", ready.ToString().c_str());
    return 2;
  }
  if (Status s = workload.Start(); !s.ok()) {
    fprintf(stderr, "drill: workload: %s\n", s.ToString().c_str());
    return 2;
  }

  GroupOptions go;
  go.bootstrap = cluster.bootstrap();
  go.topic = topic;
  go.consumers = FLAGS_consumers;
  go.partitions = partitions;
  GroupWorkload group(go, &workload);
  if (FLAGS_consumers > 0) {
    if (Status s = group.Start(); !s.ok()) {
      fprintf(stderr, "drill: group: %s\n", s.ToString().c_str());
      return 2;
    }
  }

  ScenarioOptions so;
  so.restart_delay_s = FLAGS_restart_delay_s;
  so.fault_s = FLAGS_fault_s;
  so.quorum_loss_s = FLAGS_quorum_loss_s;
  so.random_faults = FLAGS_random_faults;
  so.random_total_s = FLAGS_random_total_s;
  so.seed = FLAGS_seed;
  Status ran = RunScenario(FLAGS_scenario, ctx, so);
  if (!ran.ok()) {
    info.setup_error = "scenario: " + ran.ToString();
    fprintf(stderr, "drill: scenario stopped early: %s\n", ran.ToString().c_str());
  }
  if (Status s = ctx.HealEverything(); !s.ok()) info.setup_error += " heal: " + s.ToString();
  if (Status s = ctx.WaitPartitions(/*full_isr=*/false, milliseconds(60000)); !s.ok()) {
    info.setup_error += " after heal: " + s.ToString();
  }
  const double send_end_ms = workload.NowMs();
  workload.Stop(milliseconds(60000));
  fprintf(stderr, "drill: t=%.1fs workload stopped, reading every partition\n", send_end_ms / 1000);

  std::map<int32_t, std::vector<ReadRecord>> read;
  auto all = testing::ConsumeAll(cluster.bootstrap(), topic, milliseconds(180000));
  if (!all.ok()) {
    info.setup_error += " full read: " + all.status().ToString();
  } else {
    for (auto& [p, records] : all.value()) {
      auto& out = read[p];
      out.reserve(records.size());
      for (auto& r : records) out.push_back({r.offset, r.value.value_or("")});
    }
  }

  // The group consumes and commits up to the end of every partition, then leaves.
  bool caught_up = false;
  std::string caught_up_note;
  if (FLAGS_consumers > 0 && all.ok()) {
    std::map<int32_t, int64_t> ends;
    for (const auto& [p, recs] : read) ends[p] = recs.empty() ? 0 : recs.back().offset + 1;
    Status s = group.WaitCaughtUp(ends, milliseconds(60000));
    caught_up = s.ok();
    if (!s.ok()) {
      caught_up_note = s.ToString();
      info.setup_error += " group: " + s.ToString();
    }
    fprintf(stderr, "drill: t=%.1fs group %s\n", workload.NowMs() / 1000,
            caught_up ? "caught up" : "did not catch up");
  }
  group.Stop();

  // Quiesce: all replicas back in the ISR, then freeze every broker while its files are read.
  std::vector<ReplicaCheck> replica_checks;
  if (Status s = ctx.WaitPartitions(/*full_isr=*/true, milliseconds(60000)); !s.ok()) {
    info.setup_error += " ISR not full before the replica comparison: " + s.ToString();
  }
  auto md = ctx.Meta();
  if (md.ok() && md.value().Find(topic) != nullptr && all.ok()) {
    Status paused = cluster.PauseAll();
    for (const auto& p : md.value().Find(topic)->partitions) {
      const auto& recs = read[p.id];
      const int64_t hw = recs.empty() ? 0 : recs.back().offset + 1;
      std::map<int32_t, std::string> dirs;
      for (int32_t id : p.replicas) {
        dirs[id] = cluster.broker_log_dir(id) + "/" + topic + "-" + std::to_string(p.id);
      }
      ReplicaCheck rc = CompareReplicas(p.id, hw, dirs);
      rc.isr = p.isrs;
      replica_checks.push_back(std::move(rc));
    }
    if (Status s = cluster.ResumeAll(); !s.ok() || !paused.ok()) info.setup_error += " pause/resume";
  } else {
    info.setup_error += " no metadata for the replica comparison";
  }

  CheckResult result = Check(workload.deliveries(), read, std::move(replica_checks), ctx.events(),
                             send_end_ms, wo.request_timeout_ms);
  if (FLAGS_consumers > 0) {
    CheckGroup(group.TakeHistory(), workload.deliveries(), caught_up, caught_up_note, &result);
  }
  std::string table = WriteReport(out_dir, info, result, ctx.events());
  fputs(table.c_str(), stdout);
  if (!workload.first_error().empty()) {
    fprintf(stdout, "  first failed delivery report: %s\n", workload.first_error().c_str());
  }
  const bool lost = result.acked_lost + result.acked_moved > 0;
  bool expected = FLAGS_expect_unsafe ? lost : (result.safe() && info.setup_error.empty());
  if (FLAGS_expect_unsafe && !all.ok()) expected = false;
  fprintf(stdout, "drill %s: %s (report %s/%s.{json,txt,csv,png})\n", info.name.c_str(),
          expected ? "PASS" : "FAIL", out_dir.c_str(), info.name.c_str());
  cluster.Down();
  if (expected && !FLAGS_keep && out_dir != work) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  } else {
    fprintf(stdout, "drill: logs kept in %s\n", work.c_str());
  }
  return expected ? 0 : 1;
}

}  // namespace
}  // namespace sluice::drills

int main(int argc, char** argv) {
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  gflags::ParseCommandLineFlags(&argc, &argv, /*remove_flags=*/true);
  if (geteuid() != 0) {
    fprintf(stderr, "sluice_drill: needs root (network namespaces, iptables); skipped\n");
    return 77;
  }
  return sluice::drills::Main(command);
}
