#pragma once
// Kafka record batch v2 (magic 2, README §2): a zero-copy view of one batch, in-place header
// mutators for the leader's offset/epoch assignment, a walker over consecutive batches (log
// segments, Fetch records), produce-side validation, and record decoding.
//
// A RecordBatchView borrows its bytes: the buffer must outlive the view. Views are cheap to copy
// and used from whichever thread owns the buffer.
//
// Error codes: a batch whose sizes or CRC are wrong is Errc::kCorruption (Kafka CORRUPT_MESSAGE);
// a well-framed batch that breaks Kafka's produce rules, or whose records are malformed, is
// Errc::kInvalidArgument (the broker answers INVALID_RECORD); magic != 2 is Errc::kUnsupported.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "protocol/compression.h"

namespace sluice::protocol {

// Header layout (byte offsets).
inline constexpr size_t kBatchBaseOffsetOffset = 0;
inline constexpr size_t kBatchLengthOffset = 8;
inline constexpr size_t kBatchPartitionLeaderEpochOffset = 12;
inline constexpr size_t kBatchMagicOffset = 16;
inline constexpr size_t kBatchCrcOffset = 17;
inline constexpr size_t kBatchAttributesOffset = 21;
inline constexpr size_t kBatchLastOffsetDeltaOffset = 23;
inline constexpr size_t kBatchBaseTimestampOffset = 27;
inline constexpr size_t kBatchMaxTimestampOffset = 35;
inline constexpr size_t kBatchProducerIdOffset = 43;
inline constexpr size_t kBatchProducerEpochOffset = 51;
inline constexpr size_t kBatchBaseSequenceOffset = 53;
inline constexpr size_t kBatchRecordCountOffset = 57;
// RECORD_BATCH_OVERHEAD: the header; records start here.
inline constexpr size_t kBatchHeaderSize = 61;
// baseOffset + batchLength: the part batchLength does not count (LOG_OVERHEAD).
inline constexpr size_t kBatchLogOverhead = 12;

inline constexpr uint16_t kAttrCompressionMask = 0x07;
inline constexpr uint16_t kAttrTimestampType = 0x08;
inline constexpr uint16_t kAttrTransactional = 0x10;
inline constexpr uint16_t kAttrControl = 0x20;
inline constexpr uint16_t kAttrDeleteHorizon = 0x40;

enum class TimestampType : uint8_t { kCreateTime = 0, kLogAppendTime = 1 };

class RecordBatchView {
 public:
  // Checks framing: at least the 61-byte header, magic 2 (else kUnsupported), a batchLength with
  // 61 <= 12 + batchLength <= size, a known codec, records count >= 0. Does NOT check the CRC
  // (VerifyCrc) nor decode records (ForEachRecord). The view covers exactly 12 + batchLength
  // bytes; bytes after that are ignored (use BatchIterator to walk several batches).
  static Result<RecordBatchView> Parse(const uint8_t* data, size_t size);
  static Result<RecordBatchView> Parse(std::string_view bytes) {
    return Parse(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }

  int64_t base_offset() const;
  int32_t batch_length() const;
  size_t size_bytes() const { return size_; }  // 12 + batchLength
  int32_t partition_leader_epoch() const;
  int8_t magic() const { return static_cast<int8_t>(data_[kBatchMagicOffset]); }
  uint32_t crc() const;
  int16_t attributes() const;
  Compression compression() const {
    return static_cast<Compression>(attributes() & kAttrCompressionMask);
  }
  TimestampType timestamp_type() const {
    return (attributes() & kAttrTimestampType) ? TimestampType::kLogAppendTime
                                               : TimestampType::kCreateTime;
  }
  bool is_transactional() const { return (attributes() & kAttrTransactional) != 0; }
  bool is_control() const { return (attributes() & kAttrControl) != 0; }
  bool has_delete_horizon() const { return (attributes() & kAttrDeleteHorizon) != 0; }
  int32_t last_offset_delta() const;
  // Wrapping arithmetic: a hostile batch cannot cause signed overflow.
  int64_t last_offset() const {
    return static_cast<int64_t>(static_cast<uint64_t>(base_offset()) +
                                static_cast<uint64_t>(int64_t{last_offset_delta()}));
  }
  int64_t next_offset() const {
    return static_cast<int64_t>(static_cast<uint64_t>(last_offset()) + 1u);
  }
  int64_t base_timestamp() const;
  int64_t max_timestamp() const;
  int64_t producer_id() const;
  int16_t producer_epoch() const;
  int32_t base_sequence() const;
  int32_t record_count() const;

  const uint8_t* data() const { return data_; }
  std::string_view bytes() const {
    return {reinterpret_cast<const char*>(data_), size_};
  }
  // The (possibly compressed) records section, bytes [61, size).
  const uint8_t* records_data() const { return data_ + kBatchHeaderSize; }
  size_t records_size() const { return size_ - kBatchHeaderSize; }

  // CRC-32C over [21, size) against the stored crc; kCorruption with both values on mismatch.
  Status VerifyCrc() const;
  uint32_t ComputeCrc() const;

 private:
  RecordBatchView(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  const uint8_t* data_;
  size_t size_;
};

// In-place header rewrites on a batch that Parse accepted. baseOffset and partitionLeaderEpoch
// are outside the CRC, so these two leave it alone (how the leader assigns offsets).
void SetBaseOffset(uint8_t* batch, int64_t base_offset);
void SetPartitionLeaderEpoch(uint8_t* batch, int32_t epoch);
// LogAppendTime: sets maxTimestamp and attribute bit 3, then recomputes the CRC
// (DefaultRecordBatch.setMaxTimestamp).
void SetMaxTimestampAndLogAppendTime(uint8_t* batch, int64_t max_timestamp);
// Recomputes and stores the CRC (uses the batch's own batchLength).
void RecomputeCrc(uint8_t* batch);

// Walks consecutive batches in a buffer (log segment bytes, a Fetch response's records).
//
//   BatchIterator it(data, size);
//   while (std::optional<RecordBatchView> batch = it.Next()) { ... }
//   if (!it.status().ok()) ...;          // malformed batch at it.bytes_consumed()
//   else if (it.partial_tail()) ...;     // torn/truncated last batch: not an error
//
// A trailing batch whose header or announced length runs past the buffer is a partial tail: a
// Fetch response may end in one, and a crashed writer leaves one at a segment's end (storage
// recovery truncates at bytes_consumed()). Anything else malformed (bad magic, batchLength below
// the header size) stops with a non-OK status. CRCs are not checked here.
class BatchIterator {
 public:
  BatchIterator(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  explicit BatchIterator(std::string_view bytes)
      : BatchIterator(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()) {}

  // The next complete batch; nullopt when done (end, partial tail, or error).
  std::optional<RecordBatchView> Next();
  // Bytes of the complete batches returned so far (= where a partial tail or bad batch starts).
  size_t bytes_consumed() const { return pos_; }
  bool partial_tail() const { return partial_tail_; }
  const Status& status() const { return status_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool done_ = false;
  bool partial_tail_ = false;
  Status status_;
};

// Kafka's checks on a client's produce batch (README §2 "Broker validation on produce"; magic
// and sizes were checked by Parse): CRC (kCorruption), then count > 0, lastOffsetDelta + 1 ==
// count, not a control batch, baseSequence >= 0 when producerId >= 0 (kInvalidArgument).
Status ValidateProducerBatch(const RecordBatchView& batch);

struct RecordHeader {
  std::string_view key;
  std::optional<std::string_view> value;
};

// One decoded record. Views point into the batch (uncompressed) or into a buffer ForEachRecord
// keeps alive only for the duration of the callback: copy what must outlive it.
struct Record {
  int64_t offset = 0;     // baseOffset + offsetDelta
  int64_t timestamp = 0;  // baseTimestamp + delta; the batch's maxTimestamp under LogAppendTime
  std::optional<std::string_view> key;
  std::optional<std::string_view> value;
  std::vector<RecordHeader> headers;
};

// Decodes every record (decompressing into an owned buffer first, at most `max_decompressed`
// bytes), bounds-checking every varint and length. Fails (kInvalidArgument) on a malformed
// record, a record count different from the header's, or bytes left after the last record;
// decompression errors keep their codes (kCorruption, kTooLarge). Records already delivered
// before an error stay delivered.
Status ForEachRecord(const RecordBatchView& batch, const std::function<void(const Record&)>& fn,
                     size_t max_decompressed = kDefaultMaxDecompressedBytes);

}  // namespace sluice::protocol
