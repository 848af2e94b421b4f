#pragma once
// Kafka wire primitives (kafka-protocol/README.md §1): big-endian integers, varints, classic and
// compact strings/bytes/arrays, tagged-field sections.
//
// WireReader decodes from a borrowed buffer. Every read is bounds-checked; the first failure is
// sticky (later reads return zero values and do nothing) and is reported once by status(), naming
// what was being read and the absolute byte offset (librdkafka's rd_kafka_buf_read_* -> err_parse).
//
// WireWriter appends to a std::string and can record zero-copy FileRegions (Fetch records) between
// byte runs; Finish() yields EncodedChunks for the sender (bytes, region, bytes, ...).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "protocol/file_region.h"

namespace sluice::protocol {

using Uuid = std::array<uint8_t, 16>;

// One tagged field kept as raw payload (a tag the decoder does not know, or one it only carries).
struct TaggedField {
  uint32_t tag = 0;
  std::string data;
  bool operator==(const TaggedField&) const = default;
};
using TaggedFields = std::vector<TaggedField>;

class WireReader {
 public:
  // `base_offset` is added to reported offsets (a sub-reader over a slice of a frame).
  WireReader(const uint8_t* data, size_t size, size_t base_offset = 0)
      : data_(data), size_(size), base_offset_(base_offset) {}
  explicit WireReader(std::string_view bytes)
      : WireReader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) {}

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }
  size_t position() const { return pos_; }                  // relative to data
  size_t offset() const { return base_offset_ + pos_; }      // absolute, for messages
  size_t remaining() const { return ok() ? size_ - pos_ : 0; }
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

  // Marks the reader failed (sticky) unless already failed: "<what> at byte <offset>: <why>".
  void Fail(std::string_view what, std::string_view why);

  int8_t ReadInt8(const char* what = "int8");
  int16_t ReadInt16(const char* what = "int16");
  int32_t ReadInt32(const char* what = "int32");
  int64_t ReadInt64(const char* what = "int64");
  uint16_t ReadUint16(const char* what = "uint16");
  uint32_t ReadUint32(const char* what = "uint32");
  double ReadFloat64(const char* what = "float64");
  bool ReadBool(const char* what = "bool");
  Uuid ReadUuid(const char* what = "uuid");
  uint32_t ReadUnsignedVarint(const char* what = "uvarint");  // <= 5 bytes
  uint64_t ReadUnsignedVarlong(const char* what = "uvarlong");  // <= 10 bytes
  int32_t ReadVarint(const char* what = "varint");    // zigzag
  int64_t ReadVarlong(const char* what = "varlong");  // zigzag

  // Strings: classic = int16 length (-1 null), compact = uvarint(length+1) (0 null). A null where
  // the field is not nullable is an error.
  std::string ReadString(bool compact, const char* what = "string");
  std::optional<std::string> ReadNullableString(bool compact, const char* what = "string");
  // Bytes: classic = int32 length (-1 null), compact = uvarint(length+1). Views borrow the buffer.
  std::string ReadBytes(bool compact, const char* what = "bytes");
  std::optional<std::string> ReadNullableBytes(bool compact, const char* what = "bytes");
  // nullopt for null (or failure); the view points into the buffer.
  std::optional<std::string_view> ReadNullableBytesView(bool compact, const char* what = "bytes");
  std::string_view ReadRaw(size_t n, const char* what = "raw bytes");

  // Array count: -1 (classic) / 0 (compact) means null -> nullopt. Counts above the bytes left
  // fail (every element takes at least one byte), so a hostile count cannot force a huge reserve.
  std::optional<int32_t> ReadArrayLength(bool compact, const char* what = "array length");
  // Same, but null is an error (non-nullable array). Returns 0 on failure.
  int32_t ReadNonNullArrayLength(bool compact, const char* what = "array length");

  // Reads a tagged-field section: for each field calls `on_field(tag, sub_reader)`, which returns
  // false when it does not know the tag; unknown ones are appended to `unknown`. The sub-reader
  // covers exactly the field's payload; its failure fails this reader.
  template <typename OnField>
  void ReadTaggedFields(TaggedFields& unknown, OnField&& on_field);
  // Reads a tagged-field section keeping every field raw.
  void ReadTaggedFields(TaggedFields& unknown) {
    ReadTaggedFields(unknown, [](uint32_t, WireReader&) { return false; });
  }

 private:
  bool Need(size_t n, const char* what);
  uint64_t ReadUvarlongBounded(int max_bytes, const char* what);
  std::optional<std::string_view> ReadLengthPrefixed(bool compact, bool int32_length,
                                                     const char* what);

  const uint8_t* data_;
  size_t size_;
  size_t base_offset_;
  size_t pos_ = 0;
  Status status_;
};

// Encoded output: `bytes` with FileRegions spliced in at given positions. The wire order is
// bytes[0, p1), region1, bytes[p1, p2), region2, ..., bytes[pn, end).
struct EncodedChunks {
  std::string bytes;
  std::vector<std::pair<size_t, FileRegion>> regions;  // (position in bytes, region), ascending

  size_t total_size() const;
  // Calls on_bytes(std::string_view) and on_region(const FileRegion&) in wire order; empty byte
  // runs are skipped.
  template <typename OnBytes, typename OnRegion>
  void ForEach(OnBytes&& on_bytes, OnRegion&& on_region) const {
    size_t start = 0;
    for (const auto& [pos, region] : regions) {
      if (pos > start) on_bytes(std::string_view(bytes).substr(start, pos - start));
      on_region(region);
      start = pos;
    }
    if (bytes.size() > start) on_bytes(std::string_view(bytes).substr(start));
  }
  // Flattens for tests and tools: regions are read with pread(); fails on a short read.
  Result<std::string> Flatten() const;
};

class WireWriter {
 public:
  void WriteInt8(int8_t v) { bytes_.push_back(static_cast<char>(v)); }
  void WriteInt16(int16_t v) { WriteBigEndian(static_cast<uint16_t>(v), 2); }
  void WriteInt32(int32_t v) { WriteBigEndian(static_cast<uint32_t>(v), 4); }
  void WriteInt64(int64_t v) { WriteBigEndian(static_cast<uint64_t>(v), 8); }
  void WriteUint16(uint16_t v) { WriteBigEndian(v, 2); }
  void WriteUint32(uint32_t v) { WriteBigEndian(v, 4); }
  void WriteFloat64(double v);
  void WriteBool(bool v) { WriteInt8(v ? 1 : 0); }
  void WriteUuid(const Uuid& v) { bytes_.append(reinterpret_cast<const char*>(v.data()), v.size()); }
  void WriteUnsignedVarint(uint32_t v) { WriteUnsignedVarlong(v); }
  void WriteUnsignedVarlong(uint64_t v);
  void WriteVarint(int32_t v);
  void WriteVarlong(int64_t v);

  // Classic strings longer than INT16_MAX are truncated (a caller bug; Kafka would throw).
  void WriteString(std::string_view s, bool compact);
  void WriteNullableString(const std::optional<std::string>& s, bool compact);
  void WriteBytes(std::string_view b, bool compact);
  void WriteNullableBytes(const std::optional<std::string>& b, bool compact);
  void WriteNull(bool compact, bool int32_length);  // null string (int16) or bytes/array (int32)
  void WriteArrayLength(size_t n, bool compact);
  void WriteNullArray(bool compact) { WriteNull(compact, /*int32_length=*/true); }
  void WriteRaw(std::string_view b) { bytes_.append(b); }

  // Writes the section: `fields` (known ones, any order) merged with `unknown`, sorted by tag.
  void WriteTaggedFields(std::vector<TaggedField> fields, const TaggedFields& unknown);
  void WriteTaggedFields(const TaggedFields& unknown);

  // Records a zero-copy region at the current position.
  void AddFileRegion(FileRegion region);
  // Appends another writer's output (bytes and regions).
  void Append(WireWriter&& other);

  // Reserves 4 bytes and returns their position; PatchInt32 fills them later (frame size).
  size_t ReserveInt32();
  void PatchInt32(size_t pos, int32_t v);

  size_t size() const { return bytes_.size() + region_bytes_; }  // wire size incl. regions
  const std::string& bytes() const { return bytes_; }            // without regions
  bool has_regions() const { return !regions_.empty(); }
  EncodedChunks Finish() &&;

 private:
  void WriteBigEndian(uint64_t v, int width);

  std::string bytes_;
  std::vector<std::pair<size_t, FileRegion>> regions_;
  size_t region_bytes_ = 0;
};

template <typename OnField>
void WireReader::ReadTaggedFields(TaggedFields& unknown, OnField&& on_field) {
  uint32_t count = ReadUnsignedVarint("tagged field count");
  if (ok() && count > remaining()) Fail("tagged field count", "count exceeds bytes left");
  for (uint32_t i = 0; i < count && ok(); ++i) {
    uint32_t tag = ReadUnsignedVarint("tagged field tag");
    uint32_t size = ReadUnsignedVarint("tagged field size");
    if (!ok()) return;
    size_t start = offset();
    std::string_view payload = ReadRaw(size, "tagged field payload");
    if (!ok()) return;
    WireReader sub(reinterpret_cast<const uint8_t*>(payload.data()), payload.size(), start);
    if (!on_field(tag, sub)) {
      unknown.push_back(TaggedField{tag, std::string(payload)});
    } else if (!sub.ok()) {
      status_ = sub.status();
    }
  }
}

}  // namespace sluice::protocol
