#pragma once
// Kafka's record batch compression codecs (README §2): the whole records section of a v2 batch
// (bytes 61..end) is one compressed block.
//
//   gzip   RFC 1952 stream (zlib); concatenated members accepted
//   snappy raw snappy (librdkafka) or snappy-java/xerial framing (Java client); both decoded,
//          raw written
//   lz4    LZ4 frame format (magic 04 22 4D 18), 64 KiB independent blocks when written
//   zstd   zstd frame(s); streamed, so frames without a content size decode too
//
// Stateless free functions, safe from any thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace sluice::protocol {

// Attribute bits 0-2 of a v2 batch.
enum class Compression : uint8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

const char* CompressionName(Compression c);

// Default bomb guard for decompressing one batch: Kafka's default message.max.bytes is ~1 MiB and
// fetch.max.bytes 50 MiB; nothing legitimate inflates one batch past this.
inline constexpr size_t kDefaultMaxDecompressedBytes = size_t{256} << 20;

// Decompresses `n` bytes. Output larger than `max_out` fails with Errc::kTooLarge (checked while
// inflating, so a bomb costs at most max_out bytes of memory); malformed input fails with
// Errc::kCorruption. kNone copies.
Result<std::string> Decompress(Compression codec, const uint8_t* data, size_t n,
                               size_t max_out = kDefaultMaxDecompressedBytes);

// Compresses as Kafka clients do (see the table above). Errors only on library failure.
Result<std::string> Compress(Compression codec, std::string_view input);

}  // namespace sluice::protocol
