#pragma once
// Sparse segment indexes (README §6): `.index` maps relative offset -> file position (8-byte
// entries: int32 relative offset, int32 position), `.timeindex` maps max timestamp so far ->
// relative offset (12-byte entries: int64 timestamp, int32 relative offset); big-endian.
//
// Entries live in memory (appends cost no syscall) and reach the file on Persist() (segment roll,
// flush, close). The file only ever lags the memory copy; a lagging or damaged file is detected on
// load and the caller rebuilds the index from the log. Owned by one Segment; loop thread only.

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace sluice::storage {

struct OffsetIndexEntry {
  int64_t offset;    // absolute base offset of an indexed batch
  int64_t position;  // its byte position in the .log
};

struct TimeIndexEntry {
  int64_t timestamp;  // largest batch max timestamp up to and including the batch at `offset`
  int64_t offset;     // absolute base offset of that (indexed) batch
};

// Shared file handling; Entry is OffsetIndexEntry or TimeIndexEntry.
template <typename Entry>
class SparseIndex {
 public:
  SparseIndex(std::string path, int64_t base_offset, int64_t max_bytes);

  const std::string& path() const { return path_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  bool full() const { return entries_.size() >= max_entries_; }
  const Entry& back() const { return entries_.back(); }
  const std::vector<Entry>& entries() const { return entries_; }

  void Append(const Entry& e) { entries_.push_back(e); }
  // Drops every entry whose offset is >= `offset`.
  void TruncateFromOffset(int64_t offset);
  void Clear();

  // Reads the file. kNotFound when missing; kCorruption when malformed (bad size, entries out of
  // order, offsets below the base, positions at or beyond `log_size`). Memory is empty on error.
  Status Load(int64_t log_size);
  // Writes entries the file does not have yet (rewriting after truncation); fdatasync if `sync`.
  Status Persist(bool sync);
  Status RemoveFile();

 private:
  void Encode(const Entry& e, uint8_t* out) const;
  bool Decode(const uint8_t* in, const Entry* prev, int64_t log_size, Entry* out) const;
  static size_t EntrySize();

  std::string path_;
  int64_t base_offset_;
  size_t max_entries_;
  std::vector<Entry> entries_;
  size_t file_entries_ = 0;          // entries_[0, file_entries_) are in the file
  bool file_needs_truncate_ = true;  // the file may hold more than file_entries_ entries
};

class OffsetIndex : public SparseIndex<OffsetIndexEntry> {
 public:
  using SparseIndex::SparseIndex;
  // Largest entry with offset <= target; {base_offset, 0} when there is none.
  OffsetIndexEntry Lookup(int64_t target, int64_t base_offset) const;
};

class TimeIndex : public SparseIndex<TimeIndexEntry> {
 public:
  using SparseIndex::SparseIndex;
  // Largest entry with timestamp < ts (every batch before its offset is older than ts);
  // nullptr when there is none.
  const TimeIndexEntry* LookupBefore(int64_t ts) const;
};

}  // namespace sluice::storage
