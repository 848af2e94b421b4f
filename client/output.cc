#include "client/output.h"

#include <algorithm>
#include <cstdio>
#include <ostream>

namespace sluice::client {

void Table::Print(std::ostream& out) const {
  std::vector<size_t> width(headers_.size(), 0);
  auto measure = [&](const std::vector<std::string>& row) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  };
  measure(headers_);
  for (const auto& row : rows_) measure(row);
  auto print = [&](const std::vector<std::string>& row) {
    std::string line;
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    out << line << "\n";
  };
  print(headers_);
  for (const auto& row : rows_) print(row);
}

void PrintJson(std::ostream& out, const nlohmann::json& doc) { out << doc.dump(2) << "\n"; }

std::string JoinInts(const std::vector<int32_t>& v) {
  if (v.empty()) return "-";
  std::string s;
  for (int32_t x : v) {
    if (!s.empty()) s += ",";
    s += std::to_string(x);
  }
  return s;
}

std::string FormatBytes(double bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (bytes >= 1024 && u < 4) {
    bytes /= 1024;
    ++u;
  }
  char buf[32];
  if (u == 0) std::snprintf(buf, sizeof(buf), "%.0f %s", bytes, units[u]);
  else std::snprintf(buf, sizeof(buf), "%.1f %s", bytes, units[u]);
  return buf;
}

}  // namespace sluice::client
