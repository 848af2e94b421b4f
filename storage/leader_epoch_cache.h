#pragma once
// LeaderEpochCache: the (leader epoch -> first offset of that epoch) history of one partition
// replica (KIP-101/279, README §6 "Leader epochs"), persisted to `<dir>/leader-epoch-checkpoint`
// (line "0", line count, lines "epoch offset"; replaced atomically on every change). Owned by its
// Log; loop thread only. Changes are rare (new epoch, truncation), so each one rewrites the file.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/ids.h"
#include "common/status.h"

namespace sluice::storage {

struct EpochEntry {
  LeaderEpoch epoch;
  Offset start_offset;
  bool operator==(const EpochEntry&) const = default;
};

class LeaderEpochCache {
 public:
  static constexpr const char* kFileName = "leader-epoch-checkpoint";

  // Reads `<dir>/leader-epoch-checkpoint` (missing = empty).
  static Result<LeaderEpochCache> Load(const std::string& dir);
  explicit LeaderEpochCache(std::string dir) : dir_(std::move(dir)) {}

  const std::vector<EpochEntry>& entries() const { return entries_; }
  // LeaderEpoch(-1) when empty.
  LeaderEpoch latest_epoch() const;
  // Start offset of the latest epoch, nullopt when empty.
  std::optional<Offset> latest_start_offset() const;

  // Records that `epoch` starts at `start`. Same epoch as the latest: no-op. Otherwise entries
  // with epoch >= `epoch` or start >= `start` are dropped first (they conflict) and the file is
  // rewritten.
  Status Assign(LeaderEpoch epoch, Offset start);
  // (epoch, end offset) answering OffsetForLeaderEpoch for `requested` with log end `leo`:
  // requested == latest -> (requested, leo); requested above every epoch or -1 -> (-1, -1);
  // below every epoch -> (requested, first start); otherwise (largest epoch <= requested, start
  // of the next higher epoch).
  std::pair<LeaderEpoch, Offset> EndOffsetFor(LeaderEpoch requested, Offset leo) const;
  // Drops entries starting at or after `end` (log truncated to `end`).
  Status TruncateFromEnd(Offset end);
  // Drops entries wholly below `start` (log start advanced); the last of them is kept with its
  // start offset moved up to `start`.
  Status TruncateFromStart(Offset start);
  Status Clear();

 private:
  Status Persist() const;

  std::string dir_;
  std::vector<EpochEntry> entries_;  // epochs and start offsets strictly increasing
};

}  // namespace sluice::storage
