#include "tests/drills/report.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace sluice::drills {
namespace {

std::string Fixed(double v, int digits = 1) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.*f", digits, v);
  return buf;
}

void Row(std::ostringstream& out, const std::string& k, const std::string& v,
         const std::string& verdict = "") {
  char buf[256];
  std::snprintf(buf, sizeof(buf), "  %-34s %-22s %s\n", k.c_str(), v.c_str(), verdict.c_str());
  out << buf;
}

std::string Zero(int64_t n) { return n == 0 ? "ok" : "FAIL"; }

}  // namespace

std::string WriteReport(const std::string& out_dir, const ReportInfo& info, const CheckResult& r,
                        const std::vector<FaultEvent>& events) {
  std::filesystem::create_directories(out_dir);
  const std::string stem = out_dir + "/" + info.name;

  nlohmann::json j;
  j["scenario"] = info.scenario;
  j["command"] = info.command;
  j["settings"] = info.settings;
  j["expectation"] = info.expectation;
  j["setup_error"] = info.setup_error;
  j["work_dir"] = info.work_dir;
  j["safe"] = r.safe();
  j["counts"] = {{"sent", r.sent},
                 {"acked", r.acked},
                 {"failed", r.failed},
                 {"unreported", r.unreported},
                 {"read_records", r.read_records},
                 {"foreign_records", r.foreign_records},
                 {"acked_lost", r.acked_lost},
                 {"acked_moved", r.acked_moved},
                 {"unacked_present", r.unacked_present},
                 {"duplicated_messages", r.duplicated_messages},
                 {"duplicate_copies", r.duplicate_copies},
                 {"out_of_order", r.out_of_order},
                 {"retry_reordered", r.retry_reordered},
                 {"replicas_diverged", r.replicas_diverged},
                 {"replicas_lagging", r.replicas_lagging}};
  const GroupCheck& g = r.group;
  j["group"] = {{"checked", g.checked},
                {"consumed_records", g.consumed_records},
                {"commits_acked", g.commits_acked},
                {"commit_failures", g.commit_failures},
                {"committed_reads", g.observations},
                {"rebalances", g.rebalances},
                {"committed_backwards", g.committed_backwards},
                {"acked_commit_lost", g.acked_commit_lost},
                {"acked_not_consumed", g.acked_not_consumed},
                {"caught_up", g.caught_up},
                {"caught_up_note", g.caught_up_note}};
  j["availability"] = {{"max_partition_gap_ms", r.max_partition_gap_ms},
                       {"max_gap_partition", r.max_gap_partition},
                       {"max_gap_start_ms", r.max_gap_start_ms},
                       {"cluster_gap_ms", r.cluster_gap_ms},
                       {"baseline_per_s", r.baseline_per_s},
                       {"min_per_s_after_fault", r.min_per_s_after_fault},
                       {"dip_fraction", r.dip_fraction},
                       {"recovery_s", r.recovery_s}};
  j["timeline"] = {{"acked_per_s", r.timeline.acked_per_s},
                   {"failed_per_s", r.timeline.failed_per_s}};
  nlohmann::json ev = nlohmann::json::array();
  for (const auto& e : events) {
    ev.push_back({{"ms", e.ms}, {"what", e.what}, {"fault", e.fault}, {"utc", e.wall}});
  }
  j["events"] = ev;
  nlohmann::json reps = nlohmann::json::array();
  for (const auto& rc : r.replica_checks) {
    nlohmann::json bytes = nlohmann::json::object();
    for (const auto& [id, n] : rc.bytes_below_hw) bytes[std::to_string(id)] = n;
    reps.push_back({{"partition", rc.partition},
                    {"high_watermark", rc.high_watermark},
                    {"replicas", rc.replicas},
                    {"bytes_below_hw", bytes},
                    {"lagging", rc.lagging},
                    {"diverged", rc.diverged},
                    {"first_divergent_offset", rc.first_divergent_offset},
                    {"note", rc.note}});
  }
  j["replicas"] = reps;
  j["examples"] = r.examples;
  std::ofstream(stem + ".json") << j.dump(1) << "\n";

  std::ostringstream t;
  t << "drill " << info.name << " — scenario " << info.scenario << "\n";
  t << "  command: " << info.command << "\n";
  t << "  settings: " << info.settings << "\n";
  t << "  expectation: " << info.expectation << "\n";
  if (!info.setup_error.empty()) t << "  SETUP/RUN ERROR: " << info.setup_error << "\n";
  t << "  events:\n";
  for (const auto& e : events) t << "    t=" << Fixed(e.ms / 1000.0) << "s  (" << e.wall << " UTC)  " << e.what << "\n";
  t << "\n";
  Row(t, "check", "value", "verdict");
  Row(t, "messages sent", std::to_string(r.sent));
  Row(t, "acknowledged", std::to_string(r.acked));
  Row(t, "failed reports / unreported", std::to_string(r.failed) + " / " + std::to_string(r.unreported));
  Row(t, "records read back", std::to_string(r.read_records));
  Row(t, "acknowledged but lost", std::to_string(r.acked_lost), Zero(r.acked_lost));
  Row(t, "acked offset holds another record", std::to_string(r.acked_moved), Zero(r.acked_moved));
  Row(t, "out of order within a partition", std::to_string(r.out_of_order), Zero(r.out_of_order));
  Row(t, "reordered by a client retry", std::to_string(r.retry_reordered), "info (no idempotence)");
  Row(t, "replicas diverged below HW", std::to_string(r.replicas_diverged), Zero(r.replicas_diverged));
  Row(t, "replicas lagging (shorter than HW)", std::to_string(r.replicas_lagging), "info");
  Row(t, "unacknowledged but present", std::to_string(r.unacked_present), "fine");
  Row(t, "duplicated (retries, no idempotence)",
      std::to_string(r.duplicated_messages) + " (" + std::to_string(r.duplicate_copies) + " copies)", "info");
  if (g.checked) {
    Row(t, "group: records consumed (with redeliveries)", std::to_string(g.consumed_records));
    Row(t, "group: commits acked / failed / rebalances",
        std::to_string(g.commits_acked) + " / " + std::to_string(g.commit_failures) + " / " +
            std::to_string(g.rebalances));
    Row(t, "committed offsets gone backwards", std::to_string(g.committed_backwards),
        Zero(g.committed_backwards));
    Row(t, "acknowledged commits lost", std::to_string(g.acked_commit_lost), Zero(g.acked_commit_lost));
    Row(t, "acknowledged, never consumed by group", std::to_string(g.acked_not_consumed),
        Zero(g.acked_not_consumed));
    Row(t, "group caught up after heal", g.caught_up ? "yes" : "no: " + g.caught_up_note,
        g.caught_up ? "ok" : "FAIL");
  } else {
    Row(t, "committed offsets gone backwards", "n/a", "group not run");
  }
  Row(t, "longest partition without ack", Fixed(r.max_partition_gap_ms / 1000.0, 2) + " s (p" +
      std::to_string(r.max_gap_partition) + ")",
      r.max_partition_gap_ms < 2000 * info.session_timeout_s ? "< 2x session" : "> 2x session");
  Row(t, "longest cluster-wide no ack", Fixed(r.cluster_gap_ms / 1000.0, 2) + " s");
  Row(t, "baseline acks/s before fault", Fixed(r.baseline_per_s, 0));
  Row(t, "min acks/s after fault", Fixed(r.min_per_s_after_fault, 0),
      "dip " + Fixed(100 * r.dip_fraction, 0) + "%" + (r.dip_fraction < 0.5 ? " (<50%)" : " (>=50%)"));
  Row(t, "recovery (to 90% baseline)", r.recovery_s < 0 ? "never" : Fixed(r.recovery_s) + " s",
      r.recovery_s >= 0 && r.recovery_s < 30 ? "< 30 s" : ">= 30 s");
  t << "  VERDICT: " << (r.safe() ? "SAFE" : "UNSAFE") << "\n";
  for (const auto& e : r.examples) t << "    " << e << "\n";
  t << "  throughput (acks/s per second): ";
  for (size_t s = 0; s < r.timeline.acked_per_s.size(); ++s) {
    t << (s ? " " : "") << r.timeline.acked_per_s[s];
  }
  t << "\n";
  const std::string table = t.str();
  std::ofstream(stem + ".txt") << table;

  {
    std::ofstream csv(stem + ".csv");
    csv << "second,acked,failed\n";
    for (size_t s = 0; s < r.timeline.acked_per_s.size(); ++s) {
      csv << s << "," << r.timeline.acked_per_s[s] << "," << r.timeline.failed_per_s[s] << "\n";
    }
  }
  // Plot: gnuplot (Debian gnuplot-nox) when present; the CSV is enough without it.
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) {
    std::ofstream gp(stem + ".gp");
    gp << "set terminal pngcairo size 1000,420 noenhanced\nset output '" << stem << ".png'\n"
       << "set datafile separator ','\nset key top right\nset xlabel 'time (s)'\n"
       << "set ylabel 'acknowledged msgs/s'\nset title 'drill " << info.name << "'\n"
       << "set yrange [0:*]\n";
    int n = 1;
    for (const auto& e : events) {
      gp << "set arrow " << n << " from " << e.ms / 1000.0 << ", graph 0 to " << e.ms / 1000.0
         << ", graph 1 nohead lc rgb '" << (e.fault ? "red" : "dark-green") << "' dt 2\n";
      gp << "set label " << n << " '" << e.what << "' at " << e.ms / 1000.0
         << ", graph " << (0.95 - 0.06 * ((n - 1) % 8)) << " left offset 0.3,0 font ',8' tc rgb '"
         << (e.fault ? "red" : "dark-green") << "'\n";
      ++n;
    }
    gp << "plot '" << stem << ".csv' every ::1 using ($1+0.5):2 with steps lw 2 title 'acked/s', "
       << "'' every ::1 using ($1+0.5):3 with steps lw 1 title 'failed/s'\n";
    gp.close();
    if (std::system(("gnuplot '" + stem + ".gp' 2>/dev/null").c_str()) != 0) {
      std::fprintf(stderr, "drill: gnuplot failed for %s\n", stem.c_str());
    }
  }
  return table;
}

}  // namespace sluice::drills
