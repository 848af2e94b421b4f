#include "protocol/record_batch.h"

#include <cstdio>

#include "protocol/crc32c.h"
#include "protocol/varint.h"

namespace sluice::protocol {
namespace {

using varint::LoadBe16;
using varint::LoadBe32;
using varint::LoadBe64;

constexpr int8_t kMagicV2 = 2;

int64_t WrapAdd(int64_t a, int64_t b) {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

Status BadRecord(int32_t index, const char* what) {
  return Status::InvalidArgument("record " + std::to_string(index) + ": " + what);
}

}  // namespace

Result<RecordBatchView> RecordBatchView::Parse(const uint8_t* data, size_t size) {
  // Magic is read before the full-header check so that a short legacy (v0/v1) message set says
  // "unsupported magic" rather than "truncated".
  if (size < kBatchMagicOffset + 1) {
    return Status::Corruption("record batch truncated: " + std::to_string(size) +
                              " bytes, header needs " + std::to_string(kBatchHeaderSize));
  }
  int8_t magic = static_cast<int8_t>(data[kBatchMagicOffset]);
  if (magic != kMagicV2) {
    return Status::Unsupported("record batch magic " + std::to_string(magic) +
                               ", only magic 2 supported");
  }
  if (size < kBatchHeaderSize) {
    return Status::Corruption("record batch truncated: " + std::to_string(size) +
                              " bytes, header needs " + std::to_string(kBatchHeaderSize));
  }
  int32_t batch_length = static_cast<int32_t>(LoadBe32(data + kBatchLengthOffset));
  if (batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead)) {
    return Status::Corruption("record batch length " + std::to_string(batch_length) +
                              " smaller than the header");
  }
  size_t total = kBatchLogOverhead + static_cast<size_t>(batch_length);
  if (total > size) {
    return Status::Corruption("record batch length " + std::to_string(batch_length) +
                              " runs past the " + std::to_string(size) + " bytes available");
  }
  RecordBatchView view(data, total);
  int codec = view.attributes() & kAttrCompressionMask;
  if (codec > static_cast<int>(Compression::kZstd)) {
    return Status::Corruption("record batch has unknown compression codec " +
                              std::to_string(codec));
  }
  if (view.record_count() < 0) {
    return Status::Corruption("record batch has negative record count " +
                              std::to_string(view.record_count()));
  }
  return view;
}

int64_t RecordBatchView::base_offset() const {
  return static_cast<int64_t>(LoadBe64(data_ + kBatchBaseOffsetOffset));
}
int32_t RecordBatchView::batch_length() const {
  return static_cast<int32_t>(LoadBe32(data_ + kBatchLengthOffset));
}
int32_t RecordBatchView::partition_leader_epoch() const {
  return static_cast<int32_t>(LoadBe32(data_ + kBatchPartitionLeaderEpochOffset));
}
uint32_t RecordBatchView::crc() const { return LoadBe32(data_ + kBatchCrcOffset); }
int16_t RecordBatchView::attributes() const {
  return static_cast<int16_t>(LoadBe16(data_ + kBatchAttributesOffset));
}
int32_t RecordBatchView::last_offset_delta() const {
  return static_cast<int32_t>(LoadBe32(data_ + kBatchLastOffsetDeltaOffset));
}
int64_t RecordBatchView::base_timestamp() const {
  return static_cast<int64_t>(LoadBe64(data_ + kBatchBaseTimestampOffset));
}
int64_t RecordBatchView::max_timestamp() const {
  return static_cast<int64_t>(LoadBe64(data_ + kBatchMaxTimestampOffset));
}
int64_t RecordBatchView::producer_id() const {
  return static_cast<int64_t>(LoadBe64(data_ + kBatchProducerIdOffset));
}
int16_t RecordBatchView::producer_epoch() const {
  return static_cast<int16_t>(LoadBe16(data_ + kBatchProducerEpochOffset));
}
int32_t RecordBatchView::base_sequence() const {
  return static_cast<int32_t>(LoadBe32(data_ + kBatchBaseSequenceOffset));
}
int32_t RecordBatchView::record_count() const {
  return static_cast<int32_t>(LoadBe32(data_ + kBatchRecordCountOffset));
}

uint32_t RecordBatchView::ComputeCrc() const {
  return Crc32c(data_ + kBatchAttributesOffset, size_ - kBatchAttributesOffset);
}

Status RecordBatchView::VerifyCrc() const {
  uint32_t actual = ComputeCrc();
  if (actual != crc()) {
    return Status::Corruption("record batch CRC mismatch at base offset " +
                              std::to_string(base_offset()) + ": expected " + Hex32(crc()) +
                              ", computed " + Hex32(actual));
  }
  return Status::Ok();
}

void SetBaseOffset(uint8_t* batch, int64_t base_offset) {
  varint::StoreBe64(batch + kBatchBaseOffsetOffset, static_cast<uint64_t>(base_offset));
}

void SetPartitionLeaderEpoch(uint8_t* batch, int32_t epoch) {
  varint::StoreBe32(batch + kBatchPartitionLeaderEpochOffset, static_cast<uint32_t>(epoch));
}

void SetMaxTimestampAndLogAppendTime(uint8_t* batch, int64_t max_timestamp) {
  uint16_t attrs = LoadBe16(batch + kBatchAttributesOffset);
  varint::StoreBe16(batch + kBatchAttributesOffset, attrs | kAttrTimestampType);
  varint::StoreBe64(batch + kBatchMaxTimestampOffset, static_cast<uint64_t>(max_timestamp));
  RecomputeCrc(batch);
}

void RecomputeCrc(uint8_t* batch) {
  size_t total = kBatchLogOverhead + LoadBe32(batch + kBatchLengthOffset);
  uint32_t crc = Crc32c(batch + kBatchAttributesOffset, total - kBatchAttributesOffset);
  varint::StoreBe32(batch + kBatchCrcOffset, crc);
}

std::optional<RecordBatchView> BatchIterator::Next() {
  if (done_) return std::nullopt;
  size_t rem = size_ - pos_;
  const uint8_t* p = data_ + pos_;
  if (rem == 0) {
    done_ = true;
    return std::nullopt;
  }
  if (rem > kBatchMagicOffset && static_cast<int8_t>(p[kBatchMagicOffset]) != kMagicV2) {
    status_ = Status::Unsupported("record batch at byte " + std::to_string(pos_) + " has magic " +
                                  std::to_string(static_cast<int8_t>(p[kBatchMagicOffset])));
    done_ = true;
    return std::nullopt;
  }
  if (rem < kBatchLogOverhead) {
    partial_tail_ = true;
    done_ = true;
    return std::nullopt;
  }
  int32_t batch_length = static_cast<int32_t>(LoadBe32(p + kBatchLengthOffset));
  if (batch_length < static_cast<int32_t>(kBatchHeaderSize - kBatchLogOverhead)) {
    status_ = Status::Corruption("record batch at byte " + std::to_string(pos_) + " has length " +
                                 std::to_string(batch_length));
    done_ = true;
    return std::nullopt;
  }
  if (kBatchLogOverhead + static_cast<size_t>(batch_length) > rem) {
    partial_tail_ = true;
    done_ = true;
    return std::nullopt;
  }
  Result<RecordBatchView> batch = RecordBatchView::Parse(p, rem);
  if (!batch.ok()) {
    status_ = Status(batch.status().code(),
                     "at byte " + std::to_string(pos_) + ": " + batch.status().message());
    done_ = true;
    return std::nullopt;
  }
  pos_ += batch->size_bytes();
  return batch.value();
}

Status ValidateProducerBatch(const RecordBatchView& batch) {
  SLUICE_RETURN_IF_ERROR(batch.VerifyCrc());
  int32_t count = batch.record_count();
  if (count <= 0) {
    return Status::InvalidArgument("produce batch has " + std::to_string(count) + " records");
  }
  if (static_cast<int64_t>(batch.last_offset_delta()) + 1 != count) {
    return Status::InvalidArgument("produce batch lastOffsetDelta " +
                                   std::to_string(batch.last_offset_delta()) + " with " +
                                   std::to_string(count) + " records");
  }
  if (batch.is_control()) {
    return Status::InvalidArgument("clients may not produce control batches");
  }
  if (batch.producer_id() >= 0 && batch.base_sequence() < 0) {
    return Status::InvalidArgument("idempotent produce batch (producerId " +
                                   std::to_string(batch.producer_id()) + ") has baseSequence " +
                                   std::to_string(batch.base_sequence()));
  }
  return Status::Ok();
}

Status ForEachRecord(const RecordBatchView& batch, const std::function<void(const Record&)>& fn,
                     size_t max_decompressed) {
  std::string owned;  // decompressed records; alive for the whole walk
  const uint8_t* p = batch.records_data();
  const uint8_t* end = p + batch.records_size();
  if (batch.compression() != Compression::kNone) {
    Result<std::string> plain =
        Decompress(batch.compression(), batch.records_data(), batch.records_size(),
                   max_decompressed);
    if (!plain.ok()) return plain.status();
    owned = std::move(plain).value();
    p = reinterpret_cast<const uint8_t*>(owned.data());
    end = p + owned.size();
  }
  const bool log_append_time = batch.timestamp_type() == TimestampType::kLogAppendTime;
  const int32_t count = batch.record_count();
  Record rec;
  for (int32_t i = 0; i < count; ++i) {
    if (p == end) {
      return Status::InvalidArgument("record batch announces " + std::to_string(count) +
                                     " records but holds " + std::to_string(i));
    }
    int32_t len;
    if (!varint::ReadVarint(p, end, &len)) return BadRecord(i, "bad length varint");
    if (len < 0 || static_cast<size_t>(len) > static_cast<size_t>(end - p)) {
      return BadRecord(i, "length runs past the records");
    }
    const uint8_t* rend = p + len;
    if (p == rend) return BadRecord(i, "empty record");
    ++p;  // record attributes: unused in v2
    int64_t ts_delta;
    int32_t offset_delta;
    if (!varint::ReadVarlong(p, rend, &ts_delta)) return BadRecord(i, "bad timestampDelta");
    if (!varint::ReadVarint(p, rend, &offset_delta)) return BadRecord(i, "bad offsetDelta");

    auto read_bytes = [&](std::optional<std::string_view>* out, bool nullable) -> bool {
      int32_t n;
      if (!varint::ReadVarint(p, rend, &n)) return false;
      if (n < 0) {
        if (n != -1 || !nullable) return false;
        out->reset();
        return true;
      }
      if (static_cast<size_t>(n) > static_cast<size_t>(rend - p)) return false;
      *out = std::string_view(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
      p += n;
      return true;
    };
    if (!read_bytes(&rec.key, true)) return BadRecord(i, "bad key");
    if (!read_bytes(&rec.value, true)) return BadRecord(i, "bad value");
    int32_t header_count;
    if (!varint::ReadVarint(p, rend, &header_count)) return BadRecord(i, "bad header count");
    // Each header takes at least two bytes (two varints): caps the count by the bytes left.
    if (header_count < 0 || static_cast<size_t>(header_count) > static_cast<size_t>(rend - p) / 2) {
      return BadRecord(i, "header count does not fit the record");
    }
    rec.headers.clear();
    for (int32_t h = 0; h < header_count; ++h) {
      std::optional<std::string_view> key, value;
      if (!read_bytes(&key, /*nullable=*/false)) return BadRecord(i, "bad header key");
      if (!read_bytes(&value, true)) return BadRecord(i, "bad header value");
      rec.headers.push_back(RecordHeader{*key, value});
    }
    if (p != rend) return BadRecord(i, "bytes left over inside the record");
    rec.offset = WrapAdd(batch.base_offset(), offset_delta);
    rec.timestamp = log_append_time ? batch.max_timestamp()
                                    : WrapAdd(batch.base_timestamp(), ts_delta);
    fn(rec);
  }
  if (p != end) {
    return Status::InvalidArgument("record batch has " + std::to_string(end - p) +
                                   " bytes after its " + std::to_string(count) + " records");
  }
  return Status::Ok();
}

}  // namespace sluice::protocol
