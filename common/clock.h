#pragma once
// Clocks: steady for deadlines and lag, wall (ms since epoch) for Kafka timestamps.

#include <chrono>
#include <cstdint>

namespace sluice {

using SteadyClock = std::chrono::steady_clock;
using TimePoint = SteadyClock::time_point;

inline int64_t WallMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}
inline int64_t SteadyMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

}  // namespace sluice
