#include "client/args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace sluice::client {

std::string ParsedArgs::Get(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return fallback;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::GetAll(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

Result<int64_t> ParsedArgs::GetInt(const std::string& name, int64_t fallback) const {
  if (!Has(name)) return fallback;
  return ParseInt(Get(name), "--" + name);
}

Result<double> ParsedArgs::GetDouble(const std::string& name, double fallback) const {
  if (!Has(name)) return fallback;
  return ParseDouble(Get(name), "--" + name);
}

Result<ParsedArgs> ParseOptions(const std::vector<std::string>& args,
                                const std::vector<OptionSpec>& specs) {
  ParsedArgs parsed;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& token = args[i];
    if (options_done || token.size() < 2 || token[0] != '-' || token == "-") {
      parsed.positionals().push_back(token);
      continue;
    }
    if (token == "--") {
      options_done = true;
      continue;
    }
    std::string name;
    std::string inline_value;
    bool has_inline = false;
    if (token == "-h") {
      name = "help";
    } else if (token.rfind("--", 0) == 0) {
      name = token.substr(2);
      size_t eq = name.find('=');
      if (eq != std::string::npos) {
        inline_value = name.substr(eq + 1);
        name.resize(eq);
        has_inline = true;
      }
    } else {
      return Status::InvalidArgument("unknown option '" + token + "'");
    }
    const OptionSpec* spec = nullptr;
    for (const OptionSpec& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) return Status::InvalidArgument("unknown option '--" + name + "'");
    if (spec->metavar.empty()) {
      if (has_inline) return Status::InvalidArgument("option '--" + name + "' takes no value");
      parsed.Add(name, "true");
      continue;
    }
    if (!has_inline) {
      if (i + 1 >= args.size()) {
        return Status::InvalidArgument("option '--" + name + "' needs a value (" + spec->metavar +
                                       ")");
      }
      inline_value = args[++i];
    }
    if (!spec->repeatable && parsed.Has(name)) {
      return Status::InvalidArgument("option '--" + name + "' given twice");
    }
    parsed.Add(name, inline_value);
  }
  return parsed;
}

Result<int64_t> ParseInt(std::string_view s, std::string_view what) {
  std::string str(s);
  if (str.empty()) return Status::InvalidArgument(std::string(what) + ": empty value");
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(str.c_str(), &end, 10);
  if (errno == ERANGE) {
    return Status::InvalidArgument(std::string(what) + ": '" + str + "' is out of range");
  }
  if (end == str.c_str() || *end != '\0') {
    return Status::InvalidArgument(std::string(what) + ": '" + str + "' is not an integer");
  }
  return static_cast<int64_t>(v);
}

Result<double> ParseDouble(std::string_view s, std::string_view what) {
  std::string str(s);
  if (str.empty()) return Status::InvalidArgument(std::string(what) + ": empty value");
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(str.c_str(), &end);
  if (errno == ERANGE || end == str.c_str() || *end != '\0' || !std::isfinite(v)) {
    return Status::InvalidArgument(std::string(what) + ": '" + str + "' is not a number");
  }
  return v;
}

Result<std::pair<std::string, std::string>> ParseKeyValue(std::string_view s,
                                                          std::string_view what) {
  size_t eq = s.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument(std::string(what) + ": expected key=value, got '" +
                                   std::string(s) + "'");
  }
  return std::make_pair(std::string(s.substr(0, eq)), std::string(s.substr(eq + 1)));
}

}  // namespace sluice::client
