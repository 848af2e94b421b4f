#include "protocol/framing.h"

#include <string>

namespace sluice::protocol {

FrameCheck CheckFrame(const uint8_t* data, size_t available, int32_t max_frame_bytes) {
  FrameCheck check;
  if (available < kFrameSizePrefix) return check;
  auto size = static_cast<int32_t>((static_cast<uint32_t>(data[0]) << 24) |
                                   (static_cast<uint32_t>(data[1]) << 16) |
                                   (static_cast<uint32_t>(data[2]) << 8) |
                                   static_cast<uint32_t>(data[3]));
  check.size = size;
  if (size < 0 || size > max_frame_bytes) {
    check.state = FrameCheck::State::kError;
    check.needed = 0;
    check.error = Status::TooLarge("frame size " + std::to_string(size) + " outside [0, " +
                                   std::to_string(max_frame_bytes) + "]");
    return check;
  }
  check.needed = kFrameSizePrefix + static_cast<size_t>(size);
  check.state = available >= check.needed ? FrameCheck::State::kFrame : FrameCheck::State::kNeedMore;
  return check;
}

}  // namespace sluice::protocol
