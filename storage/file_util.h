#pragma once
// Small POSIX file helpers for storage/: an fd owner shared with in-flight reads, atomic file
// replacement for checkpoints, and errno-to-Status conversion. Any thread; no shared state.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sluice::storage {

// Owns one open fd; closes it when the last shared_ptr goes away. A FileRegion's keepalive holds
// one, so a fetch in flight keeps reading a segment that retention already unlinked.
class FileHandle {
 public:
  explicit FileHandle(int fd) : fd_(fd) {}
  ~FileHandle();
  FileHandle(const FileHandle&) = delete;
  FileHandle& operator=(const FileHandle&) = delete;
  int fd() const { return fd_; }

 private:
  int fd_;
};

// "<what> <path>: <strerror(errno)>" as kIoError.
Status ErrnoStatus(std::string_view what, const std::string& path);

// Writes `content` to `path` + ".tmp", fsyncs it, renames it over `path`, fsyncs the directory.
Status WriteFileAtomically(const std::string& path, std::string_view content);
// Whole file; kNotFound if it does not exist.
Result<std::string> ReadWholeFile(const std::string& path);
Status SyncDir(const std::string& dir);
// Writes all of [data, data+n) at `pos` (retrying short writes).
Status PwriteAll(int fd, const void* data, size_t n, int64_t pos, const std::string& path);
// Reads exactly n bytes at pos; kCorruption on a short read (file ends first).
Status PreadAll(int fd, void* data, size_t n, int64_t pos, const std::string& path);
// Names of the entries of `dir` (without "." and "..").
Result<std::vector<std::string>> ListDir(const std::string& dir);
// Unlinks every path (missing ones are fine); the first other error is returned. Any thread.
Status UnlinkAll(const std::vector<std::string>& paths);
// mkdir -p.
Status MakeDirs(const std::string& dir);
// rm -rf (no error if missing).
Status RemoveTree(const std::string& path);

}  // namespace sluice::storage
