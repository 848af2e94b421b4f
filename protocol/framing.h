#pragma once
// Kafka framing (kafka-protocol/README.md §1): int32 big-endian size (not counting itself), then
// `size` bytes of header + body. Frames above socket.request.max.bytes are rejected and the
// connection closed.

#include <cstddef>
#include <cstdint>

#include "common/status.h"
#include "protocol/wire.h"

namespace sluice::protocol {

inline constexpr int32_t kDefaultMaxFrameBytes = 104857600;  // socket.request.max.bytes
inline constexpr size_t kFrameSizePrefix = 4;

struct FrameCheck {
  enum class State { kNeedMore, kFrame, kError };
  State state = State::kNeedMore;
  // kFrame: payload size (the frame occupies kFrameSizePrefix + size bytes of the buffer).
  // kNeedMore: the payload size when the prefix is complete, else -1.
  int32_t size = -1;
  // kNeedMore: total bytes the buffer must hold before the frame is complete.
  size_t needed = kFrameSizePrefix;
  Status error;  // kError: TooLarge naming the size (negative or above the maximum)
};

// Looks at the start of `data` (bytes received so far, size prefix first).
FrameCheck CheckFrame(const uint8_t* data, size_t available,
                      int32_t max_frame_bytes = kDefaultMaxFrameBytes);

// Outgoing frames: reserve the size prefix, write header and body, then patch the size (which
// counts FileRegions too).
inline size_t BeginFrame(WireWriter& out) { return out.ReserveInt32(); }
inline void EndFrame(WireWriter& out, size_t begin) {
  out.PatchInt32(begin, static_cast<int32_t>(out.size() - begin - kFrameSizePrefix));
}

}  // namespace sluice::protocol
