// The dispatcher: help, usage errors (exit 2, one stderr line), nothing on stdout on error.
#include "client/cli.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

namespace sluice::client {
namespace {

struct CliRun {
  int code;
  std::string out;
  std::string err;
};

CliRun Cli(std::vector<std::string> args) {
  std::istringstream in;
  std::ostringstream out;
  std::ostringstream err;
  int code = RunCli(args, in, out, err);
  return {code, out.str(), err.str()};
}

int Lines(const std::string& s) { return static_cast<int>(std::count(s.begin(), s.end(), '\n')); }

TEST(Cli, HelpOnEveryCommandExitsZero) {
  for (const CommandSpec& c : AllCommands()) {
    std::vector<std::string> args;
    std::stringstream words(c.path);
    std::string w;
    while (words >> w) args.push_back(w);
    args.push_back("--help");
    CliRun r = Cli(args);
    EXPECT_EQ(r.code, 0) << c.path;
    EXPECT_NE(r.out.find("usage: sluice " + c.path), std::string::npos) << c.path;
    EXPECT_TRUE(r.err.empty()) << c.path;
  }
  CliRun top = Cli({"--help"});
  EXPECT_EQ(top.code, 0);
  EXPECT_NE(top.out.find("cluster up"), std::string::npos);
}

TEST(Cli, UnknownCommandIsUsageError) {
  CliRun r = Cli({"frobnicate"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(Lines(r.err), 1);
  EXPECT_NE(r.err.find("unknown command"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, MissingSubcommandIsUsageError) {
  CliRun r = Cli({"topic"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(Lines(r.err), 1);
}

TEST(Cli, ZeroPartitionsFailsWithoutContactingAnything) {
  // 127.0.0.1:1 refuses: had we contacted it the error would say "cannot reach".
  CliRun r = Cli({"topic", "create", "t", "--partitions", "0", "--bootstrap-server", "127.0.0.1:1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(Lines(r.err), 1);
  EXPECT_NE(r.err.find("--partitions"), std::string::npos);
  EXPECT_EQ(r.err.find("cannot reach"), std::string::npos);
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, GlobalOptionsBeforeTheCommandAreAccepted) {
  CliRun r = Cli({"--bootstrap-server", "127.0.0.1:1", "--json", "topic", "create", "t",
               "--partitions", "abc"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("not an integer"), std::string::npos);
}

TEST(Cli, WrongPositionalCountIsUsageError) {
  EXPECT_EQ(Cli({"topic", "describe"}).code, 2);
  EXPECT_EQ(Cli({"topic", "describe", "a", "b"}).code, 2);
}

TEST(Cli, MissingClusterDirIsRuntimeError) {
  CliRun r = Cli({"cluster", "status", "--dir", "/nonexistent/sluice-dir"});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(Lines(r.err), 1);
  EXPECT_NE(r.err.find("no cluster under"), std::string::npos);
}

}  // namespace
}  // namespace sluice::client
