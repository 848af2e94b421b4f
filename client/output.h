#pragma once
// Human tables and JSON documents for command output. Pure; any thread.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sluice::client {

// Left-aligned columns separated by two spaces, header in upper case as given.
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void Print(std::ostream& out) const;
  size_t size() const { return rows_.size(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Exactly one document and a newline.
void PrintJson(std::ostream& out, const nlohmann::json& doc);

// "1,2,3" for broker lists; "-" for an empty list.
std::string JoinInts(const std::vector<int32_t>& v);
// 1536 -> "1.5 KiB".
std::string FormatBytes(double bytes);

}  // namespace sluice::client
