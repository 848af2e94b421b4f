#include "storage/index.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <limits>

#include "storage/batch_header.h"
#include "storage/file_util.h"

namespace sluice::storage {

template <>
size_t SparseIndex<OffsetIndexEntry>::EntrySize() {
  return 8;
}
template <>
size_t SparseIndex<TimeIndexEntry>::EntrySize() {
  return 12;
}

template <>
void SparseIndex<OffsetIndexEntry>::Encode(const OffsetIndexEntry& e, uint8_t* out) const {
  StoreBe32(out, static_cast<int32_t>(e.offset - base_offset_));
  StoreBe32(out + 4, static_cast<int32_t>(e.position));
}
template <>
void SparseIndex<TimeIndexEntry>::Encode(const TimeIndexEntry& e, uint8_t* out) const {
  StoreBe64(out, e.timestamp);
  StoreBe32(out + 8, static_cast<int32_t>(e.offset - base_offset_));
}

template <>
bool SparseIndex<OffsetIndexEntry>::Decode(const uint8_t* in, const OffsetIndexEntry* prev,
                                           int64_t log_size, OffsetIndexEntry* out) const {
  int32_t rel = LoadBe32(in);
  int32_t pos = LoadBe32(in + 4);
  if (rel < 0 || pos < 0 || pos >= log_size) return false;
  out->offset = base_offset_ + rel;
  out->position = pos;
  return prev == nullptr || (out->offset > prev->offset && out->position > prev->position);
}
template <>
bool SparseIndex<TimeIndexEntry>::Decode(const uint8_t* in, const TimeIndexEntry* prev,
                                         int64_t log_size, TimeIndexEntry* out) const {
  int32_t rel = LoadBe32(in + 8);
  if (rel < 0) return false;
  out->timestamp = LoadBe64(in);
  out->offset = base_offset_ + rel;
  return prev == nullptr || (out->timestamp > prev->timestamp && out->offset > prev->offset);
}

template <typename Entry>
SparseIndex<Entry>::SparseIndex(std::string path, int64_t base_offset, int64_t max_bytes)
    : path_(std::move(path)),
      base_offset_(base_offset),
      max_entries_(std::max<size_t>(1, static_cast<size_t>(max_bytes) / EntrySize())) {}

template <typename Entry>
void SparseIndex<Entry>::TruncateFromOffset(int64_t offset) {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), offset,
                             [](const Entry& e, int64_t o) { return e.offset < o; });
  entries_.erase(it, entries_.end());
  if (file_entries_ > entries_.size()) {
    file_entries_ = entries_.size();
    file_needs_truncate_ = true;
  }
}

template <typename Entry>
void SparseIndex<Entry>::Clear() {
  entries_.clear();
  file_entries_ = 0;
  file_needs_truncate_ = true;
}

template <typename Entry>
Status SparseIndex<Entry>::Load(int64_t log_size) {
  Clear();
  Result<std::string> bytes = ReadWholeFile(path_);
  if (!bytes.ok()) return bytes.status();
  const std::string& b = bytes.value();
  size_t es = EntrySize();
  if (b.size() % es != 0) {
    return Status::Corruption(path_ + ": size " + std::to_string(b.size()) + " not a multiple of " +
                              std::to_string(es));
  }
  size_t n = b.size() / es;
  entries_.reserve(n);
  const auto* p = reinterpret_cast<const uint8_t*>(b.data());
  for (size_t i = 0; i < n; ++i) {
    Entry e{};
    if (!Decode(p + i * es, entries_.empty() ? nullptr : &entries_.back(), log_size, &e)) {
      entries_.clear();
      return Status::Corruption(path_ + ": bad entry " + std::to_string(i));
    }
    entries_.push_back(e);
  }
  file_entries_ = n;
  file_needs_truncate_ = false;
  return Status::Ok();
}

template <typename Entry>
Status SparseIndex<Entry>::Persist(bool sync) {
  if (file_entries_ == entries_.size() && !file_needs_truncate_ && !sync) return Status::Ok();
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus("open", path_);
  size_t es = EntrySize();
  Status s;
  if (file_needs_truncate_ && ::ftruncate(fd, static_cast<off_t>(file_entries_ * es)) != 0) {
    s = ErrnoStatus("ftruncate", path_);
  }
  if (s.ok() && file_entries_ < entries_.size()) {
    std::vector<uint8_t> buf((entries_.size() - file_entries_) * es);
    for (size_t i = file_entries_; i < entries_.size(); ++i) {
      Encode(entries_[i], buf.data() + (i - file_entries_) * es);
    }
    s = PwriteAll(fd, buf.data(), buf.size(), static_cast<int64_t>(file_entries_ * es), path_);
  }
  if (s.ok() && sync && ::fdatasync(fd) != 0) s = ErrnoStatus("fdatasync", path_);
  ::close(fd);
  if (s.ok()) {
    file_entries_ = entries_.size();
    file_needs_truncate_ = false;
  }
  return s;
}

template <typename Entry>
Status SparseIndex<Entry>::RemoveFile() {
  if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("unlink", path_);
  return Status::Ok();
}

template class SparseIndex<OffsetIndexEntry>;
template class SparseIndex<TimeIndexEntry>;

OffsetIndexEntry OffsetIndex::Lookup(int64_t target, int64_t base_offset) const {
  const auto& e = entries();
  auto it = std::upper_bound(e.begin(), e.end(), target,
                             [](int64_t t, const OffsetIndexEntry& x) { return t < x.offset; });
  if (it == e.begin()) return OffsetIndexEntry{base_offset, 0};
  return *(it - 1);
}

const TimeIndexEntry* TimeIndex::LookupBefore(int64_t ts) const {
  const auto& e = entries();
  auto it = std::lower_bound(e.begin(), e.end(), ts,
                             [](const TimeIndexEntry& x, int64_t t) { return x.timestamp < t; });
  if (it == e.begin()) return nullptr;
  return &*(it - 1);
}

}  // namespace sluice::storage
