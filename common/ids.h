#pragma once
// Strong ids and positions (STYLE.md §6): an epoch passed as an offset does not compile.

#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

namespace sluice {

template <typename T, typename Tag>
class StrongId {
 public:
  using value_type = T;
  constexpr StrongId() = default;
  constexpr explicit StrongId(T v) : v_(v) {}
  constexpr T value() const { return v_; }
  constexpr auto operator<=>(const StrongId&) const = default;
  friend std::ostream& operator<<(std::ostream& os, const StrongId& id) { return os << id.v_; }

 private:
  T v_{};
};

using BrokerId = StrongId<int32_t, struct BrokerIdTag>;
using PartitionId = StrongId<int32_t, struct PartitionIdTag>;
using Offset = StrongId<int64_t, struct OffsetTag>;
using LeaderEpoch = StrongId<int32_t, struct LeaderEpochTag>;
using ControllerEpoch = StrongId<int32_t, struct ControllerEpochTag>;
using ZkVersion = StrongId<int32_t, struct ZkVersionTag>;

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
  std::string ToString() const { return topic + "-" + std::to_string(partition); }
};

}  // namespace sluice

template <typename T, typename Tag>
struct std::hash<sluice::StrongId<T, Tag>> {
  size_t operator()(const sluice::StrongId<T, Tag>& id) const { return std::hash<T>()(id.value()); }
};
template <>
struct std::hash<sluice::TopicPartition> {
  size_t operator()(const sluice::TopicPartition& tp) const {
    return std::hash<std::string>()(tp.topic) * 31 + static_cast<size_t>(tp.partition);
  }
};
