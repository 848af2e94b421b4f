#include "client/cli.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace sluice::client {
namespace {

constexpr char kDefaultClusterDir[] = ".sluice-cluster";

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// Library messages sometimes carry newlines; an error is one line.
std::string OneLine(std::string s) {
  for (char& c : s) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return s;
}

bool IsGroup(const std::vector<CommandSpec>& all, const std::string& prefix) {
  for (const CommandSpec& c : all) {
    if (c.path.rfind(prefix + " ", 0) == 0) return true;
  }
  return false;
}

const CommandSpec* FindLeaf(const std::vector<CommandSpec>& all, const std::string& path) {
  for (const CommandSpec& c : all) {
    if (c.path == path) return &c;
  }
  return nullptr;
}

void PrintOptions(std::ostream& out, const std::vector<OptionSpec>& options) {
  for (const OptionSpec& o : options) {
    std::string left = "  --" + o.name + (o.metavar.empty() ? "" : " " + o.metavar);
    if (left.size() < 34) left.resize(34, ' ');
    else left += "  ";
    out << left << o.help << (o.repeatable ? " (repeatable)" : "") << "\n";
  }
}

void PrintLeafHelp(std::ostream& out, const CommandSpec& c) {
  out << "usage: sluice " << c.path << (c.positional.empty() ? "" : " " + c.positional)
      << " [options]\n\n"
      << c.summary << "\n";
  if (!c.details.empty()) out << "\n" << c.details << "\n";
  if (!c.options.empty()) {
    out << "\noptions:\n";
    PrintOptions(out, c.options);
  }
  out << "\nglobal options:\n";
  PrintOptions(out, GlobalOptions());
}

void PrintGroupHelp(std::ostream& out, const std::vector<CommandSpec>& all,
                    const std::string& prefix) {
  out << "usage: sluice " << (prefix.empty() ? "" : prefix + " ") << "COMMAND [options]\n\n"
      << (prefix.empty() ? "The Sluice operator tool: local clusters, topics, groups, produce, "
                           "consume, perf.\n"
                         : "")
      << "commands:\n";
  for (const CommandSpec& c : all) {
    if (!prefix.empty() && c.path.rfind(prefix + " ", 0) != 0) continue;
    std::string left = "  " + c.path;
    if (left.size() < 28) left.resize(28, ' ');
    else left += "  ";
    out << left << c.summary << "\n";
  }
  out << "\nglobal options:\n";
  PrintOptions(out, GlobalOptions());
  out << "\nRun 'sluice " << (prefix.empty() ? "" : prefix + " ")
      << "COMMAND --help' for a command's options.\n";
}

bool TakesValue(const std::string& token) {
  for (const OptionSpec& o : GlobalOptions()) {
    if (token == "--" + o.name) return !o.metavar.empty();
  }
  return false;
}

}  // namespace

std::string Context::Bootstrap() const {
  if (args.Has("bootstrap-server")) return args.Get("bootstrap-server");
  if (const char* env = std::getenv("SLUICE_BOOTSTRAP"); env != nullptr && *env != '\0') {
    return env;
  }
  std::ifstream f(std::string(kDefaultClusterDir) + "/bootstrap");
  std::string line;
  if (f && std::getline(f, line) && !Trim(line).empty()) return Trim(line);
  return "127.0.0.1:9092";
}

std::string Context::CommandName() const {
  return command == nullptr ? "sluice" : "sluice " + command->path;
}

const std::vector<OptionSpec>& GlobalOptions() {
  static const std::vector<OptionSpec> kGlobal = {
      {"bootstrap-server", "HOST:PORT[,...]",
       "brokers to contact (default: $SLUICE_BOOTSTRAP, ./.sluice-cluster/bootstrap, "
       "127.0.0.1:9092)"},
      {"json", "", "print exactly one JSON document on stdout"},
      {"help", "", "show this help"},
  };
  return kGlobal;
}

std::vector<CommandSpec> AllCommands() {
  std::vector<CommandSpec> all;
  for (auto group : {ClusterCommands(), TopicCommands(), ClientCommands(), PerfCommands(),
                     GroupCommands()}) {
    for (CommandSpec& c : group) all.push_back(std::move(c));
  }
  return all;
}

std::string SelfDir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string path(buf, static_cast<size_t>(n));
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

int RunCli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err) {
  const std::vector<CommandSpec> all = AllCommands();
  std::vector<std::string> words;
  std::vector<std::string> rest;
  const CommandSpec* leaf = nullptr;
  bool help = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& token = args[i];
    if (leaf != nullptr) {
      rest.push_back(token);
      continue;
    }
    if (!token.empty() && token[0] == '-') {
      if (token == "--help" || token == "-h") help = true;
      rest.push_back(token);
      if (TakesValue(token) && i + 1 < args.size()) rest.push_back(args[++i]);
      continue;
    }
    std::string path = words.empty() ? token : words.front();
    for (size_t w = 1; w < words.size(); ++w) path += " " + words[w];
    if (!words.empty()) path += " " + token;
    words.push_back(token);
    leaf = FindLeaf(all, path);
    if (leaf == nullptr && !IsGroup(all, path)) {
      err << "error: unknown command 'sluice " << path << "' (see 'sluice --help')\n";
      return 2;
    }
  }
  if (leaf == nullptr) {
    std::string prefix;
    for (const std::string& w : words) {
      if (!prefix.empty()) prefix += " ";
      prefix += w;
    }
    if (help) {
      PrintGroupHelp(out, all, prefix);
      return 0;
    }
    err << "error: missing command after 'sluice" << (prefix.empty() ? "" : " " + prefix)
        << "' (see 'sluice " << (prefix.empty() ? "" : prefix + " ") << "--help')\n";
    return 2;
  }
  std::vector<OptionSpec> specs = leaf->options;
  for (const OptionSpec& g : GlobalOptions()) specs.push_back(g);
  Result<ParsedArgs> parsed = ParseOptions(rest, specs);
  if (!parsed.ok()) {
    err << "error: " << parsed.status().message() << " (see 'sluice " << leaf->path
        << " --help')\n";
    return 2;
  }
  if (parsed->Has("help")) {
    PrintLeafHelp(out, *leaf);
    return 0;
  }
  size_t npos = parsed->positionals().size();
  if (npos < leaf->min_positional || npos > leaf->max_positional) {
    std::string why = npos < leaf->min_positional
                          ? "missing " + leaf->positional
                          : "unexpected argument '" + parsed->positionals()[leaf->max_positional] +
                                "'";
    err << "error: " << why << " (see 'sluice " << leaf->path << " --help')\n";
    return 2;
  }
  Context ctx{in, out, err, std::move(parsed).value()};
  ctx.json = ctx.args.Has("json");
  ctx.command = leaf;
  Status s = leaf->run(ctx);
  out.flush();
  if (s.ok()) return 0;
  if (s.code() == Errc::kInvalidArgument) {
    err << "error: " << OneLine(s.message()) << " (see 'sluice " << leaf->path << " --help')\n";
    return 2;
  }
  err << "error: " << OneLine(s.message()) << "\n";
  return 1;
}

}  // namespace sluice::client
