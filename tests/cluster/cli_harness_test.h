#pragma once
// Harness for the `sluice` CLI cluster tests: runs the real binary (stdout and stderr captured
// separately, optional stdin, a deadline), and CliCluster, a local cluster made by `sluice cluster
// up` whose every recorded PID is stopped in the destructor (`cluster down`, then SIGKILL by PID
// for anything still alive). Thread: the test's main thread.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/test_util.h"

#ifndef SLUICE_PATH
#define SLUICE_PATH "sluice"
#endif
#ifndef SLUICED_PATH
#define SLUICED_PATH ""
#endif

namespace sluice::testing {

struct CliRun {
  int code = -1;  // exit status, 128 + signal, or -1 if it could not run
  std::string out;
  std::string err;
  int ErrLines() const { return static_cast<int>(std::count(err.begin(), err.end(), '\n')); }
};

inline std::ostream& operator<<(std::ostream& os, const CliRun& r) {
  return os << "exit=" << r.code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err;
}

// Runs `sluice args...`; kills it (by its PID) if it outlives `deadline`.
inline CliRun RunSluice(const std::vector<std::string>& args, const std::string& stdin_text = "",
                        std::chrono::seconds deadline = std::chrono::seconds(180)) {
  CliRun r;
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) || pipe2(out_pipe, O_CLOEXEC) || pipe2(err_pipe, O_CLOEXEC)) {
    return r;
  }
  std::vector<std::string> argv = {SLUICE_PATH};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<char*> cargv;
  for (std::string& a : argv) cargv.push_back(a.data());
  cargv.push_back(nullptr);
  std::string sluiced = SLUICED_PATH;
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    if (!sluiced.empty()) setenv("SLUICED", sluiced.c_str(), 1);
    unsetenv("SLUICE_BOOTSTRAP");
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (!stdin_text.empty()) {
    ssize_t n = write(in_pipe[1], stdin_text.data(), stdin_text.size());
    (void)n;
  }
  close(in_pipe[1]);
  auto end = std::chrono::steady_clock::now() + deadline;
  bool out_open = true, err_open = true;
  while (out_open || err_open) {
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    if (std::chrono::steady_clock::now() > end) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, 200) <= 0) continue;
    char buf[4096];
    for (int i = 0; i < 2; ++i) {
      bool& open = i == 0 ? out_open : err_open;
      if (!open || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof(buf));
      if (n <= 0) open = false;
      else (i == 0 ? r.out : r.err).append(buf, static_cast<size_t>(n));
    }
  }
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

// True while `pid` exists and is not a zombie.
inline bool PidRunning(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!stat || !std::getline(stat, line)) return false;
  size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z' &&
         line[paren + 2] != 'X';
}

inline std::string Cmdline(pid_t pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::replace(s.begin(), s.end(), '\0', ' ');
  return s;
}

// PIDs recorded under DIR/pids.
inline std::vector<pid_t> RecordedPids(const std::string& dir) {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir + "/pids", ec)) {
    std::ifstream f(e.path());
    long pid = 0;
    if (f >> pid && pid > 0) pids.push_back(static_cast<pid_t>(pid));
  }
  return pids;
}

class CliCluster {
 public:
  CliCluster(int brokers, int zookeepers, std::vector<std::string> extra = {})
      : dir_("sluice-cli") {
    std::vector<std::string> args = {"cluster", "up", "--brokers", std::to_string(brokers),
                                     "--zookeepers", std::to_string(zookeepers), "--dir",
                                     dir_.path()};
    args.insert(args.end(), extra.begin(), extra.end());
    up_ = RunSluice(args);
    Track();
    std::ifstream f(dir_.path() + "/bootstrap");
    std::getline(f, bootstrap_);
  }
  ~CliCluster() {
    Track();
    down_ = RunSluice({"cluster", "down", "--dir", dir_.path()});
    for (pid_t pid : pids_) {
      // Only our own processes: their command lines name a file under our directory.
      if (PidRunning(pid) && Cmdline(pid).find(dir_.path()) != std::string::npos) {
        ADD_FAILURE() << "pid " << pid << " survived 'cluster down'; killing it";
        kill(pid, SIGKILL);
      }
    }
    if (::testing::Test::HasFailure()) {
      dir_.Keep();
      std::cerr << "cluster dir kept: " << dir_.path() << "\n";
    }
  }
  // Remembers every PID recorded so far (call after commands that start processes).
  void Track() {
    for (pid_t pid : RecordedPids(dir_.path())) {
      if (std::find(pids_.begin(), pids_.end(), pid) == pids_.end()) pids_.push_back(pid);
    }
  }
  const CliRun& up() const { return up_; }
  const CliRun& down() const { return down_; }
  const std::string& dir() const { return dir_.path(); }
  const std::string& bootstrap() const { return bootstrap_; }
  const std::vector<pid_t>& pids() const { return pids_; }
  CliRun Run(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.push_back("--bootstrap-server");
    args.push_back(bootstrap_);
    return RunSluice(args, stdin_text);
  }

 private:
  TempDir dir_;
  CliRun up_;
  CliRun down_;
  std::string bootstrap_;
  std::vector<pid_t> pids_;
};

}  // namespace sluice::testing
