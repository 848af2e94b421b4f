#include "protocol/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <array>
#include <cstring>
#include <memory>

#include "protocol/varint.h"

namespace sluice::protocol {
namespace {

constexpr size_t kChunk = 64 * 1024;

// snappy-java (xerial) stream header: magic, then int32 version and int32 compatible version.
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0x00};
constexpr size_t kXerialHeaderSize = 16;

Status TooLarge(Compression codec, size_t max_out) {
  return Status::TooLarge(std::string(CompressionName(codec)) +
                          ": decompressed size exceeds limit of " + std::to_string(max_out) +
                          " bytes");
}
Status Corrupt(Compression codec, const std::string& what) {
  return Status::Corruption(std::string(CompressionName(codec)) + ": " + what);
}

// Appends `n` bytes unless that would pass `max_out`.
bool AppendCapped(std::string& out, const char* p, size_t n, size_t max_out) {
  if (n > max_out - out.size()) return false;  // out.size() <= max_out always holds
  out.append(p, n);
  return true;
}

Result<std::string> GunzipImpl(const uint8_t* data, size_t n, size_t max_out) {
  z_stream zs{};
  // 15 + 32: zlib auto-detects the gzip (RFC 1952) wrapper; also tolerates a zlib wrapper.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Corrupt(Compression::kGzip, "inflateInit2");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  if (n > UINT32_MAX) return Corrupt(Compression::kGzip, "input too large");
  zs.next_in = const_cast<Bytef*>(data);
  zs.avail_in = static_cast<uInt>(n);
  std::string out;
  std::array<char, kChunk> buf;
  for (;;) {
    zs.next_out = reinterpret_cast<Bytef*>(buf.data());
    zs.avail_out = static_cast<uInt>(buf.size());
    int rc = inflate(&zs, Z_NO_FLUSH);
    size_t produced = buf.size() - zs.avail_out;
    if (!AppendCapped(out, buf.data(), produced, max_out)) {
      return TooLarge(Compression::kGzip, max_out);
    }
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      // Another gzip member follows (java.util.zip.GZIPInputStream reads them all).
      if (inflateReset(&zs) != Z_OK) return Corrupt(Compression::kGzip, "inflateReset");
      continue;
    }
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      return Corrupt(Compression::kGzip, "truncated stream");
    }
    if (rc != Z_OK) {
      return Corrupt(Compression::kGzip, zs.msg != nullptr ? zs.msg : "inflate failed");
    }
  }
  return out;
}

Status SnappyRawAppend(const char* p, size_t n, size_t max_out, std::string& out) {
  size_t len = 0;
  // The uncompressed length is a varint prefix an attacker controls: check it before allocating.
  if (!snappy::GetUncompressedLength(p, n, &len)) {
    return Corrupt(Compression::kSnappy, "bad length prefix");
  }
  if (len > max_out - out.size()) return TooLarge(Compression::kSnappy, max_out);
  size_t old = out.size();
  out.resize(old + len);
  if (!snappy::RawUncompress(p, n, out.data() + old)) {
    return Corrupt(Compression::kSnappy, "malformed block");
  }
  return Status::Ok();
}

Result<std::string> UnsnappyImpl(const uint8_t* data, size_t n, size_t max_out) {
  std::string out;
  const char* p = reinterpret_cast<const char*>(data);
  if (n >= sizeof(kXerialMagic) && std::memcmp(data, kXerialMagic, sizeof(kXerialMagic)) == 0) {
    // snappy-java framing (what the Java producer writes): header, then blocks of
    // int32 big-endian compressed length + raw snappy.
    if (n < kXerialHeaderSize) return Corrupt(Compression::kSnappy, "truncated xerial header");
    size_t pos = kXerialHeaderSize;
    while (pos < n) {
      if (n - pos < 4) return Corrupt(Compression::kSnappy, "truncated xerial block length");
      uint32_t block = varint::LoadBe32(data + pos);
      pos += 4;
      if (block > n - pos) return Corrupt(Compression::kSnappy, "xerial block past end");
      SLUICE_RETURN_IF_ERROR(SnappyRawAppend(p + pos, block, max_out, out));
      pos += block;
    }
    return out;
  }
  SLUICE_RETURN_IF_ERROR(SnappyRawAppend(p, n, max_out, out));
  return out;
}

Result<std::string> Unlz4Impl(const uint8_t* data, size_t n, size_t max_out) {
  LZ4F_dctx* raw = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&raw, LZ4F_VERSION))) {
    return Corrupt(Compression::kLz4, "cannot create context");
  }
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> ctx(raw,
                                                                  LZ4F_freeDecompressionContext);
  std::string out;
  std::array<char, kChunk> buf;
  const uint8_t* src = data;
  size_t remaining = n;
  size_t hint = 1;  // nonzero: a frame is expected / in progress
  for (;;) {
    size_t dst_size = buf.size();
    size_t src_size = remaining;
    hint = LZ4F_decompress(ctx.get(), buf.data(), &dst_size, src, &src_size, nullptr);
    if (LZ4F_isError(hint)) return Corrupt(Compression::kLz4, LZ4F_getErrorName(hint));
    if (!AppendCapped(out, buf.data(), dst_size, max_out)) {
      return TooLarge(Compression::kLz4, max_out);
    }
    src += src_size;
    remaining -= src_size;
    if (hint == 0 && remaining == 0) break;  // frame complete, input used up
    if (dst_size == 0 && src_size == 0) {
      return Corrupt(Compression::kLz4, remaining == 0 ? "truncated frame" : "no progress");
    }
  }
  return out;
}

Result<std::string> UnzstdImpl(const uint8_t* data, size_t n, size_t max_out) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (ctx == nullptr) return Corrupt(Compression::kZstd, "cannot create context");
  std::string out;
  std::array<char, kChunk> buf;
  ZSTD_inBuffer in{data, n, 0};
  for (;;) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    size_t rc = ZSTD_decompressStream(ctx.get(), &o, &in);
    if (ZSTD_isError(rc)) return Corrupt(Compression::kZstd, ZSTD_getErrorName(rc));
    if (!AppendCapped(out, buf.data(), o.pos, max_out)) {
      return TooLarge(Compression::kZstd, max_out);
    }
    if (rc == 0 && in.pos == in.size) break;  // last frame complete
    if (in.pos == in.size && o.pos < o.size) {
      return Corrupt(Compression::kZstd, "truncated frame");
    }
  }
  return out;
}

Result<std::string> GzipImpl(std::string_view input) {
  z_stream zs{};
  // 15 + 16: gzip wrapper (RFC 1952), as GZIPOutputStream and librdkafka write.
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    return Status::IoError("gzip: deflateInit2 failed");
  }
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, deflateEnd);
  if (input.size() > UINT32_MAX) return Status::TooLarge("gzip: input too large");
  std::string out(deflateBound(&zs, static_cast<uLong>(input.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  zs.avail_in = static_cast<uInt>(input.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  if (deflate(&zs, Z_FINISH) != Z_STREAM_END) return Status::IoError("gzip: deflate failed");
  out.resize(zs.total_out);
  return out;
}

Result<std::string> Lz4Impl(std::string_view input) {
  LZ4F_preferences_t prefs;
  std::memset(&prefs, 0, sizeof(prefs));
  // Kafka's KafkaLZ4BlockOutputStream: 64 KiB independent blocks.
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  prefs.frameInfo.blockMode = LZ4F_blockIndependent;
  std::string out(LZ4F_compressFrameBound(input.size(), &prefs), '\0');
  size_t n = LZ4F_compressFrame(out.data(), out.size(), input.data(), input.size(), &prefs);
  if (LZ4F_isError(n)) return Status::IoError(std::string("lz4: ") + LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> ZstdImpl(std::string_view input) {
  std::string out(ZSTD_compressBound(input.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), input.data(), input.size(), ZSTD_CLEVEL_DEFAULT);
  if (ZSTD_isError(n)) return Status::IoError(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

}  // namespace

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kSnappy:
      return "snappy";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

Result<std::string> Decompress(Compression codec, const uint8_t* data, size_t n, size_t max_out) {
  switch (codec) {
    case Compression::kNone:
      if (n > max_out) return TooLarge(codec, max_out);
      return std::string(reinterpret_cast<const char*>(data), n);
    case Compression::kGzip:
      return GunzipImpl(data, n, max_out);
    case Compression::kSnappy:
      return UnsnappyImpl(data, n, max_out);
    case Compression::kLz4:
      return Unlz4Impl(data, n, max_out);
    case Compression::kZstd:
      return UnzstdImpl(data, n, max_out);
  }
  return Status::Unsupported("unknown compression codec " + std::to_string(int(codec)));
}

Result<std::string> Compress(Compression codec, std::string_view input) {
  switch (codec) {
    case Compression::kNone:
      return std::string(input);
    case Compression::kGzip:
      return GzipImpl(input);
    case Compression::kSnappy: {
      // Raw snappy, as librdkafka writes (README §2); every Kafka reader accepts it.
      std::string out;
      snappy::Compress(input.data(), input.size(), &out);
      return out;
    }
    case Compression::kLz4:
      return Lz4Impl(input);
    case Compression::kZstd:
      return ZstdImpl(input);
  }
  return Status::Unsupported("unknown compression codec " + std::to_string(int(codec)));
}

}  // namespace sluice::protocol
