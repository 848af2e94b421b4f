#pragma once
// FileRegion: a byte range of an open file that a response sends without copying it into memory
// (Fetch: segment bytes -> socket via evbuffer file segments / sendfile). `keepalive` holds whatever
// keeps `fd` open (the segment) until the bytes are written; the sender drops it afterwards.

#include <cstdint>
#include <memory>

namespace sluice::protocol {

struct FileRegion {
  int fd = -1;
  int64_t offset = 0;
  int64_t length = 0;
  std::shared_ptr<void> keepalive;
};

}  // namespace sluice::protocol
