#include "storage/batch_header.h"

#include <string>

#include "protocol/crc32c.h"

namespace sluice::storage {

Result<BatchHeader> ParseBatchHeader(const uint8_t* p, size_t n) {
  if (n < kBatchHeaderSize) {
    return Status::Corruption("batch header truncated: " + std::to_string(n) + " bytes");
  }
  BatchHeader h;
  h.base_offset = LoadBe64(p);
  h.batch_length = LoadBe32(p + 8);
  h.partition_leader_epoch = LoadBe32(p + 12);
  h.magic = static_cast<int8_t>(p[16]);
  h.crc = static_cast<uint32_t>(LoadBe32(p + 17));
  h.attributes = static_cast<int16_t>((p[21] << 8) | p[22]);
  h.last_offset_delta = LoadBe32(p + 23);
  h.base_timestamp = LoadBe64(p + 27);
  h.max_timestamp = LoadBe64(p + 35);
  h.record_count = LoadBe32(p + 57);
  if (h.magic != 2) return Status::Corruption("batch magic " + std::to_string(h.magic));
  if (h.batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLengthPrefix)) {
    return Status::Corruption("batch length " + std::to_string(h.batch_length));
  }
  if (h.last_offset_delta < 0 || h.base_offset < 0) {
    return Status::Corruption("batch offsets base=" + std::to_string(h.base_offset) +
                              " last_delta=" + std::to_string(h.last_offset_delta));
  }
  return h;
}

uint32_t ComputeBatchCrc(const uint8_t* p, size_t size) {
  return protocol::Crc32c(p + kBatchCrcStart, size - kBatchCrcStart);
}

bool BatchCrcMatches(const uint8_t* p, size_t size) {
  if (size < kBatchHeaderSize) return false;
  uint32_t stored = static_cast<uint32_t>(LoadBe32(p + 17));
  return protocol::Crc32c(p + kBatchCrcStart, size - kBatchCrcStart) == stored;
}

}  // namespace sluice::storage
