#pragma once
// Prometheus text exposition format 0.0.4: the writer every metric goes through (one family at a
// time: HELP and TYPE lines, then its samples), and a fixed-bucket histogram. Plain values, no
// threads: the owner (BrokerMetrics, on the loop thread) serialises access.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::broker {

// Label name/value pairs in the order they are printed.
using Labels = std::vector<std::pair<std::string, std::string>>;

enum class MetricType { kCounter, kGauge, kHistogram };

class Exposition {
 public:
  // Starts a family: "# HELP name help" and "# TYPE name type". Counters' names end in _total
  // (promtool's rule); the caller passes the full name.
  void Family(std::string_view name, std::string_view help, MetricType type);
  // One sample line. `name` is the family name, or for histograms name_bucket/_sum/_count.
  void Sample(std::string_view name, const Labels& labels, double value);
  const std::string& text() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

// Label values: backslash, double quote and newline escaped (the format's only escapes).
std::string EscapeLabelValue(std::string_view v);
// Integers without a decimal point, +Inf/-Inf/NaN spelled as the format wants.
std::string FormatValue(double v);

// Cumulative-bucket histogram with fixed upper bounds (seconds for latencies).
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  // Writes name_bucket{...,le=...}, name_sum and name_count with `labels` (Family() first).
  void Write(Exposition& out, const std::string& name, const Labels& labels) const;
  uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<uint64_t> counts_;  // per bucket, not cumulative; last = +Inf
  uint64_t count_ = 0;
  double sum_ = 0;
};

// Request latency buckets: 0.5 ms .. 10 s.
std::vector<double> LatencyBuckets();

}  // namespace sluice::broker
