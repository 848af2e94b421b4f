// Fuzz target: arbitrary bytes through the record batch v2 decoders. Parse, VerifyCrc,
// ValidateProducerBatch, ForEachRecord (decompression capped at 1 MiB so inflating inputs stay
// cheap) and BatchIterator must never crash, hang or read out of bounds.
//
// A corrupt CRC would stop most inputs before the record decoder in a broker, but the decoder
// must be safe on its own (clients decode Fetch data whose CRC they may not check), so the
// records are decoded whatever VerifyCrc says.

#include <cstddef>
#include <cstdint>

#include "protocol/record_batch.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::protocol;
  constexpr size_t kMaxOut = size_t{1} << 20;
  size_t records_seen = 0;
  auto on_record = [&](const Record& r) {
    records_seen += r.headers.size() + (r.key ? r.key->size() : 0) +
                    (r.value ? r.value->size() : 0);
  };

  auto batch = RecordBatchView::Parse(data, size);
  if (batch.ok()) {
    (void)batch->VerifyCrc();
    (void)ValidateProducerBatch(*batch);
    (void)ForEachRecord(*batch, on_record, kMaxOut);
    (void)batch->last_offset();
    (void)batch->next_offset();
  }

  BatchIterator it(data, size);
  int batches = 0;
  while (auto b = it.Next()) {
    if (++batches > 4) break;  // bounded work per input
    (void)ForEachRecord(*b, on_record, kMaxOut);
  }
  (void)it.bytes_consumed();
  return records_seen == static_cast<size_t>(-1) ? 1 : 0;
}
