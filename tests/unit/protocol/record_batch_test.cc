#include "protocol/record_batch.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "protocol/crc32c.h"
#include "protocol/record_builder.h"
#include "protocol/varint.h"

namespace sluice::protocol {
namespace {

std::string ReadCapture(const std::string& rel) {
  std::string path = std::string(SLUICE_TESTDATA_DIR) + "/captures/" + rel;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing capture " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Minimal hand parser for a Produce v7 request frame with one topic and one partition: 4-byte
// size, request header v1, then transactional_id, acks, timeout, topics[1] { name,
// partitions[1] { index, records } }. Returns the records bytes.
class FrameReader {
 public:
  explicit FrameReader(const std::string& b) : b_(b) {}
  int64_t Int(int width) {
    EXPECT_LE(pos_ + width, b_.size());
    int64_t v = 0;
    for (int i = 0; i < width; ++i) v = (v << 8) | static_cast<uint8_t>(b_[pos_++]);
    // sign-extend
    int shift = 64 - 8 * width;
    return static_cast<int64_t>(static_cast<uint64_t>(v) << shift) >> shift;
  }
  std::string Str16() {
    int64_t n = Int(2);
    if (n < 0) return "<null>";
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  std::string Bytes32() {
    int64_t n = Int(4);
    std::string s = b_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  size_t pos() const { return pos_; }

 private:
  const std::string& b_;
  size_t pos_ = 0;
};

std::string ProduceV7Records(const std::string& frame, std::string* topic) {
  FrameReader r(frame);
  EXPECT_EQ(r.Int(4), static_cast<int64_t>(frame.size()) - 4);
  EXPECT_EQ(r.Int(2), 0);  // api key Produce
  EXPECT_EQ(r.Int(2), 7);  // version
  r.Int(4);                // correlation id
  r.Str16();               // client id
  EXPECT_EQ(r.Str16(), "<null>");  // transactional id
  EXPECT_EQ(r.Int(2), -1);         // acks
  EXPECT_EQ(r.Int(4), 30000);      // timeout
  EXPECT_EQ(r.Int(4), 1);          // topics
  *topic = r.Str16();
  EXPECT_EQ(r.Int(4), 1);  // partitions
  EXPECT_EQ(r.Int(4), 0);  // partition index
  std::string records = r.Bytes32();
  EXPECT_EQ(r.pos(), frame.size());
  return records;
}

struct OwnedRecord {
  int64_t offset;
  int64_t timestamp;
  std::optional<std::string> key, value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
};

std::optional<std::string> Own(std::optional<std::string_view> v) {
  if (!v) return std::nullopt;
  return std::string(*v);
}

Result<std::vector<OwnedRecord>> Collect(const RecordBatchView& batch,
                                         size_t max = kDefaultMaxDecompressedBytes) {
  std::vector<OwnedRecord> out;
  Status st = ForEachRecord(
      batch,
      [&](const Record& r) {
        OwnedRecord o{r.offset, r.timestamp, Own(r.key), Own(r.value), {}};
        for (const auto& h : r.headers) o.headers.emplace_back(std::string(h.key), Own(h.value));
        out.push_back(std::move(o));
      },
      max);
  if (!st.ok()) return st;
  return out;
}

TEST(RecordBatchCaptures, LibrdkafkaUncompressedHasThreeRecords) {
  std::string topic;
  std::string records =
      ProduceV7Records(ReadCapture("librdkafka-2.0.2/Produce-v7-uncompressed.bin"), &topic);
  EXPECT_EQ(topic, "captest");
  auto batch = RecordBatchView::Parse(records);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->size_bytes(), records.size());
  EXPECT_EQ(batch->magic(), 2);
  EXPECT_EQ(batch->base_offset(), 0);
  EXPECT_EQ(batch->partition_leader_epoch(), 0);
  EXPECT_EQ(batch->compression(), Compression::kNone);
  EXPECT_EQ(batch->record_count(), 3);
  EXPECT_EQ(batch->last_offset_delta(), 2);
  EXPECT_EQ(batch->producer_id(), -1);
  EXPECT_EQ(batch->producer_epoch(), -1);
  EXPECT_EQ(batch->base_sequence(), -1);
  EXPECT_EQ(batch->crc(), 0xa4ac89b7u);
  EXPECT_TRUE(batch->VerifyCrc().ok());
  EXPECT_TRUE(ValidateProducerBatch(*batch).ok());

  auto recs = Collect(*batch);
  ASSERT_TRUE(recs.ok()) << recs.status();
  ASSERT_EQ(recs->size(), 3u);
  const auto& r = *recs;
  EXPECT_EQ(r[0].key, "key1");
  EXPECT_EQ(r[0].value, "value-one");
  EXPECT_EQ(r[1].key, "key2");
  EXPECT_EQ(r[1].value, "value-two");
  EXPECT_EQ(r[2].key, "");  // empty, not null
  EXPECT_EQ(r[2].value, "null-key-value");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r[i].offset, i);
    EXPECT_GE(r[i].timestamp, batch->base_timestamp());
  }
  // Headers hk=hv and h2="" appear on the records.
  bool saw_hk = false, saw_h2 = false;
  for (const auto& rec : r) {
    for (const auto& [k, v] : rec.headers) {
      if (k == "hk" && v == "hv") saw_hk = true;
      if (k == "h2" && v == "") saw_h2 = true;
    }
  }
  EXPECT_TRUE(saw_hk);
  EXPECT_TRUE(saw_h2);
}

class CompressedCaptureTest : public ::testing::TestWithParam<std::pair<const char*, Compression>> {
};

TEST_P(CompressedCaptureTest, TwentyRecordsDecode) {
  auto [name, codec] = GetParam();
  std::string topic;
  std::string records = ProduceV7Records(
      ReadCapture(std::string("librdkafka-2.0.2/Produce-v7-") + name + ".bin"), &topic);
  auto batch = RecordBatchView::Parse(records);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->compression(), codec);
  EXPECT_EQ(batch->record_count(), 20);
  EXPECT_TRUE(batch->VerifyCrc().ok());
  EXPECT_TRUE(ValidateProducerBatch(*batch).ok());

  auto decoded = Decompress(codec, batch->records_data(), batch->records_size());
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->size(), 1211u);  // captures/README.md

  auto recs = Collect(*batch);
  ASSERT_TRUE(recs.ok()) << recs.status();
  ASSERT_EQ(recs->size(), 20u);
  for (int i = 0; i < 20; ++i) {
    const OwnedRecord& r = (*recs)[i];
    EXPECT_EQ(r.offset, i);
    // The capture program numbered its messages 1..20.
    const int m = i + 1;
    EXPECT_EQ(r.key, "key" + std::to_string(m % 3)) << i;
    EXPECT_EQ(r.value, "value-" + std::to_string(m) + " repeated repeated repeated repeated") << i;
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "hk");
    EXPECT_EQ(r.headers[0].second, "hv");
  }
}

INSTANTIATE_TEST_SUITE_P(
    Codecs, CompressedCaptureTest,
    ::testing::Values(std::make_pair("gzip", Compression::kGzip),
                      std::make_pair("snappy", Compression::kSnappy),
                      std::make_pair("lz4", Compression::kLz4),
                      std::make_pair("zstd", Compression::kZstd)),
    [](const auto& param_info) { return std::string(param_info.param.first); });

TEST(RecordBatchCaptures, LibrdkafkaIdempotentBatch) {
  std::string topic;
  std::string records =
      ProduceV7Records(ReadCapture("librdkafka-2.0.2/Produce-v7-idempotent.bin"), &topic);
  auto batch = RecordBatchView::Parse(records);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->producer_id(), 4242);
  EXPECT_EQ(batch->producer_epoch(), 0);
  EXPECT_EQ(batch->base_sequence(), 0);
  EXPECT_EQ(batch->record_count(), 5);
  EXPECT_TRUE(ValidateProducerBatch(*batch).ok());
  auto recs = Collect(*batch);
  ASSERT_TRUE(recs.ok()) << recs.status();
  EXPECT_EQ(recs->size(), 5u);
}

TEST(RecordBatchCaptures, KafkajsBatch) {
  std::string topic;
  std::string records = ProduceV7Records(ReadCapture("kafkajs-2.2.4/Produce-v7.bin"), &topic);
  EXPECT_EQ(topic, "jtopic");
  auto batch = RecordBatchView::Parse(records);
  ASSERT_TRUE(batch.ok()) << batch.status();
  EXPECT_EQ(batch->producer_id(), -1);
  EXPECT_EQ(batch->producer_epoch(), 0);  // kafkajs quirk: 0 with producerId -1
  EXPECT_EQ(batch->base_sequence(), 0);
  EXPECT_TRUE(batch->VerifyCrc().ok());
  EXPECT_TRUE(ValidateProducerBatch(*batch).ok());
  auto recs = Collect(*batch);
  ASSERT_TRUE(recs.ok()) << recs.status();
  ASSERT_EQ(recs->size(), 3u);
  const auto& r = *recs;
  EXPECT_EQ(r[0].key, "k1");
  EXPECT_EQ(r[0].value, "js-one");
  ASSERT_EQ(r[0].headers.size(), 1u);
  EXPECT_EQ(r[0].headers[0].first, "hk");
  EXPECT_EQ(r[0].headers[0].second, "hv");
  EXPECT_EQ(r[1].key, std::nullopt);
  EXPECT_EQ(r[1].value, "js-two");
  EXPECT_EQ(r[2].key, "k3");
  EXPECT_EQ(r[2].value, std::nullopt);
}

std::string SampleBatch(Compression c = Compression::kNone, int n = 3, int64_t base = 0) {
  RecordBatchBuilder b(c, base);
  for (int i = 0; i < n; ++i) {
    b.Add(1000 + i, "k" + std::to_string(i), "v" + std::to_string(i), {{"h", "x"}});
  }
  return b.Build();
}

TEST(RecordBatchView, CorruptedCrcIsCorruption) {
  std::string bytes = SampleBatch();
  // Flip a bit in every CRC-covered byte in turn: always detected.
  for (size_t i = kBatchAttributesOffset; i < bytes.size(); ++i) {
    std::string bad = bytes;
    bad[i] ^= 0x10;
    auto batch = RecordBatchView::Parse(bad);
    if (!batch.ok()) continue;  // some flips break framing (count, codec) first
    Status st = batch->VerifyCrc();
    EXPECT_EQ(st.code(), Errc::kCorruption) << "byte " << i;
    EXPECT_EQ(ValidateProducerBatch(*batch).code(), Errc::kCorruption);
  }
  // Flipping the stored CRC itself.
  std::string bad = bytes;
  bad[kBatchCrcOffset] ^= 1;
  auto batch = RecordBatchView::Parse(bad);
  ASSERT_TRUE(batch.ok());
  Status st = batch->VerifyCrc();
  EXPECT_EQ(st.code(), Errc::kCorruption);
  EXPECT_NE(st.message().find("expected"), std::string::npos) << st.message();
}

TEST(RecordBatchView, BytesOutsideCrcDoNotAffectIt) {
  std::string bytes = SampleBatch();
  auto* p = reinterpret_cast<uint8_t*>(bytes.data());
  SetBaseOffset(p, 123456789);
  SetPartitionLeaderEpoch(p, 7);
  auto batch = RecordBatchView::Parse(bytes);
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->VerifyCrc().ok());
  EXPECT_EQ(batch->base_offset(), 123456789);
  EXPECT_EQ(batch->partition_leader_epoch(), 7);
  EXPECT_EQ(batch->last_offset(), 123456789 + 2);
  auto recs = Collect(*batch);
  ASSERT_TRUE(recs.ok());
  EXPECT_EQ((*recs)[2].offset, 123456789 + 2);
}

TEST(RecordBatchView, LogAppendTimeRewritesMaxTimestampAndCrc) {
  std::string bytes = SampleBatch(Compression::kLz4);
  SetMaxTimestampAndLogAppendTime(reinterpret_cast<uint8_t*>(bytes.data()), 999999);
  auto batch = RecordBatchView::Parse(bytes);
  ASSERT_TRUE(batch.ok());
  EXPECT_TRUE(batch->VerifyCrc().ok());
  EXPECT_EQ(batch->timestamp_type(), TimestampType::kLogAppendTime);
  EXPECT_EQ(batch->max_timestamp(), 999999);
  EXPECT_EQ(batch->compression(), Compression::kLz4);  // other attribute bits kept
  auto recs = Collect(*batch);
  ASSERT_TRUE(recs.ok());
  for (const auto& r : *recs) EXPECT_EQ(r.timestamp, 999999);
}

TEST(RecordBatchView, WrongMagicIsUnsupported) {
  std::string bytes = SampleBatch();
  bytes[kBatchMagicOffset] = 1;
  auto batch = RecordBatchView::Parse(bytes);
  ASSERT_FALSE(batch.ok());
  EXPECT_EQ(batch.status().code(), Errc::kUnsupported);
  EXPECT_NE(batch.status().message().find("magic"), std::string::npos);
}

TEST(RecordBatchView, TruncatedAtEveryLengthFailsCleanly) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    std::string bytes = SampleBatch(c, 5);
    for (size_t len = 0; len < bytes.size(); ++len) {
      std::string cut = bytes.substr(0, len);
      auto batch = RecordBatchView::Parse(cut);
      ASSERT_FALSE(batch.ok()) << "len " << len;
      EXPECT_EQ(batch.status().code(), Errc::kCorruption) << "len " << len;
    }
  }
}

TEST(RecordBatchView, ShrunkBatchLengthNeverCrashesRecordDecoding) {
  // A batch whose batchLength (and CRC) claim fewer bytes: Parse succeeds, the records section is
  // cut short, ForEachRecord must report an error, not read past the view.
  std::string bytes = SampleBatch(Compression::kNone, 5);
  for (size_t len = kBatchHeaderSize; len < bytes.size(); ++len) {
    std::string cut = bytes.substr(0, len);
    varint::StoreBe32(reinterpret_cast<uint8_t*>(cut.data()) + kBatchLengthOffset,
                      static_cast<uint32_t>(len - kBatchLogOverhead));
    auto batch = RecordBatchView::Parse(cut);
    ASSERT_TRUE(batch.ok()) << len;
    EXPECT_EQ(batch->VerifyCrc().code(), Errc::kCorruption);
    Status st = ForEachRecord(*batch, [](const Record&) {});
    EXPECT_FALSE(st.ok()) << "len " << len;
  }
}

TEST(RecordBatchView, ParseViewsExactlyOneBatch) {
  std::string two = SampleBatch() + SampleBatch(Compression::kNone, 1);
  auto batch = RecordBatchView::Parse(two);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->size_bytes(), SampleBatch().size());
  EXPECT_TRUE(batch->VerifyCrc().ok());
}

TEST(RecordBatchView, RecordCountMismatchIsInvalid) {
  std::string bytes = SampleBatch(Compression::kNone, 3);
  auto* p = reinterpret_cast<uint8_t*>(bytes.data());
  varint::StoreBe32(p + kBatchRecordCountOffset, 4);  // more than present
  RecomputeCrc(p);
  auto batch = RecordBatchView::Parse(bytes);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(ForEachRecord(*batch, [](const Record&) {}).code(), Errc::kInvalidArgument);
  varint::StoreBe32(p + kBatchRecordCountOffset, 2);  // fewer: bytes left over
  RecomputeCrc(p);
  batch = RecordBatchView::Parse(bytes);
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(ForEachRecord(*batch, [](const Record&) {}).code(), Errc::kInvalidArgument);
}

TEST(RecordBatchView, NegativeCountAndUnknownCodecRejected) {
  std::string bytes = SampleBatch();
  std::string neg = bytes;
  varint::StoreBe32(reinterpret_cast<uint8_t*>(neg.data()) + kBatchRecordCountOffset,
                    static_cast<uint32_t>(-1));
  EXPECT_EQ(RecordBatchView::Parse(neg).status().code(), Errc::kCorruption);
  std::string codec = bytes;
  codec[kBatchAttributesOffset + 1] = 0x05;
  EXPECT_EQ(RecordBatchView::Parse(codec).status().code(), Errc::kCorruption);
}

TEST(RecordBatchView, DecompressionIsCappedPerBatch) {
  RecordBatchBuilder b(Compression::kZstd);
  b.Add(1, "k", std::string(100000, 'x'));
  std::string bytes = b.Build();
  ASSERT_LT(bytes.size(), 1000u);
  auto batch = RecordBatchView::Parse(bytes);
  ASSERT_TRUE(batch.ok());
  int n = 0;
  EXPECT_EQ(ForEachRecord(*batch, [&](const Record&) { ++n; }, 50000).code(), Errc::kTooLarge);
  EXPECT_EQ(n, 0);
  EXPECT_TRUE(ForEachRecord(*batch, [&](const Record&) { ++n; }).ok());
  EXPECT_EQ(n, 1);
}

TEST(ValidateProducerBatch, RejectsKafkaInvalidRecordCases) {
  auto check = [](const std::string& b, Errc want) {
    auto batch = RecordBatchView::Parse(b);
    ASSERT_TRUE(batch.ok()) << batch.status();
    EXPECT_EQ(ValidateProducerBatch(*batch).code(), want);
  };
  check(SampleBatch(), Errc::kOk);
  // Empty batch.
  check(RecordBatchBuilder().Build(), Errc::kInvalidArgument);
  // lastOffsetDelta inconsistent with the count.
  {
    std::string b = SampleBatch();
    auto* p = reinterpret_cast<uint8_t*>(b.data());
    varint::StoreBe32(p + kBatchLastOffsetDeltaOffset, 5);
    RecomputeCrc(p);
    check(b, Errc::kInvalidArgument);
  }
  // Control batch from a client.
  {
    RecordBatchBuilder cb;
    cb.set_control(true);
    cb.Add(1, "ctl", "x");
    check(cb.Build(), Errc::kInvalidArgument);
  }
  // Idempotent producer with a negative sequence.
  {
    RecordBatchBuilder ib;
    ib.set_producer(42, 0, -1);
    ib.Add(1, "k", "v");
    check(ib.Build(), Errc::kInvalidArgument);
  }
  // kafkajs style: producerId -1 with epoch 0 / sequence 0 is fine; producerId -1, sequence -5
  // is ignored too.
  {
    RecordBatchBuilder kb;
    kb.set_producer(-1, 0, -5);
    kb.Add(1, "k", "v");
    check(kb.Build(), Errc::kOk);
  }
}

TEST(BatchIterator, WalksConcatenatedBatchesAndStopsAtTornTail) {
  std::string a = SampleBatch(Compression::kNone, 3, 0);
  std::string b = SampleBatch(Compression::kZstd, 4, 3);
  std::string c = SampleBatch(Compression::kGzip, 2, 7);
  std::string all = a + b + c;
  for (size_t cut = 0; cut <= c.size(); ++cut) {
    std::string buf = a + b + c.substr(0, cut);
    BatchIterator it(buf);
    std::vector<int64_t> bases;
    while (auto batch = it.Next()) {
      EXPECT_TRUE(batch->VerifyCrc().ok());
      bases.push_back(batch->base_offset());
    }
    EXPECT_TRUE(it.status().ok()) << it.status();
    if (cut == c.size()) {
      EXPECT_EQ(bases, (std::vector<int64_t>{0, 3, 7}));
      EXPECT_FALSE(it.partial_tail());
      EXPECT_EQ(it.bytes_consumed(), all.size());
    } else {
      EXPECT_EQ(bases, (std::vector<int64_t>{0, 3})) << cut;
      EXPECT_EQ(it.partial_tail(), cut > 0) << cut;
      EXPECT_EQ(it.bytes_consumed(), a.size() + b.size());
    }
  }
}

TEST(BatchIterator, ZeroFilledTailIsAnErrorAtItsOffset) {
  std::string a = SampleBatch();
  std::string buf = a + std::string(100, '\0');
  BatchIterator it(buf);
  int n = 0;
  while (it.Next()) ++n;
  EXPECT_EQ(n, 1);
  EXPECT_FALSE(it.status().ok());  // magic 0
  EXPECT_EQ(it.bytes_consumed(), a.size());
}

TEST(BatchIterator, EmptyBufferIsCleanEnd) {
  BatchIterator it(std::string_view{});
  EXPECT_FALSE(it.Next().has_value());
  EXPECT_TRUE(it.status().ok());
  EXPECT_FALSE(it.partial_tail());
  EXPECT_EQ(it.bytes_consumed(), 0u);
}

}  // namespace
}  // namespace sluice::protocol
