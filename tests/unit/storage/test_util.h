#pragma once
// Test helpers for storage/: record batch v2 bytes and temp dirs.

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "storage/batch_header.h"

namespace sluice::storage::testing {

inline void PutVarint(std::string* out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out->push_back(static_cast<char>((z & 0x7f) | 0x80));
    z >>= 7;
  }
  out->push_back(static_cast<char>(z));
}

// A valid v2 batch (correct CRC-32C) of `records` records with `value_size`-byte values, all
// stamped `timestamp`.
inline std::string MakeBatch(int records, size_t value_size, int64_t timestamp,
                             int64_t base_offset = 0, int32_t epoch = 0, char fill = 'v') {
  std::string body;
  for (int i = 0; i < records; ++i) {
    std::string rec;
    rec.push_back(0);     // attributes
    PutVarint(&rec, 0);   // timestamp delta
    PutVarint(&rec, i);   // offset delta
    PutVarint(&rec, -1);  // null key
    PutVarint(&rec, static_cast<int64_t>(value_size));
    rec.append(value_size, fill);
    PutVarint(&rec, 0);  // headers
    PutVarint(&body, static_cast<int64_t>(rec.size()));
    body += rec;
  }
  std::string b(kBatchHeaderSize, '\0');
  auto* p = reinterpret_cast<uint8_t*>(b.data());
  StoreBe64(p, base_offset);
  StoreBe32(p + 8, static_cast<int32_t>(kBatchHeaderSize - 12 + body.size()));
  StoreBe32(p + 12, epoch);
  p[16] = 2;
  p[21] = 0;
  p[22] = 0;
  StoreBe32(p + 23, records - 1);
  StoreBe64(p + 27, timestamp);
  StoreBe64(p + 35, timestamp);
  StoreBe64(p + 43, -1);
  p[51] = 0xff;
  p[52] = 0xff;
  StoreBe32(p + 53, -1);
  StoreBe32(p + 57, records);
  b += body;
  p = reinterpret_cast<uint8_t*>(b.data());
  StoreBe32(p + 17, static_cast<int32_t>(ComputeBatchCrc(p, b.size())));
  return b;
}

struct ParsedBatch {
  int64_t base_offset;
  int64_t last_offset;
  int32_t epoch;
  int64_t max_timestamp;
  size_t size;
};

// Whole batches of `bytes` (a trailing partial batch is ignored).
inline std::vector<ParsedBatch> ParseBatches(const std::string& bytes) {
  std::vector<ParsedBatch> out;
  size_t pos = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  while (bytes.size() - pos >= kBatchHeaderSize) {
    size_t size = 12 + static_cast<size_t>(LoadBe32(p + pos + 8));
    if (size > bytes.size() - pos) break;
    out.push_back(ParsedBatch{LoadBe64(p + pos), LoadBe64(p + pos) + LoadBe32(p + pos + 23),
                              LoadBe32(p + pos + 12), LoadBe64(p + pos + 35), size});
    pos += size;
  }
  return out;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "sluice-storage-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace sluice::storage::testing
