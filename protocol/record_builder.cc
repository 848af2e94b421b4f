#include "protocol/record_builder.h"

#include "protocol/crc32c.h"
#include "protocol/varint.h"

namespace sluice::protocol {
namespace {

void AppendBytes(std::string& out, std::optional<std::string_view> v) {
  if (!v.has_value()) {
    varint::AppendVarint(out, -1);
    return;
  }
  varint::AppendVarint(out, static_cast<int32_t>(v->size()));
  out.append(v->data(), v->size());
}

}  // namespace

void RecordBatchBuilder::Add(int64_t timestamp, std::optional<std::string_view> key,
                             std::optional<std::string_view> value,
                             const std::vector<RecordHeader>& headers) {
  if (count_ == 0) {
    base_timestamp_ = timestamp;
    max_timestamp_ = timestamp;
  }
  if (timestamp > max_timestamp_) max_timestamp_ = timestamp;

  std::string body;
  body.push_back('\0');  // record attributes, unused
  varint::AppendVarlong(body, static_cast<int64_t>(static_cast<uint64_t>(timestamp) -
                                                   static_cast<uint64_t>(base_timestamp_)));
  varint::AppendVarint(body, count_);  // offsetDelta
  AppendBytes(body, key);
  AppendBytes(body, value);
  varint::AppendVarint(body, static_cast<int32_t>(headers.size()));
  for (const RecordHeader& h : headers) {
    AppendBytes(body, h.key);
    AppendBytes(body, h.value);
  }
  varint::AppendVarint(records_, static_cast<int32_t>(body.size()));
  records_ += body;
  ++count_;
}

std::string RecordBatchBuilder::Build() const {
  Compression codec = compression_;
  std::string compressed;
  if (codec != Compression::kNone) {
    Result<std::string> c = Compress(codec, records_);
    if (c.ok()) {
      compressed = std::move(c).value();
    } else {
      codec = Compression::kNone;
    }
  }
  const std::string& payload = codec == Compression::kNone ? records_ : compressed;

  uint16_t attrs = static_cast<uint16_t>(codec);
  if (timestamp_type_ == TimestampType::kLogAppendTime) attrs |= kAttrTimestampType;
  if (transactional_) attrs |= kAttrTransactional;
  if (control_) attrs |= kAttrControl;

  std::string out;
  out.reserve(kBatchHeaderSize + payload.size());
  varint::AppendBe64(out, static_cast<uint64_t>(base_offset_));
  varint::AppendBe32(out, static_cast<uint32_t>(kBatchHeaderSize - kBatchLogOverhead +
                                                payload.size()));
  varint::AppendBe32(out, static_cast<uint32_t>(partition_leader_epoch_));
  out.push_back(2);  // magic
  varint::AppendBe32(out, 0);  // crc, filled below
  varint::AppendBe16(out, attrs);
  varint::AppendBe32(out, static_cast<uint32_t>(count_ - 1));  // lastOffsetDelta
  varint::AppendBe64(out, static_cast<uint64_t>(base_timestamp_));
  varint::AppendBe64(out, static_cast<uint64_t>(max_timestamp_));
  varint::AppendBe64(out, static_cast<uint64_t>(producer_id_));
  varint::AppendBe16(out, static_cast<uint16_t>(producer_epoch_));
  varint::AppendBe32(out, static_cast<uint32_t>(base_sequence_));
  varint::AppendBe32(out, static_cast<uint32_t>(count_));
  out += payload;
  uint32_t crc = Crc32c(out.data() + kBatchAttributesOffset, out.size() - kBatchAttributesOffset);
  varint::StoreBe32(reinterpret_cast<uint8_t*>(out.data()) + kBatchCrcOffset, crc);
  return out;
}

void RecordBatchBuilder::Clear() {
  records_.clear();
  count_ = 0;
  base_timestamp_ = -1;
  max_timestamp_ = -1;
}

}  // namespace sluice::protocol
