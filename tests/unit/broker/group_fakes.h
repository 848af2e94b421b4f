#pragma once
// Fakes for the group coordinator's unit tests: an in-memory OffsetsLog whose appends are
// acknowledged (high watermark advanced) only when the test says so, a manual clock and a queue
// of posted closures.

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "broker/group/group_coordinator.h"
#include "broker/group/offsets_records.h"
#include "protocol/record_batch.h"

namespace sluice::broker::testing {

class FakeOffsetsLog : public OffsetsLog {
 public:
  struct PartitionLog {
    int32_t epoch = -1;
    std::vector<std::string> batches;  // offsets assigned
    int64_t leo = 0;
  };
  std::map<int32_t, PartitionLog> parts;
  bool auto_ack = true;
  protocol::ErrorCode fail_appends_with = protocol::ErrorCode::kNone;
  std::deque<std::function<void(protocol::ErrorCode)>> unacked;

  void Lead(int32_t p, int32_t epoch) { parts[p].epoch = epoch; }
  void Follow(int32_t p) { parts[p].epoch = -1; }
  // Acknowledges (or fails) the oldest unacknowledged append.
  void AckOne(protocol::ErrorCode e = protocol::ErrorCode::kNone) {
    auto cb = std::move(unacked.front());
    unacked.pop_front();
    cb(e);
  }
  void AckAll() {
    while (!unacked.empty()) AckOne();
  }
  // Every record of partition p, decoded.
  std::vector<OffsetsTopicRecord> Records(int32_t p) {
    std::vector<OffsetsTopicRecord> out;
    for (const auto& b : parts[p].batches) {
      auto view = protocol::RecordBatchView::Parse(b);
      (void)protocol::ForEachRecord(*view, [&](const protocol::Record& r) {
        auto d = DecodeOffsetsTopicRecord(r.key, r.value);
        if (d.ok()) out.push_back(*d);
      });
    }
    return out;
  }

  int32_t LeaderEpoch(int32_t p) override {
    auto it = parts.find(p);
    return it == parts.end() ? -1 : it->second.epoch;
  }
  int64_t LogStartOffset(int32_t) override { return 0; }
  int64_t LogEndOffset(int32_t p) override { return parts[p].leo; }
  Result<std::string> Read(int32_t p, int64_t from, int32_t) override {
    std::string out;
    for (const auto& b : parts[p].batches) {
      auto view = protocol::RecordBatchView::Parse(b);
      if (view->next_offset() > from) {
        out += b;
        break;  // one batch per read: exercises the chunked loader
      }
    }
    return out;
  }
  void Append(int32_t p, std::string batch, int64_t,
              std::function<void(protocol::ErrorCode)> done) override {
    if (LeaderEpoch(p) < 0) return done(protocol::ErrorCode::kNotLeaderOrFollower);
    if (fail_appends_with != protocol::ErrorCode::kNone) return done(fail_appends_with);
    auto& pl = parts[p];
    auto* data = reinterpret_cast<uint8_t*>(batch.data());
    protocol::SetBaseOffset(data, pl.leo);
    auto view = protocol::RecordBatchView::Parse(batch);
    pl.leo = view->next_offset();
    pl.batches.push_back(std::move(batch));
    if (auto_ack) return done(protocol::ErrorCode::kNone);
    unacked.push_back(std::move(done));
  }
};

struct FakeEnv {
  FakeOffsetsLog log;
  int64_t now = 1'700'000'000'000;
  std::deque<std::function<void()>> posted;

  std::function<int64_t()> Clock() {
    return [this] { return now; };
  }
  std::function<void(std::function<void()>)> Poster() {
    return [this](std::function<void()> fn) { posted.push_back(std::move(fn)); };
  }
  void RunPosted() {
    while (!posted.empty()) {
      auto fn = std::move(posted.front());
      posted.pop_front();
      fn();
    }
  }
};

}  // namespace sluice::broker::testing
