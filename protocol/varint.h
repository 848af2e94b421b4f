#pragma once
// Small big-endian and zigzag-varint helpers for the record batch v2 code (record_batch.cc,
// record_builder.cc, compression.cc). Readers never read past `end`; they return false instead.
// Kept separate from wire.h so the record-batch code stands alone.

#include <cstdint>
#include <cstring>
#include <string>

namespace sluice::protocol::varint {

inline uint16_t LoadBe16(const uint8_t* p) { return static_cast<uint16_t>((p[0] << 8) | p[1]); }
inline uint32_t LoadBe32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
inline uint64_t LoadBe64(const uint8_t* p) {
  return (uint64_t{LoadBe32(p)} << 32) | uint64_t{LoadBe32(p + 4)};
}
inline void StoreBe16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void StoreBe32(uint8_t* p, uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}
inline void StoreBe64(uint8_t* p, uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<uint8_t>(v);
}

inline void AppendBe16(std::string& out, uint16_t v) {
  uint8_t b[2];
  StoreBe16(b, v);
  out.append(reinterpret_cast<const char*>(b), 2);
}
inline void AppendBe32(std::string& out, uint32_t v) {
  uint8_t b[4];
  StoreBe32(b, v);
  out.append(reinterpret_cast<const char*>(b), 4);
}
inline void AppendBe64(std::string& out, uint64_t v) {
  uint8_t b[8];
  StoreBe64(b, v);
  out.append(reinterpret_cast<const char*>(b), 8);
}

// Unsigned LEB128-style varint of at most `max_bytes` bytes (5 for 32 bits, 10 for 64).
inline bool ReadUnsigned(const uint8_t*& p, const uint8_t* end, int max_bytes, uint64_t* out) {
  uint64_t v = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (p >= end) return false;
    uint8_t b = *p++;
    v |= uint64_t{b & 0x7Fu} << (7 * i);
    if ((b & 0x80u) == 0) {
      *out = v;
      return true;
    }
  }
  return false;  // too long
}

// Zigzag signed varint (int32 range) / varlong (int64), as in Kafka's ByteUtils.readVarint/Varlong.
inline bool ReadVarint(const uint8_t*& p, const uint8_t* end, int32_t* out) {
  uint64_t u;
  if (!ReadUnsigned(p, end, 5, &u) || u > 0xFFFFFFFFu) return false;
  uint32_t z = static_cast<uint32_t>(u);
  *out = static_cast<int32_t>((z >> 1) ^ (~(z & 1u) + 1u));
  return true;
}
inline bool ReadVarlong(const uint8_t*& p, const uint8_t* end, int64_t* out) {
  uint64_t z;
  if (!ReadUnsigned(p, end, 10, &z)) return false;
  *out = static_cast<int64_t>((z >> 1) ^ (~(z & 1u) + 1u));
  return true;
}

inline void AppendUnsigned(std::string& out, uint64_t v) {
  while (v >= 0x80u) {
    out.push_back(static_cast<char>((v & 0x7Fu) | 0x80u));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
inline void AppendVarint(std::string& out, int32_t v) {
  uint32_t z = (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
  AppendUnsigned(out, z);
}
inline void AppendVarlong(std::string& out, int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  AppendUnsigned(out, z);
}
inline size_t UnsignedSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80u) {
    v >>= 7;
    ++n;
  }
  return n;
}
inline size_t VarintSize(int32_t v) {
  return UnsignedSize((static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31));
}

}  // namespace sluice::protocol::varint
