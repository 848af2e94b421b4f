#include "client/latency.h"

#include <algorithm>
#include <cmath>

namespace sluice::client {

void LatencyRecorder::Add(int64_t micros) {
  if (!all_.empty() && micros < all_.back()) sorted_ = false;
  all_.push_back(micros);
  sum_ += micros;
  max_ = std::max(max_, micros);
  ++window_count_;
  window_sum_ += micros;
  window_max_ = std::max(window_max_, micros);
}

LatencyRecorder::Window LatencyRecorder::TakeWindow() {
  Window w;
  w.count = window_count_;
  if (window_count_ > 0) {
    w.avg_ms = static_cast<double>(window_sum_) / static_cast<double>(window_count_) / 1000.0;
  }
  w.max_ms = static_cast<double>(window_max_) / 1000.0;
  window_count_ = window_sum_ = window_max_ = 0;
  return w;
}

double LatencyRecorder::AvgMs() const {
  if (all_.empty()) return 0;
  return static_cast<double>(sum_) / static_cast<double>(all_.size()) / 1000.0;
}

double LatencyRecorder::MaxMs() const { return static_cast<double>(max_) / 1000.0; }

double LatencyRecorder::PercentileMs(double p) {
  if (all_.empty()) return 0;
  if (!sorted_) {
    std::sort(all_.begin(), all_.end());
    sorted_ = true;
  }
  // The epsilon keeps 99.9% of 1000 at rank 999 despite binary floating point.
  double rank = std::ceil(p / 100.0 * static_cast<double>(all_.size()) - 1e-9);
  size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  index = std::min(index, all_.size() - 1);
  return static_cast<double>(all_[index]) / 1000.0;
}

}  // namespace sluice::client
