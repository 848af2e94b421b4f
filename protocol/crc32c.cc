#include "protocol/crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__) || defined(__i386__)
#include <nmmintrin.h>
#define SLUICE_CRC32C_X86 1
#endif

// Why our own: Debian 12 has no libcrc32c package (Kafka uses java.util.zip.CRC32C, librdkafka
// vendors its own crc32c.c), and zlib only does the other CRC-32 polynomial. The portable path is
// slicing-by-8 (Intel's "Slicing-by-8", as in leveldb/crc32c); the fast path is the SSE4.2 crc32
// instruction, which computes exactly CRC-32C, 8 bytes per instruction.

namespace sluice::protocol {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ ((c & 1u) ? kPoly : 0u);
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFFu];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

inline uint64_t LoadLe64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

#ifdef SLUICE_CRC32C_X86
bool DetectHardware() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2");
}
const bool kHasHardware = DetectHardware();
#endif

}  // namespace

namespace crc32c_internal {

uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint32_t c = ~crc;
  // Byte-wise until 8-byte aligned, so the 8-byte loads below are aligned (cheap either way).
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7u) != 0) {
    c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xFFu];
    --n;
  }
  while (n >= 8) {
    uint64_t w = LoadLe64(p) ^ c;
    c = kTables[7][w & 0xFF] ^ kTables[6][(w >> 8) & 0xFF] ^ kTables[5][(w >> 16) & 0xFF] ^
        kTables[4][(w >> 24) & 0xFF] ^ kTables[3][(w >> 32) & 0xFF] ^
        kTables[2][(w >> 40) & 0xFF] ^ kTables[1][(w >> 48) & 0xFF] ^ kTables[0][w >> 56];
    p += 8;
    n -= 8;
  }
  while (n > 0) {
    c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xFFu];
    --n;
  }
  return ~c;
}

#ifdef SLUICE_CRC32C_X86
__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const void* data,
                                                          size_t n) {
  const auto* p = static_cast<const uint8_t*>(data);
  uint64_t c = ~crc;
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7u) != 0) {
    c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
    --n;
  }
#if defined(__x86_64__)
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, sizeof(w));
    c = _mm_crc32_u64(c, w);
    p += 8;
    n -= 8;
  }
#endif
  while (n >= 4) {
    uint32_t w;
    std::memcpy(&w, p, sizeof(w));
    c = _mm_crc32_u32(static_cast<uint32_t>(c), w);
    p += 4;
    n -= 4;
  }
  while (n > 0) {
    c = _mm_crc32_u8(static_cast<uint32_t>(c), *p++);
    --n;
  }
  return ~static_cast<uint32_t>(c);
}

bool HasHardware() { return kHasHardware; }
#else
uint32_t ExtendHardware(uint32_t crc, const void* data, size_t n) {
  return ExtendPortable(crc, data, n);
}
bool HasHardware() { return false; }
#endif

}  // namespace crc32c_internal

namespace crc32c {

uint32_t Extend(uint32_t crc, const void* data, size_t n) {
#ifdef SLUICE_CRC32C_X86
  if (kHasHardware) return crc32c_internal::ExtendHardware(crc, data, n);
#endif
  return crc32c_internal::ExtendPortable(crc, data, n);
}

}  // namespace crc32c
}  // namespace sluice::protocol
