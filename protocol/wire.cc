#include "protocol/wire.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <limits>

namespace sluice::protocol {

void WireReader::Fail(std::string_view what, std::string_view why) {
  if (!status_.ok()) return;
  status_ = Status::Corruption(std::string(what) + " at byte " + std::to_string(offset()) + ": " +
                               std::string(why));
}

bool WireReader::Need(size_t n, const char* what) {
  if (!ok()) return false;
  if (size_ - pos_ < n) {
    Fail(what, "truncated (need " + std::to_string(n) + " bytes, have " +
                   std::to_string(size_ - pos_) + ")");
    return false;
  }
  return true;
}

namespace {
uint64_t LoadBigEndian(const uint8_t* p, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i) v = (v << 8) | p[i];
  return v;
}
}  // namespace

int8_t WireReader::ReadInt8(const char* what) {
  if (!Need(1, what)) return 0;
  return static_cast<int8_t>(data_[pos_++]);
}

int16_t WireReader::ReadInt16(const char* what) {
  if (!Need(2, what)) return 0;
  auto v = static_cast<int16_t>(static_cast<uint16_t>(LoadBigEndian(data_ + pos_, 2)));
  pos_ += 2;
  return v;
}

int32_t WireReader::ReadInt32(const char* what) {
  if (!Need(4, what)) return 0;
  auto v = static_cast<int32_t>(static_cast<uint32_t>(LoadBigEndian(data_ + pos_, 4)));
  pos_ += 4;
  return v;
}

int64_t WireReader::ReadInt64(const char* what) {
  if (!Need(8, what)) return 0;
  auto v = static_cast<int64_t>(LoadBigEndian(data_ + pos_, 8));
  pos_ += 8;
  return v;
}

uint16_t WireReader::ReadUint16(const char* what) {
  return static_cast<uint16_t>(ReadInt16(what));
}

uint32_t WireReader::ReadUint32(const char* what) {
  return static_cast<uint32_t>(ReadInt32(what));
}

double WireReader::ReadFloat64(const char* what) {
  uint64_t bits = static_cast<uint64_t>(ReadInt64(what));
  double v;
  std::memcpy(&v, &bits, sizeof(v));
  return v;
}

bool WireReader::ReadBool(const char* what) { return ReadInt8(what) != 0; }

Uuid WireReader::ReadUuid(const char* what) {
  Uuid v{};
  if (!Need(v.size(), what)) return v;
  std::memcpy(v.data(), data_ + pos_, v.size());
  pos_ += v.size();
  return v;
}

uint64_t WireReader::ReadUvarlongBounded(int max_bytes, const char* what) {
  uint64_t v = 0;
  for (int i = 0; i < max_bytes; ++i) {
    if (!Need(1, what)) return 0;
    uint8_t b = data_[pos_++];
    v |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) return v;
  }
  Fail(what, "varint longer than " + std::to_string(max_bytes) + " bytes");
  return 0;
}

uint32_t WireReader::ReadUnsignedVarint(const char* what) {
  uint64_t v = ReadUvarlongBounded(5, what);
  if (v > std::numeric_limits<uint32_t>::max()) {
    Fail(what, "varint exceeds 32 bits");
    return 0;
  }
  return static_cast<uint32_t>(v);
}

uint64_t WireReader::ReadUnsignedVarlong(const char* what) {
  return ReadUvarlongBounded(10, what);
}

int32_t WireReader::ReadVarint(const char* what) {
  uint32_t u = ReadUnsignedVarint(what);
  return static_cast<int32_t>((u >> 1) ^ (~(u & 1) + 1));
}

int64_t WireReader::ReadVarlong(const char* what) {
  uint64_t u = ReadUnsignedVarlong(what);
  return static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
}

std::optional<std::string_view> WireReader::ReadLengthPrefixed(bool compact, bool int32_length,
                                                               const char* what) {
  const size_t start = pos_;  // failures name the field's first byte
  int64_t len;
  if (compact) {
    len = static_cast<int64_t>(ReadUnsignedVarint(what)) - 1;
  } else {
    len = int32_length ? ReadInt32(what) : ReadInt16(what);
  }
  if (!ok()) return std::nullopt;
  if (len < -1) {
    pos_ = start;
    Fail(what, "negative length " + std::to_string(len));
    return std::nullopt;
  }
  if (len == -1) return std::nullopt;
  if (size_ - pos_ < static_cast<size_t>(len)) {
    size_t have = size_ - pos_;
    pos_ = start;
    Fail(what, "truncated (length " + std::to_string(len) + ", " + std::to_string(have) +
                   " bytes left)");
    return std::nullopt;
  }
  std::string_view v(reinterpret_cast<const char*>(data_ + pos_), static_cast<size_t>(len));
  pos_ += static_cast<size_t>(len);
  return v;
}

std::string WireReader::ReadString(bool compact, const char* what) {
  auto v = ReadLengthPrefixed(compact, /*int32_length=*/false, what);
  if (!v.has_value()) {
    if (ok()) Fail(what, "null for a non-nullable string");
    return {};
  }
  return std::string(*v);
}

std::optional<std::string> WireReader::ReadNullableString(bool compact, const char* what) {
  auto v = ReadLengthPrefixed(compact, /*int32_length=*/false, what);
  if (!v.has_value()) return std::nullopt;
  return std::string(*v);
}

std::string WireReader::ReadBytes(bool compact, const char* what) {
  auto v = ReadLengthPrefixed(compact, /*int32_length=*/true, what);
  if (!v.has_value()) {
    if (ok()) Fail(what, "null for non-nullable bytes");
    return {};
  }
  return std::string(*v);
}

std::optional<std::string> WireReader::ReadNullableBytes(bool compact, const char* what) {
  auto v = ReadLengthPrefixed(compact, /*int32_length=*/true, what);
  if (!v.has_value()) return std::nullopt;
  return std::string(*v);
}

std::optional<std::string_view> WireReader::ReadNullableBytesView(bool compact,
                                                                  const char* what) {
  return ReadLengthPrefixed(compact, /*int32_length=*/true, what);
}

std::string_view WireReader::ReadRaw(size_t n, const char* what) {
  if (!Need(n, what)) return {};
  std::string_view v(reinterpret_cast<const char*>(data_ + pos_), n);
  pos_ += n;
  return v;
}

std::optional<int32_t> WireReader::ReadArrayLength(bool compact, const char* what) {
  int64_t n = compact ? static_cast<int64_t>(ReadUnsignedVarint(what)) - 1 : ReadInt32(what);
  if (!ok()) return std::nullopt;
  if (n < -1) {
    Fail(what, "negative array length " + std::to_string(n));
    return std::nullopt;
  }
  if (n == -1) return std::nullopt;
  if (static_cast<uint64_t>(n) > remaining()) {
    Fail(what, "array length " + std::to_string(n) + " exceeds the " +
                   std::to_string(remaining()) + " bytes left");
    return std::nullopt;
  }
  return static_cast<int32_t>(n);
}

int32_t WireReader::ReadNonNullArrayLength(bool compact, const char* what) {
  auto n = ReadArrayLength(compact, what);
  if (!n.has_value()) {
    if (ok()) Fail(what, "null for a non-nullable array");
    return 0;
  }
  return *n;
}

size_t EncodedChunks::total_size() const {
  size_t total = bytes.size();
  for (const auto& r : regions) total += static_cast<size_t>(r.second.length);
  return total;
}

Result<std::string> EncodedChunks::Flatten() const {
  std::string out;
  out.reserve(total_size());
  Status status;
  ForEach([&](std::string_view b) { out.append(b); },
          [&](const FileRegion& r) {
            if (!status.ok()) return;
            size_t start = out.size();
            out.resize(start + static_cast<size_t>(r.length));
            ssize_t n = ::pread(r.fd, out.data() + start, static_cast<size_t>(r.length), r.offset);
            if (n != r.length) status = Status::IoError("short pread of a file region");
          });
  if (!status.ok()) return status;
  return out;
}

void WireWriter::WriteBigEndian(uint64_t v, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i) {
    buf[i] = static_cast<char>(v & 0xff);
    v >>= 8;
  }
  bytes_.append(buf, static_cast<size_t>(width));
}

void WireWriter::WriteFloat64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof(bits));
  WriteBigEndian(bits, 8);
}

void WireWriter::WriteUnsignedVarlong(uint64_t v) {
  while (v >= 0x80) {
    bytes_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  bytes_.push_back(static_cast<char>(v));
}

void WireWriter::WriteVarint(int32_t v) {
  uint32_t u = (static_cast<uint32_t>(v) << 1) ^ static_cast<uint32_t>(v >> 31);
  WriteUnsignedVarlong(u);
}

void WireWriter::WriteVarlong(int64_t v) {
  uint64_t u = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  WriteUnsignedVarlong(u);
}

void WireWriter::WriteString(std::string_view s, bool compact) {
  if (compact) {
    WriteUnsignedVarlong(static_cast<uint64_t>(s.size()) + 1);
  } else {
    s = s.substr(0, std::numeric_limits<int16_t>::max());
    WriteInt16(static_cast<int16_t>(s.size()));
  }
  bytes_.append(s);
}

void WireWriter::WriteNullableString(const std::optional<std::string>& s, bool compact) {
  if (s.has_value()) {
    WriteString(*s, compact);
  } else {
    WriteNull(compact, /*int32_length=*/false);
  }
}

void WireWriter::WriteBytes(std::string_view b, bool compact) {
  if (compact) {
    WriteUnsignedVarlong(static_cast<uint64_t>(b.size()) + 1);
  } else {
    WriteInt32(static_cast<int32_t>(b.size()));
  }
  bytes_.append(b);
}

void WireWriter::WriteNullableBytes(const std::optional<std::string>& b, bool compact) {
  if (b.has_value()) {
    WriteBytes(*b, compact);
  } else {
    WriteNull(compact, /*int32_length=*/true);
  }
}

void WireWriter::WriteNull(bool compact, bool int32_length) {
  if (compact) {
    WriteUnsignedVarint(0);
  } else if (int32_length) {
    WriteInt32(-1);
  } else {
    WriteInt16(-1);
  }
}

void WireWriter::WriteArrayLength(size_t n, bool compact) {
  if (compact) {
    WriteUnsignedVarlong(static_cast<uint64_t>(n) + 1);
  } else {
    WriteInt32(static_cast<int32_t>(n));
  }
}

void WireWriter::WriteTaggedFields(std::vector<TaggedField> fields, const TaggedFields& unknown) {
  fields.insert(fields.end(), unknown.begin(), unknown.end());
  std::stable_sort(fields.begin(), fields.end(),
                   [](const TaggedField& a, const TaggedField& b) { return a.tag < b.tag; });
  WriteUnsignedVarlong(fields.size());
  for (const auto& f : fields) {
    WriteUnsignedVarint(f.tag);
    WriteUnsignedVarlong(f.data.size());
    bytes_.append(f.data);
  }
}

void WireWriter::WriteTaggedFields(const TaggedFields& unknown) {
  if (unknown.empty()) {
    WriteUnsignedVarint(0);
    return;
  }
  WriteTaggedFields(std::vector<TaggedField>{}, unknown);
}

void WireWriter::AddFileRegion(FileRegion region) {
  if (region.length <= 0) return;
  region_bytes_ += static_cast<size_t>(region.length);
  regions_.emplace_back(bytes_.size(), std::move(region));
}

void WireWriter::Append(WireWriter&& other) {
  size_t shift = bytes_.size();
  bytes_.append(other.bytes_);
  for (auto& [pos, region] : other.regions_) regions_.emplace_back(pos + shift, std::move(region));
  region_bytes_ += other.region_bytes_;
  other = WireWriter();
}

size_t WireWriter::ReserveInt32() {
  size_t pos = bytes_.size();
  bytes_.append(4, '\0');
  return pos;
}

void WireWriter::PatchInt32(size_t pos, int32_t v) {
  auto u = static_cast<uint32_t>(v);
  for (int i = 3; i >= 0; --i) {
    bytes_[pos + static_cast<size_t>(i)] = static_cast<char>(u & 0xff);
    u >>= 8;
  }
}

EncodedChunks WireWriter::Finish() && {
  EncodedChunks out;
  out.bytes = std::move(bytes_);
  out.regions = std::move(regions_);
  region_bytes_ = 0;
  return out;
}

}  // namespace sluice::protocol
