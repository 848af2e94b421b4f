#include "storage/batch_header.h"

#include <string>


namespace sluice::storage {
namespace {

// TODO: switch to protocol/crc32c.h once it lands (one CRC implementation in the tree).
struct Crc32cTable {
  uint32_t t[8][256];
  Crc32cTable() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xff];
    }
  }
};

uint32_t Crc32c(const uint8_t* p, size_t n) {
  static const Crc32cTable table;
  const auto& t = table.t;
  uint32_t c = 0xFFFFFFFFu;
  while (n >= 8) {
    uint32_t lo = c ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 |
                       uint32_t{p[3]} << 24);
    c = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^ t[4][lo >> 24] ^
        t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ t[0][(c ^ *p++) & 0xff];
  return c ^ 0xFFFFFFFFu;
}

}  // namespace

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
  return Crc32c(p + kBatchCrcStart, size - kBatchCrcStart);
}

bool BatchCrcMatches(const uint8_t* p, size_t size) {
  if (size < kBatchHeaderSize) return false;
  uint32_t stored = static_cast<uint32_t>(LoadBe32(p + 17));
  return Crc32c(p + kBatchCrcStart, size - kBatchCrcStart) == stored;
}

}  // namespace sluice::storage
