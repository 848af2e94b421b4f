#pragma once
// Command-line parsing for `sluice`: a small hand-written parser (gflags cannot express
// subcommands or repeated `--config k=v`). Pure functions; any thread.
//
// Grammar: `--name value`, `--name=value`, boolean `--name`, `-h` = `--help`, `--` ends options.
// An option that takes a value takes the next token even when it starts with '-' (`--throughput
// -1`). Errors are Status::InvalidArgument naming the token: the caller prints one line, exits 2.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace sluice::client {

struct OptionSpec {
  std::string name;     // without the leading "--"
  std::string metavar;  // empty: a flag without a value
  std::string help;
  bool repeatable = false;
};

class ParsedArgs {
 public:
  bool Has(const std::string& name) const { return values_.count(name) > 0; }
  // The last value given, or `fallback`.
  std::string Get(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> GetAll(const std::string& name) const;
  Result<int64_t> GetInt(const std::string& name, int64_t fallback) const;
  Result<double> GetDouble(const std::string& name, double fallback) const;

  void Add(const std::string& name, std::string value) { values_[name].push_back(std::move(value)); }
  std::vector<std::string>& positionals() { return positionals_; }
  const std::vector<std::string>& positionals() const { return positionals_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positionals_;
};

Result<ParsedArgs> ParseOptions(const std::vector<std::string>& args,
                                const std::vector<OptionSpec>& specs);

// Strict integer / number parsing: the whole string, in range. `what` names the option.
Result<int64_t> ParseInt(std::string_view s, std::string_view what);
Result<double> ParseDouble(std::string_view s, std::string_view what);
// "key=value" with a non-empty key.
Result<std::pair<std::string, std::string>> ParseKeyValue(std::string_view s,
                                                          std::string_view what);

}  // namespace sluice::client
