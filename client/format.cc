#include "client/format.h"

namespace sluice::client {

Status CheckFormat(std::string_view format) {
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c != '%' && c != '\\') continue;
    if (i + 1 >= format.size()) {
      return Status::InvalidArgument("--format: trailing '" + std::string(1, c) + "'");
    }
    char n = format[++i];
    std::string_view allowed = c == '%' ? "kvpotTh%" : "nt\\";
    if (allowed.find(n) == std::string_view::npos) {
      return Status::InvalidArgument("--format: unknown directive '" + std::string(1, c) +
                                     std::string(1, n) + "'");
    }
  }
  return Status::Ok();
}

std::string FormatRecord(std::string_view format, const FormattedRecord& r) {
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if ((c != '%' && c != '\\') || i + 1 >= format.size()) {
      out += c;
      continue;
    }
    char n = format[++i];
    if (c == '\\') {
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
      continue;
    }
    switch (n) {
      case 'k': if (r.key) out += *r.key; break;
      case 'v': if (r.value) out += *r.value; break;
      case 'p': out += std::to_string(r.partition); break;
      case 'o': out += std::to_string(r.offset); break;
      case 't': out += std::to_string(r.timestamp_ms); break;
      case 'T': out += r.topic; break;
      case 'h':
        for (size_t h = 0; h < r.headers.size(); ++h) {
          if (h > 0) out += ',';
          out += r.headers[h].first + "=" + r.headers[h].second;
        }
        break;
      case '%': out += '%'; break;
      default: out += '%'; out += n; break;
    }
  }
  return out;
}

}  // namespace sluice::client
