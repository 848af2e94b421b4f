#pragma once
// CRC-32C (Castagnoli), the checksum of Kafka record batch v2 (README §2): reflected polynomial
// 0x82F63B78, init and final xor 0xFFFFFFFF; Crc32c("123456789") == 0xE3069283.
//
// Uses the SSE4.2 `crc32` instruction when the CPU has it (checked once at runtime), otherwise a
// portable slicing-by-8 table. Thread-safe, no state beyond constant tables.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace sluice::protocol {

namespace crc32c {
// Extends a finished CRC-32C `crc` (as returned by Crc32c/Extend; 0 for "no bytes yet") by `n`
// more bytes: Extend(Crc32c(a), b) == Crc32c(a + b).
uint32_t Extend(uint32_t crc, const void* data, size_t n);
}  // namespace crc32c

inline uint32_t Crc32c(const void* data, size_t n) { return crc32c::Extend(0, data, n); }
inline uint32_t Crc32c(std::string_view s) { return Crc32c(s.data(), s.size()); }

namespace crc32c_internal {
// Both implementations, exposed so tests can check hardware == software.
uint32_t ExtendPortable(uint32_t crc, const void* data, size_t n);
// Only call when HasHardware().
uint32_t ExtendHardware(uint32_t crc, const void* data, size_t n);
bool HasHardware();
}  // namespace crc32c_internal

}  // namespace sluice::protocol
