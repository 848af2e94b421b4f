#pragma once
// The `sluice` command tree: one CommandSpec per leaf command ("topic create"), a dispatcher that
// finds the leaf, parses its options plus the global ones, prints `--help`, and turns a Status
// into one stderr line and an exit code. Thread: the main thread.
//
// Exit codes: 0 success, 1 runtime failure (cluster, broker, I/O), 2 usage error. Commands
// return Status::InvalidArgument ONLY for the caller's bad input detected locally (exit 2);
// everything else they return maps to exit 1.

#include <iosfwd>
#include <string>
#include <vector>

#include "client/args.h"
#include "common/status.h"

namespace sluice::client {

struct CommandSpec;

struct Context {
  std::istream& in;
  std::ostream& out;
  std::ostream& err;
  ParsedArgs args;
  bool json = false;
  const CommandSpec* command = nullptr;

  // --bootstrap-server, else $SLUICE_BOOTSTRAP, else the bootstrap file of ./.sluice-cluster
  // (written by `cluster up`), else 127.0.0.1:9092.
  std::string Bootstrap() const;
  // `sluice <path>` for messages ("see 'sluice topic create --help'").
  std::string CommandName() const;
};

using CommandFn = Status (*)(Context&);

struct CommandSpec {
  std::string path;        // "topic create"
  std::string positional;  // "TOPIC" for help
  size_t min_positional = 0;
  size_t max_positional = 0;
  std::string summary;
  std::vector<OptionSpec> options;
  CommandFn run = nullptr;
  std::string details;  // extra help text, may be empty
};

// Command groups, each in its own file.
std::vector<CommandSpec> ClusterCommands();
std::vector<CommandSpec> TopicCommands();
std::vector<CommandSpec> ClientCommands();  // produce, consume
std::vector<CommandSpec> PerfCommands();
std::vector<CommandSpec> GroupCommands();

std::vector<CommandSpec> AllCommands();
const std::vector<OptionSpec>& GlobalOptions();

// Runs `sluice args...` (args without argv[0]); returns the exit code.
int RunCli(const std::vector<std::string>& args, std::istream& in, std::ostream& out,
           std::ostream& err);

// The directory holding the running `sluice` binary ("" if unknown).
std::string SelfDir();

}  // namespace sluice::client
