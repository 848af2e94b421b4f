#include "storage/leader_epoch_cache.h"

#include <glog/logging.h>

#include <sstream>

#include "storage/file_util.h"

namespace sluice::storage {

Result<LeaderEpochCache> LeaderEpochCache::Load(const std::string& dir) {
  LeaderEpochCache cache(dir);
  std::string path = dir + "/" + kFileName;
  Result<std::string> content = ReadWholeFile(path);
  if (!content.ok()) {
    if (content.status().code() == Errc::kNotFound) return cache;
    return content.status();
  }
  std::istringstream in(content.value());
  int version = -1;
  int64_t count = -1;
  if (!(in >> version >> count) || version != 0 || count < 0) {
    return Status::Corruption(path + ": bad header");
  }
  for (int64_t i = 0; i < count; ++i) {
    int64_t epoch = 0;
    int64_t offset = 0;
    if (!(in >> epoch >> offset) || epoch < 0 || offset < 0 || epoch > INT32_MAX) {
      return Status::Corruption(path + ": bad entry " + std::to_string(i));
    }
    EpochEntry e{LeaderEpoch(static_cast<int32_t>(epoch)), Offset(offset)};
    if (!cache.entries_.empty() && (e.epoch <= cache.entries_.back().epoch ||
                                    e.start_offset < cache.entries_.back().start_offset)) {
      return Status::Corruption(path + ": entries out of order at " + std::to_string(i));
    }
    cache.entries_.push_back(e);
  }
  return cache;
}

LeaderEpoch LeaderEpochCache::latest_epoch() const {
  return entries_.empty() ? LeaderEpoch(-1) : entries_.back().epoch;
}

std::optional<Offset> LeaderEpochCache::latest_start_offset() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.back().start_offset;
}

Status LeaderEpochCache::Assign(LeaderEpoch epoch, Offset start) {
  if (epoch.value() < 0) return Status::Ok();
  if (!entries_.empty() && entries_.back().epoch == epoch) return Status::Ok();
  size_t before = entries_.size();
  while (!entries_.empty() &&
         (entries_.back().epoch >= epoch || entries_.back().start_offset >= start)) {
    entries_.pop_back();
  }
  if (entries_.size() != before) {
    LOG(WARNING) << "epoch_cache_conflict dir=" << dir_ << " epoch=" << epoch
                 << " start_offset=" << start << " dropped=" << (before - entries_.size());
  }
  entries_.push_back(EpochEntry{epoch, start});
  return Persist();
}

std::pair<LeaderEpoch, Offset> LeaderEpochCache::EndOffsetFor(LeaderEpoch requested,
                                                              Offset leo) const {
  constexpr std::pair<LeaderEpoch, Offset> kUndefined{LeaderEpoch(-1), Offset(-1)};
  if (requested.value() < 0 || entries_.empty()) return kUndefined;
  if (requested == latest_epoch()) return {requested, leo};
  // First entry with epoch > requested.
  size_t higher = 0;
  while (higher < entries_.size() && entries_[higher].epoch <= requested) ++higher;
  if (higher == entries_.size()) return kUndefined;
  if (higher == 0) return {requested, entries_[0].start_offset};
  return {entries_[higher - 1].epoch, entries_[higher].start_offset};
}

Status LeaderEpochCache::TruncateFromEnd(Offset end) {
  if (entries_.empty() || entries_.back().start_offset < end) return Status::Ok();
  while (!entries_.empty() && entries_.back().start_offset >= end) entries_.pop_back();
  return Persist();
}

Status LeaderEpochCache::TruncateFromStart(Offset start) {
  // Index of the last entry starting at or below `start`.
  size_t floor = 0;
  bool found = false;
  for (size_t i = 0; i < entries_.size() && entries_[i].start_offset <= start; ++i) {
    floor = i;
    found = true;
  }
  if (!found || (floor == 0 && entries_[0].start_offset == start)) return Status::Ok();
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(floor));
  entries_[0].start_offset = start;
  return Persist();
}

Status LeaderEpochCache::Clear() {
  entries_.clear();
  return Persist();
}

Status LeaderEpochCache::Persist() const {
  std::string out = "0\n" + std::to_string(entries_.size()) + "\n";
  for (const EpochEntry& e : entries_) {
    out += std::to_string(e.epoch.value()) + " " + std::to_string(e.start_offset.value()) + "\n";
  }
  return WriteFileAtomically(dir_ + "/" + kFileName, out);
}

}  // namespace sluice::storage
