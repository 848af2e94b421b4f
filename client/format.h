#pragma once
// `sluice consume --format`: %k key, %v value, %p partition, %o offset, %t timestamp (ms),
// %T topic, %h headers (k=v,k=v), %% a percent; \n, \t, \\ escapes. Default "%v\n".
// Pure; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace sluice::client {

struct FormattedRecord {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;
  std::optional<std::string_view> key;    // nullopt: null key
  std::optional<std::string_view> value;  // nullopt: null value
  std::vector<std::pair<std::string, std::string>> headers;
};

// Validates the format (unknown %x or a trailing % is an InvalidArgument).
Status CheckFormat(std::string_view format);
std::string FormatRecord(std::string_view format, const FormattedRecord& r);

}  // namespace sluice::client
