#pragma once
// Records: the value of a schema field of type `records` (Produce/Fetch record batches).
//
// Decoding borrows: the view points into the request frame, which must outlive the message (the
// connection keeps the frame until the handler is done). Encoding can send owned or borrowed bytes,
// or a FileRegion of a segment file (zero copy to the socket, Fetch responses).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "protocol/file_region.h"
#include "protocol/wire.h"

namespace sluice::protocol {

struct Records {
  // monostate = null (the default).
  std::variant<std::monostate, std::string_view, std::string, FileRegion> value;

  static Records Null() { return Records{}; }
  static Records Borrowed(std::string_view bytes) { return Records{bytes}; }
  static Records Owned(std::string bytes) { return Records{std::move(bytes)}; }
  static Records Region(FileRegion region) { return Records{std::move(region)}; }

  bool is_null() const { return std::holds_alternative<std::monostate>(value); }
  bool is_region() const { return std::holds_alternative<FileRegion>(value); }
  // Wire length of the payload (0 when null).
  size_t size() const {
    if (auto* v = std::get_if<std::string_view>(&value)) return v->size();
    if (auto* s = std::get_if<std::string>(&value)) return s->size();
    if (auto* r = std::get_if<FileRegion>(&value)) return static_cast<size_t>(r->length);
    return 0;
  }
  // The bytes, for borrowed or owned records; empty for null and for a region.
  std::string_view bytes() const {
    if (auto* v = std::get_if<std::string_view>(&value)) return *v;
    if (auto* s = std::get_if<std::string>(&value)) return *s;
    return {};
  }

  // Classic: int32 length (-1 null); compact: uvarint(length+1) (0 null); then the bytes/region.
  void Encode(WireWriter& out, bool compact) const {
    if (is_null()) {
      out.WriteNull(compact, /*int32_length=*/true);
      return;
    }
    if (compact) {
      out.WriteUnsignedVarlong(static_cast<uint64_t>(size()) + 1);
    } else {
      out.WriteInt32(static_cast<int32_t>(size()));
    }
    if (auto* r = std::get_if<FileRegion>(&value)) {
      out.AddFileRegion(*r);
    } else {
      out.WriteRaw(bytes());
    }
  }
  // Decodes as a view into `in`'s buffer (null stays null).
  void Decode(WireReader& in, bool compact, const char* what = "records") {
    auto v = in.ReadNullableBytesView(compact, what);
    if (v.has_value()) {
      value = *v;
    } else {
      value = std::monostate{};
    }
  }

  // Equal when both null, or both carry the same bytes; regions compare by fd/offset/length.
  bool operator==(const Records& o) const {
    if (is_null() || o.is_null()) return is_null() == o.is_null();
    auto* a = std::get_if<FileRegion>(&value);
    auto* b = std::get_if<FileRegion>(&o.value);
    if (a != nullptr || b != nullptr) {
      return a != nullptr && b != nullptr && a->fd == b->fd && a->offset == b->offset &&
             a->length == b->length;
    }
    return bytes() == o.bytes();
  }
};

}  // namespace sluice::protocol
