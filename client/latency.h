#pragma once
// Latency samples for `sluice perf`: a window (progress lines) and all samples (percentiles at
// the end). Microseconds. Thread: one (callers lock if librdkafka callbacks add samples).

#include <cstdint>
#include <vector>

namespace sluice::client {

class LatencyRecorder {
 public:
  void Add(int64_t micros);
  // Window since the last TakeWindow(): count, average and max; resets the window.
  struct Window {
    int64_t count = 0;
    double avg_ms = 0;
    double max_ms = 0;
  };
  Window TakeWindow();
  int64_t count() const { return static_cast<int64_t>(all_.size()); }
  double AvgMs() const;
  double MaxMs() const;
  // p in [0, 100]; nearest-rank on all samples; 0 when empty. Sorts lazily.
  double PercentileMs(double p);

 private:
  std::vector<int64_t> all_;
  bool sorted_ = true;
  int64_t sum_ = 0;
  int64_t max_ = 0;
  int64_t window_count_ = 0;
  int64_t window_sum_ = 0;
  int64_t window_max_ = 0;
};

}  // namespace sluice::client
