#pragma once
// Minimal, bounds-checked view of a record batch v2 header (README §2): what the log needs to
// place, index and verify batches without decoding records. Pure functions, any thread.

#include <cstddef>
#include <cstdint>

#include "common/status.h"

namespace sluice::storage {

inline constexpr size_t kBatchHeaderSize = 61;    // RECORD_BATCH_OVERHEAD
inline constexpr size_t kBatchLengthPrefix = 12;  // baseOffset + batchLength
inline constexpr size_t kBatchCrcStart = 21;      // CRC-32C covers [21, end)

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;  // bytes after the length field
  int32_t partition_leader_epoch = 0;
  int8_t magic = 0;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = 0;
  int64_t max_timestamp = 0;
  int32_t record_count = 0;

  int64_t last_offset() const { return base_offset + last_offset_delta; }
  int64_t size_bytes() const { return kBatchLengthPrefix + static_cast<int64_t>(batch_length); }
};

inline int64_t LoadBe64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return static_cast<int64_t>(v);
}
inline int32_t LoadBe32(const uint8_t* p) {
  return static_cast<int32_t>((uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) |
                              (uint32_t{p[2]} << 8) | uint32_t{p[3]});
}
inline void StoreBe64(uint8_t* p, int64_t v) {
  uint64_t u = static_cast<uint64_t>(v);
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(u);
    u >>= 8;
  }
}
inline void StoreBe32(uint8_t* p, int32_t v) {
  uint32_t u = static_cast<uint32_t>(v);
  p[0] = static_cast<uint8_t>(u >> 24);
  p[1] = static_cast<uint8_t>(u >> 16);
  p[2] = static_cast<uint8_t>(u >> 8);
  p[3] = static_cast<uint8_t>(u);
}

// Parses the 61-byte header at `p` (n bytes available, n >= 61 required). Checks sanity only:
// magic 2, batchLength covers the header, lastOffsetDelta >= 0. Does not require the body.
Result<BatchHeader> ParseBatchHeader(const uint8_t* p, size_t n);

// CRC-32C of bytes [21, size) of the whole batch at `p` (what the header's crc field must hold).
uint32_t ComputeBatchCrc(const uint8_t* p, size_t size);

// True when the stored CRC-32C matches bytes [21, size) of the whole batch at `p`.
bool BatchCrcMatches(const uint8_t* p, size_t size);

}  // namespace sluice::storage
