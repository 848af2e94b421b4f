#include "broker/group/offsets_records.h"

#include <cstdlib>

#include "protocol/wire.h"

namespace sluice::broker {

namespace {

// Decodes one code point of UTF-8 at s[i]; advances i. Invalid sequences give U+FFFD and consume
// one byte.
uint32_t NextCodePoint(std::string_view s, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  uint8_t b0 = byte(i);
  if (b0 < 0x80) { ++i; return b0; }
  int len = (b0 & 0xE0) == 0xC0 ? 2 : (b0 & 0xF0) == 0xE0 ? 3 : (b0 & 0xF8) == 0xF0 ? 4 : 0;
  if (len == 0 || i + len > s.size()) { ++i; return 0xFFFD; }
  uint32_t cp = b0 & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    uint8_t b = byte(i + k);
    if ((b & 0xC0) != 0x80) { ++i; return 0xFFFD; }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += len;
  return cp;
}

template <typename Msg>
std::string EncodeVersioned(const Msg& msg, int16_t version) {
  protocol::WireWriter out;
  out.WriteInt16(version);
  msg.Encode(out, version);
  return out.bytes();
}

template <typename Msg>
Result<Msg> DecodeBody(protocol::WireReader& in, int16_t version) {
  Msg msg;
  Status s = msg.Decode(in, version);
  if (!s.ok()) return s;
  return msg;
}

}  // namespace

int32_t JavaStringHashCode(std::string_view s) {
  uint32_t h = 0;
  auto add = [&h](uint32_t unit) { h = 31u * h + unit; };
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = NextCodePoint(s, i);
    if (cp >= 0x10000) {
      cp -= 0x10000;
      add(0xD800 + (cp >> 10));
      add(0xDC00 + (cp & 0x3FF));
    } else {
      add(cp);
    }
  }
  return static_cast<int32_t>(h);
}

int32_t OffsetsPartitionFor(std::string_view group_id, int32_t num_partitions) {
  int32_t h = JavaStringHashCode(group_id);
  int32_t abs = h == INT32_MIN ? 0 : std::abs(h);
  return num_partitions <= 0 ? 0 : abs % num_partitions;
}

std::string EncodeOffsetKey(const OffsetRecordKey& key) {
  protocol::OffsetCommitKey k;
  k.group = key.group;
  k.topic = key.topic;
  k.partition = key.partition;
  return EncodeVersioned(k, 1);
}

std::string EncodeOffsetValue(const protocol::OffsetCommitValue& value) {
  return EncodeVersioned(value, value.expire_timestamp >= 0 ? 1 : 3);
}

std::string EncodeGroupKey(const GroupRecordKey& key) {
  protocol::GroupMetadataKey k;
  k.group = key.group;
  return EncodeVersioned(k, 2);
}

std::string EncodeGroupValue(const protocol::GroupMetadataValue& value) {
  return EncodeVersioned(value, 3);
}

Result<OffsetsTopicRecord> DecodeOffsetsTopicRecord(std::optional<std::string_view> key,
                                                    std::optional<std::string_view> value) {
  if (!key.has_value()) return Status::InvalidArgument("__consumer_offsets record without key");
  protocol::WireReader kin(*key);
  int16_t key_version = kin.ReadInt16("key version");
  if (!kin.ok()) return kin.status();
  std::optional<protocol::WireReader> vin;
  int16_t value_version = 0;
  if (value.has_value()) {
    vin.emplace(*value);
    value_version = vin->ReadInt16("value version");
    if (!vin->ok()) return vin->status();
  }
  if (key_version == 0 || key_version == 1) {
    auto k = DecodeBody<protocol::OffsetCommitKey>(kin, key_version);
    if (!k.ok()) return k.status();
    OffsetRecord rec;
    rec.key = {k->group, k->topic, k->partition};
    if (vin.has_value()) {
      if (value_version < 0 || value_version > 4) {
        return Status::InvalidArgument("unknown offset commit value version " +
                                       std::to_string(value_version));
      }
      auto v = DecodeBody<protocol::OffsetCommitValue>(*vin, value_version);
      if (!v.ok()) return v.status();
      rec.value = std::move(v).value();
    }
    return OffsetsTopicRecord(std::move(rec));
  }
  if (key_version == 2) {
    auto k = DecodeBody<protocol::GroupMetadataKey>(kin, key_version);
    if (!k.ok()) return k.status();
    GroupRecord rec;
    rec.key = {k->group};
    if (vin.has_value()) {
      if (value_version < 0 || value_version > 4) {
        return Status::InvalidArgument("unknown group metadata value version " +
                                       std::to_string(value_version));
      }
      auto v = DecodeBody<protocol::GroupMetadataValue>(*vin, value_version);
      if (!v.ok()) return v.status();
      rec.value = std::move(v).value();
    }
    return OffsetsTopicRecord(std::move(rec));
  }
  return Status::InvalidArgument("unknown __consumer_offsets key version " +
                                 std::to_string(key_version));
}

}  // namespace sluice::broker
