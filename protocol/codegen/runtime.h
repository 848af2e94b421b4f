#pragma once
// Helpers used by the generated message code (protocol/generated/messages.h). Not for handlers.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "protocol/wire.h"

namespace sluice::protocol::codegen {

// Reads a non-nullable array; elements are appended one by one, so a hostile count never
// reserves more than the bytes already read can justify.
template <typename T, typename ReadElem>
void ReadArray(WireReader& in, bool compact, const char* what, std::vector<T>& out,
               ReadElem&& read_elem) {
  int32_t count = in.ReadNonNullArrayLength(compact, what);
  out.clear();
  out.reserve(static_cast<size_t>(std::min<int32_t>(count, 64)));
  for (int32_t i = 0; i < count && in.ok(); ++i) {
    out.emplace_back();
    read_elem(out.back());
  }
}

template <typename T, typename ReadElem>
void ReadNullableArray(WireReader& in, bool compact, const char* what,
                       std::optional<std::vector<T>>& out, ReadElem&& read_elem) {
  std::optional<int32_t> count = in.ReadArrayLength(compact, what);
  out.reset();
  if (!count.has_value()) return;
  out.emplace();
  out->reserve(static_cast<size_t>(std::min<int32_t>(*count, 64)));
  for (int32_t i = 0; i < *count && in.ok(); ++i) {
    out->emplace_back();
    read_elem(out->back());
  }
}

template <typename T, typename WriteElem>
void WriteArray(WireWriter& out, bool compact, const std::vector<T>& v, WriteElem&& write_elem) {
  out.WriteArrayLength(v.size(), compact);
  for (const T& e : v) write_elem(e);
}

// Encodes one tagged field's payload with `write` and adds it to `tagged`.
template <typename Write>
void AddTagged(std::vector<TaggedField>& tagged, uint32_t tag, Write&& write) {
  WireWriter w;
  write(w);
  tagged.push_back(TaggedField{tag, w.bytes()});
}

// The status of a finished top-level decode, prefixed with the message name and version.
Status FinishDecode(const WireReader& in, const char* message, int16_t version);
Status UnsupportedVersion(const char* message, int16_t version);

}  // namespace sluice::protocol::codegen
