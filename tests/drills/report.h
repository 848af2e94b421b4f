#pragma once
// Drill reports: <out>/<name>.json (everything), <name>.txt (the human table), <name>.csv (the
// per-second timeline) and <name>.png (msgs/s over time with the faults marked, drawn by gnuplot
// when it is installed: Debian gnuplot-nox).
// Thread: any.

#include <string>
#include <vector>

#include "tests/drills/checker.h"

namespace sluice::drills {

struct ReportInfo {
  std::string name;       // file stem, e.g. "black_friday" or "leader_cut-negative"
  std::string scenario;
  std::string command;    // the command line that made the report
  std::string settings;   // acks, unclean, rate, ...
  std::string expectation;  // "safe" or "unsafe (negative control)"
  std::string work_dir;     // broker and ZooKeeper logs (kept when the verdict is unexpected)
  std::string setup_error;  // non-empty if the drill could not run to the end
  double session_timeout_s = 6;
};

// Returns the human table (also written to <out>/<name>.txt).
std::string WriteReport(const std::string& out_dir, const ReportInfo& info, const CheckResult& r,
                        const std::vector<FaultEvent>& events);

}  // namespace sluice::drills
