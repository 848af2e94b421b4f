#pragma once
// Hand-built Kafka wire bytes and a raw TCP connection for bad-input cluster tests: the frames
// are written here byte by byte (kafka-protocol README §1–2), independent of protocol/, so a
// codec bug on the broker side cannot hide behind the same bug in the test.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::testing {

// Big-endian writer for request bodies.
class Bytes {
 public:
  Bytes& I8(int8_t v);
  Bytes& I16(int16_t v);
  Bytes& I32(int32_t v);
  Bytes& U32(uint32_t v);
  Bytes& I64(int64_t v);
  Bytes& Str(const std::string& s);     // int16 length + bytes
  Bytes& NullStr();                     // int16 -1
  Bytes& CompactStr(const std::string& s);  // uvarint(len+1) + bytes
  Bytes& UVarint(uint64_t v);
  Bytes& Varint(int64_t v);             // zigzag
  Bytes& Raw(const std::string& s);
  Bytes& SizedBytes(const std::string& s);  // int32 length + bytes
  const std::string& str() const { return buf_; }
  size_t size() const { return buf_.size(); }

 private:
  std::string buf_;
};

// Reader for responses; every read is bounds-checked (ok() turns false on overrun).
class Reader {
 public:
  explicit Reader(std::string data) : data_(std::move(data)) {}
  int16_t I16();
  int32_t I32();
  int64_t I64();
  std::string Str();
  bool ok() const { return ok_; }
  size_t remaining() const { return data_.size() - pos_; }

 private:
  bool Need(size_t n);
  std::string data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

uint32_t Crc32c(const std::string& data, size_t begin = 0);

// A record batch v2 (magic 2, uncompressed, producerId -1) holding one record per value, keys
// "k<i>". If `corrupt_crc`, the CRC field is flipped after computing it.
std::string BuildRecordBatch(const std::vector<std::string>& values, int64_t base_timestamp,
                             bool corrupt_crc = false);

// Request frame: int32 size + header (v1, or v2 when `flexible_header`) + body.
std::string Frame(int16_t api_key, int16_t api_version, int32_t correlation_id,
                  const std::string& body, bool flexible_header = false);

// Produce v7 (header v1) of one batch to topic/partition.
std::string ProduceV7(int32_t correlation_id, const std::string& topic, int32_t partition,
                      const std::string& batch, int16_t acks = 1);

struct ProducePartitionResult {
  std::string topic;
  int32_t partition = -1;
  int16_t error_code = -100;
  int64_t base_offset = -1;
};
// Parses a Produce v7 response frame payload (after the size prefix).
Result<ProducePartitionResult> ParseProduceV7Response(const std::string& payload,
                                                      int32_t expect_correlation_id);

class RawConnection {
 public:
  enum class Outcome { kClosed, kData, kTimeout };
  static Result<RawConnection> Connect(int port);
  RawConnection(RawConnection&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  RawConnection& operator=(RawConnection&&) = delete;
  ~RawConnection();

  Status Send(const std::string& bytes);
  void ShutdownWrite();
  // Reads one response frame (payload without the size prefix).
  Result<std::string> ReadFrame(std::chrono::milliseconds timeout);
  // Waits for the peer to close. kData if bytes arrive instead (they are discarded).
  Outcome WaitForClose(std::chrono::milliseconds timeout);

 private:
  explicit RawConnection(int fd) : fd_(fd) {}
  Status ReadExactly(std::string* out, size_t n, std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
};

// One ApiVersions v0 round trip on a fresh connection: true if the broker answers error 0.
Status ApiVersionsHealthy(int port);

}  // namespace sluice::testing
